"""Scoring detected episodes and holds against labelled ones (SPEC section 3).

A detection matches a label only when their intersection over union (IoU) is at least
0.5; matching is one-to-one and greedy by IoU (the best-overlapping pair first). So a
hold cut into pieces is a miss plus false alarms: an 11 s piece of a 74 s plank has an
IoU of 0.15 and is not found, however much of it lies inside the label.

Beside precision, recall and F1 a :class:`Score` counts **fragments**: unmatched
detections that are pieces of a label (at least half of the detection lies inside it),
and **split labels**: labels that were cut into more than one such piece. Matching with
kinds (:func:`match_kinds`) also counts detections whose span matches a label of another
kind (``wrong_kind``); they are false alarms and misses too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

Interval = tuple[float, float]
KindInterval = tuple[str, float, float]

#: Smallest intersection over union at which a detection matches a label (SPEC 3).
MIN_IOU = 0.5
#: Share of a detection that must lie inside a label for it to be a piece of it.
PIECE_SHARE = 0.5


def overlap(a: Interval, b: Interval) -> float:
    """Length of the intersection of two intervals (0 when they do not meet)."""
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def iou(a: Interval, b: Interval) -> float:
    """Intersection over union of two intervals (0 for empty ones)."""
    inter = overlap(a, b)
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class Score:
    """Counts and timing errors of one or more matchings (errors are detected - label, s)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    fragments: int = 0
    split_labels: int = 0
    wrong_kind: int = 0
    start_errors: list[float] = field(default_factory=list)
    end_errors: list[float] = field(default_factory=list)
    duration_errors: list[float] = field(default_factory=list)
    ious: list[float] = field(default_factory=list)

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

    @property
    def n_detected(self) -> int:
        return self.tp + self.fp

    @property
    def n_labelled(self) -> int:
        return self.tp + self.fn

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.fragments += other.fragments
        self.split_labels += other.split_labels
        self.wrong_kind += other.wrong_kind
        self.start_errors += other.start_errors
        self.end_errors += other.end_errors
        self.duration_errors += other.duration_errors
        self.ious += other.ious


def _pairs(detected: Sequence[Interval], labelled: Sequence[Interval],
           min_iou: float) -> list[tuple[int, int, float]]:
    """One-to-one (detection, label, IoU) pairs with IoU >= ``min_iou``, greedy by IoU."""
    cands = [(iou(d, lab), i, j) for i, d in enumerate(detected)
             for j, lab in enumerate(labelled)]
    cands = [c for c in cands if c[0] >= min_iou and c[0] > 0]
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_d: set[int] = set()
    used_l: set[int] = set()
    out = []
    for v, i, j in cands:
        if i in used_d or j in used_l:
            continue
        used_d.add(i)
        used_l.add(j)
        out.append((i, j, v))
    return out


def _is_piece(d: Interval, lab: Interval) -> bool:
    length = d[1] - d[0]
    return length > 0 and overlap(d, lab) >= PIECE_SHARE * length


def match(detected: Sequence[Interval], labelled: Sequence[Interval],
          min_iou: float = MIN_IOU) -> Score:
    """Match detections to labels of one kind by IoU >= ``min_iou`` (one-to-one, greedy
    by IoU); count fragments and split labels among what is left unmatched."""
    pairs = _pairs(detected, labelled, min_iou)
    score = Score(tp=len(pairs), fp=len(detected) - len(pairs),
                  fn=len(labelled) - len(pairs))
    matched_d = {i for i, _, _ in pairs}
    for i, j, v in sorted(pairs, key=lambda p: p[1]):
        d, lab = detected[i], labelled[j]
        score.start_errors.append(d[0] - lab[0])
        score.end_errors.append(d[1] - lab[1])
        score.duration_errors.append((d[1] - d[0]) - (lab[1] - lab[0]))
        score.ious.append(v)
    for i, d in enumerate(detected):
        if i not in matched_d and any(_is_piece(d, lab) for lab in labelled):
            score.fragments += 1
    for lab in labelled:
        if sum(1 for d in detected if _is_piece(d, lab)) > 1:
            score.split_labels += 1
    return score


def match_kinds(detected: Sequence[KindInterval], labelled: Sequence[KindInterval],
                kinds: Sequence[str], min_iou: float = MIN_IOU) -> Score:
    """Match ``(kind, start_s, end_s)`` detections to labels of the same kind for each of
    ``kinds`` (others are ignored on both sides), then count ``wrong_kind``: unmatched
    detections that match an unmatched label of another of ``kinds`` by IoU."""
    total = Score()
    det = [d for d in detected if d[0] in kinds]
    lab = [x for x in labelled if x[0] in kinds]
    used_d: set[int] = set()
    used_l: set[int] = set()
    for kind in kinds:
        di = [i for i, d in enumerate(det) if d[0] == kind]
        lj = [j for j, x in enumerate(lab) if x[0] == kind]
        spans_d = [(det[i][1], det[i][2]) for i in di]
        spans_l = [(lab[j][1], lab[j][2]) for j in lj]
        total.add(match(spans_d, spans_l, min_iou))
        for a, b, _ in _pairs(spans_d, spans_l, min_iou):
            used_d.add(di[a])
            used_l.add(lj[b])
    rest_d = [i for i in range(len(det)) if i not in used_d]
    rest_l = [j for j in range(len(lab)) if j not in used_l]
    cross = _pairs([(det[i][1], det[i][2]) for i in rest_d],
                   [(lab[j][1], lab[j][2]) for j in rest_l], min_iou)
    total.wrong_kind = len(cross)
    return total


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation (ties get their average rank); NaN under 3 pairs or
    when either side is constant."""
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.size != b.size:
        raise ValueError(f"spearman needs equal lengths, got {a.size} and {b.size}")
    if a.size < 3:
        return float("nan")
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def _ranks(v: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    order = np.argsort(v, kind="stable")
    sorted_v = v[order]
    ranks = np.empty(v.size, dtype=np.float64)
    i = 0
    while i < v.size:
        k = i
        while k + 1 < v.size and sorted_v[k + 1] == sorted_v[i]:
            k += 1
        ranks[order[i:k + 1]] = 0.5 * (i + k)
        i = k + 1
    return ranks


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
