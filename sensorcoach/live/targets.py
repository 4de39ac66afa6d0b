"""Hold targets reached, live: a ``target`` notice when the hold under way has lasted its
target time (once per hold), for the alert sinks (the sensor's buzz, issue 16 item 2).

Targets are the plan's (:mod:`sensorcoach.plan`: exercises counted in seconds), else the
default plan's. :class:`TargetRunner` is the live runner that checks after every source
event; the notice goes through the runner's dispatcher, so tracking mode and snooze keep
it quiet like any alert. It is not stored as an alert (it is not one).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TextIO

from firmware_interface.transports.base import buzz
from sensorcoach.alerts import AlertDispatcher, BuzzSink, Notice
from sensorcoach.core.workout import label
from sensorcoach.live.runner import Line, LiveRunner
from sensorcoach.plan import DEFAULT_PLAN, Plan
from sensorcoach.store import Store

log = logging.getLogger(__name__)


def targets_of(plan: Plan) -> dict[str, float]:
    """Exercise -> target hold time (s) of the plan's timed exercises."""
    return {i.exercise: i.target for i in plan.items if i.unit == "s"}


def plan_of(store: Store | None) -> Plan:
    """The person's saved plan (the last version), else the default one."""
    saved = store.plans() if store is not None else []
    if saved:
        try:
            return Plan.parse(saved[-1][1])
        except ValueError as e:
            log.warning("saved plan not used: %s", e)
    return DEFAULT_PLAN


class TargetWatch:
    """Tells when the hold under way reaches its target time (``targets_s``: kind -> s)."""

    def __init__(self, targets_s: Mapping[str, float]) -> None:
        self.targets_s = dict(targets_s)
        self._kind: str | None = None
        self._told = False

    def update(self, kind: str | None, since_s: float | None,
               now_s: float | None) -> Notice | None:
        """The hold under way (``kind`` since ``since_s``, None: none) at ``now_s`` (stream
        s): a notice the first time it has lasted its target, else None."""
        if kind is None or since_s is None or now_s is None:
            self._kind, self._told = None, False
            return None
        if kind != self._kind:
            self._kind, self._told = kind, False
        target = self.targets_s.get(kind)
        if target is None or self._told or now_s - since_s < target:
            return None
        self._told = True
        name = label(kind)
        return Notice(round(since_s + target, 3), "target",
                      f"{name[:1].upper()}{name[1:]}: {target:g} s reached")


class TargetRunner(LiveRunner):
    """The live runner, plus ``target`` notices from ``targets`` (a :class:`TargetWatch`)."""

    def __init__(self, *args: Any, targets: TargetWatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.reached: list[Notice] = []

    def handle(self, item: Any) -> list[Line]:
        out = super().handle(item)
        v = self.view
        held = v.hold_kind if v.hold_since_s is not None and v.state == "hold" else None
        notice = self.targets.update(held, v.hold_since_s, v.t_s)
        if notice is not None:
            self.reached.append(notice)
            self.dispatcher.dispatch(notice)
        return out


def buzzing_runner(source: Any, store: Store | None, notes: TextIO, every_s: float, *,
                   dispatcher: AlertDispatcher, **runner_kw: Any) -> TargetRunner:
    """``monitor --buzz``: a :class:`BuzzSink` on ``source``'s sensor (at most once per
    ``every_s`` s) added to ``dispatcher``'s sinks, and a runner that also tells when a
    hold reaches the plan's target.  A source that cannot buzz says so once on ``notes``
    (one line) and the session goes on."""
    profile = getattr(source, "profile", None)
    if not hasattr(source, "buzz") or getattr(profile, "buzz", None) is None:
        what = getattr(profile, "name", None) or getattr(source, "name", "this source")
        notes.write(f"--buzz: {what} cannot buzz (the reference firmware built with "
                    "SC_BUZZ_PIN can); alerts show here only\n")
    dispatcher.sinks.append(BuzzSink(lambda ms: buzz(source, ms), min_interval_s=every_s,
                                     notice_stream=notes))
    return TargetRunner(source, targets=TargetWatch(targets_of(plan_of(store))),
                        dispatcher=dispatcher, **runner_kw)
