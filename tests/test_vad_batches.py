"""Both engines decode speech only, in batches: grouping, time mapping, and a real run."""

from __future__ import annotations

import wave
from types import SimpleNamespace

import numpy as np
import pytest

from pipeline.models import Segment, Word
from pipeline.transcribe import vad
from pipeline.transcribe.engines import FasterWhisperEngine, Options


def test_batches_never_exceed_the_limit_and_keep_order():
    chunks = [{"start": i * 100, "end": i * 100 + 40} for i in range(10)]
    out = vad.batches(chunks, max_samples=100)
    assert [len(b) for b in out] == [2, 2, 2, 2, 2]
    assert [c for b in out for c in b] == chunks
    # one chunk longer than the limit is a batch of its own
    assert vad.batches([{"start": 0, "end": 500}, {"start": 600, "end": 610}], max_samples=100) == [
        [{"start": 0, "end": 500}], [{"start": 600, "end": 610}]]
    assert vad.batches([]) == []


def _speech(batch):
    return sum(c["end"] - c["start"] for c in batch) / vad.SAMPLE_RATE


def test_batches_share_the_speech_evenly_and_split_a_short_recording_in_two():
    sr = vad.SAMPLE_RATE
    # 630 s of speech: three batches of 210 s, not 300 + 300 + 30 (two streams finish together)
    chunks = [{"start": m * 60 * sr, "end": (m * 60 + 30) * sr} for m in range(21)]
    assert [_speech(b) for b in vad.batches(chunks)] == [210.0, 210.0, 210.0]
    # 45 s of speech in 5 s stretches: two batches, cut at the gap nearest the middle
    chunks = [{"start": m * 6 * sr, "end": (m * 6 + 5) * sr} for m in range(9)]
    assert [_speech(b) for b in vad.batches(chunks)] == [25.0, 20.0]
    # under SPLIT_SECONDS, or one stretch only: one batch
    short = [{"start": m * 6 * sr, "end": (m * 6 + 5) * sr} for m in range(7)]
    assert len(vad.batches(short)) == 1
    assert len(vad.batches([{"start": 0, "end": 50 * sr}])) == 1


def test_restore_times_maps_joined_speech_back_and_drops_non_speech():
    sr = vad.SAMPLE_RATE
    batch = [{"start": 10 * sr, "end": 12 * sr}, {"start": 30 * sr, "end": 33 * sr}]
    pieces = [
        {"text": " hello there", "start": 0.1, "end": 3.5, "no_speech_prob": 0.1, "avg_logprob": -0.2,
         "words": [{"start": 0.1, "end": 0.9, "word": " hello", "probability": 0.9},
                   {"start": 2.4, "end": 3.5, "word": " there", "probability": 0.8}]},
        {"text": " hum", "start": 4.0, "end": 4.5, "no_speech_prob": 0.9, "avg_logprob": -1.5, "words": []},
    ]
    out = vad.restore_times(pieces, batch)
    assert len(out) == 1 and out[0].text == "hello there"
    hello, there = out[0].words
    assert hello.start == pytest.approx(10.1) and hello.end == pytest.approx(10.9)
    assert there.start == pytest.approx(30.4) and there.end == pytest.approx(31.5)  # second chunk
    tidy = vad.tidy([Segment(0, 1, "a", words=(Word(0.5, 1.2, " a", 1.0), Word(1.1, 1.3, " b", 1.0)))], 1.25)
    assert [(w.start, w.end) for w in tidy[0].words] == [(0.5, 1.2), (1.2, 1.25)]


class _RecordingModel:
    """Stands in for faster_whisper.WhisperModel: records what it is fed and says one word
    per batch, the first batch slowest, so batches decoded at once finish out of order."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.lengths: list[float] = []
        self.languages: list[str | None] = []
        self.threads: set[str] = set()
        self.fail_on = fail_on
        # The recording's first batch is the slow one. Which thread calls first is up to the
        # scheduler, so the batch is told by its audio (a ramp from 0: see _fake_engine).
        self.delay = lambda first: 0.2 if first else 0.01

    def transcribe(self, audio, **kw):
        import threading
        import time

        assert kw["vad_filter"] is False  # the engine has already cut the silence out
        index = len(self.lengths)
        first = audio.size > 0 and float(audio[0]) == 0.0
        self.lengths.append(audio.size / vad.SAMPLE_RATE)
        self.languages.append(kw["language"])
        self.threads.add(threading.current_thread().name)

        def pieces():  # lazy, as faster-whisper's: the work happens while iterating
            if index == self.fail_on:
                raise RuntimeError("decoder failed")
            time.sleep(self.delay(first))
            yield SimpleNamespace(text=" word", start=0.0, end=0.5, seek=0, no_speech_prob=0.0, avg_logprob=-0.1,
                                  words=[SimpleNamespace(start=0.1, end=0.4, word=" word", probability=0.9)])
            time.sleep(self.delay(first))  # the rest of the batch

        return pieces(), SimpleNamespace(language="fr")


def _fake_engine(monkeypatch, chunks, length_s, streams=2, model=None):
    size = int(length_s * vad.SAMPLE_RATE)
    audio = np.arange(size, dtype=np.float32) / size  # silent enough, and only the start is 0
    monkeypatch.setattr(vad, "speech_chunks", lambda a, on=True: chunks if on else [])
    monkeypatch.setattr(vad, "open_wav", lambda path: audio)
    engine = object.__new__(FasterWhisperEngine)
    engine._model = model or _RecordingModel()
    engine.streams = streams
    return engine


@pytest.mark.parametrize("streams", [1, 2])
def test_faster_whisper_engine_feeds_batches_of_speech_only(monkeypatch, tmp_path, streams):
    from pipeline.transcribe import engines

    monkeypatch.setattr(engines, "PROGRESS_SECONDS", 0.02)
    sr = vad.SAMPLE_RATE
    # 20 minutes with 30 s of "speech" every 60 s; the VAD is replaced by that layout
    chunks = [{"start": m * 60 * sr, "end": (m * 60 + 30) * sr} for m in range(20)]
    engine = _fake_engine(monkeypatch, chunks, 1200.0, streams)
    seen: list[float] = []
    result = engine.transcribe(tmp_path / "x.wav", 1200.0, Options(), progress=seen.append)
    # 600 s of speech in batches of at most 300 s: never the whole recording at once
    assert engine._model.lengths == [300.0, 300.0]
    # in the recording's order, though the first batch finished last
    assert [round(s.start, 1) for s in result.segments] == [0.1, 600.1]
    assert seen == sorted(seen) and seen[-1] == 1200.0
    assert len(engine._model.threads) == streams  # two streams: decoded on two threads at once
    # progress inside the first batch too (its first word, at 0.5 s), not only at its end
    assert any(0 < t < 30 for t in seen)  # the first batch ends at 570 s


def test_faster_whisper_engine_detects_the_language_once_before_decoding_the_rest(monkeypatch, tmp_path):
    sr = vad.SAMPLE_RATE
    chunks = [{"start": m * 60 * sr, "end": (m * 60 + 30) * sr} for m in range(30)]
    engine = _fake_engine(monkeypatch, chunks, 1800.0)
    result = engine.transcribe(tmp_path / "x.wav", 1800.0, Options(language=None))
    assert engine._model.languages == [None, "fr", "fr"]  # 900 s: detected on the first batch only
    assert result.language == "fr" and len(result.segments) == 3


def test_faster_whisper_engine_reports_a_failed_batch_and_decodes_no_more(monkeypatch, tmp_path):
    sr = vad.SAMPLE_RATE
    chunks = [{"start": m * 60 * sr, "end": (m * 60 + 30) * sr} for m in range(60)]  # 6 batches
    model = _RecordingModel(fail_on=0)
    model.delay = lambda index: 0.3
    engine = _fake_engine(monkeypatch, chunks, 3600.0, model=model)
    with pytest.raises(RuntimeError, match="decoder failed"):
        engine.transcribe(tmp_path / "x.wav", 3600.0, Options())
    # the batches not yet started when the first one failed were never decoded
    assert len(model.lengths) < 6


def test_decoding_streams_use_every_cpu_thread_once():
    from pipeline.transcribe.engines import MAX_STREAMS, decoding_streams

    assert decoding_streams(1, "cpu") == (1, 1)
    assert decoding_streams(2, "cpu") == (2, 1)
    assert decoding_streams(16, "cpu") == (MAX_STREAMS, 16 // MAX_STREAMS)
    assert decoding_streams(8, "cuda") == (1, 8)


@pytest.mark.parametrize("seconds", [0.01, 1.0, 32.0, 40.96])
def test_streamed_vad_finds_what_faster_whisper_finds(seconds, monkeypatch):
    """Noise bursts in silence, read 1.6 s at a time with the state carried over: the same
    chunks as faster-whisper's VAD on the whole array (40.96 s is a whole number of frames)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    monkeypatch.setattr(vad, "VAD_BATCH_FRAMES", 50)
    rng = np.random.default_rng(7)
    n = int(seconds * vad.SAMPLE_RATE)
    audio = (rng.standard_normal(n) * 0.001).astype(np.float32)
    t = np.arange(n) / vad.SAMPLE_RATE
    voiced = (np.sin(2 * np.pi * 0.2 * t) > 0.3)
    audio += voiced * 0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 4 * t)).astype(np.float32)
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    whole = get_speech_timestamps(vad.as_float(pcm), VadOptions(**vad.VAD_PARAMETERS), sampling_rate=vad.SAMPLE_RATE)
    assert vad.speech_chunks(pcm) == [{"start": int(c["start"]), "end": int(c["end"])} for c in whole]


@pytest.mark.slow
def test_real_model_on_speech_silence_speech_keeps_times(tmp_path, monkeypatch, real_recording):
    """JFK, 20 s of silence, JFK: the VAD read a few seconds at a time finds what
    faster-whisper's finds on the whole file; decoded as two batches, no text in the
    silence, and the second copy's words land after the silence."""
    jfk = real_recording("01_jfk_inaugural", "jfk.flac") / "jfk.flac"
    from pipeline.audio import load_wav
    from pipeline.ffmpeg import decode_to_wav

    one = tmp_path / "jfk.wav"
    decode_to_wav(jfk, one)
    speech = (load_wav(one) * 32767).astype("<i2")
    pcm = np.concatenate([speech, np.zeros(20 * vad.SAMPLE_RATE, dtype="<i2"), speech])
    wav = tmp_path / "twice.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(vad.SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    monkeypatch.setattr(vad, "BATCH_SECONDS", 12.0)  # one copy per batch
    monkeypatch.setattr(vad, "VAD_BATCH_FRAMES", 100)  # the VAD reads 3.2 s at a time
    gap_start = speech.size / vad.SAMPLE_RATE
    gap_end = gap_start + 20.0
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = vad.speech_chunks(vad.open_wav(wav))
    whole = get_speech_timestamps(load_wav(wav), VadOptions(**vad.VAD_PARAMETERS), sampling_rate=vad.SAMPLE_RATE)
    assert chunks == [{"start": int(c["start"]), "end": int(c["end"])} for c in whole]
    assert len(chunks) >= 2 and all(a["end"] <= b["start"] for a, b in zip(chunks, chunks[1:]))
    segments = FasterWhisperEngine("").transcribe(wav, pcm.size / vad.SAMPLE_RATE, Options()).segments
    words = [w for s in segments for w in s.words]
    first = [w for w in words if w.end <= gap_start + 0.3]
    second = [w for w in words if w.start >= gap_end - 0.3]
    assert len(first) + len(second) == len(words), "a word was placed inside the silence"
    for part in (first, second):
        text = "".join(w.word for w in part).lower()
        assert "ask not what your country can do for you" in text
    assert all(a.end <= b.start + 1e-6 for a, b in zip(words, words[1:]))
