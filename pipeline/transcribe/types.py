"""The types every engine shares: decoding options, the raw result, the interface.

A leaf module (it imports nothing from the engines), so the engines, the VAD batching and
the stage can all use these without importing one another.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence

from ..models import Segment

Progress = Callable[[float], None]  # called with seconds of audio done

#: The longest prompt Whisper takes, in tokens: ``n_text_ctx // 2 - 1`` (448 // 2 - 1), the cap
#: both faster-whisper and openai-whisper apply to a prompt themselves.
PROMPT_TOKENS = 223


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
    vocabulary: tuple[str, ...] = ()  # names and terms to prompt the model with (vocabulary_prompt)

    def key(self) -> str:
        """The options as text. Fields at their defaults beyond the first four are left
        out, so transcripts made before those fields existed keep their cache key."""
        key = f"lang={self.language or 'auto'};beam={self.beam_size};vad={int(self.vad)};words={int(self.word_timestamps)}"
        default = Options()
        for f in dataclasses.fields(self)[4:]:
            if getattr(self, f.name) != getattr(default, f.name):
                key += f";{f.name}={getattr(self, f.name)}"
        return key


def merge_terms(*lists: Iterable[str | None]) -> tuple[str, ...]:
    """The terms of ``lists`` in order, each once: spaces collapsed, blanks dropped, and a
    term equal to an earlier one but for case left out (the first spelling wins)."""
    out: list[str] = []
    seen: set[str] = set()
    for terms in lists:
        for term in terms:
            text = " ".join((term or "").split())
            if text and text.casefold() not in seen:
                seen.add(text.casefold())
                out.append(text)
    return tuple(out)


def vocabulary_prompt(terms: Sequence[str], encode: Callable[[str], Sequence[int]],
                      limit: int = PROMPT_TOKENS) -> str | None:
    """The prompt that carries a vocabulary to Whisper: the terms joined by ", ", ending in ".".

    When the list is too long, the terms are taken in the order given, stopping before the
    first one that would take the prompt over ``limit`` tokens, counted with the model's
    own tokenizer (``encode``) on the text as the engines send it, after a space. The
    order given is the recording's own terms first, then the show's (see
    ``Settings.for_recording``), so the choice depends on the lists alone. None when there
    is nothing to say.
    """
    chosen: list[str] = []
    for term in terms:
        if len(encode(" " + ", ".join([*chosen, term]) + ".")) > limit:
            break
        chosen.append(term)
    return ", ".join(chosen) + "." if chosen else None


class Engine(Protocol):
    name: str
    model_id: str  # what transcript.json records as "model"

    def transcribe(self, wav: Path, duration: float, options: Options,
                   progress: Progress | None = None) -> RawResult: ...
