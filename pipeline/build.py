"""Runs the stages over a workspace: ingest → transcribe → chapter → publish.

Each recording is processed on its own: one that fails is reported with a one-line
reason and the others still finish. Every output is written atomically, and a person's
edits to ``transcripts/<slug>/transcript.json`` are never overwritten.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Protocol, Sequence

from .errors import InputError, LearncastError, UsageError
from .fsutil import write_json_if_changed
from .models import Audio, Recording, Transcript
from .workspace import Workspace

log = logging.getLogger(__name__)

STAGES = ("ingest", "transcribe", "chapter", "publish")
GUID_NAMESPACE = uuid.UUID("4f6a1c2e-8f0b-5c1d-9e3a-6b7c8d9e0f1a")


class Reporter(Protocol):
    """How the CLI hears about progress; library code never prints."""

    def started(self, slug: str, stage: str, total: float | None = None) -> None: ...
    def advanced(self, slug: str, done: float) -> None: ...
    def finished(self, slug: str, ok: bool, message: str = "") -> None: ...


class QuietReporter:
    def started(self, slug: str, stage: str, total: float | None = None) -> None:
        log.info("%s: %s", slug, stage)

    def advanced(self, slug: str, done: float) -> None:
        pass

    def finished(self, slug: str, ok: bool, message: str = "") -> None:
        log.info("%s: %s %s", slug, "done" if ok else "failed", message)


@dataclass
class RecordingResult:
    slug: str
    path: Path
    ok: bool = True
    error: LearncastError | None = None
    transcript: Transcript | None = None
    audio: Audio | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return self.error.one_line() if self.error else ""


@dataclass
class BuildReport:
    results: list[RecordingResult] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    site_dir: Path | None = None

    @property
    def failed(self) -> list[RecordingResult]:
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@contextmanager
def workspace_lock(ws: Workspace) -> Iterator[None]:
    """One build at a time per workspace. The OS releases the lock if a build crashes."""
    from filelock import FileLock, Timeout

    ws.cache_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(ws.cache_dir / "build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise UsageError("another learncast command is working on this workspace", path=ws.root,
                         fix="wait for it to finish, then run this again") from None
    try:
        yield
    finally:
        lock.release()


def episode_guid(audio_sha256: str) -> str:
    """A guid from the recording's content, so it never changes between builds."""
    return str(uuid.uuid5(GUID_NAMESPACE, audio_sha256))


# ---------------------------------------------------------------- per recording


class Builder:
    """Holds what is shared across recordings in one run: config, engine, question set."""

    def __init__(self, ws: Workspace, *, engine: str | None = None, model: str | None = None,
                 reporter: Reporter | None = None, threads: int | None = None,
                 require_reviewed: bool = False, now: dt.datetime | None = None):
        from .transcribe import Settings

        self.ws = ws
        self.config = ws.config
        self.settings = Settings.from_config(ws.config, engine=engine, model=model, threads=threads)
        self.reporter: Reporter = reporter or QuietReporter()
        self.require_reviewed = require_reviewed
        self.now = now or dt.datetime.now(dt.timezone.utc)
        self._engine = None
        self._questions = None

    # ---- shared resources, loaded on first use

    @property
    def engine(self):
        if self._engine is None:
            from .transcribe.engines import get_engine

            s = self.settings
            self._engine = get_engine(s.engine, s.model, device=s.device, threads=s.threads)
        return self._engine

    @property
    def questions(self):
        if self._questions is None:
            from .chapters import load_questions

            self._questions = load_questions(self.config.questions)
        return self._questions

    # ---- stages

    def ingest(self, rec: Recording) -> tuple[Audio, Path | None]:
        from .ingest import ingest

        self.reporter.started(rec.slug, "ingest")
        return ingest(rec, self.ws.cache_dir)

    def transcribe(self, rec: Recording, audio: Audio, stereo: Path | None) -> Transcript:
        """Transcribe unless transcript.json is current or a person has edited it."""
        from .transcribe import (TRANSCRIPT_NAME, is_hand_edited, read_transcript_file,
                                 transcribe_audio, transcript_to_file_data, write_transcript_file)

        folder = self.ws.transcript_dir(rec.slug)
        path = folder / TRANSCRIPT_NAME
        key = self.settings.asr_key(audio.sha256)
        keep: dict[str, Any] = {}
        if path.is_file():
            data = read_transcript_file(path)
            if is_hand_edited(data):
                if data.get("audio_sha256") not in (None, audio.sha256):
                    raise InputError(
                        "the recording's audio changed, but its transcript.json has a person's edits",
                        path=path,
                        fix="to keep the edits, restore the original recording; to transcribe the new "
                            "audio, move transcript.json aside and build again")
                log.info("%s: keeping the hand-edited transcript", rec.slug)
                return Transcript.from_dict(data)
            if data.get("asr_key") == key:
                return Transcript.from_dict(data)
            keep = {k: data[k] for k in ("guid", "first_published", "reviewed_at") if k in data}
        self.reporter.started(rec.slug, "transcribe", audio.duration)
        transcript = transcribe_audio(
            audio, self.config, self.settings, engine=self.engine, stereo_wav=stereo,
            progress=lambda done: self.reporter.advanced(rec.slug, done))
        extra = {"guid": keep.get("guid") or episode_guid(audio.sha256), "source": rec.path.name,
                 "transcribed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        extra.update({k: v for k, v in keep.items() if k != "guid"})
        write_transcript_file(path, transcript_to_file_data(transcript, asr_key=key, extra=extra),
                              machine=True)
        return transcript

    def load_transcript(self, rec: Recording) -> tuple[Transcript, dict[str, Any]]:
        from .transcribe import TRANSCRIPT_NAME, read_transcript_file

        path = self.ws.transcript_dir(rec.slug) / TRANSCRIPT_NAME
        if not path.is_file():
            raise InputError("has not been transcribed yet", path=rec.path,
                             fix="run `learncast transcribe` (or `learncast build`) first")
        data = read_transcript_file(path)
        return Transcript.from_dict(data), data

    def chapter(self, rec: Recording) -> Transcript:
        """Chapter against the question set; writes chapters into transcript.json and chapters.json."""
        from .chapters import chapter_transcript
        from .transcribe import TRANSCRIPT_NAME, is_hand_edited, write_transcript_file

        self.reporter.started(rec.slug, "chapter")
        transcript, data = self.load_transcript(rec)
        chapters = chapter_transcript(transcript, self.questions)
        transcript = transcript.with_chapters(chapters)
        new_chapters = [c.to_dict() for c in chapters]
        if data.get("chapters") != new_chapters:
            edited = is_hand_edited(data)
            data = {**data, "chapters": new_chapters}
            # Only the chapters key changes; a person's edits to the text stay theirs.
            write_transcript_file(self.ws.transcript_dir(rec.slug) / TRANSCRIPT_NAME, data,
                                  machine=not edited)
        self.derive(rec, transcript)
        return transcript

    def derive(self, rec: Recording, transcript: Transcript) -> None:
        """Re-derive every format from the canonical transcript (writes only what changed)."""
        from .chapters import to_p20_chapters
        from .transcribe.formats import write_all

        folder = self.ws.transcript_dir(rec.slug)
        write_all(transcript, folder)
        write_json_if_changed(folder / "chapters.json",
                              to_p20_chapters(transcript.chapters, self.page_url(rec.slug)))

    def page_url(self, slug: str) -> str:
        return self.config.url("episodes", slug) + "/"


def plan(stages: Sequence[str]) -> list[str]:
    """The per-recording steps that ``stages`` need, in order."""
    steps: list[str] = []
    if any(s in stages for s in ("ingest", "transcribe", "publish")):
        steps.append("ingest")
    if "transcribe" in stages:
        steps.append("transcribe")
    if "chapter" in stages:
        steps.append("chapter")
    elif "transcribe" in stages:
        steps.append("derive")
    if "publish" in stages:
        steps.append("load")
    return steps


def step(builder: Builder, rec: Recording, name: str, result: RecordingResult,
         stereo: Path | None = None) -> tuple[RecordingResult, Path | None]:
    """Run one step for one recording. A failed result passes through untouched."""
    if not result.ok:
        return result, stereo
    try:
        if name == "ingest":
            result.audio, stereo = builder.ingest(rec)
        elif name == "transcribe":
            result.transcript = builder.transcribe(rec, result.audio, stereo)
        elif name == "chapter":
            result.transcript = builder.chapter(rec)
        elif name == "derive" and result.transcript is not None:
            builder.derive(rec, result.transcript)
        elif name == "load" and result.transcript is None:
            result.transcript, _ = builder.load_transcript(rec)
    except LearncastError as exc:
        result.ok, result.error = False, exc
    except OSError as exc:
        result.ok = False
        result.error = InputError(f"could not write an output ({exc.strerror or exc})",
                                  path=exc.filename or rec.path,
                                  fix="check there is free disk space and the folder is writable")
    return result, stereo


def process(builder: Builder, rec: Recording, steps: Sequence[str]) -> RecordingResult:
    """Every step for one recording; reports the outcome."""
    result, stereo = RecordingResult(slug=rec.slug, path=rec.path), None
    for name in steps:
        result, stereo = step(builder, rec, name, result, stereo)
    builder.reporter.finished(rec.slug, result.ok, result.message)
    return result


def run(ws: Workspace, stages: Sequence[str] = STAGES, *, jobs: int = 1, scheduler: str | None = None,
        **options: Any) -> BuildReport:
    """Run ``stages`` over every recording in the workspace.

    ``jobs`` > 1 processes recordings in parallel worker processes on this machine;
    ``scheduler`` (``tcp://host:8786``) hands them to a Dask cluster instead.
    """
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise UsageError(f"unknown stage {unknown[0]!r}", fix=f"use one of {', '.join(STAGES)}")
    if jobs < 1:
        raise UsageError("--jobs must be 1 or more", fix="use --jobs 1 to process one recording at a time")
    report = BuildReport(site_dir=ws.site_dir)
    with workspace_lock(ws):
        recordings, errors = ws.recordings()
        reporter = options.get("reporter") or QuietReporter()
        for err in errors:
            slug = err.path.stem if err.path else "?"
            report.results.append(RecordingResult(slug=slug, path=err.path or ws.media_dir,
                                                  ok=False, error=err))
            reporter.finished(slug, False, err.one_line())
        steps = plan(stages)
        if scheduler:
            from .parallel import run_dask

            report.results += run_dask(ws, recordings, steps, scheduler, options)
            builder = Builder(ws, **options)
        elif jobs > 1 and len(recordings) > 1:
            from .parallel import run_pool

            report.results += run_pool(ws, recordings, steps, jobs, options)
            builder = Builder(ws, **options)
        else:
            builder = Builder(ws, **options)
            report.results += [process(builder, rec, steps) for rec in recordings]
        if "publish" in stages:
            from .publish.episodes import publish_site

            ok = [r for r in report.results if r.ok and r.transcript is not None]
            report.published = publish_site(builder, ok)
        from .status import record_build

        record_build(ws, report)
    return report
