"""Who is speaking: give every word a speaker key, offline, for any number of voices.

Two sources of evidence, tried in this order:

1. **Channels.** When a stereo source has one voice per channel (two microphones, a
   call recorded per side), the louder channel during a word says who spoke it. The
   channels are only trusted when their energies clearly alternate; a plain stereo mix
   (near-identical channels) falls through to diarisation.
2. **Diarisation**, by one of two voice models (``method``):

   * ``"dvector"`` (the default when installed): voice prints from Resemblyzer's trained
     speaker encoder (:mod:`.voice_encoder`, :mod:`.voice_dvector`);
   * ``"mfcc"``: MFCC statistics and one Gaussian mixture per voice (:mod:`.voice_mfcc`),
     used when the encoder's weights or torch are not installed.

   Both cluster with scikit-learn (:mod:`.clustering`), estimate the number of voices when
   it is not given, and smooth the labels into turns with a Viterbi pass over the words
   (:mod:`.turns`). Measured side by side in bench/RESULTS.md ("Speaker turns").

Words are the unit throughout, because Whisper's segments often hold both sides of a
quick exchange ("Hello? - Oh, hello."): a segment whose words change speaker is split
at that word boundary.

**Keys.** The interviewer(s) ask the questions: each voice scores its share of sentences
that are questions (weight 2), minus its share of speaking time (weight 1; interviewers
talk less), plus 0.3 if it speaks first; the ``interviewers`` best-scoring voices (one
unless the sidecar names more) are interviewers, the rest interviewees, and at least one
voice is an interviewee. Within each role, voices are numbered in the order they first
speak: ``interviewer``, ``interviewer-2``, ..., ``interviewee``, ``interviewee-2``, ...
(:func:`pipeline.models.speaker_key`), so the first two keys are the ones a two-person
interview always had. When only one voice is found, it is the interviewee's.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from pathlib import Path
from typing import Sequence

import numpy as np

from ..audio import wav_channels
from ..models import INTERVIEWEE, INTERVIEWER, Segment, Word, speaker_key
from . import voice_encoder, voice_mfcc
from .turns import Item, items_of, viterbi
from .voice_mfcc import frame_span, log_energy, n_frames

log = logging.getLogger(__name__)

METHODS = ("dvector", "mfcc")
CHANNEL_DB = 6.0  # a word's channels must differ by this much for the louder one to be trusted
CHANNEL_SHARE = 0.6  # ... on this share of speech time for the channels to be used at all
MIN_SPEAKER_SHARE = 0.03  # each channel must carry at least this share of speech
CHANNEL_SWITCH_COST = (10.0, 2.0)  # mid-sentence, at a break

_Item = Item  # the name the tests and older callers use
_items = items_of

Turn = tuple[float, float, str]  # (start, end, speaker) of a reference turn


# ---------------------------------------------------------------- entry point


def default_method() -> str:
    """``"dvector"`` where the trained encoder is installed, else ``"mfcc"``."""
    return "dvector" if voice_encoder.available() else "mfcc"


def assign_speakers(segments: list[Segment], wav_path: Path, *, channels_wav: Path | None = None,
                    num_speakers: int | None = None, interviewers: int = 1,
                    method: str | None = None) -> list[Segment]:
    """Return new segments with ``speaker`` set, split where the speaker changes mid-segment.

    ``wav_path`` is the 16 kHz mono WAV the words were transcribed from; ``channels_wav``
    a 16 kHz 2-channel WAV of a stereo source, whose channels are used when they carry one
    voice each. ``num_speakers`` voices are told apart (None: as many as the audio shows,
    two at least); ``interviewers`` of them are interviewers (see the module docstring).
    ``method`` is the voice model, ``"dvector"`` or ``"mfcc"`` (None: :func:`default_method`).
    """
    items = items_of(segments)
    if not items:
        return list(segments)
    if num_speakers is not None and num_speakers < 2:
        return [dataclasses.replace(s, speaker=INTERVIEWEE) for s in segments]
    labels = None
    if channels_wav is not None and num_speakers in (None, 2):
        labels = _labels_from_channels(items, channels_wav)
    if labels is None:
        labels = _diarise(items, wav_channels(wav_path, purpose="speaker labelling"), num_speakers,
                          method or default_method())
    roles = _roles(items, labels, interviewers)
    log.info("speakers: %d words, %d voices (%s)", len(items), len(roles),
             ", ".join(f"{key} {100 * share:.0f}%" for key, share in _shares(items, labels, roles).items()))
    return _split(segments, items, [roles[lab] for lab in labels])


def _diarise(items: list[Item], x: np.ndarray, k: int | None, method: str) -> list[int]:
    if method not in METHODS:
        raise ValueError(f"unknown speaker method {method!r}; expected one of {METHODS}")
    # A multi-channel file is mixed down (a copy); the usual mono file is read in place.
    mono = x[:, 0] if x.shape[1] == 1 else np.round(x.mean(axis=1, dtype=np.float32)).astype("<i2")
    if method == "dvector":
        from . import voice_dvector

        return voice_dvector.diarise(items, mono, k)
    return voice_mfcc.diarise(items, mono, k)


def _shares(items: list[Item], labels: list[int], roles: dict[int, str]) -> dict[str, float]:
    total = max(sum(it.end - it.start for it in items), 1e-9)
    out: dict[str, float] = {}
    for it, lab in zip(items, labels):
        out[roles[lab]] = out.get(roles[lab], 0.0) + (it.end - it.start) / total
    return out


def _split(segments: Sequence[Segment], items: list[Item], roles: list[str]) -> list[Segment]:
    """Give each segment its words' speaker; cut it where consecutive words differ."""
    by_seg: dict[int, list[tuple[Item, str]]] = {}
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


def _roles(items: list[Item], labels: list[int], interviewers: int = 1) -> dict[int, str]:
    """Map voice ids to speaker keys (see the module docstring for the rule)."""
    first_seen = list(dict.fromkeys(labels))  # voices in the order they first speak
    if len(first_seen) == 1:
        return {first_seen[0]: INTERVIEWEE}  # one voice heard: the person the recording is about
    total = sum(it.end - it.start for it in items) or 1.0
    scores = {}
    for c in first_seen:
        mine = [it for it, lab in zip(items, labels) if lab == c]
        ends = [it.text.rstrip()[-1] for it in mine if it.breaks_after]
        questions = ends.count("?") / max(len(ends), 1)
        share = sum(it.end - it.start for it in mine) / total
        scores[c] = 2.0 * questions - share + (0.3 if labels[0] == c else 0.0)
        log.debug("voice %d: %.0f%% questions, %.0f%% of speech, score %.2f", c, 100 * questions, 100 * share, scores[c])
    n_int = min(max(interviewers, 1), len(first_seen) - 1)
    asking = set(sorted(first_seen, key=lambda c: -scores[c])[:n_int])
    keys: dict[int, str] = {}
    for role, voices in ((INTERVIEWER, [c for c in first_seen if c in asking]),
                         (INTERVIEWEE, [c for c in first_seen if c not in asking])):
        for n, c in enumerate(voices, start=1):
            keys[c] = speaker_key(role, n)
    return keys


# ---------------------------------------------------------------- channels


def _labels_from_channels(items: list[Item], path: Path) -> list[int] | None:
    """Label by the louder channel, or None when the channels do not carry one voice each."""
    x = wav_channels(path, purpose="speaker labelling")
    if x.shape[1] != 2 or x.shape[0] == 0:
        return None
    n = n_frames(x.shape[0])
    left, right = log_energy(x[:, 0], n), log_energy(x[:, 1], n)
    diff = np.zeros(len(items))
    dur = np.array([max(it.end - it.start, 0.01) for it in items])
    for i, it in enumerate(items):
        a, b = frame_span(it, n)
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
    return viterbi(items, scores, *CHANNEL_SWITCH_COST)[0]


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
