"""The transcription stage: Audio → Transcript (segments, words, speakers).

The canonical record is ``transcripts/<slug>/transcript.json``. It carries a checksum of
its machine-made content (``checksum``: the segments and speakers; ``chapters_checksum``:
the chapters); when a person edits the text, the speakers or the chapters, a checksum no
longer matches, and from then on the file is theirs: no rebuild re-transcribes over it,
and hand-corrected chapters are never re-chaptered.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import InputError
from ..fsutil import sha256_text, write_json
from ..models import INTERVIEWEE, INTERVIEWER, Audio, Segment, Transcript
from .engines import Engine, Options, Progress, RawResult, describe_model, get_engine

log = logging.getLogger(__name__)

TRANSCRIPT_NAME = "transcript.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Settings:
    """Which engine, model and options a workspace transcribes with."""

    engine: str = "faster-whisper"
    model: str = ""
    device: str = "auto"
    language: str | None = "en"
    threads: int | None = None

    @classmethod
    def from_config(cls, config: Config, *, engine: str | None = None, model: str | None = None,
                    threads: int | None = None) -> Settings:
        return cls(
            engine=engine or config.engine,
            model=config.model if model is None else model,
            device=config.device,
            language=None if config.language == "auto" else config.language.split("-")[0],
            threads=threads,
        )

    @property
    def options(self) -> Options:
        return Options(language=self.language)

    def asr_key(self, audio_sha256: str) -> str:
        """Cache key: the audio content plus everything that changes the words."""
        raw = f"{audio_sha256}|{self.engine}|{describe_model(self.model)}|{self.options.key()}"
        return hashlib.sha256(raw.encode()).hexdigest()


# ---------------------------------------------------------------- transcript.json


def content_checksum(data: dict[str, Any]) -> str:
    """Checksum of what a person may edit: the segments and the speaker names."""
    body = {"segments": data.get("segments", []), "speakers": data.get("speakers", {})}
    return sha256_text(json.dumps(body, sort_keys=True, ensure_ascii=False))


def read_transcript_file(path: Path) -> dict[str, Any]:
    return load_transcript_file(path)[0]


def load_transcript_file(path: Path) -> tuple[dict[str, Any], Transcript]:
    """transcript.json as data and as a Transcript; InputError naming the problem and the fix."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                         path=path, fix="correct the edit, or restore the file from your backup or git") from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", path=path,
                         fix="save it as UTF-8, or restore the file from your backup or git") from None
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise InputError('has no "segments" list', path=path,
                         fix="restore the file's structure (see README, 'Correcting a transcript')")
    try:
        transcript = Transcript.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"has a segment, word or chapter that can't be read ({exc})", path=path,
                         fix="each segment needs start, end, text and speaker; each word start, end and "
                             "word; each chapter start, end and question") from None
    return data, transcript


def chapters_checksum(chapters: list[dict[str, Any]] | None) -> str:
    """Checksum of the chapters as the chapter stage wrote them."""
    return sha256_text(json.dumps(chapters or [], sort_keys=True, ensure_ascii=False))


def text_edited(data: dict[str, Any]) -> bool:
    """Whether a person changed the segments or the speaker names."""
    return data.get("checksum") != content_checksum(data)


def chapters_edited(data: dict[str, Any]) -> bool:
    """Whether a person corrected the chapters (files from before chapters_checksum: no)."""
    stamp = data.get("chapters_checksum")
    return stamp is not None and stamp != chapters_checksum(data.get("chapters"))


def is_hand_edited(data: dict[str, Any]) -> bool:
    """Whether the file is a person's now: it is never re-transcribed, nor stamped as ours."""
    return text_edited(data) or chapters_edited(data)


def write_transcript_file(path: Path, data: dict[str, Any], *, machine: bool) -> None:
    """Write transcript.json; ``machine=True`` stamps fresh checksums (the file is ours)."""
    data = dict(data)
    if machine:
        data["checksum"] = content_checksum(data)
        data["chapters_checksum"] = chapters_checksum(data.get("chapters"))
    write_json(path, data)


def transcript_to_file_data(t: Transcript, *, asr_key: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    data = {"format": FORMAT_VERSION, **t.to_dict(), "asr_key": asr_key}
    if extra:
        data.update(extra)
    return data


# ---------------------------------------------------------------- the stage


def speaker_names(config: Config, audio: Audio) -> dict[str, str]:
    meta = audio.recording.meta
    return {
        INTERVIEWER: meta.interviewer or config.interviewer or "Interviewer",
        INTERVIEWEE: meta.interviewee or "Interviewee",
    }


def run_engine(engine: Engine, audio: Audio, settings: Settings, progress: Progress | None) -> RawResult:
    log.info("transcribing %s (%.0f s) with %s", audio.recording.path.name, audio.duration, engine.name)
    raw = engine.transcribe(audio.path, audio.duration, settings.options, progress)
    return RawResult(language=raw.language, segments=tuple(_clean(raw.segments, audio.duration)))


def _clean(segments: tuple[Segment, ...], duration: float) -> list[Segment]:
    """Timestamps monotonic and inside the audio; no empty segments; no repetition loops."""
    out: list[Segment] = []
    last_end = 0.0
    previous_texts: list[str] = []
    for seg in segments:
        text = seg.text.strip()
        if not text:
            continue
        norm = " ".join(text.lower().split())
        if previous_texts.count(norm) >= 2 and len(norm) > 0:
            log.debug("dropped a repeated segment %r", text[:40])
            continue
        previous_texts = (previous_texts + [norm])[-6:]
        words = []
        w_last = max(last_end, 0.0)
        for w in seg.words:
            start = min(max(w.start, w_last), duration)
            end = min(max(w.end, start), duration)
            words.append(dataclasses.replace(w, start=start, end=end))
            w_last = end
        first = min(seg.start, words[0].start) if words else seg.start
        start = min(max(first, last_end), duration)
        end = min(max(seg.end, start, words[-1].end if words else start), duration)
        out.append(dataclasses.replace(seg, start=start, end=end, text=text, words=tuple(words)))
        last_end = end
    return out


def label_speakers(segments: tuple[Segment, ...], audio: Audio, stereo_wav: Path | None) -> tuple[Segment, ...]:
    """Give every segment a speaker (interviewer/interviewee), splitting at changes."""
    if not segments:
        return segments
    from .speakers import assign_speakers

    return tuple(assign_speakers(list(segments), audio.path, channels_wav=stereo_wav))


def transcribe_audio(audio: Audio, config: Config, settings: Settings, *,
                     engine: Engine | None = None, progress: Progress | None = None,
                     stereo_wav: Path | None = None) -> Transcript:
    """Run Whisper on one recording and label the speakers."""
    engine = engine or get_engine(settings.engine, settings.model, device=settings.device,
                                  threads=settings.threads)
    raw = run_engine(engine, audio, settings, progress)
    segments = label_speakers(raw.segments, audio, stereo_wav)
    return Transcript(
        language=raw.language,
        engine=engine.name,
        model=engine.model_id,
        duration=audio.duration,
        segments=segments,
        speakers=speaker_names(config, audio),
        audio_sha256=audio.sha256,
    )


__all__ = [
    "Settings", "TRANSCRIPT_NAME", "content_checksum", "chapters_checksum", "read_transcript_file",
    "load_transcript_file",
    "is_hand_edited", "text_edited", "chapters_edited",
    "write_transcript_file", "transcript_to_file_data", "transcribe_audio", "get_engine",
    "speaker_names",
]
