"""Speech-only decoding shared by both engines: find the speech, decode it in batches.

Whisper invents text on long silences and noise, and a long recording decoded in one
piece needs one giant spectrogram (a 60-minute file took 2.3 GB of memory that way). So
both engines are fed speech only, a few minutes at a time:

1. faster-whisper's Silero VAD finds the speech stretches (:func:`speech_chunks`);
2. consecutive stretches are grouped into batches of at most BATCH_SECONDS of speech
   (:func:`batches`), each joined and decoded on its own;
3. every segment and word time is mapped from the joined speech back onto the recording
   (:func:`restore_times`), as faster-whisper does for its own VAD filter, and the result
   is made monotonic (:func:`tidy`).

Memory then depends on the batch, not on the recording's length, and the two engines'
transcripts can be compared like for like (same VAD, same settings, same mapping).
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

import numpy as np

from ..models import Segment, Word

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
VAD_PARAMETERS = {"min_silence_duration_ms": 500, "speech_pad_ms": 200}
BATCH_SECONDS = 300.0  # speech decoded per call: bounds memory and paces progress

NO_SPEECH_THRESHOLD = 0.6
LOGPROB_THRESHOLD = -1.0
COMPRESSION_RATIO_THRESHOLD = 2.4
HALLUCINATION_SILENCE_THRESHOLD = 2.0

Chunk = dict[str, int]  # {"start": sample, "end": sample}


def speech_chunks(audio: np.ndarray, vad: bool = True) -> list[Chunk]:
    """Speech stretches (sample offsets) found by faster-whisper's Silero VAD; with
    ``vad=False``, the whole recording as one stretch."""
    if audio.size == 0:
        return []
    if not vad:
        return [{"start": 0, "end": int(audio.size)}]
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return get_speech_timestamps(audio, VadOptions(**VAD_PARAMETERS), sampling_rate=SAMPLE_RATE)


def batches(chunks: list[Chunk], max_samples: int | None = None) -> list[list[Chunk]]:
    """Group consecutive speech chunks into batches of at most ``max_samples`` of speech
    (default BATCH_SECONDS; a single longer chunk becomes a batch of its own)."""
    if max_samples is None:
        max_samples = int(BATCH_SECONDS * SAMPLE_RATE)
    out: list[list[Chunk]] = []
    size = 0
    for chunk in chunks:
        length = chunk["end"] - chunk["start"]
        if not out or size + length > max_samples:
            out.append([])
            size = 0
        out[-1].append(chunk)
        size += length
    return out


def join(audio: np.ndarray, batch: list[Chunk]) -> np.ndarray:
    """One batch's speech, joined into one array."""
    return np.concatenate([audio[c["start"]:c["end"]] for c in batch])


def batch_end_seconds(batch: list[Chunk]) -> float:
    return batch[-1]["end"] / SAMPLE_RATE


def restore_times(pieces: Iterable[Mapping[str, Any]], batch: list[Chunk]) -> list[Segment]:
    """Map whisper's times (on the joined speech) back onto the recording, as faster-whisper
    does: each word goes to the chunk holding its middle and is kept inside that chunk.

    ``pieces`` are openai-whisper style segment dicts: ``text``, ``start``, ``end``,
    ``no_speech_prob``, ``avg_logprob`` and ``words`` (``start``, ``end``, ``word``,
    ``probability``). Likely non-speech segments and empty ones are dropped.
    """
    from faster_whisper.vad import SpeechTimestampsMap

    ts_map = SpeechTimestampsMap(batch, SAMPLE_RATE, time_precision=3)
    bounds = [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in batch]

    def place(t: float, index: int) -> float:
        lo, hi = bounds[index]
        return float(min(max(ts_map.get_original_time(t, index), lo), hi))

    segments: list[Segment] = []
    for piece in pieces:
        text = piece["text"].strip()
        if not text:
            continue
        if piece["no_speech_prob"] > NO_SPEECH_THRESHOLD and piece["avg_logprob"] < LOGPROB_THRESHOLD:
            log.debug("dropped a likely non-speech segment at %.1fs", piece["start"])
            continue
        words = []
        for w in piece.get("words") or ():
            index = ts_map.get_chunk_index((w["start"] + w["end"]) / 2)
            words.append(Word(start=place(w["start"], index), end=place(w["end"], index),
                              word=w["word"], probability=float(w["probability"])))
        if words:
            start, end = words[0].start, words[-1].end
        else:
            start_index = ts_map.get_chunk_index(piece["start"])
            end_index = ts_map.get_chunk_index(piece["end"], is_end=True)
            start, end = place(piece["start"], start_index), place(piece["end"], end_index)
        segments.append(Segment(start=start, end=end, text=text, words=tuple(words)))
    return segments


def tidy(segments: list[Segment], duration: float) -> tuple[Segment, ...]:
    """Make every time monotonic and inside [0, duration] (whisper's word times can overlap
    by a few hundredths of a second, and the last one can run past the end)."""
    out: list[Segment] = []
    last = 0.0
    for seg in segments:
        words = []
        for w in seg.words:
            start = min(max(w.start, last), duration)
            end = min(max(w.end, start), duration)
            words.append(Word(start=round(start, 3), end=round(end, 3), word=w.word, probability=w.probability))
            last = end
        if words:
            start, end = words[0].start, words[-1].end
        else:
            start = min(max(seg.start, last), duration)
            end = min(max(seg.end, start), duration)
            last = end
        out.append(Segment(start=round(start, 3), end=round(end, 3), text=seg.text,
                           speaker=seg.speaker, words=tuple(words)))
    return tuple(out)
