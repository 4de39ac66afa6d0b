"""The analysis as a readable summary for a person (``sensorcoach analyze`` without --json).

The workout part: the routine's sets (holds and repetitions), stretches against their
target, each exercise's sets with rests, left/right symmetry of every sided exercise and
leaning to one side. Names come from the catalogue (``core.workout.label``): a person reads
"side plank (left)", never ``side_plank_left``.
"""

from __future__ import annotations

import textwrap
from typing import Any

from sensorcoach.core.workout import label


def clock(seconds: float) -> str:
    """``h:mm:ss`` or ``m:ss.s`` for a time in seconds."""
    tenths = round(max(0.0, seconds) * 10)  # round first: 599.98 s is 10:00.0, not 9:60.0
    if tenths >= 36000:
        h, rem = divmod(round(tenths / 10), 3600)
        return f"{h}:{rem // 60:02d}:{rem % 60:02d}"
    m, t = divmod(tenths, 600)
    return f"{m}:{t // 10:02d}.{t % 10}"


def table(headers: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """Rows under headers; ``align`` has ``l`` or ``r`` per column (default: the first
    column left, the others right)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    sides = (align or "l").ljust(len(headers), "r")

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(c.ljust(w) if a == "l" else c.rjust(w)
                                for c, w, a in zip(cells, widths, sides, strict=True)).rstrip()

    return [line(headers)] + [line(r) for r in rows]


def render(d: dict[str, Any], name: str = "recording") -> str:
    rec, cal, pos = d["recording"], d["calibration"], d["posture"]
    lines = [f"sensorcoach analysis of {name}"]
    gaps = rec["gaps"]
    gap_s = sum(g["end_s"] - g["start_s"] for g in gaps)
    lines.append(f"Recording:   {clock(rec['duration_s'])} ({rec['samples']:,} samples at "
                 f"{rec['sample_rate_hz']:g} Hz, {'with' if rec['has_gyro'] else 'no'} gyro)"
                 + (f", {len(gaps)} gap(s) totalling {gap_s:.1f} s" if gaps else ", no gaps"))
    for w in rec.get("warnings", []):
        lines.append(f"  warning: {w}")
    if cal["method"] == "auto":
        fwd = ("forward from the device's mounting" if cal.get("forward_known")
               else "forward vs backward unknown, angles are tilt from upright")
        lines.append(f"Calibration: automatic (none at the recording's start), upright from "
                     f"{cal.get('reference', 'the data')} (confidence "
                     f"{cal.get('confidence', 0):.2f}); {fwd}")
    else:
        how = _CALIBRATION.get(cal["method"], cal["method"])
        lines.append(f"Calibration: {how} (sitting upright {_span(cal['upright_s'])}, leaning "
                     f"forward {_span(cal['forward_s'])}"
                     + (f", a {cal['lean_deg']:g} deg lean" if cal["lean_deg"] else "") + ")")
    for w in cal["warnings"]:
        if not w.startswith("automatic calibration"):  # said on the line above
            lines.append(f"  warning: {w}")
    gyro = d.get("gyro")
    if gyro and gyro.get("present"):
        lines.append(f"Gyro:        {gyro.get('check') or 'not checked'}, "
                     f"{'used' if gyro.get('used') else 'not used'}: {gyro.get('note', '')}")
    lines.append(f"Posture:     upright {pos['upright_pct']:.1f}%, slumped "
                 f"{pos['slumped_pct']:.1f}%, sedentary {clock(pos['sedentary_s'])}")
    totals: dict[str, float] = {}
    for a in d["activity"]:
        totals[a["state"]] = totals.get(a["state"], 0.0) + a["end_s"] - a["start_s"]
    lines.append("Activity:    " + ", ".join(f"{k} {clock(v)}" for k, v in
                                             sorted(totals.items(), key=lambda kv: -kv[1])))
    slumps = d["slumps"]
    lines.append(f"Slumps:      {len(slumps)}")
    if slumps:
        unit = "flexion" if cal.get("forward_known", True) else "tilt"
        lines += table(["#", "start", "end", "duration", f"peak {unit}", f"mean {unit}"],
                       [[str(i + 1), clock(s["start_s"]), clock(s["end_s"]),
                         clock(s["duration_s"]), f"{s['peak_flexion_deg']:.1f}",
                         f"{s['mean_flexion_deg']:.1f}"] for i, s in enumerate(slumps)])
    lines += workout_lines(d)
    alerts = d["alerts"]
    lines.append(f"Alerts:      {len(alerts)}")
    lines += [f"  {clock(a['t_s'])}  {ALERTS.get(a['kind'], a['kind']):<14} {a['message']}"
              for a in alerts]
    return "\n".join(lines)


#: How a calibration was made, in a user's words (the JSON keeps the method's name).
_CALIBRATION = {"header": "at the recording's start",
                "guided": "guided, at the start", "file": "a saved calibration"}


def _span(s: list[float] | None) -> str:
    return "-" if not s else f"{s[0]:g}-{s[1]:g} s"


#: Alert kinds in words.
ALERTS = {"slump": "slump", "sedentary": "time to move", "form_break": "form break"}
#: How a hold ended, in words (the JSON keeps the detector's names).
ENDED_BY = {"rest": "rest", "form_break": "form break", "end_of_recording": "recording ended",
            "end": "recording ended", "gap": "data gap", "moved": "moved away"}


def _num(x: Any, unit: str = "", fmt: str = ".1f") -> str:
    if not isinstance(x, int | float) or isinstance(x, bool):
        return "-"
    return f"{x:{fmt}}{unit}"


def _words(key: str) -> str:
    """A measure's name in words: ``pelvic_drop_deg`` -> ``pelvic drop``."""
    return key.removesuffix("_deg").removesuffix("_s").replace("_", " ")


def tempo(r: dict[str, Any]) -> str:
    """A set of repetitions as a person reads it: count, range, tempo, lean."""
    parts = [f"{r['count']} reps", f"range {_num(r.get('range_deg'), ' deg', '.0f')}",
             f"{_num(r.get('down_s'), ' s')} down / {_num(r.get('up_s'), ' s')} up"]
    if r.get("lateral_lean_deg") is not None:
        parts.append(f"side lean {_num(_abs(r['lateral_lean_deg']), ' deg')}")
    return ", ".join(parts)


def stretch_time(s: dict[str, Any]) -> str:
    """``25 s of 20-30 s, reached`` (``25 s`` without a target)."""
    held = f"{s['duration_s']:.0f} s"
    target = s.get("target_s")
    if not target:
        return held
    word = "reached" if s.get("reached") else "not reached"
    return f"{held} of {target[0]:g}-{target[1]:g} s, {word}"


def workout_lines(d: dict[str, Any]) -> list[str]:
    holds, reps = d.get("holds") or [], d.get("reps") or []
    exercises = d.get("exercises") or []
    stretches = sorted((s for e in exercises if e.get("mode") == "stretch" for s in e["sets"]),
                       key=lambda s: float(s["start_s"]))
    n_stretch = sum(1 for s in stretches if s.get("mode") == "stretch")
    n_holds = len(holds) - n_stretch
    lines = [f"Holds:       {n_holds}" + (f", stretches: {n_stretch}" if n_stretch else "")
             + (f", sets of repetitions: {len(reps)}" if reps else "")]
    if not holds and not reps:
        return lines
    lines += _routine_sets(d)
    if stretches:
        lines.append("  Stretches")
        rows = [[s["label"], clock(s["start_s"]),
                 stretch_time(s) if s.get("mode") == "stretch" else tempo(s)]
                for s in stretches]
        lines += ["  " + r for r in table(["stretch", "start", "held"], rows, "lrl")]
    lines += _per_exercise(exercises)
    lines += _sides(d.get("symmetry") or {})
    lines += _leaning((d.get("symmetry") or {}).get("lean") or {})
    return lines


def _routine_sets(d: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    holds, reps = d.get("holds") or [], d.get("reps") or []
    for st in d.get("sets", []):
        rest = st.get("rest_before_s")
        lines.append(f"  Set {st['set']} of the routine ({clock(st['start_s'])} to "
                     f"{clock(st['end_s'])}" + (f", after {rest:.0f} s rest" if rest else "")
                     + ")")
        kinds = {h["kind"] for h in st.get("holds", [])}
        rows = []
        for h in holds:
            if h["kind"] in kinds and st["start_s"] <= h["start_s"] <= st["end_s"]:
                s = h["stability"]
                breaks = ", ".join(f"{b['kind']} {b['deg']:.0f} deg at {clock(b['t_s'])}"
                                   for b in h["form_breaks"]) or "-"
                drift = (f"{s['drift_deg']:.1f} {s.get('drift_kind', '')}".rstrip()
                         if s.get("drift_deg") is not None else "-")
                rows.append([label(h["kind"]), clock(h["start_s"]), f"{h['duration_s']:.1f} s",
                             _num(s.get("score"), "", "d"), _num(s.get("sway_rms_mg")),
                             _num(s.get("tremor_rms_mg")), drift,
                             ENDED_BY.get(h["ended_by"], h["ended_by"].replace("_", " ")),
                             breaks])
        if rows:
            lines += ["  " + r for r in table(["hold", "start", "held", "score", "sway mg",
                                               "tremor mg", "drift deg", "ended by",
                                               "form breaks"], rows, "lrrrrrrll")]
        starts = {r["start_s"] for r in st.get("reps", [])}
        rep_rows = [[label(r["kind"]), clock(r["start_s"]), str(r["count"]),
                     _num(r.get("range_deg"), "", ".0f"), _num(r.get("down_s")),
                     _num(r.get("up_s")), _num(_abs(r.get("lateral_lean_deg")))]
                    for r in reps if r["start_s"] in starts]
        if rep_rows:
            lines += ["  " + r for r in table(["repetitions", "start", "reps", "range deg",
                                               "down s", "up s", "side lean deg"], rep_rows)]
    return lines


def _abs(x: Any) -> Any:
    return abs(x) if isinstance(x, int | float) else x


def _set_text(s: dict[str, Any], sided: bool) -> str:
    what = (f"{s['count']} reps" if s.get("mode") == "reps"
            else f"{s['duration_s']:.0f} s")
    side = s.get("side")
    if sided and side:
        what = f"{'side ' + side.upper() if side in ('a', 'b') else side} {what}"
    rest = s.get("rest_before_s")
    return what if rest is None else f"{what} after {rest:.0f} s rest"


def _per_exercise(exercises: list[dict[str, Any]]) -> list[str]:
    if not exercises:
        return []
    lines = ["  Sets per exercise"]
    width = max(len(e["label"]) for e in exercises)
    for e in exercises:
        n = len(e["sets"])
        sets = "; ".join(_set_text(s, bool(e.get("sided"))) for s in e["sets"])
        lines += textwrap.wrap(f"{e['label']:<{width}}  {n} set{'s' if n != 1 else ''}: {sets}",
                               100, initial_indent="    ",
                               subsequent_indent=" " * (width + 6))
    return lines


def _bar(v: float, top: float) -> str:
    return "#" * round(20 * v / (top or 1.0))


def _sides(sym: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    entries = dict(sym.get("by_exercise") or {})
    left, right = sym.get("side_plank_left_s") or 0.0, sym.get("side_plank_right_s") or 0.0
    if "side_plank" not in entries and (left or right):  # an analysis from before by_exercise
        entries["side_plank"] = {"label": "side plank", "measure": "time",
                                 "imbalance_pct": sym.get("imbalance_pct"),
                                 "weaker_side": sym.get("weaker_side"),
                                 "flagged": sym.get("flagged"),
                                 "left": {"total_s": left}, "right": {"total_s": right}}
    a, b = sym.get("side_plank_a_s"), sym.get("side_plank_b_s")
    if a or b:
        entries["side_plank_ab"] = {
            "label": "side plank (sides not told apart)", "measure": "time",
            "imbalance_pct": sym.get("imbalance_pct") if not (left or right) else None,
            "weaker_side": None, "names": ("side A", "side B"),
            "left": {"total_s": a or 0.0}, "right": {"total_s": b or 0.0}}
    if not entries:
        return lines
    lines.append("  Left and right")
    for e in entries.values():
        lines += _side_block(e)
    return lines


def _side_block(e: dict[str, Any]) -> list[str]:
    reps = e.get("measure") == "reps"
    key = "reps" if reps else "total_s"
    sides = (e.get("left") or {}, e.get("right") or {})
    vals = [float(s.get(key) or 0) for s in sides]
    lines = [f"    {e['label']}"]
    names = e.get("names", ("left", "right"))
    for name, s, v in zip(names, sides, vals, strict=True):
        amount = f"{v:.0f} reps" if reps else f"{v:.1f} s"
        notes = []
        if s.get("score") is not None:
            notes.append(f"steadiness {s['score']}/100")
        if s.get("form_breaks"):
            notes.append(f"{s['form_breaks']} form break{'s' if s['form_breaks'] > 1 else ''}")
        if reps and s.get("lateral_lean_deg") is not None:
            notes.append(f"lean {s['lateral_lean_deg']:.1f} deg")
        notes += [f"{_words(k)} {v2:.1f} deg" for k, v2 in (s.get("form") or {}).items()]
        lines.append(f"      {name:<6} {_bar(v, max(vals)):<20} {amount:>8}"
                     + (f"   {', '.join(notes)}" if notes else ""))
    imb = e.get("imbalance_pct")
    if imb is None:
        lines.append("      imbalance: needs both sides")
    else:
        weaker = f", weaker side: {e['weaker_side']}" if e.get("weaker_side") else ""
        flag = "  <- imbalance" if e.get("flagged") else ""
        lines.append(f"      imbalance {imb:.1f}%{weaker}{flag}")
    return lines


def _leaning(lean: dict[str, Any]) -> list[str]:
    if not lean:
        return []
    lines = ["  Leaning to one side"]
    for e in lean.values():
        to = f" to the {e['side']}" if e.get("side") else ""
        verdict = "  <- leaning to one side" if e.get("flagged") else ", fine"
        lines.append(f"    {e['label']}: {e['lateral_lean_deg']:.1f} deg{to} typical, "
                     f"{e['max_deg']:.1f} deg at most ({e['measured']} measured){verdict}")
    return lines
