"""What a person sees: a live status panel (rich) on a terminal, plain lines otherwise,
or SPEC section 6's JSON event lines with ``--json``."""

from __future__ import annotations

import json
import sys
from collections import deque
from typing import Any, TextIO

from sensorcoach.live.runner import Line, LiveRunner

#: The line types ``monitor --json`` prints (SPEC section 6).
JSON_TYPES = frozenset({"calibrated", "state", "alert", "hold", "slump", "reps", "source"})


def describe(line: Line) -> str | None:
    """One readable line for an event line (None: not worth a line)."""
    k = line["type"]
    t = _clock(line.get("t_s"))
    if k == "guide":
        secs = line["remaining_s"]
        return f"[{t}] {line['message']}" + (f" ... {secs}" if secs else "")
    if k == "calibrated":
        warn = "; ".join(line.get("warnings") or [])
        fwd = "" if line.get("forward_known") else " (forward unknown: unsigned tilt)"
        return f"[{t}] calibrated ({line['method']}){fwd}" + (f": {warn}" if warn else "")
    if k == "state":
        flex = line.get("flexion_deg")
        ang = f", trunk {flex:+.0f} deg" if isinstance(flex, int | float) else ""
        return f"[{t}] {line['state']}{ang}"
    if k == "alert":
        held = f" (held: {line['held']})" if line.get("held") else ""
        return f"[{t}] ALERT {line['kind']}: {line['message']}{held}"
    if k == "slump":
        return (f"[{t}] slump {_clock(line['start_s'])}-{_clock(line['end_s'])} "
                f"({line['duration_s']:.0f} s, peak {line['peak_flexion_deg']:.0f} deg)")
    if k == "hold":
        return (f"[{t}] hold {line.get('kind')} {line.get('duration_s', 0):.0f} s"
                + (f", stability {line['stability']['score']}" if line.get("stability") else ""))
    if k == "reps":
        return f"[{t}] {describe_reps(line)}"
    if k == "source":
        extra = ""
        if line.get("dropped"):
            extra = f", {line['dropped']} samples lost over {line.get('outage_s', 0):.1f} s"
        if line.get("drift_ppm") is not None:
            extra += f", clock drift {line['drift_ppm']:+.0f} ppm"
        if line["event"].startswith("calibration"):
            return f"[{t}] {line['detail']} ({line['angle_deg']:.0f} deg)"
        return f"[{t}] source {line['event']}{extra}"
    return None


def describe_reps(d: Line) -> str:
    """A finished set of repetitions as a person reads it."""
    side = d.get("stand_leg") or d.get("support")
    kind = str(d.get("kind", "")).replace("_", " ")
    if side:
        kind = kind.removesuffix(" " + side) + f" ({side})"
    text = (f"{d.get('count')} x {kind}, range {d.get('range_deg', 0):.0f} deg, "
            f"{d.get('down_s', 0):.1f} s down / {d.get('up_s', 0):.1f} s up")
    if isinstance(d.get("lateral_lean_deg"), int | float):
        text += f", lean {abs(d['lateral_lean_deg']):.0f} deg"
    for key, what in (("pelvic_rotation_deg", "pelvis rotates"), ("pelvic_drop_deg",
                                                                    "pelvis drops")):
        if isinstance(d.get(key), int | float):
            text += f", {what} {d[key]:.0f} deg"
    return text


class JsonPrinter:
    """SPEC section 6 lines on ``out``; the guide's countdown as text on ``err``."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out, self.err = out, err

    def __call__(self, line: Line) -> None:
        if line["type"] in JSON_TYPES:
            out = self.out or sys.stdout
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
            out.flush()
        elif line["type"] == "guide":
            err = self.err or sys.stderr
            err.write((describe(line) or "") + "\n")
            err.flush()


class PlainPrinter:
    """Readable lines (no cursor control), for pipes and logs."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out

    def __call__(self, line: Line) -> None:
        if line["type"] == "activity" or line["type"] == "alert":
            return  # bouts are too chatty; alerts are printed by the terminal sink
        text = describe(line)
        if text is not None:
            out = self.out or sys.stdout
            out.write(text + "\n")
            out.flush()


class RichView:
    """A live panel: trunk angle, state, hold timer, counts, link, recent events."""

    def __init__(self, runner: LiveRunner, title: str) -> None:
        self.runner = runner
        self.title = title
        self.log: deque[str] = deque(maxlen=8)
        self._live: Any = None

    def __call__(self, line: Line) -> None:
        if line["type"] in ("activity", "guide", "alert"):
            return
        text = describe(line)
        if text is not None:
            self.log.append(text)

    def __enter__(self) -> RichView:
        from rich.live import Live

        self._live = Live(get_renderable=self.render, refresh_per_second=4, transient=False)
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def render(self) -> Any:
        from rich.panel import Panel
        from rich.table import Table

        v = self.runner.view
        g = Table.grid(padding=(0, 2))
        g.add_column(style="bold")
        g.add_column()
        if v.guide is not None:
            secs = v.guide["remaining_s"]
            g.add_row("calibration", f"[yellow]{v.guide['message']}[/]"
                      + (f"  [bold]{secs}[/]" if secs else ""))
        g.add_row("state", _state_markup(v.state))
        if v.flexion_deg is not None:
            lat = "" if v.lateral_deg is None else f"   lateral {v.lateral_deg:+5.1f} deg"
            g.add_row("trunk", f"flexion {v.flexion_deg:+5.1f} deg{lat}")
        if v.hold_since_s is not None and v.t_s is not None:
            g.add_row("hold", f"{v.hold_kind or ''} {v.t_s - v.hold_since_s:5.1f} s")
        elif v.set_kind is not None:
            g.add_row("set", f"{v.set_kind.replace('_', ' ')}: {v.set_count} reps")
        elif v.slump_since_s is not None and v.t_s is not None:
            g.add_row("slumped for", f"{v.t_s - v.slump_since_s:5.0f} s")
        c = v.counts
        g.add_row("counts", f"slumps {c['slump']}   holds {c['hold']}   sets {c['reps']}   "
                  f"alerts {c['alert']}")
        link = v.link + (f", {v.dropped} samples lost" if v.dropped else "")
        if v.drift_ppm is not None:
            link += f", drift {v.drift_ppm:+.0f} ppm"
        g.add_row("sensor", link)
        if v.calibration_stale:
            g.add_row("", "[red]calibration may be stale: the sensor moved in its clip[/]")
        d = self.runner.dispatcher
        mode = d.mode + (" (snoozed)" if d.snoozed_until_s is not None else "")
        g.add_row("mode", f"{mode}   time {_clock(v.t_s)}")
        log = "\n".join(self.log) or "-"
        body = Table.grid()
        body.add_row(g)
        body.add_row("")
        body.add_row(log)
        return Panel(body, title=self.title)


def _state_markup(state: str) -> str:
    colour = {"upright": "green", "slumped": "red", "hold": "cyan", "walking": "blue",
              "disconnected": "magenta", "calibrating": "yellow"}.get(state, "white")
    return f"[bold {colour}]{state}[/]"


def _clock(t_s: Any) -> str:
    if not isinstance(t_s, int | float):
        return "-:--:--"
    s = int(max(t_s, 0))
    return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"
