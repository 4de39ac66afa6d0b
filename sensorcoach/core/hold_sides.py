"""Naming holds whose side down was not known while they ran (no forward direction).

Without a forward calibration the hold detector still sees each hold's elevation and the
direction of its side down as an azimuth about the calibrated up, in a frame whose zero
is arbitrary but fixed for the recording. A plank puts the front down, side planks the
left or right side, so across a workout the holds' azimuths fall into clusters:

- two clusters about 180 deg apart are the two side planks; a third about 90 deg from both
  is the plank (front down), which fixes the body's forward direction and with it which
  side plank is left and which right (the frame is right-handed: left = up x forward,
  so left side down lies 90 deg clockwise of front down in azimuth);
- two opposite clusters alone are side planks whose sides cannot be told: ``a`` (the
  first one seen) and ``b`` (SPEC section 4);
- one cluster, or two about 90 deg apart, cannot be placed for sure: the cluster seen
  first is taken as the plank (the routine begins with it) and the other as a side plank
  ``a``, and the note says it was assumed.

:func:`name_holds` returns the renamed holds and one sentence saying what was inferred.
"""

from __future__ import annotations

from dataclasses import replace

from sensorcoach.core import catalogue
from sensorcoach.core.events import Hold

#: deg: holds whose side-down azimuths differ by less than this share a cluster; two
#: clusters are opposite (or square) within it. Half of the 90 deg between sides.
CLUSTER_DEG = 45.0


def _wrap(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


def _clusters(holds: list[Hold]) -> list[list[int]]:
    """Indices of holds grouped by azimuth, in order of first appearance."""
    centres: list[float] = []
    members: list[list[int]] = []
    for i, h in enumerate(holds):
        for k, c in enumerate(centres):
            if abs(_wrap(h.azimuth_deg - c)) < CLUSTER_DEG:
                members[k].append(i)
                n = len(members[k])
                centres[k] = c + _wrap(h.azimuth_deg - c) / n
                break
        else:
            centres.append(h.azimuth_deg)
            members.append([i])
    return members


#: deg: a hold whose side down is further than this from front down faces up (the back
#: down, between the two sides' 90): a supine rest read 12 deg above horizontal without a
#: calibration was a "side plank"; halfway between a side (90) and the back (180).
BACK_DOWN_DEG = 135.0
#: Side facing the floor of each named hold row (catalogue): without the forward
#: direction, bird dog sides are named by their alternation, which single-leg bridges
#: held right then left show too, and a bridge by its long axis head end down, which
#: an arched back on all fours shows too.
ROW_DOWN_AZ = {e.name: e.down_az_deg for e in catalogue.holds()}
#: Side-down azimuth relative to front down, deg, of each hold posture.
_BY_AZIMUTH = (("plank", 0.0), ("side_plank_left", -90.0), ("side_plank_right", 90.0))


def name_holds(holds: list[Hold], forward_deg: float | None = None
               ) -> tuple[list[Hold], str | None]:
    """Rename holds of kind ``hold``; others pass unchanged, but for those found facing
    the other way than their row once ``forward_deg`` is known (a bird dog side facing
    up, a bridge facing down). Returns (holds, note).

    ``forward_deg``: the body's forward direction in the holds' frame, where it was
    inferred from something else (core.stretches learns it from the trunk's forward
    tilts: folds, hinges, getting down): a hold's side down is then its azimuth from
    front down, nearest of front, left and right, whatever the other holds are."""
    if forward_deg is not None:
        out: list[Hold] = []
        for h in holds:
            if h.kind != "hold" and (h.kind not in ROW_DOWN_AZ or h.target_s is not None):
                out.append(h)
                continue
            # the body frame turns the holds' frame by the forward direction: an azimuth
            # there is the azimuth here plus forward's angle
            d = _wrap(h.azimuth_deg + forward_deg)
            if h.kind != "hold":
                if abs(_wrap(d - ROW_DOWN_AZ[h.kind])) <= BACK_DOWN_DEG:
                    out.append(h)  # else facing the other way: a bridge on all fours
                continue
            if abs(d) > BACK_DOWN_DEG:
                continue  # facing up: lying back or reclining, not a plank or side plank
            name = min(_BY_AZIMUTH, key=lambda r: abs(_wrap(d - r[1])))[0]
            out.append(replace(h, kind=name))
        if not any(h.kind == "hold" for h in holds):
            return out, None
        return out, ("holds' sides inferred: front, left and right from the forward "
                     "direction the trunk's forward tilts showed (folds, hinges, getting "
                     "down)")
    idx = [i for i, h in enumerate(holds) if h.kind == "hold"]
    if not idx:
        return holds, None
    unnamed = [holds[i] for i in idx]
    groups = _clusters(unnamed)
    centre = [sum(_wrap(unnamed[j].azimuth_deg - unnamed[g[0]].azimuth_deg) for j in g)
              / len(g) + unnamed[g[0]].azimuth_deg for g in groups]
    names: dict[int, str] = {}

    def diff(a: int, b: int) -> float:
        return abs(_wrap(centre[a] - centre[b]))

    pairs = [(a, b) for a in range(len(groups)) for b in range(a + 1, len(groups))
             if diff(a, b) > 180.0 - CLUSTER_DEG]
    note: str
    if pairs:
        a, b = pairs[0]
        front = [c for c in range(len(groups)) if c not in (a, b)
                 and abs(diff(c, a) - 90.0) < CLUSTER_DEG and abs(diff(c, b) - 90.0) < CLUSTER_DEG]
        if front:
            f = front[0]
            names[f] = "plank"
            for c in (a, b):
                # left side down: 90 deg from front down in the sense left = up x forward
                names[c] = ("side_plank_left" if _wrap(centre[c] - centre[f]) < 0
                            else "side_plank_right")
            note = ("holds' sides inferred: the plank's front-down direction from three hold "
                    "directions, and with it left and right")
        else:
            names[a], names[b] = "side_plank_a", "side_plank_b"
            note = ("holds' sides unknown (no forward calibration and no plank to infer it "
                    "from): side planks are reported as a and b")
    else:
        names[0] = "plank"
        if len(groups) > 1:
            names[1] = "side_plank_a"
        note = ("holds' sides unknown (no forward calibration): the first hold direction "
                "was assumed to be a plank (front down)"
                + (", the other a side plank 'a'" if len(groups) > 1 else ""))
    for k in range(len(groups)):
        names.setdefault(k, "side_plank_a" if "side_plank_a" not in names.values()
                         else "side_plank_b")
    out = list(holds)
    for k, g in enumerate(groups):
        for j in g:
            out[idx[j]] = replace(unnamed[j], kind=names[k])
    return out, note
