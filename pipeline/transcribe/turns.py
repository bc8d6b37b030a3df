"""What both voice models share: the words to label, stretches of them, and turn smoothing.

A leaf of the speaker stage (numpy only): :mod:`.voice_mfcc` and :mod:`.voice_dvector`
score every word against every voice, and :func:`viterbi` turns those scores into labels,
charging for each change of speaker (less at a pause or a sentence end).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..models import Segment

PAUSE_SECONDS = 0.3  # a gap this long between words ends a unit and makes a switch cheaper


@dataclass(frozen=True)
class Item:
    """One word (or a whole segment that has no words) to label, with its time span."""

    seg: int
    word: int  # index in the segment's words; -1 for a segment without words
    start: float
    end: float
    text: str

    @property
    def breaks_after(self) -> bool:
        return self.text.rstrip().endswith((".", "?", "!"))


def items_of(segments: Sequence[Segment]) -> list[Item]:
    items = []
    for si, seg in enumerate(segments):
        words = [(wi, w) for wi, w in enumerate(seg.words) if w.word.strip()]
        if words:
            items.extend(Item(si, wi, w.start, max(w.end, w.start), w.word) for wi, w in words)
        elif seg.text.strip():
            items.append(Item(si, -1, seg.start, max(seg.end, seg.start), seg.text))
    return items


def units(items: Sequence[Item], seconds: float) -> list[list[int]]:
    """Runs of consecutive words, cut at segment edges, pauses, sentence ends and ``seconds``."""
    out: list[list[int]] = []
    cur: list[int] = []
    for i, it in enumerate(items):
        if cur:
            prev = items[cur[-1]]
            if (it.seg != prev.seg or it.start - prev.end >= PAUSE_SECONDS or prev.breaks_after
                    or it.end - items[cur[0]].start > seconds):
                out.append(cur)
                cur = []
        cur.append(i)
    if cur:
        out.append(cur)
    return out


def viterbi(items: Sequence[Item], scores: np.ndarray, switch_cost: float,
            switch_cost_at_break: float) -> tuple[list[int], float]:
    """Best label sequence over words (and its score): per-word scores minus a cost for
    every switch. Plain Python: with a handful of states, numpy's per-call overhead would
    cost more than the arithmetic."""
    k = scores.shape[1]
    rows = scores.tolist()
    states = range(k)
    total = rows[0]
    back: list[list[int]] = []
    for i in range(1, len(rows)):
        prev = items[i - 1]
        cost = switch_cost_at_break if (prev.breaks_after or items[i].start - prev.end >= PAUSE_SECONDS) else switch_cost
        leader = max(states, key=total.__getitem__)
        move = total[leader] - cost
        back.append([j if total[j] >= move else leader for j in states])
        total = [max(total[j], move) + rows[i][j] for j in states]
    j = max(states, key=total.__getitem__)
    score = total[j]
    path = [j]
    for pointers in reversed(back):
        j = pointers[j]
        path.append(j)
    return path[::-1], float(score)


def fill_gaps(labels: list[int], fallback: int = 0) -> list[int]:
    """Words without a label (-1) take their predecessor's (the first ones, the next one's)."""
    known = [lab for lab in labels if lab >= 0]
    last = known[0] if known else fallback
    out = []
    for lab in labels:
        last = lab if lab >= 0 else last
        out.append(last)
    return out


__all__ = ["Item", "items_of", "units", "viterbi", "fill_gaps", "PAUSE_SECONDS"]
