"""The MFCC voices: acoustic statistics and one Gaussian mixture per voice (scikit-learn).

MFCCs and a pitch estimate (numpy DSP) are computed once, for the frames inside words.
Stretches of a few words (cut at pauses and sentence ends) are clustered by their feature
means and spreads (:mod:`.clustering`); then one diagonal Gaussian mixture per voice
(``sklearn.mixture.GaussianMixture``) is trained on its frames, every word is re-scored,
and :func:`.turns.viterbi` turns the scores into labels. Training and re-scoring alternate
a few times, which cleans up the rough first clustering. The first clustering can land
badly, so this runs from three stretch lengths (1, 1.5 and 2.5 s) and keeps the labelling
whose voice models explain the audio best.

This is the fallback when the trained encoder (:mod:`.voice_dvector`) is not installed,
and the diarizer the bench compares it with.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..audio import SAMPLE_RATE, as_float
from .clustering import estimate_count
from .turns import Item, fill_gaps, units, viterbi

log = logging.getLogger(__name__)

HOP = 160  # 10 ms frames
WIN = 512  # 32 ms analysis window: long enough to hold two periods of a 60 Hz voice
N_FFT = 1024  # twice the window, so the autocorrelation (for pitch) does not wrap around
PITCH_RATE = 8000  # the autocorrelation is read at this rate (from the 0-4 kHz band)
N_MELS = 40
N_CEPS = 20  # c1..c19 are kept; c0 (loudness) says more about the microphone than the voice
FRAMES_PER_SECOND = SAMPLE_RATE // HOP

UNIT_SECONDS = (1.0, 1.5, 2.5)  # clustering units grow to about this long (one start each)
UNIT_MIN_SECONDS = 0.5  # shorter units are too noisy to seed the clusters (they are labelled later)
GMM_COMPONENTS = 8
GMM_TRAIN_FRAMES = 20000  # per voice and pass; more adds time, not accuracy
GMM_ITERATIONS = 12  # EM steps for a fresh mixture
GMM_ITERATIONS_WARM = 4  # ... and for one continued from the previous pass
REFINE_PASSES = 4
FRAME_WEIGHT = 0.1  # frames overlap and correlate: a word's evidence is less than the sum of its frames
SWITCH_COST = 10.0  # log-likelihood a change of speaker must win by, between two words mid-sentence
SWITCH_COST_AT_BREAK = 2.0  # ... after a pause or a sentence end


def _frames(x: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Hann-windowed frames ``start``..``stop`` (frame i begins at ``i * HOP``), zeros beyond
    the signal: a float copy of just that stretch, never of the whole recording."""
    a, b = start * HOP, (stop - 1) * HOP + WIN
    piece = as_float(x[a: min(b, x.size)])
    if piece.size < b - a:
        piece = np.pad(piece, (0, b - a - piece.size))
    view = np.lib.stride_tricks.sliding_window_view(piece, WIN)[::HOP][: stop - start]
    return view * np.hanning(WIN).astype(np.float32)


def n_frames(samples: int) -> int:
    return samples // HOP + 1


def _mel_dct() -> tuple[np.ndarray, np.ndarray]:
    from faster_whisper.feature_extractor import FeatureExtractor

    mel = FeatureExtractor.get_mel_filters(SAMPLE_RATE, N_FFT, N_MELS).astype(np.float32)  # (mels, bins)
    n = np.arange(N_MELS)
    dct = np.cos(np.pi / N_MELS * (n[:, None] + 0.5) * np.arange(N_CEPS)[None, :]).astype(np.float32)
    return mel.T.copy(), dct[:, 1:]


def _features(x: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """MFCCs (c1..c19) plus log pitch for the frames where ``wanted`` is True; NaN elsewhere.

    One FFT per frame serves both: the mel spectrum, and (by the inverse FFT of its low
    band) the autocorrelation the pitch is read from. Only frames inside words are
    analysed, so pauses and silence cost no time.
    """
    mel, dct = _mel_dct()
    window_ac = _autocorrelation(np.hanning(WIN)[None, :])[0]
    n = wanted.size
    out = np.full((n, dct.shape[1] + 1), np.nan, dtype=np.float32)
    idx = np.flatnonzero(wanted)
    step = 4000
    for a in range(0, idx.size, step):
        sel = idx[a:a + step]
        lo, hi = int(sel[0]), int(sel[-1]) + 1
        power = np.abs(np.fft.rfft(_frames(x, lo, hi)[sel - lo], n=N_FFT)) ** 2
        out[sel, :-1] = np.log(power @ mel + 1e-8) @ dct
        out[sel, -1] = _log_pitch(power, window_ac)
    return out


def _autocorrelation(frames_or_power: np.ndarray, *, is_power: bool = False) -> np.ndarray:
    """Normalised autocorrelation at PITCH_RATE from the 0-4 kHz band of the power spectrum.

    Keeping only the low band both low-passes (pitch lives there) and halves the inverse
    FFT, whose output is then the autocorrelation sampled at 8 kHz.
    """
    power = frames_or_power if is_power else np.abs(np.fft.rfft(frames_or_power, n=N_FFT)) ** 2
    band = N_FFT * PITCH_RATE // SAMPLE_RATE // 2 + 1
    ac = np.fft.irfft(power[:, :band], n=2 * (band - 1))[:, : band - 1]
    return ac / np.maximum(ac[:, :1], 1e-12)


def _log_pitch(power: np.ndarray, window_ac: np.ndarray) -> np.ndarray:
    """Log f0 per frame from the autocorrelation, divided by the window's own (Boersma's
    method, simplified) so long lags (low voices) are not penalised.

    Unvoiced frames (weak periodicity) get the median of the voiced ones, so they carry no
    pitch evidence either way. 60-400 Hz covers adult voices.
    """
    ac = _autocorrelation(power, is_power=True) / np.maximum(window_ac, 1e-3)
    lo, hi = PITCH_RATE // 400, PITCH_RATE // 60
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    strength = ac[np.arange(ac.shape[0]), lag]
    f0 = np.log(PITCH_RATE / lag).astype(np.float32)
    voiced = strength > 0.45
    fill = float(np.median(f0[voiced])) if voiced.any() else float(np.log(150.0))
    return np.where(voiced, f0, fill)


def log_energy(x: np.ndarray, n_frames: int) -> np.ndarray:
    """Mean power per 10 ms frame, in dB (cheap: no windowing, no FFT), a minute at a time."""
    power = np.zeros(n_frames)
    block = 6000  # frames
    for a in range(0, n_frames, block):
        y = as_float(x[a * HOP:(a + block) * HOP])
        full = y.size // HOP
        power[a:a + full] = np.einsum("ij,ij->i", y[: full * HOP].reshape(full, HOP), y[: full * HOP].reshape(full, HOP)) / HOP
        if y.size > full * HOP and a + full < n_frames:
            tail = y[full * HOP:]
            power[a + full] = float(tail @ tail) / HOP
    return 10 * np.log10(power + 1e-10)


def frame_span(it: Item, n_frames: int) -> tuple[int, int]:
    a = min(max(int(it.start * FRAMES_PER_SECOND), 0), n_frames - 1)
    b = min(max(int(np.ceil(it.end * FRAMES_PER_SECOND)), a + 1), n_frames)
    return a, b


# ---------------------------------------------------------------- diarisation


def diarise(items: list[Item], mono: np.ndarray, k: int | None, start: list[int] | None = None) -> list[int]:
    """A voice label per item; ``k`` voices, or as many as :func:`.clustering.estimate_count` finds.

    ``start`` is a labelling to refine (the trained encoder's) instead of clustering afresh."""
    n = n_frames(mono.size)
    spans = [frame_span(it, n) for it in items]
    energy = log_energy(mono, n)
    wanted = np.zeros(n, dtype=bool)
    for a, b in spans:
        wanted[a:b] = True
    if not wanted.any():
        return [0] * len(items)
    # Quiet frames inside word spans are pauses and breaths: drop the bottom fifth.
    floor = np.percentile(energy[wanted], 20)
    speech = wanted & (energy >= floor)
    feats = _features(mono, speech)
    # Standardise each dimension over the file so no feature dominates by its scale.
    used = feats[speech]
    mu, sd = used.mean(axis=0), used.std(axis=0) + 1e-6
    feats = (feats - mu) / sd
    frames_of = [np.flatnonzero(speech[a:b]) + a for a, b in spans]
    sizes = np.array([f.size for f in frames_of])
    if sizes.sum() < 2 * FRAMES_PER_SECOND:
        return [0] * len(items)
    word_frames = _WordFrames(feats[np.concatenate(frames_of)].astype(np.float64),
                              np.repeat(np.arange(len(items)), sizes), sizes)
    if start is not None:
        k = max(start) + 1
        labels, score = _refine(items, word_frames, list(start), k)
        return labels if score > -np.inf else list(start)
    if k is None:
        V, W, _keep, long_enough = _unit_vectors(items, frames_of, feats, UNIT_SECONDS[1])
        k = estimate_count(V[long_enough], cosine=False, weights=W[long_enough]) if len(V) > 2 else 2
    # The first clustering is a rough start and can land in a poor split; start from
    # several unit lengths and keep the labelling the voice models explain best.
    best: tuple[float, list[int]] | None = None
    for seconds in UNIT_SECONDS:
        labels, score = _refine(items, word_frames, _initial_clusters(items, frames_of, feats, k, seconds), k)
        log.debug("diarisation from %.1f s units: score %.1f", seconds, score)
        if best is None or score > best[0]:
            best = (score, labels)
    return best[1]


@dataclass
class _WordFrames:
    """The feature rows of every word's speech frames, word after word."""

    X: np.ndarray  # (rows, dims)
    owner: np.ndarray  # (rows,) the word each row belongs to
    sizes: np.ndarray  # (words,) rows per word


def _refine(items: list[Item], wf: _WordFrames, labels: list[int], k: int) -> tuple[list[int], float]:
    """Alternate: train one Gaussian mixture per voice on its words' frames, then relabel
    every word by Viterbi. Returns the labels and the final path score (higher = better fit).

    After the first pass each voice's mixture continues from the previous one
    (``warm_start``), so a few EM steps are enough.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(0)
    score = -np.inf
    models: list[GaussianMixture] = []
    ends = np.cumsum(wf.sizes)
    for _ in range(REFINE_PASSES):
        row_label = np.asarray(labels)[wf.owner]
        fresh = not models
        for c in range(k):
            rows = np.flatnonzero(row_label == c)
            if rows.size < GMM_COMPONENTS * 10:
                return labels, -np.inf  # a voice vanished: not a k-voice labelling
            if rows.size > GMM_TRAIN_FRAMES:
                rows = rng.choice(rows, GMM_TRAIN_FRAMES, replace=False)
            if fresh:
                models.append(GaussianMixture(GMM_COMPONENTS, covariance_type="diag", max_iter=GMM_ITERATIONS,
                                              reg_covar=1e-3, random_state=0, warm_start=True, tol=0.0))
            else:
                models[c].max_iter = GMM_ITERATIONS_WARM
            with warnings.catch_warnings():  # a few warm EM steps "do not converge", by design
                warnings.simplefilter("ignore", ConvergenceWarning)
                models[c].fit(wf.X[rows])
        ll = np.stack([m.score_samples(wf.X) for m in models], axis=1)
        # Each word's score is the sum over its frames: differences of a running sum.
        running = np.vstack([np.zeros((1, k)), np.cumsum(ll, axis=0)])
        scores = (running[ends] - running[ends - wf.sizes]) * FRAME_WEIGHT
        new, score = viterbi(items, scores, SWITCH_COST, SWITCH_COST_AT_BREAK)
        if new == labels:
            break
        labels = new
    return labels, score


def _unit_vectors(items: list[Item], frames_of: list[np.ndarray], feats: np.ndarray, seconds: float
                  ) -> tuple[np.ndarray, np.ndarray, list[list[int]], np.ndarray]:
    """Per-unit feature means and spreads (standardised), their frame counts, the units, and
    which are long enough to seed the clusters."""
    vecs, weights, keep = [], [], []
    for u in units(items, seconds):
        fr = np.concatenate([frames_of[i] for i in u])
        if fr.size < 5:
            continue
        f = feats[fr]
        vecs.append(np.concatenate([f.mean(axis=0), f.std(axis=0)]))
        weights.append(fr.size)
        keep.append(u)
    V = np.array(vecs).reshape(len(vecs), -1)
    W = np.array(weights, dtype=float)
    if len(V):
        V = (V - V.mean(axis=0)) / (V.std(axis=0) + 1e-6)
    return V, W, keep, W >= UNIT_MIN_SECONDS * FRAMES_PER_SECOND


def _initial_clusters(items: list[Item], frames_of: list[np.ndarray], feats: np.ndarray, k: int,
                      seconds: float) -> list[int]:
    """k-means on per-unit feature means and spreads: a rough first split of the voices."""
    V, W, keep, long_enough = _unit_vectors(items, frames_of, feats, seconds)
    if long_enough.sum() < k:
        long_enough[:] = True
    if len(V) < k:
        return [0] * len(items)
    from sklearn.cluster import KMeans

    km = KMeans(n_clusters=k, n_init=8, random_state=0).fit(V[long_enough], sample_weight=W[long_enough])
    unit_label = km.predict(V)
    labels = [-1] * len(items)
    for u, lab in zip(keep, unit_label):
        for i in u:
            labels[i] = int(lab)
    return fill_gaps(labels)  # words too short to have features take their predecessor's label


__all__ = ["diarise", "log_energy", "frame_span", "n_frames", "FRAMES_PER_SECOND"]
