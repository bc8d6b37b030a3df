"""Who is speaking: label every word "interviewer" or "interviewee", offline.

Two sources of evidence, tried in this order:

1. **Channels.** When a stereo source has one voice per channel (two microphones, a
   call recorded per side), the louder channel during a word says who spoke it. The
   channels are only trusted when their energies clearly alternate; a plain stereo mix
   (near-identical channels) falls through to diarisation.
2. **Diarisation.** Acoustic features (MFCCs and a pitch estimate, numpy only) are
   computed once, for the frames inside words. Stretches of a few words (cut at pauses
   and sentence ends) are clustered with k-means; then one small Gaussian mixture per
   voice is trained on its frames, every word is re-scored, and a Viterbi pass over the
   words (a switch costs less at a pause or a sentence end) turns scores into labels.
   Training and re-scoring alternate a few times, which cleans up the rough first
   clustering. k-means can start badly, so this runs from three stretch lengths (1, 1.5
   and 2.5 s) and keeps the labelling whose voice models explain the audio best.

Words are the unit throughout, because Whisper's segments often hold both sides of a
quick exchange ("Hello? - Oh, hello."): a segment whose words change speaker is split
at that word boundary.

Which voice is the interviewer? Whoever scores highest on: share of their sentences that
are questions (weight 2), minus their share of speaking time (weight 1; interviewers
talk less), plus 0.3 if they speak first (they open the recording). When only one voice
is found, it is the interviewee's.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..audio import SAMPLE_RATE, as_float, wav_channels
from ..models import INTERVIEWEE, INTERVIEWER, Segment, Word

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
PAUSE_SECONDS = 0.3  # a gap this long between words ends a unit and makes a switch cheaper
GMM_COMPONENTS = 8
GMM_TRAIN_FRAMES = 20000  # per voice and pass; more adds time, not accuracy
GMM_ITERATIONS = 12  # EM steps for a fresh mixture
GMM_ITERATIONS_WARM = 4  # ... and for one continued from the previous pass
REFINE_PASSES = 4
FRAME_WEIGHT = 0.1  # frames overlap and correlate: a word's evidence is less than the sum of its frames
SWITCH_COST = 10.0  # log-likelihood a change of speaker must win by, between two words mid-sentence
SWITCH_COST_AT_BREAK = 2.0  # ... after a pause or a sentence end
CHANNEL_DB = 6.0  # a word's channels must differ by this much for the louder one to be trusted
CHANNEL_SHARE = 0.6  # ... on this share of speech time for the channels to be used at all
MIN_SPEAKER_SHARE = 0.03  # each channel must carry at least this share of speech


@dataclass(frozen=True)
class _Item:
    """One word (or a whole segment that has no words) to label, with its frame range."""

    seg: int
    word: int  # index in the segment's words; -1 for a segment without words
    start: float
    end: float
    text: str

    @property
    def breaks_after(self) -> bool:
        return self.text.rstrip().endswith((".", "?", "!"))


Turn = tuple[float, float, str]  # (start, end, speaker) of a reference turn


# ---------------------------------------------------------------- entry point


def assign_speakers(segments: list[Segment], wav_path: Path, *, channels_wav: Path | None = None,
                    num_speakers: int = 2) -> list[Segment]:
    """Return new segments with ``speaker`` set, split where the speaker changes mid-segment.

    ``wav_path`` is the 16 kHz mono WAV the words were transcribed from; ``channels_wav``
    a 16 kHz 2-channel WAV of a stereo source, whose channels are used when they carry one
    voice each. ``num_speakers`` voices are told apart; the interviewer is one of them and
    every other voice is labelled interviewee.
    """
    items = _items(segments)
    if not items:
        return list(segments)
    if num_speakers < 2:
        return [dataclasses.replace(s, speaker=INTERVIEWEE) for s in segments]
    labels = None
    if channels_wav is not None:
        labels = _labels_from_channels(items, channels_wav)
    if labels is None:
        labels = _diarise(items, _read_wav(wav_path), num_speakers)
    roles = _roles(items, labels)
    log.info("speakers: %d words, %.0f%% interviewer", len(items),
             100 * sum(it.end - it.start for it, lab in zip(items, labels) if roles[lab] == INTERVIEWER)
             / max(sum(it.end - it.start for it in items), 1e-9))
    return _split(segments, items, [roles[lab] for lab in labels])


def _items(segments: Sequence[Segment]) -> list[_Item]:
    items = []
    for si, seg in enumerate(segments):
        words = [(wi, w) for wi, w in enumerate(seg.words) if w.word.strip()]
        if words:
            items.extend(_Item(si, wi, w.start, max(w.end, w.start), w.word) for wi, w in words)
        elif seg.text.strip():
            items.append(_Item(si, -1, seg.start, max(seg.end, seg.start), seg.text))
    return items


def _split(segments: Sequence[Segment], items: list[_Item], roles: list[str]) -> list[Segment]:
    """Give each segment its words' speaker; cut it where consecutive words differ."""
    by_seg: dict[int, list[tuple[_Item, str]]] = {}
    for it, role in zip(items, roles):
        by_seg.setdefault(it.seg, []).append((it, role))
    out: list[Segment] = []
    for si, seg in enumerate(segments):
        labelled = by_seg.get(si)
        if not labelled:
            out.append(dataclasses.replace(seg, speaker=out[-1].speaker if out else INTERVIEWEE))
            continue
        runs = [list(g) for _, g in itertools.groupby(labelled, key=lambda p: p[1])]
        if len(runs) == 1:
            out.append(dataclasses.replace(seg, speaker=runs[0][0][1]))
            continue
        for n, run in enumerate(runs):
            words: tuple[Word, ...] = tuple(seg.words[it.word] for it, _ in run)
            out.append(dataclasses.replace(
                seg,
                start=seg.start if n == 0 else words[0].start,
                end=seg.end if n == len(runs) - 1 else words[-1].end,
                text="".join(w.word for w in words).strip(),
                speaker=run[0][1],
                words=words,
            ))
    return out


def _roles(items: list[_Item], labels: list[int]) -> dict[int, str]:
    """Map cluster ids to interviewer/interviewee (see the module docstring for the rule)."""
    clusters = sorted(set(labels))
    if len(clusters) == 1:
        return {clusters[0]: INTERVIEWEE}  # one voice heard: the person the recording is about
    total = sum(it.end - it.start for it in items) or 1.0
    scores = {}
    for c in clusters:
        mine = [it for it, lab in zip(items, labels) if lab == c]
        ends = [it.text.rstrip()[-1] for it in mine if it.breaks_after]
        questions = ends.count("?") / max(len(ends), 1)
        share = sum(it.end - it.start for it in mine) / total
        scores[c] = 2.0 * questions - share + (0.3 if labels[0] == c else 0.0)
        log.debug("voice %d: %.0f%% questions, %.0f%% of speech, score %.2f", c, 100 * questions, 100 * share, scores[c])
    interviewer = max(clusters, key=lambda c: scores[c])
    return {c: INTERVIEWER if c == interviewer else INTERVIEWEE for c in clusters}


# ---------------------------------------------------------------- audio


def _read_wav(path: Path) -> np.ndarray:
    """The 16-bit samples of a 16 kHz WAV as a read-only memory map, (samples, channels).

    Nothing is loaded whole: every step below converts only the stretch it is working on
    to floats, so memory does not grow with the recording's length.
    """
    return wav_channels(path, purpose="speaker labelling")


def _frames(x: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Hann-windowed frames ``start``..``stop`` (frame i begins at ``i * HOP``), zeros beyond
    the signal: a float copy of just that stretch, never of the whole recording."""
    a, b = start * HOP, (stop - 1) * HOP + WIN
    piece = as_float(x[a: min(b, x.size)])
    if piece.size < b - a:
        piece = np.pad(piece, (0, b - a - piece.size))
    view = np.lib.stride_tricks.sliding_window_view(piece, WIN)[::HOP][: stop - start]
    return view * np.hanning(WIN).astype(np.float32)


def _n_frames(samples: int) -> int:
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


def _log_energy(x: np.ndarray, n_frames: int) -> np.ndarray:
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


def _frame_span(it: _Item, n_frames: int) -> tuple[int, int]:
    a = min(max(int(it.start * FRAMES_PER_SECOND), 0), n_frames - 1)
    b = min(max(int(np.ceil(it.end * FRAMES_PER_SECOND)), a + 1), n_frames)
    return a, b


# ---------------------------------------------------------------- channels


def _labels_from_channels(items: list[_Item], path: Path) -> list[int] | None:
    """Label by the louder channel, or None when the channels do not carry one voice each."""
    x = _read_wav(path)
    if x.shape[1] != 2 or x.shape[0] == 0:
        return None
    n = _n_frames(x.shape[0])
    left, right = _log_energy(x[:, 0], n), _log_energy(x[:, 1], n)
    diff = np.zeros(len(items))
    dur = np.array([max(it.end - it.start, 0.01) for it in items])
    for i, it in enumerate(items):
        a, b = _frame_span(it, n)
        diff[i] = 10 * np.log10(np.mean(10 ** (left[a:b] / 10)) / np.mean(10 ** (right[a:b] / 10)))
    clear = np.abs(diff) >= CHANNEL_DB
    clear_share = dur[clear].sum() / dur.sum()
    left_share = dur[diff >= CHANNEL_DB].sum() / dur.sum()
    right_share = dur[diff <= -CHANNEL_DB].sum() / dur.sum()
    if clear_share < CHANNEL_SHARE or min(left_share, right_share) < MIN_SPEAKER_SHARE:
        log.info("channels do not separate the voices (%.0f%% of speech clearly on one side; "
                 "left %.0f%%, right %.0f%%): diarising instead", 100 * clear_share,
                 100 * left_share, 100 * right_share)
        return None
    log.info("labelling speakers by channel (%.0f%% of speech clearly on one side)", 100 * clear_share)
    # Each dB of difference is evidence; ambiguous words (overlap, crosstalk) follow their neighbours.
    scores = np.stack([np.clip(diff, -30, 30), -np.clip(diff, -30, 30)], axis=1) * 0.5
    return _viterbi(items, scores)[0]


# ---------------------------------------------------------------- diarisation


def _diarise(items: list[_Item], x: np.ndarray, k: int) -> list[int]:
    # A multi-channel file is mixed down (a copy); the usual mono file is read in place.
    mono = x[:, 0] if x.shape[1] == 1 else np.round(x.mean(axis=1, dtype=np.float32)).astype("<i2")
    n = _n_frames(mono.size)
    spans = [_frame_span(it, n) for it in items]
    energy = _log_energy(mono, n)
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
    word_frames = _WordFrames(feats[np.concatenate(frames_of)].astype(np.float64), np.repeat(np.arange(len(items)), sizes), sizes)
    # k-means on short units is a rough start and can land in a poor split; start from
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

    def __post_init__(self) -> None:
        self.XT = np.ascontiguousarray(self.X.T)  # the layout the GMM scoring wants


def _refine(items: list[_Item], wf: _WordFrames, labels: list[int], k: int) -> tuple[list[int], float]:
    """Alternate: train one Gaussian mixture per voice on its words' frames, then relabel
    every word by Viterbi. Returns the labels and the final path score (higher = better fit).

    After the first pass each voice's mixture starts from the previous one, so a few EM
    steps are enough.
    """
    rng = np.random.default_rng(0)
    score = -np.inf
    models: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    ends = np.cumsum(wf.sizes)
    for _ in range(REFINE_PASSES):
        row_label = np.asarray(labels)[wf.owner]
        previous, models = models, []
        for c in range(k):
            rows = np.flatnonzero(row_label == c)
            if rows.size < GMM_COMPONENTS * 10:
                return labels, -np.inf  # a voice vanished: not a two-voice labelling
            if rows.size > GMM_TRAIN_FRAMES:
                rows = rng.choice(rows, GMM_TRAIN_FRAMES, replace=False)
            models.append(_fit_gmm(wf.X[rows], GMM_COMPONENTS, rng, start=previous[c] if previous else None))
        ll = np.stack([_gmm_loglik(wf.XT, *model) for model in models], axis=1)
        # Each word's score is the sum over its frames: differences of a running sum.
        running = np.vstack([np.zeros((1, k)), np.cumsum(ll, axis=0)])
        scores = (running[ends] - running[ends - wf.sizes]) * FRAME_WEIGHT
        new, score = _viterbi(items, scores)
        if new == labels:
            break
        labels = new
    return labels, score


def _units(items: list[_Item], seconds: float) -> list[list[int]]:
    """Runs of consecutive words, cut at segment edges, pauses, sentence ends and ``seconds``."""
    units: list[list[int]] = []
    cur: list[int] = []
    for i, it in enumerate(items):
        if cur:
            prev = items[cur[-1]]
            if (it.seg != prev.seg or it.start - prev.end >= PAUSE_SECONDS or prev.breaks_after
                    or it.end - items[cur[0]].start > seconds):
                units.append(cur)
                cur = []
        cur.append(i)
    if cur:
        units.append(cur)
    return units


def _initial_clusters(items: list[_Item], frames_of: list[np.ndarray], feats: np.ndarray, k: int,
                      seconds: float) -> list[int]:
    """k-means on per-unit feature means and spreads: a rough first split of the voices."""
    units = _units(items, seconds)
    vecs, weights, keep = [], [], []
    for u in units:
        fr = np.concatenate([frames_of[i] for i in u])
        if fr.size < 5:
            continue
        f = feats[fr]
        vecs.append(np.concatenate([f.mean(axis=0), f.std(axis=0)]))
        weights.append(fr.size)
        keep.append(u)
    V = np.array(vecs)
    W = np.array(weights, dtype=float)
    long_enough = W >= UNIT_MIN_SECONDS * FRAMES_PER_SECOND
    if long_enough.sum() < k:
        long_enough[:] = True
    if len(V) < k:
        return [0] * len(items)
    V = (V - V.mean(axis=0)) / (V.std(axis=0) + 1e-6)
    centres = _kmeans(V[long_enough], W[long_enough], k)
    unit_label = np.argmin(((V[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    labels = [-1] * len(items)
    for u, lab in zip(keep, unit_label):
        for i in u:
            labels[i] = int(lab)
    # Words too short to have features take their predecessor's label.
    last = int(unit_label[0])
    for i, lab in enumerate(labels):
        if lab < 0:
            labels[i] = last
        last = labels[i]
    return labels


def _kmeans(V: np.ndarray, W: np.ndarray, k: int, restarts: int = 8, iters: int = 50) -> np.ndarray:
    """Weighted k-means (k-means++ seeding), best of several restarts, deterministic."""
    rng = np.random.default_rng(0)
    best, best_cost = None, np.inf
    for _ in range(restarts):
        centres = [V[rng.choice(len(V), p=W / W.sum())]]
        for _c in range(1, k):
            d = np.min(((V[:, None, :] - np.array(centres)[None]) ** 2).sum(axis=2), axis=1) * W
            centres.append(V[rng.choice(len(V), p=d / d.sum())] if d.sum() > 0 else V[rng.integers(len(V))])
        C = np.array(centres)
        for _i in range(iters):
            lab = np.argmin(((V[:, None, :] - C[None]) ** 2).sum(axis=2), axis=1)
            new = np.array([np.average(V[lab == c], axis=0, weights=W[lab == c]) if (lab == c).any() else C[c]
                            for c in range(k)])
            if np.allclose(new, C):
                break
            C = new
        cost = float((((V - C[lab]) ** 2).sum(axis=1) * W).sum())
        if cost < best_cost:
            best, best_cost = C, cost
    return best


def _fit_gmm(X: np.ndarray, m: int, rng: np.random.Generator,
             start: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Diagonal-covariance Gaussian mixture by EM: (log weights, means, variances).

    ``start`` is a previous fit of (nearly) the same data to continue from.
    """
    XT = np.ascontiguousarray(X.T)
    floor = 1e-3  # features are standardised, so this is a thousandth of the file's spread
    if start is None:
        logw, means, var = np.full(m, -np.log(m)), X[rng.choice(len(X), m, replace=False)], np.tile(X.var(axis=0), (m, 1)) + floor
    else:
        logw, means, var = start
    for _ in range(GMM_ITERATIONS if start is None else GMM_ITERATIONS_WARM):
        comp = _component_ll(XT, logw, means, var)
        resp = np.exp(comp - comp.max(axis=0))
        resp /= resp.sum(axis=0)
        nk = resp.sum(axis=1) + 1e-9
        logw = np.log(nk / nk.sum())
        means = (resp @ X) / nk[:, None]
        var = np.maximum((resp @ (X * X)) / nk[:, None] - means ** 2, floor)
    return logw, means, var


def _component_ll(XT: np.ndarray, logw: np.ndarray, means: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Log weight + log density of every component (rows) for every frame (columns).

    Frames are columns because (components x dims) @ (dims x frames) is faster in BLAS
    than the tall-and-thin product the other way round.
    """
    prec = 1.0 / var
    quad = prec @ (XT * XT) - 2 * (means * prec) @ XT + (means * means * prec).sum(axis=1)[:, None]
    return (logw - 0.5 * np.log(2 * np.pi * var).sum(axis=1))[:, None] - 0.5 * quad


def _gmm_loglik(XT: np.ndarray, logw: np.ndarray, means: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Log-likelihood of each frame (a column of ``XT``) under the mixture."""
    comp = _component_ll(XT, logw, means, var)
    top = comp.max(axis=0)
    return top + np.log(np.exp(comp - top).sum(axis=0))


def _viterbi(items: list[_Item], scores: np.ndarray) -> tuple[list[int], float]:
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
        cost = SWITCH_COST_AT_BREAK if (prev.breaks_after or items[i].start - prev.end >= PAUSE_SECONDS) else SWITCH_COST
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


# ---------------------------------------------------------------- measuring


def read_rttm(path: Path) -> list[Turn]:
    """Reference speaker turns from an RTTM file (``SPEAKER file 1 start duration ... name``)."""
    turns = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[0] == "SPEAKER":
            start, dur = float(parts[3]), float(parts[4])
            turns.append((start, start + dur, parts[7]))
    return turns


def channel_turns(path: Path, *, floor_db: float = 30.0, step: float = 0.1) -> list[Turn]:
    """Reference turns for a recording with one voice per channel: each ``step`` seconds in
    which a channel is within ``floor_db`` of its loudest stretch counts as that channel
    speaking (``ch0``, ``ch1``, ...). Both may speak at once."""
    import wave

    with wave.open(str(path), "rb") as w:
        channels, rate = w.getnchannels(), w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, channels).astype(float)
    hop = int(rate * step)
    turns: list[Turn] = []
    for ch in range(channels):
        x = pcm[: len(pcm) // hop * hop, ch].reshape(-1, hop)
        level = 10 * np.log10((x ** 2).mean(axis=1) + 1e-3)
        turns += [(i * step, (i + 1) * step, f"ch{ch}") for i in np.flatnonzero(level > level.max() - floor_db)]
    return turns


def speaker_accuracy(segments: Sequence[Segment], reference_turns: Sequence[Turn], *, step: float = 0.01) -> float:
    """Time-weighted share of labelled speech whose label is right, under the best mapping
    of labels to reference speakers.

    Time counts where a segment is labelled and at least one reference speaker talks; in
    overlapped speech either talker is right. Labels map one-to-one onto reference speakers
    (the mapping with the best score is used), so "interviewer"/"interviewee" can be scored
    against any names.
    """
    if not segments or not reference_turns:
        return 0.0
    end = max(max(s.end for s in segments), max(t[1] for t in reference_turns))
    n = int(np.ceil(end / step)) + 1
    ref_names = sorted({t[2] for t in reference_turns})
    active = np.zeros((len(ref_names), n), dtype=bool)
    for a, b, who in reference_turns:
        active[ref_names.index(who), int(round(a / step)):int(round(b / step))] = True
    hyp_names = sorted({s.speaker for s in segments})
    hyp = np.full(n, -1)
    for s in segments:
        hyp[int(round(s.start / step)):int(round(s.end / step))] = hyp_names.index(s.speaker)
    scored = (hyp >= 0) & active.any(axis=0)
    if not scored.any():
        return 0.0
    # Every one-to-one pairing of labels with reference speakers (extra labels or
    # speakers stay unpaired, and their time counts as wrong).
    if len(hyp_names) <= len(ref_names):
        pairings = [list(enumerate(p)) for p in itertools.permutations(range(len(ref_names)), len(hyp_names))]
    else:
        pairings = [[(h, r) for r, h in enumerate(p)] for p in itertools.permutations(range(len(hyp_names)), len(ref_names))]
    best = 0.0
    for pairs in pairings:
        ok = np.zeros(n, dtype=bool)
        for h, r in pairs:
            ok |= (hyp == h) & active[r]
        best = max(best, float(ok[scored].mean()))
    return best


__all__ = ["assign_speakers", "speaker_accuracy", "read_rttm", "channel_turns", "Turn"]
