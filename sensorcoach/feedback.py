"""The person's verdicts on slump alerts, kept in the sessions database, and the
thresholds they teach (:mod:`sensorcoach.core.personal`).

A verdict is kept with the alert's episode (mean and peak flexion, duration, placement),
copied from the session's slump events when it is given, or, for an alert of a live
session whose episode is still under way, as soon as the episode has ended. A reset
makes every earlier verdict stop counting (they stay in the history); undoing a verdict
removes it from the replay. :func:`personal_settings` is what the next session uses.

The SQL of the ``feedback`` and ``feedback_resets`` tables (migration 3 of
:mod:`sensorcoach.store`) lives here, beside the rules that read it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sensorcoach.core.personal import (
    MAX_ANGLE_OFFSET_DEG,
    MAX_DWELL_FACTOR,
    VERDICTS,
    Mark,
    Thresholds,
    bounds,
    learn,
)
from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings
from sensorcoach.errors import SensorcoachError
from sensorcoach.store import Store, _now

log = logging.getLogger(__name__)

#: An alert belongs to the episode that contains its time, give or take this (s): an
#: alert fires inside its episode, but a live episode's edges are rounded to frames.
EPISODE_SLACK_S = 1.0


class FeedbackError(SensorcoachError):
    """A verdict that cannot be taken: no such alert, not a slump alert, nothing to undo."""

    def __init__(self, message: str, *, missing: bool = False):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Verdict:
    """A stored verdict (one row of ``feedback``)."""

    id: int
    alert_id: int
    session_id: int
    t_s: float
    verdict: str
    placement: str | None
    episode: dict[str, Any] | None
    created_at: str
    undone_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "alert_id": self.alert_id, "session_id": self.session_id,
                "t_s": self.t_s, "verdict": self.verdict, "placement": self.placement,
                "episode": self.episode, "created_at": self.created_at,
                "undone_at": self.undone_at}

    def mark(self) -> Mark | None:
        """The mark the learning replays; None while the episode is not known."""
        e = self.episode
        if e is None:
            return None
        return Mark(self.id, self.verdict, self.placement, float(e["mean_flexion_deg"]),
                    float(e["peak_flexion_deg"]), float(e["duration_s"]))


def _episode_of(store: Store, session_id: int, t_s: float) -> dict[str, Any] | None:
    """The finished slump episode containing ``t_s`` (its events, else its analysis)."""
    eps = store.events(session_id, "slump")
    if not eps:
        try:
            eps = list(store.get_session(session_id).get("slumps", []))
        except SensorcoachError:
            return None
    for e in eps:
        start, end = e.get("start_s"), e.get("end_s")
        if (isinstance(start, int | float) and isinstance(end, int | float)
                and start - EPISODE_SLACK_S <= t_s <= end + EPISODE_SLACK_S
                and "mean_flexion_deg" in e and "peak_flexion_deg" in e):
            return {"start_s": float(start), "end_s": float(end),
                    "duration_s": float(e.get("duration_s", end - start)),
                    "mean_flexion_deg": float(e["mean_flexion_deg"]),
                    "peak_flexion_deg": float(e["peak_flexion_deg"])}
    return None


class FeedbackStore:
    """Verdicts and resets in ``store``'s database."""

    def __init__(self, store: Store):
        self.store = store
        self.db = store.db

    def _last_reset(self) -> tuple[int, str | None]:
        r = self.db.execute("SELECT after_mark, created_at FROM feedback_resets"
                            " ORDER BY id DESC LIMIT 1").fetchone()
        return (0, None) if r is None else (int(r["after_mark"]), str(r["created_at"]))

    def _row(self, r: Any) -> Verdict:
        return Verdict(int(r["id"]), int(r["alert_id"]), int(r["session_id"]), float(r["t_s"]),
                       str(r["verdict"]), r["placement"],
                       json.loads(r["episode"]) if r["episode"] else None,
                       str(r["created_at"]), r["undone_at"])

    def active(self, alert_id: int) -> Verdict | None:
        """The verdict on ``alert_id`` that counts now (not undone, after the last reset)."""
        after, _ = self._last_reset()
        r = self.db.execute("SELECT * FROM feedback WHERE alert_id = ? AND undone_at IS NULL"
                            " AND id > ? ORDER BY id DESC LIMIT 1", (alert_id, after)).fetchone()
        return None if r is None else self._row(r)

    def give(self, alert_id: int, verdict: str) -> Verdict:
        """The person's verdict on a slump alert; the same verdict again changes nothing,
        another replaces it. FeedbackError for no such alert (``missing``) or another kind."""
        if verdict not in VERDICTS:
            raise FeedbackError(f"verdict must be one of {', '.join(VERDICTS)}, "
                                f"got {verdict!r}")
        a = self.db.execute("SELECT a.id, a.session_id, a.t_s, a.kind, s.placement FROM alerts"
                            " a JOIN sessions s ON s.id = a.session_id WHERE a.id = ?",
                            (alert_id,)).fetchone()
        if a is None:
            raise FeedbackError(f"no alert {alert_id}", missing=True)
        if a["kind"] != "slump":
            raise FeedbackError(f"alert {alert_id} is a {a['kind']} alert: only slump alerts "
                                "teach the slump thresholds")
        with self.store.transaction():
            old = self.active(alert_id)
            if old is not None and old.verdict == verdict:
                return old
            if old is not None:
                self.db.execute("UPDATE feedback SET undone_at = ? WHERE id = ?",
                                (_now(), old.id))
            ep = _episode_of(self.store, int(a["session_id"]), float(a["t_s"]))
            cur = self.db.execute(
                "INSERT INTO feedback (alert_id, session_id, t_s, verdict, placement, episode,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (alert_id, int(a["session_id"]), float(a["t_s"]), verdict, a["placement"],
                 None if ep is None else json.dumps(ep), _now()))
        log.info("verdict %s on alert %d", verdict, alert_id)
        return self._get(int(cur.lastrowid or 0))

    def undo(self, alert_id: int) -> Verdict:
        """Take back the verdict on ``alert_id``; FeedbackError (``missing``) if none counts."""
        v = self.active(alert_id)
        if v is None:
            raise FeedbackError(f"no verdict on alert {alert_id} to undo", missing=True)
        self.db.execute("UPDATE feedback SET undone_at = ? WHERE id = ?", (_now(), v.id))
        return self._get(v.id)

    def _get(self, verdict_id: int) -> Verdict:
        r = self.db.execute("SELECT * FROM feedback WHERE id = ?", (verdict_id,)).fetchone()
        return self._row(r)

    def reset(self) -> str:
        """Every verdict so far stops counting; returns when."""
        last = self.db.execute("SELECT MAX(id) FROM feedback").fetchone()[0]
        when = _now()
        self.db.execute("INSERT INTO feedback_resets (created_at, after_mark) VALUES (?, ?)",
                        (when, int(last or 0)))
        return when

    def verdicts(self) -> list[Verdict]:
        """Every verdict ever given, oldest first; an episode that has ended since its
        verdict was given is filled in (and kept)."""
        rows = [self._row(r) for r in
                self.db.execute("SELECT * FROM feedback ORDER BY id").fetchall()]
        out = []
        for v in rows:
            if v.episode is None and v.undone_at is None:
                ep = _episode_of(self.store, v.session_id, v.t_s)
                if ep is not None:
                    self.db.execute("UPDATE feedback SET episode = ? WHERE id = ?",
                                    (json.dumps(ep), v.id))
                    v = self._get(v.id)
            out.append(v)
        return out

    def resets(self) -> list[tuple[int, str]]:
        """(after_mark, created_at) of every reset, oldest first."""
        return [(int(r["after_mark"]), str(r["created_at"])) for r in self.db.execute(
            "SELECT after_mark, created_at FROM feedback_resets ORDER BY id").fetchall()]

    def counting(self) -> list[Verdict]:
        """The verdicts that count now, oldest first."""
        after, _ = self._last_reset()
        return [v for v in self.verdicts() if v.id > after and v.undone_at is None]


def thresholds(store: Store) -> Thresholds:
    """The learnt thresholds from the verdicts that count now."""
    marks = [m for v in FeedbackStore(store).counting() if (m := v.mark()) is not None]
    return learn(marks)[0]


def personal_settings(store: Store, base: Settings = DEFAULT_SETTINGS) -> Settings:
    """``base`` with the person's learnt slump thresholds: what the next session uses."""
    try:
        return thresholds(store).apply(base)
    except SensorcoachError as e:  # a damaged profile must not stop a session
        log.warning("personal thresholds unavailable, defaults used: %s", e)
        return base


def profile(store: Store, placement: str | None = None) -> dict[str, Any]:
    """The person's thresholds (value, default, bounds), the history of changes (what
    changed, when, from which verdict), verdicts still waiting for their episode, and
    the resets."""
    fb = FeedbackStore(store)
    after, reset_at = fb._last_reset()
    every = fb.verdicts()
    counting = [v for v in every if v.id > after and v.undone_at is None]
    marks = [m for v in counting if (m := v.mark()) is not None]
    learnt, steps = learn(marks)
    settings = learnt.apply()
    by_id = {v.id: v for v in every}
    b = bounds(placement)
    values = {"slump_on_deg": settings.slump_on_deg(placement),
              "slump_dwell_s": settings.slump_dwell_s, "slump_min_s": settings.slump_min_s}
    history = []
    for st in steps:
        v = by_id[st.mark_id]
        history.append({"verdict_id": v.id, "alert_id": v.alert_id, "session_id": v.session_id,
                        "t_s": v.t_s, "verdict": v.verdict, "at": v.created_at,
                        "changed": st.changed, "reason": st.reason,
                        "before": _values(st.before, placement),
                        "after": _values(st.after, placement)})
    return {
        "placement": placement,
        "thresholds": {k: {**b[k], "value": round(values[k], 2)} for k in b},
        "learnt": learnt.to_dict(),
        "bounds": {"max_angle_offset_deg": MAX_ANGLE_OFFSET_DEG,
                   "max_dwell_factor": MAX_DWELL_FACTOR},
        "history": history,
        "waiting": [v.to_dict() for v in counting if v.episode is None],
        "marks": [{"alert_id": v.alert_id, "verdict": v.verdict} for v in counting],
        "reset_at": reset_at,
        "earlier": [v.to_dict() for v in every if v.id <= after or v.undone_at is not None],
    }


def _values(t: Thresholds, placement: str | None) -> dict[str, float]:
    s = t.apply()
    return {"slump_on_deg": round(s.slump_on_deg(placement), 2),
            "slump_dwell_s": round(s.slump_dwell_s, 2), "slump_min_s": round(s.slump_min_s, 2)}


def thresholds_used(settings: Settings, placement: str | None) -> dict[str, Any]:
    """The slump thresholds an analysis ran with, and whether they are the person's own
    (learnt from feedback) or the defaults: stored with the session."""
    return {"slump_on_deg": round(settings.slump_on_deg(placement), 2),
            "slump_min_s": round(settings.slump_min_s, 2),
            "slump_dwell_s": round(settings.slump_dwell_s, 2),
            "personal": (settings.slump_on_deg(placement)
                         != DEFAULT_SETTINGS.slump_on_deg(placement)
                         or settings.slump_dwell_s != DEFAULT_SETTINGS.slump_dwell_s)}


def session_alerts(store: Store, session_id: int) -> list[dict[str, Any]]:
    """A session's alerts in time order, each with its id and (slump alerts) the verdict
    that counts now (None if none); StoreError when there is no such session."""
    store.get_session(session_id)
    fb = FeedbackStore(store)
    after, _ = fb._last_reset()
    rows = store.db.execute(
        "SELECT a.id, a.t_s, a.kind, a.message, a.delivered, a.reason,"
        " (SELECT f.verdict FROM feedback f WHERE f.alert_id = a.id AND f.undone_at IS NULL"
        "  AND f.id > ? ORDER BY f.id DESC LIMIT 1) AS verdict"
        " FROM alerts a WHERE a.session_id = ? ORDER BY a.t_s, a.id",
        (after, session_id)).fetchall()
    return [{**dict(r), "delivered": bool(r["delivered"])} for r in rows]
