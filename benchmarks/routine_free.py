"""No new false detections (issue 15): exercises where none of their kind is labelled.

Holds, stretches and sets of repetitions found on the labelled recordings of a folder
that are not routine sessions (for a desk day or daily life, every exercise; for a plank
workout, every kind but its planks), and with ``--sisfall DIR`` on the allowed SisFall
subjects (SA01-SA15, SE01-SE08; never the held-out ones), read with the conversion of
``benchmarks/realdata.py``. A rest labelled in an exercise's own posture (a child's pose
taken as a rest) is that exercise: finding it there is not counted (as
``benchmarks/accuracy.py`` does).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from routine_scoring import EXERCISE_KINDS, STRETCH_KINDS, detected_items, rest_postures

from sensorcoach import Recording
from sensorcoach.analysis import analyze
from sensorcoach.errors import SensorcoachError
from sensorcoach.scoring import MIN_IOU, iou, labels_path, load_labels


def category(labels: dict[str, Any], name: str) -> str:
    return str(labels.get("category") or labels.get("scenario") or name.split("_")[0])


@dataclass
class FreeCount:
    """Exercises detected on a fixture of a kind its labels do not have."""

    name: str
    category: str
    exercise_free: bool
    holds: int = 0
    stretches: int = 0
    sets: int = 0
    kinds: tuple[str, ...] = ()
    in_rest: int = 0
    """Detections of a rest's posture over that rest (not counted)."""

    @property
    def total(self) -> int:
        return self.holds + self.stretches + self.sets


def count_new(result: Any, labels: dict[str, Any]) -> FreeCount:
    """Holds, stretches and sets of an analysis of a kind ``labels`` has none of, leaving
    out a rest's posture found over that rest."""
    kinds = {str(s["kind"]) for s in labels.get("segments", [])}
    rests = rest_postures(labels)
    items = [d for d in detected_items(result) if d.kind not in kinds]
    in_rest = [d for d in items if d.family == "hold" and any(
        r.kind == d.kind and iou(d.span, r.span) >= MIN_IOU for r in rests)]
    items = [d for d in items if d not in in_rest]
    return FreeCount(
        "", "", not kinds & set(EXERCISE_KINDS),
        holds=sum(1 for d in items if d.family == "hold" and d.kind not in STRETCH_KINDS),
        stretches=sum(1 for d in items if d.family == "hold" and d.kind in STRETCH_KINDS),
        sets=sum(1 for d in items if d.family == "reps"),
        kinds=tuple(sorted({d.kind for d in items})), in_rest=len(in_rest))


def recordings(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.csv*") if p.name.endswith((".csv", ".csv.gz"))
                  and labels_path(p).exists())


def false_detections(folder: Path) -> list[FreeCount]:
    """Every labelled non-routine recording under ``folder``: exercises of kinds it has
    no label of (for a desk day or daily life: every exercise)."""
    out = []
    for path in recordings(folder):
        if path.name.startswith("routine_"):
            continue
        try:
            labels, rec = load_labels(labels_path(path)), Recording.read(path)
        except (SensorcoachError, ValueError, OSError) as exc:
            print(f"  {path.name}: not read: {exc}")
            continue
        fc = count_new(analyze(rec), labels)
        fc.name = path.name.split(".")[0]
        fc.category = category(labels, fc.name)
        out.append(fc)
    return out


def _sisfall_file(path: str) -> tuple[str, int, int, int, tuple[str, ...], str]:
    import realdata

    from sensorcoach.commands.convert_cmd import decode, to_recording

    code = Path(path).name.split("_")[0]
    try:  # the conversion of benchmarks/realdata.py
        rec = to_recording(decode(path, "sisfall"), path)
        fc = count_new(analyze(rec, orientation=realdata.ORIENTATION), {})
    except Exception as e:  # a benchmark reports every file, whatever went wrong
        return code, 0, 0, 0, (), str(e)[:200]
    return code, fc.holds, fc.stretches, fc.sets, fc.kinds, ""


def sisfall_counts(root: Path, jobs: int = 1
                   ) -> tuple[dict[str, list[int]], dict[str, set[str]]]:
    """Per activity code: [files, holds, stretches, sets, files with any, errors] and the
    kinds found, on the development subjects only (``realdata.DEV_SUBJECTS``; the held-out
    ones are never read)."""
    import realdata

    files = realdata.find_files(root, realdata.DEV_SUBJECTS, None)
    by: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    kinds: dict[str, set[str]] = defaultdict(set)
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as ex:
        for code, h, s, n, found, err in ex.map(_sisfall_file, [str(f) for f in files],
                                                chunksize=8):
            kinds[code].update(found)
            row = by[code]
            row[0] += 1
            row[1] += h
            row[2] += s
            row[3] += n
            row[4] += (h + s + n) > 0
            row[5] += bool(err)
    return dict(by), dict(kinds)


def print_free(folder: Path) -> int:
    """Print exercises on fixtures where none of their kind is labelled; return those on
    the fixtures with no exercise labelled at all (desk days, daily life, rests)."""
    free = false_detections(folder)
    print()
    print("Exercises detected where none of that kind is labelled, per fixture category "
          "(holds/stretches/sets; a rest's own posture over that rest, e.g. a child's pose "
          "taken as a rest, is not counted):")
    cats: dict[str, list[FreeCount]] = defaultdict(list)
    for fc in free:
        cats[fc.category].append(fc)
    for cat, rows in sorted(cats.items()):
        h, s, k, r = (sum(getattr(x, a) for x in rows)
                      for a in ("holds", "stretches", "sets", "in_rest"))
        kinds = sorted({x for row in rows for x in row.kinds})
        free_n = sum(row.exercise_free for row in rows)
        print(f"  {cat:<16} {len(rows):>2} files: {h}/{s}/{k}"
              + (f" ({', '.join(kinds)})" if kinds else "")
              + (f", {r} in a rest's posture" if r else "")
              + ("   [no exercise labelled]" if free_n == len(rows) else
                 f"   [{len(rows) - free_n} with exercises labelled: other kinds counted]"))
    return sum(fc.total for fc in free if fc.exercise_free)


def print_sisfall(root: Path, jobs: int) -> tuple[int, int] | None:
    """Print exercises per SisFall activity code; return (exercises, files not analysed),
    None without files."""
    by, kinds = sisfall_counts(root, jobs)
    if not by:
        print(f"SisFall: no trial files of SA01-SA15/SE01-SE08 under {root}")
        return None
    files = sum(r[0] for r in by.values())
    print(f"SisFall (REAL recordings), subjects SA01-SA15 and SE01-SE08 only: {files} files; "
          "per activity code: files, holds/stretches/sets, files with any")
    for code in sorted(by):
        r = by[code]
        err = f"  ERRORS {r[5]}" if r[5] else ""
        found = f" ({', '.join(sorted(kinds[code]))})" if kinds.get(code) else ""
        print(f"  {code} {r[0]:>4} files: {r[1]}/{r[2]}/{r[3]}, {r[4]} files{found}{err}")
    return sum(r[1] + r[2] + r[3] for r in by.values()), sum(r[5] for r in by.values())
