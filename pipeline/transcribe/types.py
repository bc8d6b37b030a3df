"""The types every engine shares: decoding options, the raw result, the interface.

A leaf module (it imports nothing from the engines), so the engines, the VAD batching and
the stage can all use these without importing one another.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from ..models import Segment

Progress = Callable[[float], None]  # called with seconds of audio done


@dataclass(frozen=True)
class RawResult:
    """What an engine hands back before speakers and chapters are added."""

    language: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Options:
    """Decoding options that change the transcript; part of the cache key.

    The thresholds guard against invented text on silence, noise and music, and against
    loops (as faster-whisper's ``TranscriptionOptions``); a window that fails them is decoded
    again by sampling at each of ``temperatures`` in turn (seeded: see :mod:`.sampling`).
    """

    language: str | None = "en"  # None detects
    beam_size: int = 5
    vad: bool = True
    word_timestamps: bool = True
    best_of: int = 5  # candidates per sampling temperature
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    hallucination_silence_threshold: float = 2.0  # with word timestamps only

    def key(self) -> str:
        """The options as text. Fields at their defaults beyond the first four are left
        out, so transcripts made before those fields existed keep their cache key."""
        key = f"lang={self.language or 'auto'};beam={self.beam_size};vad={int(self.vad)};words={int(self.word_timestamps)}"
        default = Options()
        for f in dataclasses.fields(self)[4:]:
            if getattr(self, f.name) != getattr(default, f.name):
                key += f";{f.name}={getattr(self, f.name)}"
        return key


class Engine(Protocol):
    name: str
    model_id: str  # what transcript.json records as "model"

    def transcribe(self, wav: Path, duration: float, options: Options,
                   progress: Progress | None = None) -> RawResult: ...
