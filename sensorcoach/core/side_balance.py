"""Telling a nearly level single-leg exercise from its two-legged form by the sides
around it.

A single-leg bridge is named by its pelvic drop toward the free side, a single-leg
deadlift by its pelvic rotation; a good one shows only 2-3 deg, and a two-legged bridge
or deadlift may roll or rotate as much: the measure alone cannot tell them apart there.
One-sided exercises are done on both sides, so in a run of one exercise's holds or sets
(gaps under ``RUN_GAP_S``):

- *surplus*: where both sides appear and one side appears more often than the other, its
  surplus ones that are the most level, if within the setting
  ``one_sided_level_max_deg``, are the two-legged exercise (a glute bridge before the
  single-leg bridges left and right);
- *deficit*: where one side appears and the other not, beside two or more two-legged
  items, the two-legged item leaning furthest toward the missing side, at least
  ``DEFICIT_MIN_DEG``, is that side (a single-leg bridge dropping 1.9 deg, just under the
  2 deg that names one, between a level glute bridge and the other side's bridges: seed
  9929). One two-legged item always stays, and a run of one side alone, or one side with
  a single two-legged item, is left as it is: a person may work the weaker side alone;
  but where the side seen appears twice or more beside a single two-legged item leaning
  to the missing side, that item is the missing side and the surplus rule then takes
  the most level of the side seen for the two-legged one (a swap: seed 9723, a glute
  bridge rolled 2.1 deg read as single-leg right, the single-leg left as two-legged).

- *offset*: a run of three or more sets showing one side only, whose measures, less
  their median (at most ``one_sided_level_max_deg``), name each side equally often, is
  read less that median: a body frame turned a few degrees adds a constant to every
  set's pelvic rotation (seed 9904, calibrated: 2.8 deg, so deadlift, single-leg right
  and left read single-leg right, right and deadlift). One side trained alone, or after
  a deadlift, does not balance that way and stays.
- *pairs*: a sided stretch told by its roll (knee to belly) is done on both sides in
  turn; in a run showing one side only, twice or more, the items rolled less than
  ``PAIR_UNSURE_DEG`` toward that side (or, of two, ``PAIR_GAP_DEG`` less than the
  other), least rolled first, are the other side, up to half of the run (seed 9908:
  right then left, the left knee's roll read +0.9 deg with no flat lying level before it
  to measure against). Clearly rolled items stay: a person may stretch one side twice.

The catalogue says which row is the single-leg form of which (``Exercise.one_leg_of``)
and the first of its form measures is the one compared (``pelvic_drop`` for bridges,
``pelvic_rotation`` for deadlifts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

import numpy as np

from sensorcoach.core import catalogue
from sensorcoach.core.events import Hold
from sensorcoach.core.rep_sets import RepSet

#: s: holds or sets of one exercise (its two-legged and single-leg forms) this close
#: together are one run of it.
RUN_GAP_S = 180.0
#: deg: a two-legged item must lean this far toward the missing side to be taken for it
#: (design choice: half the 2 deg that names a single-leg bridge or deadlift; level
#: two-legged bridges and deadlifts read 0-1 deg, single-leg ones just under the limit
#: 1.8-2.0).
DEFICIT_MIN_DEG = 1.0
#: deg: a sided stretch told by a roll this small (a knee to belly measured without a flat
#: lying level before it, against zero: a mounting's roll of 1-3 deg shows) may be the
#: other side (design choice: 4 of 239 knees to belly on the development seeds were named
#: on the wrong side, all rolled 0.35-0.9 deg, the second of a pair named like the first).
PAIR_UNSURE_DEG = 1.0
#: deg: ...or, of two in a row, rolled this much less than the other (against a flat
#: lying level itself rolled: right then left read +5.2 and +2.3 deg, seed 9908; design
#: choice: one person's two sides roll alike, 1-6 deg in the simulator).
PAIR_GAP_DEG = 2.0


class _Item(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...
    @property
    def form(self) -> dict[str, float]: ...


T = TypeVar("T", bound=_Item)


def one_sided_rows(exercises: tuple[catalogue.Exercise, ...] = catalogue.CATALOGUE
                   ) -> dict[str, catalogue.Exercise]:
    """Single-leg rows by name (those with ``one_leg_of``)."""
    return {e.name: e for e in exercises if e.one_leg_of is not None and e.form}


def _rep_values(sets: Sequence[RepSet], key: str) -> list[float]:
    """The signed measure ``key`` of every repetition of ``sets``."""
    return [r.form[key] for rs in sets for r in rs.reps if key in r.form]


def _band_sign(row: catalogue.Exercise) -> float:
    """+1 where the row's roll band is toward the right side down, else -1."""
    assert row.roll_deg is not None
    return 1.0 if row.roll_deg[0] >= 0.0 else -1.0


def _other_side(rows: dict[str, catalogue.Exercise], side: str
                ) -> catalogue.Exercise | None:
    """The single-leg row of the other side than ``side`` (None unless exactly one)."""
    other = [r for r in rows.values()
             if r.one_leg_of == rows[side].one_leg_of and r.name != side]
    return other[0] if len(other) == 1 else None


def _one_leg_runs(out: Sequence[_Item], rows: dict[str, catalogue.Exercise]
                  ) -> list[tuple[str, list[int]]]:
    """(two-legged kind, run) of each run of an exercise in either form."""
    found: list[tuple[str, list[int]]] = []
    for base in sorted({r.one_leg_of for r in rows.values() if r.one_leg_of}):
        members = [i for i, x in enumerate(out)
                   if x.kind == base or (x.kind in rows and rows[x.kind].one_leg_of == base)]
        found += [(base, run) for run in _runs(out, members)]
    return found


def _level(item: _Item, key: str) -> float:
    """How far from level a single-leg item is (deg): a set's signed median over its
    repetitions, as it was named by (a two-legged set's repetitions scatter both ways: a
    deadlift rotating 2.0 deg by median read 4.8 by the median of magnitudes, seed 9720);
    a hold's measure."""
    if isinstance(item, RepSet):
        vals = _rep_values([item], key)
        return abs(float(np.median(vals))) if vals else float("inf")
    return abs(item.form.get(key, float("inf")))


def _runs(out: Sequence[_Item], members: list[int]) -> list[list[int]]:
    """``members`` (indices into ``out``, in time order) split where a gap exceeds
    ``RUN_GAP_S``."""
    runs: list[list[int]] = []
    for i in members:
        if runs and out[i].start_s - out[runs[-1][-1]].end_s <= RUN_GAP_S:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def balance_sides(items: Sequence[T], level_max_deg: float,
                  two_legged: Callable[[T, catalogue.Exercise, float], T],
                  exercises: tuple[catalogue.Exercise, ...] = catalogue.CATALOGUE,
                  one_legged: Callable[[T, catalogue.Exercise, list[T]], T | None]
                  | None = None) -> list[T]:
    """``items`` (holds or sets, in time order) with the surplus most level single-leg
    ones of each run renamed by ``two_legged(item, row, measure)``: ``row`` the item's
    single-leg row, ``measure`` its level measure (deg, magnitude); and for a missing
    side, ``one_legged(item, row, others)``: the two-legged ``item`` as the single-leg
    ``row`` if it leans toward that side at least ``DEFICIT_MIN_DEG`` (``others``: the
    run's items of the other side, whose lean shows which way is which), else None."""
    rows = one_sided_rows(exercises)
    out = list(items)
    if not any(x.kind in rows for x in out):
        return out

    def measure(i: int) -> float:
        return _level(out[i], f"{rows[out[i].kind].form[0]}_deg")

    for _, run in _one_leg_runs(out, rows):

        def sides(run: list[int] = run) -> dict[str, list[int]]:
            by_side: dict[str, list[int]] = {}
            for i in run:
                if out[i].kind in rows:
                    by_side.setdefault(out[i].kind, []).append(i)
            return by_side

        by_side = sides()
        if len(by_side) == 1 and one_legged is not None:
            _fill_missing_side(out, run, rows, by_side, one_legged,
                               min(map(measure, *by_side.values())) <= level_max_deg)
            by_side = sides()
        if len(by_side) < 2:
            continue
        (n_more, more), (n_less, _) = sorted(((len(v), k) for k, v in by_side.items()),
                                             reverse=True)[:2]
        for i in sorted(by_side[more], key=measure)[:n_more - n_less]:
            if measure(i) > level_max_deg:
                break
            out[i] = two_legged(out[i], rows[more], measure(i))
    return out


def _fill_missing_side(out: list[T], run: list[int], rows: dict[str, catalogue.Exercise],
                       by_side: dict[str, list[int]],
                       one_legged: Callable[[T, catalogue.Exercise, list[T]], T | None],
                       seen_level: bool) -> None:
    """The deficit rule (module docstring) on one run, in place; ``seen_level``: the
    side seen has an item level enough to be the two-legged one (the surplus rule)."""
    (side, seen), = by_side.items()
    missing = _other_side(rows, side)
    pairs = [i for i in run if out[i].kind not in rows]
    if missing is None or not pairs:
        return
    # as many as the side seen has, one two-legged item left; the only one only where
    # the surplus rule then takes a level one of the side seen for it (a swap)
    n = len(pairs) - 1 if len(pairs) > 1 else int(len(seen) >= 2 and seen_level)
    others = [out[i] for i in seen]
    named = {i: x for i in pairs if (x := one_legged(out[i], missing, others)) is not None}
    order = sorted(named, key=lambda i: -max(named[i].form.values(), default=0.0))
    for i in order[:min(len(seen), n)]:
        out[i] = named[i]


def balance_offset(sets: Sequence[RepSet], level_max_deg: float,
                   exercises: tuple[catalogue.Exercise, ...] = catalogue.CATALOGUE
                   ) -> list[RepSet]:
    """``sets`` (in time order) with the *offset* rule (module docstring): the measure
    that names a single-leg set is its two-legged row's ``one_leg_deg``,
    ``level_max_deg`` the largest offset."""
    rows = one_sided_rows(exercises)
    named_deg = {r.name: r.one_leg_deg for r in exercises if r.one_leg_deg is not None}
    out = list(sets)
    for base, run in _one_leg_runs(out, rows):
        sides = {out[i].kind for i in run if out[i].kind in rows}
        if len(run) < 3 or len(sides) != 1:
            continue
        (side,) = sides
        missing = _other_side(rows, side)
        key = f"{rows[side].form[0]}_deg"
        vals = {i: _rep_values([out[i]], key) for i in run}
        if missing is None or not all(vals.values()):
            continue
        v = {i: float(np.median(x)) for i, x in vals.items()}
        sign = np.sign(np.median([v[i] for i in run if out[i].kind == side]))
        m = float(np.median(list(v.values())))
        if abs(m) > level_max_deg:
            continue
        named = {i: (base if abs(v[i] - m) < named_deg[base]
                     else side if np.sign(v[i] - m) == sign else missing.name)
                 for i in run}
        n_side = sum(k == side for k in named.values())
        if n_side == 0 or n_side != sum(k == missing.name for k in named.values()):
            continue
        for i, k in named.items():
            if k != out[i].kind:
                out[i] = RepSet(k, out[i].reps, rows[k].side if k in rows else None,
                                out[i].note)
    return out


def balance_pairs(holds: Sequence[Hold],
                  exercises: tuple[catalogue.Exercise, ...] = catalogue.CATALOGUE
                  ) -> list[Hold]:
    """``holds`` (in time order) with the *pairs* rule (module docstring) applied to the
    catalogue's sided rows told apart by a roll band (knee to belly, cross)."""
    rows = {e.name: e for e in exercises
            if e.pair is not None and e.roll_deg is not None and e.side is not None}
    out = list(holds)
    pairs = {tuple(sorted((n, r.pair))) for n, r in rows.items() if r.pair in rows}
    for pair in sorted(pairs):
        members = [i for i, h in enumerate(out) if h.kind in pair]
        runs = _runs(out, members)
        for run in runs:
            kinds = {out[i].kind for i in run}
            if len(kinds) != 1 or len(run) < 2:
                continue
            (kind,) = kinds
            row, other = rows[kind], rows[rows[kind].pair or ""]
            sign = _band_sign(row)

            def lean(i: int, sign: float = sign) -> float:
                return sign * out[i].form.get("roll_deg", float("inf"))

            top = max(map(lean, run))
            unsure = sorted((i for i in run if lean(i) < PAIR_UNSURE_DEG
                             or (len(run) == 2 and lean(i) <= top - PAIR_GAP_DEG)), key=lean)
            for i in unsure[:len(run) // 2]:
                out[i] = replace(out[i], kind=other.name)
    return out


def two_legged_hold(h: Hold, row: catalogue.Exercise, drop: float) -> Hold:
    """A single-leg hold as its two-legged row: the drop becomes a signed roll (+ right
    side down, the side the ``row``'s roll band leans to)."""
    assert row.one_leg_of is not None
    return replace(h, kind=row.one_leg_of, form={"roll_deg": round(_band_sign(row) * drop, 1)})


def two_legged_set(rs: RepSet, row: catalogue.Exercise, _measure: float) -> RepSet:
    """A single-leg set as its two-legged row (no side)."""
    assert row.one_leg_of is not None
    return RepSet(row.one_leg_of, rs.reps, None, rs.note)


def one_legged_hold(h: Hold, row: catalogue.Exercise, _others: list[Hold]) -> Hold | None:
    """A two-legged hold as the single-leg ``row`` if its roll leans that way (the
    ``row``'s roll band says which) at least ``DEFICIT_MIN_DEG``, else None."""
    roll = h.form.get("roll_deg")
    if roll is None or row.roll_deg is None:
        return None
    lean = _band_sign(row) * roll
    if lean < DEFICIT_MIN_DEG:
        return None
    return replace(h, kind=row.name, form={f"{row.form[0]}_deg": round(lean, 1)})


def one_legged_set(rs: RepSet, row: catalogue.Exercise, others: list[RepSet]
                   ) -> RepSet | None:
    """A two-legged set as the single-leg ``row`` if its repetitions' median measure
    leans away from the other side's sets (``others``) at least ``DEFICIT_MIN_DEG``."""
    key = f"{row.form[0]}_deg"
    mine, theirs = _rep_values([rs], key), _rep_values(others, key)
    if not mine or not theirs or row.side is None:
        return None
    lean = float(np.median(mine)) * -float(np.sign(np.median(theirs)))
    if lean < DEFICIT_MIN_DEG:
        return None
    return RepSet(row.name, rs.reps, row.side, rs.note)
