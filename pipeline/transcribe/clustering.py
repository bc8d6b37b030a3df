"""Grouping stretches of speech into voices with scikit-learn, and how many voices there are.

Each stretch (a few words, cut at pauses) has a vector: a voice print from the trained
encoder (compared by cosine) or MFCC statistics (compared by distance). With a known
number of voices they are clustered straight away; otherwise every count from 2 to
``max_k`` is tried and scored by its silhouette (how much nearer each stretch is to its
own voice than to the next one), and a count above two must beat two's silhouette by
``COUNT_MARGIN``: one voice that varies (a laugh, a lean away from the microphone) can
look like two, and a wrong extra voice costs more than a missed one. A count of k also
needs ``STRETCHES_PER_VOICE`` stretches per voice: on a 30-second clip (about 14 stretches)
the estimate stays at two. Margin and rule were chosen on the silhouettes of the real
recordings and the generated interviews (bench/RESULTS.md): in the two-voice interviews a
third cluster scored up to 0.027 above two, in the three-voice test clip 0.04 (a thin gap:
name or count the speakers in the sidecar when it matters).
"""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)

MAX_SPEAKERS = 8  # the most voices an estimate may find
COUNT_MARGIN = 0.035
STRETCHES_PER_VOICE = 5  # an estimate of k voices needs k times this many stretches
SEED = 0


def cluster(V: np.ndarray, k: int, *, cosine: bool, weights: np.ndarray | None = None) -> np.ndarray:
    """A label per row of ``V``: weighted k-means (scikit-learn), on the unit sphere for
    voice prints (compared by cosine), as they are for MFCC statistics."""
    from sklearn.cluster import KMeans

    if len(V) <= k:
        return np.arange(len(V)) % max(k, 1)
    if cosine:  # k-means on the unit sphere: nearest centre by cosine
        V = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-9)
    km = KMeans(n_clusters=k, n_init=10, random_state=SEED)
    return km.fit_predict(V, sample_weight=weights)


def estimate_count(V: np.ndarray, *, cosine: bool, weights: np.ndarray | None = None,
                   max_k: int = MAX_SPEAKERS) -> int:
    """How many voices the rows of ``V`` hold (2 at least; see the module docstring)."""
    from sklearn.metrics import silhouette_score

    top = min(max_k, len(V) - 1, len(V) // STRETCHES_PER_VOICE)
    if top <= 2:
        return 2
    metric = "cosine" if cosine else "euclidean"
    scores = {}
    for k in range(2, top + 1):
        labels = cluster(V, k, cosine=cosine, weights=weights)
        if len(set(labels.tolist())) < 2:
            continue
        scores[k] = float(silhouette_score(V, labels, metric=metric, random_state=SEED))
    if not scores:
        return 2
    base = scores.get(2, -1.0)
    best = max(scores, key=lambda k: (scores[k] - (COUNT_MARGIN if k > 2 else 0.0), -k))
    if best > 2 and scores[best] < base + COUNT_MARGIN:
        best = 2
    log.info("voices estimated: %d (silhouette %s)", best,
             ", ".join(f"{k}: {s:.2f}" for k, s in sorted(scores.items())))
    return best


__all__ = ["cluster", "estimate_count", "MAX_SPEAKERS"]
