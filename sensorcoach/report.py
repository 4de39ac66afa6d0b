"""The analysis as a readable summary for a person (``sensorcoach analyze`` without --json)."""

from __future__ import annotations

from typing import Any


def clock(seconds: float) -> str:
    """``h:mm:ss`` or ``m:ss.s`` for a time in seconds."""
    tenths = round(max(0.0, seconds) * 10)  # round first: 599.98 s is 10:00.0, not 9:60.0
    if tenths >= 36000:
        h, rem = divmod(round(tenths / 10), 3600)
        return f"{h}:{rem // 60:02d}:{rem % 60:02d}"
    m, t = divmod(tenths, 600)
    return f"{m}:{t // 10:02d}.{t % 10}"


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    out = ["  " + line]
    out += ["  " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return out


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
    lines += _workout(d)
    alerts = d["alerts"]
    lines.append(f"Alerts:      {len(alerts)}")
    lines += [f"  {clock(a['t_s'])}  {a['kind']:<10} {a['message']}" for a in alerts]
    return "\n".join(lines)


#: How a calibration was made, in a user's words (the JSON keeps the method's name).
_CALIBRATION = {"header": "at the recording's start",
                "guided": "guided, at the start", "file": "a saved calibration"}


def _span(s: list[float] | None) -> str:
    return "-" if not s else f"{s[0]:g}-{s[1]:g} s"


_SHORT = {"plank": "plank", "side_plank_left": "side plank L", "side_plank_right": "side plank R"}


def _workout(d: dict[str, Any]) -> list[str]:
    holds = d["holds"]
    lines = [f"Holds:       {len(holds)}"]
    if not holds:
        return lines
    for st in d.get("sets", []):
        rest = st.get("rest_before_s")
        lines.append(f"  Set {st['set']}" + (f" (after {rest:.0f} s rest)" if rest else ""))
        rows = []
        for h in holds:
            if st["start_s"] <= h["start_s"] <= st["end_s"]:
                s = h["stability"]
                breaks = ", ".join(f"{b['kind']} {b['deg']:.0f} deg at {clock(b['t_s'])}"
                                   for b in h["form_breaks"]) or "-"
                rows.append([_SHORT.get(h["kind"], h["kind"]), clock(h["start_s"]),
                             f"{h['duration_s']:.1f} s", str(s["score"]),
                             _num(s["sway_rms_mg"]), _num(s["tremor_rms_mg"]),
                             f"{s['drift_deg']:.1f} {s['drift_kind']}", h["ended_by"], breaks])
        lines += ["  " + r for r in table(["hold", "start", "held", "score", "sway mg",
                                           "tremor mg", "drift deg", "ended by",
                                           "form breaks"], rows)]
    sym = d["symmetry"]
    left, right = sym["side_plank_left_s"], sym["side_plank_right_s"]
    if left or right:
        scale = max(left, right) or 1.0
        for name, v in (("left ", left), ("right", right)):
            lines.append(f"  {name} {'#' * round(30 * v / scale):<30} {v:.1f} s")
        if sym["imbalance_pct"] is not None:
            flag = "  <- imbalance" if sym.get("flagged") else ""
            weaker = f", weaker side: {sym['weaker_side']}" if sym.get("weaker_side") else ""
            lines.append(f"  left/right imbalance {sym['imbalance_pct']:.1f}%{weaker}{flag}")
        else:
            lines.append("  left/right imbalance: needs side planks on both sides")
    return lines


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"
