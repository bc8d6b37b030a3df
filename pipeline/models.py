"""The frozen dataclasses that flow between stages.

Recording → Audio → Transcript(Segment, Word) → Chapter → Episode → feed and pages.

Each has ``to_dict``/``from_dict`` so stages can hand them over through the files a
capture team reviews (``transcripts/<slug>/transcript.json``) as well as in memory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

INTERVIEWER = "interviewer"
INTERVIEWEE = "interviewee"
ROLES = (INTERVIEWER, INTERVIEWEE)


def speaker_key(role: str, n: int = 1) -> str:
    """The key of the ``n``-th voice (counting from 1) with ``role``: ``interviewer``,
    ``interviewer-2``, ..., ``interviewee``, ``interviewee-2``, ..."""
    return role if n <= 1 else f"{role}-{n}"


def speaker_role(key: str) -> str:
    """``interviewer`` for ``interviewer`` and ``interviewer-N``; ``interviewee`` for any
    other key (a person may name a key anything in transcript.json)."""
    return INTERVIEWER if key == INTERVIEWER or key.startswith(INTERVIEWER + "-") else INTERVIEWEE


def is_interviewer(key: str) -> bool:
    return speaker_role(key) == INTERVIEWER


@dataclass(frozen=True)
class Speaker:
    """One speaker a sidecar names: ``speakers = ["Sam Carter (interviewer)", ...]``."""

    name: str
    role: str = INTERVIEWEE


@dataclass(frozen=True)
class RecordingMeta:
    """What a capture team says about one recording (from ``media/<stem>.toml``)."""

    title: str | None = None
    interviewee: str | None = None
    role: str | None = None
    interviewer: str | None = None
    date: date | None = None
    description: str | None = None
    consent: str | None = None
    publish_after: date | None = None
    vocabulary: tuple[str, ...] = ()  # names and terms for the speech model, besides the ones above
    # The feed's season and episode numbers and place (Podcasting 2.0), and links for the guest.
    season: int | None = None
    season_name: str | None = None
    episode: float | None = None
    location: str | None = None
    location_geo: str | None = None
    location_osm: str | None = None
    interviewee_href: str | None = None
    interviewee_img: str | None = None
    speakers: tuple[Speaker, ...] = ()  # the sidecar's named speakers, in the order they first speak
    speaker_count: int | None = None  # how many voices (from ``speakers``); None: estimated
    language: str | None = None  # the language spoken ("cy", "en-GB", "auto" detects); None: the show's

    def speaker_names(self) -> dict[str, str]:
        """The named speakers by key (:func:`speaker_key`), numbered within each role in the
        order listed; ``interviewee``/``interviewer`` fill the first of their role when the
        list does not name one."""
        out: dict[str, str] = {}
        counts = {role: 0 for role in ROLES}
        for person in self.speakers:
            counts[person.role] += 1
            out[speaker_key(person.role, counts[person.role])] = person.name
        if self.interviewer and INTERVIEWER not in out:
            out[INTERVIEWER] = self.interviewer
        if self.interviewee and INTERVIEWEE not in out:
            out[INTERVIEWEE] = self.interviewee
        return out

    @property
    def interviewer_count(self) -> int:
        return max(1, sum(1 for p in self.speakers if p.role == INTERVIEWER))


@dataclass(frozen=True)
class Recording:
    """One input file in ``media/``."""

    path: Path
    slug: str
    meta: RecordingMeta = field(default_factory=RecordingMeta)
    sidecar: Path | None = None

    @property
    def title(self) -> str:
        if self.meta.title:
            return self.meta.title
        return self.path.stem.replace("_", " ").strip() or self.slug


@dataclass(frozen=True)
class Audio:
    """A recording decoded to 16 kHz mono PCM WAV for the speech model."""

    recording: Recording
    path: Path  # the 16 kHz mono WAV in the work cache
    sha256: str  # of the decoded audio samples, so a re-encode of the same file keeps identity
    duration: float  # seconds
    channels: int  # in the source
    sample_rate: int  # in the source
    has_video: bool
    source_sha256: str  # of the source file bytes


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0
    checked: bool = False  # a person listened and confirmed it: no longer uncertain, whatever its probability

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "word": self.word,
            "probability": round(self.probability, 4),
        }
        if self.checked:
            d["checked"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Word:
        return cls(
            start=float(d["start"]),
            end=float(d["end"]),
            word=str(d["word"]),
            probability=float(d.get("probability", 1.0)),
            checked=d.get("checked") is True,
        )


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    speaker: str = INTERVIEWEE
    words: tuple[Word, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "speaker": self.speaker,
            "words": [w.to_dict() for w in self.words],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Segment:
        return cls(
            start=float(d["start"]),
            end=float(d["end"]),
            text=str(d["text"]),
            speaker=str(d.get("speaker") or INTERVIEWEE),
            words=tuple(Word.from_dict(w) for w in d.get("words", ())),
        )


@dataclass(frozen=True)
class Chapter:
    start: float
    end: float
    question: str  # a question id, or "intro" / "closing"
    title: str
    confidence: float = 1.0
    corrected: bool = False  # a person corrected it (transcripts/<slug>/chapters.edit.toml)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "question": self.question,
            "title": self.title,
            "confidence": round(self.confidence, 3),
        }
        if self.corrected:
            d["corrected"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chapter:
        return cls(
            start=float(d["start"]),
            end=float(d["end"]),
            question=str(d["question"]),
            title=str(d.get("title") or d["question"]),
            confidence=float(d.get("confidence", 1.0)),
            corrected=d.get("corrected") is True,
        )


@dataclass(frozen=True)
class Transcript:
    """The canonical transcript of one recording.

    ``speakers`` maps a speaker key used in segments (``interviewer``/``interviewee``)
    to a display name.
    """

    language: str
    engine: str
    model: str
    duration: float
    segments: tuple[Segment, ...]
    chapters: tuple[Chapter, ...] = ()
    speakers: dict[str, str] = field(default_factory=dict)
    audio_sha256: str | None = None
    reviewed: bool = False

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def speaker_name(self, key: str) -> str:
        return self.speakers.get(key) or key.replace("_", " ").title()

    def with_chapters(self, chapters: tuple[Chapter, ...] | list[Chapter]) -> Transcript:
        return dataclasses.replace(self, chapters=tuple(chapters))

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "engine": self.engine,
            "model": self.model,
            "duration": round(self.duration, 3),
            "audio_sha256": self.audio_sha256,
            "reviewed": self.reviewed,
            "speakers": dict(self.speakers),
            "segments": [s.to_dict() for s in self.segments],
            "chapters": [c.to_dict() for c in self.chapters],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transcript:
        return cls(
            language=str(d.get("language") or "en"),
            engine=str(d.get("engine") or "unknown"),
            model=str(d.get("model") or "unknown"),
            duration=float(d.get("duration") or 0.0),
            segments=tuple(Segment.from_dict(s) for s in d.get("segments", ())),
            chapters=tuple(Chapter.from_dict(c) for c in d.get("chapters", ())),
            speakers={str(k): str(v) for k, v in (d.get("speakers") or {}).items()},
            audio_sha256=d.get("audio_sha256"),
            reviewed=bool(d.get("reviewed", False)),
        )


@dataclass(frozen=True)
class MediaFile:
    """A published media file under ``site/``."""

    path: Path  # absolute path on disk
    url: str  # absolute URL under base_url
    mime_type: str
    length: int  # bytes


@dataclass(frozen=True)
class Quote:
    """A key quote the team chose, as published: its words from the redacted transcript."""

    start: float
    end: float
    text: str
    speaker: str  # the display name of who says it


@dataclass(frozen=True)
class Takeaway:
    """A takeaway the team wrote for one chapter (a question id), redactions applied."""

    chapter: str
    text: str


@dataclass(frozen=True)
class Theme:
    """A theme the team confirmed for one chapter (a question id): transcripts/<slug>/themes.toml."""

    chapter: str
    name: str


@dataclass(frozen=True)
class Episode:
    """Everything the feed and the pages need about one published recording."""

    slug: str
    guid: str
    title: str
    recording: Recording
    transcript: Transcript
    pub_date: Any  # timezone-aware datetime
    audio: MediaFile
    video: MediaFile | None = None
    page_url: str = ""
    files: dict[str, str] = field(default_factory=dict)  # kind -> absolute URL (vtt, srt, txt, json, chapters)
    provenance: dict[str, Any] = field(default_factory=dict)  # engine, model, review, consent, redaction count
    quotes: tuple[Quote, ...] = ()  # the team's key quotes (transcripts/<slug>/quotes.toml), in time order
    takeaways: tuple[Takeaway, ...] = ()  # the team's takeaways (transcripts/<slug>/takeaways.toml)
    themes: tuple[Theme, ...] = ()  # the team's confirmed themes (transcripts/<slug>/themes.toml)

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        return self.transcript.chapters

    @property
    def duration(self) -> float:
        return self.transcript.duration
