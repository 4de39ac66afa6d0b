"""Detections on real people: the public SisFall data set (waist IMU, 200 Hz, with gyro).

    python benchmarks/realdata.py --sisfall DIR [--jobs N] [--codes D01,D02]

DIR is a local copy of SisFall (one folder per subject, ``D01_SA01_R01.txt`` files; e.g.
the GitHub copy Fall-Prevention-Team/sisfallData). Only the development subjects SA01-SA15
and SE01-SE08 are read: the others are kept for an independent check and are never read
here unless ``--holdout`` asks for exactly them (for that check, not for tuning).

Per activity code (D01-D19 daily living, F01-F15 falls) it prints: files, the share of
time in each activity state, files with any slump episode, any lying, any hold, and the
median trunk tilt from the gyro-aided and the accelerometer-only estimate; then the
issue's targets with pass/fail. Every figure here is on REAL recordings.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from firmware_interface.codecs.sisfall import NAME_RE
from sensorcoach.analysis import analyze
from sensorcoach.commands.convert_cmd import decode, to_recording
from sensorcoach.core.activity import ACTIVITY_NAMES

DEV_SUBJECTS = tuple([f"SA{i:02d}" for i in range(1, 16)] + [f"SE{i:02d}" for i in range(1, 9)])
HOLDOUT_SUBJECTS = tuple([f"SA{i:02d}" for i in range(16, 24)]
                         + [f"SE{i:02d}" for i in range(9, 16)])
ACTIVITIES = {
    "D01": "walking slowly", "D02": "walking quickly", "D03": "jogging slowly",
    "D04": "jogging quickly", "D05": "stairs slowly", "D06": "stairs quickly",
    "D07": "sit half-height chair slowly", "D08": "sit half-height chair quickly",
    "D09": "sit low chair slowly", "D10": "sit low chair quickly",
    "D11": "collapse into a chair", "D12": "sit, lie down slowly, sit",
    "D13": "sit, lie down quickly, sit", "D14": "back to side and back (lying)",
    "D15": "bend at the knees", "D16": "bend at the waist", "D17": "in and out of a car",
    "D18": "stumble while walking", "D19": "gentle jump",
}
#: Codes whose gyro-aided tilt is compared with the accelerometer's (gait: impacts).
GAIT_CODES = ("D01", "D02", "D03", "D04", "D05", "D06")


@dataclass
class FileResult:
    code: str
    subject: str
    seconds: dict[str, float]
    slump: bool
    lying: bool
    hold: bool
    gyro_check: str
    reps: bool = False
    tilt_gyro: float | None = None
    tilt_acc: float | None = None
    error: str | None = None


@dataclass
class CodeSummary:
    files: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    slump: int = 0
    lying: int = 0
    hold: int = 0
    reps: int = 0
    errors: int = 0
    gyro_checks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tilt_gyro: list[float] = field(default_factory=list)
    tilt_acc: list[float] = field(default_factory=list)

    def add(self, r: FileResult) -> None:
        self.files += 1
        if r.error:
            self.errors += 1
            return
        for k, v in r.seconds.items():
            self.seconds[k] += v
        self.slump += r.slump
        self.lying += r.lying
        self.hold += r.hold
        self.reps += r.reps
        self.gyro_checks[r.gyro_check] += 1
        if r.tilt_gyro is not None and r.tilt_acc is not None:
            self.tilt_gyro.append(r.tilt_gyro)
            self.tilt_acc.append(r.tilt_acc)

    def share(self, state: str) -> float:
        total = sum(self.seconds.values())
        return self.seconds.get(state, 0.0) / total if total else 0.0


ORIENTATION = "auto"


def analyse_file(path: str) -> FileResult:
    m = NAME_RE.match(Path(path).name)
    assert m is not None
    code, subject = m["code"], m["subject"]
    try:
        rec = to_recording(decode(path, "sisfall"), path)
        an = analyze(rec, orientation=ORIENTATION)
    except Exception as e:  # a benchmark reports every file, whatever went wrong
        return FileResult(code, subject, {}, False, False, False, "-", error=str(e)[:200])
    secs: dict[str, float] = defaultdict(float)
    for span in an.activity:
        secs[span.state] += span.end_s - span.start_s
    d = an.to_dict()
    res = FileResult(code, subject, dict(secs), bool(an.slumps),
                     any(s.state == "lying" for s in an.activity), bool(an.holds),
                     str(d.get("gyro", {}).get("check", "-")), bool(d.get("reps")))
    if code in GAIT_CODES and rec.has_gyro:
        # the gyro-aided filter forced on from the first frame, unchecked, against the
        # accelerometer alone: is the filter bounded through real impacts?
        forced = analyze(rec, orientation="gyro", calibration=an.calibration)
        acc_only = analyze(rec, orientation="accel", calibration=an.calibration)
        res.tilt_gyro = float(np.median(forced.series.tilt_deg))
        res.tilt_acc = float(np.median(acc_only.series.tilt_deg))
    return res


def _set_orientation(value: str) -> None:
    global ORIENTATION
    ORIENTATION = value


def find_files(root: Path, subjects: tuple[str, ...], codes: set[str] | None) -> list[Path]:
    out = []
    for subject in subjects:
        folder = root / subject
        if not folder.is_dir():
            continue
        for f in sorted(folder.glob(f"*_{subject}_R*.txt")):
            m = NAME_RE.match(f.name)
            if m and m["subject"] == subject and (codes is None or m["code"] in codes):
                out.append(f)
    return out


def pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sisfall", required=True, help="folder of a local SisFall copy")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--codes", default=None, help="comma-separated activity codes (default all)")
    ap.add_argument("--holdout", action="store_true",
                    help="read ONLY the held-out subjects (the independent check; never tune "
                         "on it)")
    ap.add_argument("--orientation", choices=("auto", "accel"), default="auto",
                    help="accel: ignore every gyro (diagnostic)")
    args = ap.parse_args(argv)
    global ORIENTATION
    ORIENTATION = args.orientation
    root = Path(args.sisfall)
    if not root.is_dir():
        print(f"error: {root} is not a folder", file=sys.stderr)
        return 2
    subjects = HOLDOUT_SUBJECTS if args.holdout else DEV_SUBJECTS
    codes = set(args.codes.split(",")) if args.codes else None
    files = find_files(root, subjects, codes)
    if not files:
        print(f"error: no SisFall trial files of {subjects[0]}..{subjects[-1]} under {root}",
              file=sys.stderr)
        return 2
    print(f"SisFall (REAL recordings), subjects {', '.join(subjects)}: {len(files)} files")
    with ProcessPoolExecutor(max_workers=max(1, args.jobs), initializer=_set_orientation,
                             initargs=(args.orientation,)) as ex:
        results = list(ex.map(analyse_file, [str(f) for f in files], chunksize=8))
    by_code: dict[str, CodeSummary] = defaultdict(CodeSummary)
    for r in results:
        by_code[r.code].add(r)
    states = [s for s in ACTIVITY_NAMES if any(c.seconds.get(s) for c in by_code.values())]
    head = (f"{'code':4} {'files':>5} " + " ".join(f"{s[:7]:>7}" for s in states)
            + f" {'slump':>5} {'lying':>5} {'hold':>4} {'reps':>4} {'tilt gyro/acc':>13}"
            + "  gyro check")
    print("(tilt gyro/acc: median trunk tilt with the gyro-aided filter forced on from the "
          "first frame vs the accelerometer alone, deg)")
    print("\nshare of time per activity state (%), files with any slump / lying / hold")
    print(head)
    for code in sorted(by_code):
        c = by_code[code]
        tilt = (f"{np.median(c.tilt_gyro):5.1f}/{np.median(c.tilt_acc):5.1f}"
                if c.tilt_gyro else "")
        checks = ",".join(f"{k}:{v}" for k, v in sorted(c.gyro_checks.items()))
        err = f"  ERRORS {c.errors}" if c.errors else ""
        print(f"{code:4} {c.files:5d} " + " ".join(f"{pct(c.share(s)):>7}" for s in states)
              + f" {c.slump:5d} {c.lying:5d} {c.hold:4d} {c.reps:4d} {tilt:>13}  {checks}{err}"
              + f"  {ACTIVITIES.get(code, '')}")
    for r in results:
        if r.error:
            print(f"error in {r.code}_{r.subject}: {r.error}")
    return report_targets(by_code)


def report_targets(by: dict[str, CodeSummary]) -> int:
    """The issue's targets on the development subjects, each with PASS/FAIL."""
    def merged(codes: tuple[str, ...]) -> CodeSummary:
        out = CodeSummary()
        for c in codes:
            s = by.get(c)
            if s is None:
                continue
            out.files += s.files
            out.slump += s.slump
            out.lying += s.lying
            out.hold += s.hold
            out.reps += s.reps
            for k, v in s.seconds.items():
                out.seconds[k] += v
            out.tilt_gyro += s.tilt_gyro
            out.tilt_acc += s.tilt_acc
        return out

    rows: list[tuple[str, str, bool]] = []
    walk = merged(("D01", "D02"))
    if walk.files:
        rows.append(("walking share of D01/D02 time >= 0.90", f"{walk.share('walking'):.3f}",
                     walk.share("walking") >= 0.9))
    gait = merged(("D01", "D02", "D03", "D04"))
    if gait.files:
        rows.append(("files with a slump among D01-D04 == 0", str(gait.slump), gait.slump == 0))
        rows.append(("files with lying among D01-D04 == 0", str(gait.lying), gait.lying == 0))
        run = merged(("D03", "D04"))
        rows.append(("running share of D03/D04 time (reported)", f"{run.share('running'):.3f}",
                     True))
    if gait.tilt_gyro:
        worse = float(np.median(np.array(gait.tilt_gyro) - np.array(gait.tilt_acc)))
        rows.append(("median tilt, gyro-aided (forced on, unchecked) minus acc-only, D01-D04 "
                     "<= 2 deg",
                     f"{worse:+.2f} deg", worse <= 2.0))
    lie = merged(("D12", "D13", "D14"))
    if lie.files:
        rows.append(("lying found in D12-D14 >= 97%", f"{100 * lie.lying / lie.files:.1f}%",
                     lie.lying >= 0.97 * lie.files))
    bend = merged(("D15", "D16"))
    if bend.files:
        rows.append(("bending (D15, D16) called lying <= 5%",
                     f"{100 * bend.lying / bend.files:.1f}%", bend.lying <= 0.05 * bend.files))
    all_files = merged(tuple(by))
    rows.append(("holds in every D and F file == 0", str(all_files.hold), all_files.hold == 0))
    rows.append(("files with a set of repetitions (none is a workout) == 0", str(all_files.reps),
                 all_files.reps == 0))
    print("\ntargets (REAL data, development subjects)")
    ok = True
    for name, value, passed in rows:
        ok &= passed
        print(f"  {'PASS' if passed else 'FAIL'}  {name}: {value}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
