"""Diarisation with the trained encoder's voice prints (:mod:`.voice_encoder`).

Words are grouped into stretches (cut at pauses, sentence ends, segment edges and
``UNIT_SECONDS``); each stretch of ``MIN_SECONDS`` or more gets one voice print. The prints
are clustered by cosine distance, each weighted by its stretch's length (:mod:`.clustering`,
which also estimates the number of voices when nobody said it); each voice's centre is the
mean of its prints, and every word is scored by how near its stretch's print is to each
centre, times the word's length. :func:`.turns.viterbi` then smooths those scores into turns (a change of speaker
costs ``SWITCH_COST`` mid-sentence, less after a pause or a sentence end), the centres are
recomputed from the smoothed turns, and the scoring repeats ``PASSES`` times. Words in
stretches too short for a print take their labels from the smoothing.
"""

from __future__ import annotations

import logging

import numpy as np

from ..audio import SAMPLE_RATE, as_float
from . import voice_encoder
from .clustering import cluster, estimate_count
from .turns import Item, units, viterbi

log = logging.getLogger(__name__)

UNIT_SECONDS = 2.0  # stretches grow to about this long
MIN_SECONDS = 0.4  # shorter ones get no voice print of their own
SCALE = 20.0  # evidence per second of speech per unit of cosine similarity
SWITCH_COST = 3.0
SWITCH_COST_AT_BREAK = 0.5
PASSES = 3


def _stretches(items: list[Item], mono: np.ndarray) -> tuple[list[list[int]], list[np.ndarray]]:
    """The units long enough for a print, and their samples brought to the encoder's loudness."""
    chosen, pieces = [], []
    for u in units(items, UNIT_SECONDS):
        a, b = items[u[0]].start, items[u[-1]].end
        if b - a < MIN_SECONDS:
            continue
        piece = as_float(mono[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)])
        if piece.size < MIN_SECONDS * SAMPLE_RATE / 2:
            continue
        chosen.append(u)
        pieces.append(piece)
    if pieces:
        gain = voice_encoder.gain_for(np.concatenate(pieces))
        pieces = [p * np.float32(gain) for p in pieces]
    return chosen, pieces


def _centres(E: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray | None:
    centres = []
    for c in range(k):
        mine = E[labels == c]
        if not len(mine):
            return None
        m = mine.mean(axis=0)
        centres.append(m / max(float(np.linalg.norm(m)), 1e-9))
    return np.stack(centres)


def diarise(items: list[Item], mono: np.ndarray, k: int | None) -> list[int]:
    """A voice label per item; ``k`` voices, or as many as the prints show."""
    chosen, pieces = _stretches(items, mono)
    if len(chosen) < 2:
        return [0] * len(items)
    E = voice_encoder.embed(pieces)
    if k is None:
        k = estimate_count(E, cosine=True)
    # Each print weighs as much as the speech it was made from: a print of under a second
    # is unsure (on the 09 phone call the short ones of both voices fell together, apart
    # from the long ones), and the accuracy that matters is per second, not per stretch.
    seconds = np.array([items[u[-1]].end - items[u[0]].start for u in chosen])
    unit_labels = cluster(E, k, cosine=True, weights=seconds)
    dur = np.array([max(it.end - it.start, 0.01) for it in items])
    labels = [0] * len(items)
    for _ in range(PASSES):
        C = _centres(E, unit_labels, k)
        if C is None:
            break  # a voice vanished: keep the last labelling
        sims = E @ C.T
        scores = np.zeros((len(items), k))
        for u, row in zip(chosen, sims):
            scores[u] = SCALE * row[None, :] * dur[u, None]
        labels, _score = viterbi(items, scores, SWITCH_COST, SWITCH_COST_AT_BREAK)
        lab = np.asarray(labels)
        unit_labels = np.array([np.bincount(lab[u], weights=dur[u], minlength=k).argmax() for u in chosen])
    return labels


__all__ = ["diarise", "UNIT_SECONDS", "MIN_SECONDS"]
