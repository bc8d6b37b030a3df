"""Speech-only decoding shared by both engines: find the speech, decode it in batches.

Whisper invents text on long silences and noise, and a long recording decoded in one
piece needs one giant spectrogram, whose memory grows with the recording. So both
engines are fed speech only, a few minutes at a time:

1. faster-whisper's Silero VAD finds the speech stretches (:func:`speech_chunks`);
2. consecutive stretches are grouped into batches of about equal speech, at most
   BATCH_SECONDS each (:func:`batches`), each joined and decoded on its own; no text is
   carried from one batch to the next, so faster-whisper decodes two or more at once;
3. every segment and word time is mapped from the joined speech back onto the recording
   (:func:`restore_times`), as faster-whisper does for its own VAD filter, and the result
   is made monotonic (:func:`tidy`).

The audio stays 16-bit on disk (a memory map of the ingested WAV, :func:`open_wav`) and
only the piece being worked on is turned into floats: the VAD reads VAD_BATCH_FRAMES frames
at a time, and each batch is converted when it is decoded. Memory then depends on the
batch, not on the recording's length (peak memory of a long recording: bench/RESULTS.md),
and the two engines' transcripts can be compared like for like (same VAD, same settings,
same mapping).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from ..audio import SAMPLE_RATE, as_float, wav_pcm
from ..models import Segment, Word
from .types import Options

log = logging.getLogger(__name__)

VAD_PARAMETERS = {"min_silence_duration_ms": 500, "speech_pad_ms": 200}
BATCH_SECONDS = 300.0  # speech decoded per call: bounds memory and paces progress
SPLIT_SECONDS = 40.0  # speech from which a recording is decoded as two batches at least
VAD_FRAME = 512  # samples per Silero VAD probability (32 ms)
VAD_CONTEXT = 64  # samples of the previous frame each frame is given
VAD_BATCH_FRAMES = 10000  # frames per model call (320 s), as faster-whisper does
# Speech straight after music (see :func:`rerate_after_sound`):
RERATE_AFTER = 2.0  # seconds of sound that is not speech before a stretch...
LOUD_DBFS = -45.0  # ...louder than this (median frame level; room tone and silence are quieter)
RERATE_BACK = 1.5  # seconds before the stretch's start from which Silero starts afresh
RERATE_AHEAD = 8.0  # seconds after it that the fresh run covers

Chunk = dict[str, int]  # {"start": sample, "end": sample}


def open_wav(path: Path) -> np.ndarray:
    """A 16 kHz mono 16-bit WAV as a read-only int16 memory map: nothing is read until used."""
    return wav_pcm(path)


def speech_chunks(audio: np.ndarray, vad: bool = True) -> list[Chunk]:
    """Speech stretches (sample offsets) found by faster-whisper's Silero VAD with
    VAD_PARAMETERS; with ``vad=False``, the whole recording as one stretch.

    The same chunks as ``faster_whisper.vad.get_speech_timestamps`` (tested), but the
    audio (int16 or float) is read 320 s at a time with the model's state carried over,
    where faster-whisper wants the whole recording as floats, padded and framed: three
    float copies of the recording at once.
    """
    if audio.size == 0:
        return []
    if not vad:
        return [{"start": 0, "end": int(audio.size)}]
    return _chunks_from_probabilities(rerate_after_sound(audio, speech_probabilities(audio)), int(audio.size))


def speech_probabilities(audio: np.ndarray) -> np.ndarray:
    """Silero's speech probability for every VAD_FRAME samples (the last frame zero-padded)."""
    from faster_whisper.vad import get_vad_model

    session = get_vad_model().session
    h = np.zeros((1, 1, 128), dtype=np.float32)
    c = np.zeros((1, 1, 128), dtype=np.float32)
    context = np.zeros(VAD_CONTEXT, dtype=np.float32)
    step = VAD_FRAME * VAD_BATCH_FRAMES
    out = []
    for offset in range(0, int(audio.size) + 1, step):
        piece = as_float(audio[offset:offset + step])
        if offset + step >= audio.size:  # the end: pad to whole frames (a full one if already whole)
            piece = np.pad(piece, (0, VAD_FRAME - piece.size % VAD_FRAME))
        if piece.size == 0:
            break
        frames = piece.reshape(-1, VAD_FRAME)
        probs, h, c = _silero(session, frames, context, h, c)
        context = frames[-1, -VAD_CONTEXT:].copy()
        out.append(probs)
        if offset + step >= audio.size:
            break
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


def _silero(session, frames: np.ndarray, context: np.ndarray, h: np.ndarray, c: np.ndarray):
    """One model call on whole frames: (probabilities, h, c)."""
    contexts = np.concatenate([context[None, :], frames[:-1, -VAD_CONTEXT:]])
    probs, h, c = session.run(None, {"input": np.concatenate([contexts, frames], axis=1), "h": h, "c": c})
    return np.asarray(probs, dtype=np.float32).reshape(-1), h, c


def rerate_after_sound(audio: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Speech probabilities, rated again from a fresh state where speech follows music.

    Silero carries its state from frame to frame, and after seconds of a tune it rates the
    speech that follows with no pause at 0.3-0.65 for several seconds (the same speech alone
    gets about 0.86), so the first words were lost. Where a stretch of speech starts after
    RERATE_AFTER seconds of loud sound that is not speech (median frame level above
    LOUD_DBFS: music, not silence or room tone), Silero is run again from a fresh state,
    starting RERATE_BACK seconds before the stretch and covering RERATE_AHEAD seconds after
    its start, and each frame there keeps the higher of the two ratings. Only frames next to
    speech already found are rated again, so music, noise or hum with no speech in it still
    gives no speech; and speech after silence keeps exactly the chunks of faster-whisper's VAD.
    """
    from faster_whisper.vad import VadOptions

    threshold = VadOptions(**VAD_PARAMETERS).threshold
    fps = SAMPLE_RATE / VAD_FRAME
    after, back, ahead = int(RERATE_AFTER * fps), int(RERATE_BACK * fps), int(RERATE_AHEAD * fps)
    out = probs
    speech = probs >= threshold
    for i in np.flatnonzero(speech[after:] & ~speech[after - 1:-1]) + after if probs.size > after else ():
        if speech[i - after:i].any() or _level_dbfs(audio, i - after, i) <= LOUD_DBFS:
            continue
        start = max(0, i - back)
        fresh = _fresh_probabilities(audio, start, min(probs.size, i + ahead) - start)
        out = out.copy() if out is probs else out
        out[start:start + fresh.size] = np.maximum(out[start:start + fresh.size], fresh)
        log.debug("speech at %.1fs after sound: rated again from %.1fs", i / fps, start / fps)
    return out


def _level_dbfs(audio: np.ndarray, first: int, last: int) -> float:
    """The median level of frames ``first``..``last`` (exclusive), in dB full scale."""
    frames = as_float(audio[first * VAD_FRAME:last * VAD_FRAME])
    frames = frames[: frames.size - frames.size % VAD_FRAME].reshape(-1, VAD_FRAME)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1)) if frames.size else np.zeros(1)
    return float(20 * np.log10(max(float(np.median(rms)), 1e-10)))


def _fresh_probabilities(audio: np.ndarray, first: int, count: int) -> np.ndarray:
    """Silero's probabilities for frames ``first``.. (``count`` of them) from a zero state."""
    from faster_whisper.vad import get_vad_model

    piece = as_float(audio[first * VAD_FRAME:(first + count) * VAD_FRAME])
    piece = np.pad(piece, (0, (-piece.size) % VAD_FRAME))
    if piece.size == 0:
        return np.zeros(0, dtype=np.float32)
    zero = np.zeros((1, 1, 128), dtype=np.float32)
    probs, _, _ = _silero(get_vad_model().session, piece.reshape(-1, VAD_FRAME),
                          np.zeros(VAD_CONTEXT, dtype=np.float32), zero, zero)
    return probs[:count]


def _chunks_from_probabilities(probs: np.ndarray, length: int) -> list[Chunk]:
    """Silero's rule for turning frame probabilities into padded speech stretches: speech
    starts at a frame >= threshold and ends after min_silence of frames < neg_threshold;
    stretches are padded by speech_pad (split halfway when two pads would overlap)."""
    from faster_whisper.vad import VadOptions

    o = VadOptions(**VAD_PARAMETERS)
    if o.max_speech_duration_s != float("inf"):  # pragma: no cover - not a setting we use
        raise ValueError("max_speech_duration_s is not supported here")
    threshold = o.threshold
    neg_threshold = o.neg_threshold if o.neg_threshold is not None else max(threshold - 0.15, 0.01)
    min_speech = SAMPLE_RATE * o.min_speech_duration_ms / 1000
    min_silence = SAMPLE_RATE * o.min_silence_duration_ms / 1000
    pad = SAMPLE_RATE * o.speech_pad_ms / 1000

    speeches: list[dict[str, float]] = []
    start: int | None = None
    silence_from = 0  # where the current run of silence began (0: none)
    for i, p in enumerate(probs.tolist()):
        at = VAD_FRAME * i
        if p >= threshold:
            silence_from = 0
            if start is None:
                start = at
                continue
        if start is not None and p < neg_threshold:
            if not silence_from:
                silence_from = at
            if at - silence_from >= min_silence:
                if silence_from - start > min_speech:
                    speeches.append({"start": start, "end": silence_from})
                start, silence_from = None, 0
    if start is not None and length - start > min_speech:
        speeches.append({"start": start, "end": length})

    for i, speech in enumerate(speeches):
        if i == 0:
            speech["start"] = int(max(0, speech["start"] - pad))
        if i + 1 < len(speeches):
            gap = speeches[i + 1]["start"] - speech["end"]
            if gap < 2 * pad:
                speech["end"] += int(gap // 2)
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - gap // 2))
            else:
                speech["end"] = int(min(length, speech["end"] + pad))
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - pad))
        else:
            speech["end"] = int(min(length, speech["end"] + pad))
    return [{"start": int(s["start"]), "end": int(s["end"])} for s in speeches]


def batches(chunks: list[Chunk], max_samples: int | None = None) -> list[list[Chunk]]:
    """Consecutive speech chunks in batches of about equal speech, each at most about
    ``max_samples`` (default BATCH_SECONDS), cut only between chunks.

    Speech of SPLIT_SECONDS or more makes two batches at least, so a short recording can be
    decoded two batches at a time as well. The cuts depend on the chunks alone (never on
    the machine), so a recording gets the same batches, and the same transcript, everywhere.
    A cut goes where the speech so far is nearest an equal share; a single chunk longer
    than the limit is a batch of its own.
    """
    if max_samples is None:
        max_samples = int(BATCH_SECONDS * SAMPLE_RATE)
    if not chunks:
        return []
    lengths = [c["end"] - c["start"] for c in chunks]
    total = sum(lengths)
    parts = max(-(-total // max_samples), 2 if total >= SPLIT_SECONDS * SAMPLE_RATE else 1)
    out: list[list[Chunk]] = [[]]
    done = size = 0  # speech before the current batch, and in it
    for chunk, length in zip(chunks, lengths):
        share = (total - done) / max(1, parts - len(out) + 1)  # what each batch left should hold
        if out[-1] and (size + length > max_samples or
                        (len(out) < parts and abs(size + length - share) > abs(size - share))):
            done += size
            out.append([])
            size = 0
        out[-1].append(chunk)
        size += length
    return out


def join(audio: np.ndarray, batch: list[Chunk]) -> np.ndarray:
    """One batch's speech, joined into one array."""
    return np.concatenate([as_float(audio[c["start"]:c["end"]]) for c in batch])


def batch_end_seconds(batch: list[Chunk]) -> float:
    return batch[-1]["end"] / SAMPLE_RATE


def restore_times(pieces: Iterable[Mapping[str, Any]], batch: list[Chunk],
                  options: Options = Options()) -> list[Segment]:
    """Map whisper's times (on the joined speech) back onto the recording, as faster-whisper
    does: each word goes to the chunk holding its middle and is kept inside that chunk.

    ``pieces`` are openai-whisper style segment dicts: ``text``, ``start``, ``end``,
    ``no_speech_prob``, ``avg_logprob`` and ``words`` (``start``, ``end``, ``word``,
    ``probability``). Empty segments are dropped, and so are likely non-speech ones (by
    ``options``' no-speech and log-probability thresholds).
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
        if (piece["no_speech_prob"] > options.no_speech_threshold
                and piece["avg_logprob"] < options.log_prob_threshold):
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


# A vocabulary prompt can make Whisper skip speech (see :func:`redo_skips`):
SKIP_SECONDS = 5.0  # joined speech this long with no word in it is taken as skipped
FRAMES_PER_SECOND = 100  # Whisper's mel frames: the unit of a segment's "seek"


def skipped_windows(pieces: list[Mapping[str, Any]], samples: int) -> list[tuple[int, int]]:
    """The decoding windows of one batch (``samples`` long, pieces as :func:`restore_times`
    takes them, with ``seek``) holding SKIP_SECONDS or more of speech with no word in it,
    as (first sample, end sample) of the joined speech.

    A window runs from its ``seek`` to the next window's (the last to the batch's end; the
    speech before the first window's seek is one too). The batch is speech only, its
    pauses under a second (VAD_PARAMETERS), so a stretch that long with no word is speech
    the model left out, not a pause. Times are words' where there are words, else segments'.
    """
    rate = SAMPLE_RATE / FRAMES_PER_SECOND
    seeks = sorted({int(p["seek"]) for p in pieces})
    bounds = ([0] if not seeks or seeks[0] > 0 else []) + seeks
    out = []
    for i, seek in enumerate(bounds):
        start = int(seek * rate)
        end = int(bounds[i + 1] * rate) if i + 1 < len(bounds) else samples
        times = sorted((w["start"], w["end"]) for p in pieces if int(p["seek"]) == seek
                       for w in (p.get("words") or [p]))
        edge, gap = start / SAMPLE_RATE, 0.0
        for a, b in times:
            gap, edge = max(gap, a - edge), max(edge, b)
        gap = max(gap, end / SAMPLE_RATE - edge)
        if gap >= SKIP_SECONDS:
            out.append((start, end))
    return out


def redo_skips(pieces: list[dict], samples: int, decode) -> list[dict]:
    """``pieces`` of a batch decoded with a vocabulary prompt, with every window that
    skipped speech (:func:`skipped_windows`) decoded again without it by ``decode(start,
    end)`` (samples of the joined speech; pieces back with times from ``start``), the
    second reading kept when it has more words.

    Why: given a prompt, tiny.en sometimes writes a window's first sentence and then jumps
    to the window's end, the rest of the speech left out with no low log-probability, no
    high no-speech probability and no temperature fallback to show for it (bench/RESULTS.md,
    "Vocabulary": eval-06-youth lost its first 25 seconds). A recording without a
    vocabulary is never decoded twice.
    """
    for start, end in reversed(skipped_windows(pieces, samples)):
        first, last = start * FRAMES_PER_SECOND // SAMPLE_RATE, end * FRAMES_PER_SECOND // SAMPLE_RATE
        mine = [p for p in pieces if first <= int(p["seek"]) < last]
        again = decode(start, end)
        if _words(again) <= _words(mine):
            continue
        shift = start / SAMPLE_RATE
        again = [{**p, "seek": int(p["seek"]) + first, "start": p["start"] + shift, "end": p["end"] + shift,
                  "words": [{**w, "start": w["start"] + shift, "end": w["end"] + shift} for w in p.get("words") or ()]}
                 for p in again]
        log.debug("a window at %.1fs skipped speech with the prompt: decoded again without it", shift)
        pieces = [p for p in pieces if int(p["seek"]) < first] + again + [p for p in pieces if int(p["seek"]) >= last]
    return pieces


def _words(pieces: list[Mapping[str, Any]]) -> int:
    return sum(len(p["text"].split()) for p in pieces)
