"""Scoring detected episodes against labelled ones (precision, recall, F1, timing error).

A detection matches a label of the same kind when they overlap by at least half of the
shorter of the two; each label matches at most one detection (greedy by overlap).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Interval = tuple[float, float]


def overlap(a: Interval, b: Interval) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    start_errors: list[float] = field(default_factory=list)
    end_errors: list[float] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.start_errors += other.start_errors
        self.end_errors += other.end_errors


def match(detected: list[Interval], labelled: list[Interval]) -> Score:
    """One-to-one matching by overlap >= half the shorter interval."""
    pairs = []
    for i, d in enumerate(detected):
        for j, lab in enumerate(labelled):
            ov = overlap(d, lab)
            shorter = min(d[1] - d[0], lab[1] - lab[0])
            if shorter > 0 and ov >= 0.5 * shorter:
                pairs.append((ov, i, j))
    pairs.sort(reverse=True)
    used_d: set[int] = set()
    used_l: set[int] = set()
    score = Score()
    for _, i, j in pairs:
        if i in used_d or j in used_l:
            continue
        used_d.add(i)
        used_l.add(j)
        score.tp += 1
        score.start_errors.append(detected[i][0] - labelled[j][0])
        score.end_errors.append(detected[i][1] - labelled[j][1])
    score.fp = len(detected) - len(used_d)
    score.fn = len(labelled) - len(used_l)
    return score


def load_labels(path: str | Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text())
    return data


def labelled(labels: dict[str, Any], kind: str) -> list[Interval]:
    return [(float(s["start_s"]), float(s["end_s"])) for s in labels["segments"]
            if s["kind"] == kind]


def labels_path(recording: Path) -> Path:
    name = recording.name
    for suffix in (".csv.gz", ".csv"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return recording.with_name(name + ".labels.json")
