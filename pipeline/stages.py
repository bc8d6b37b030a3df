"""One recording through the stages: ingest → transcribe → chapter → formats.

The orchestrator (:mod:`pipeline.build`) runs these steps for every recording, here, in
worker processes or on Dask workers (:mod:`pipeline.parallel`). Each step calls one stage
function, which reads its inputs and writes only its own outputs:

==========  =====================================  ==============================================
stage       reads                                  writes
==========  =====================================  ==============================================
ingest      ``media/<file>``                       ``.learncast/audio/``, ``.learncast/sources/``
transcribe  the decoded audio                      ``transcripts/<slug>/transcript.json``
chapter     transcript.json, chapters.edit.toml,   ``.learncast/chapters/<slug>.json``
            the question set
formats     the transcript and its chapters        ``transcripts/<slug>/`` VTT, SRT, TXT,
                                                   transcript.p20.json, chapters.json
==========  =====================================  ==============================================

A person's files (transcript.json edits, chapters.edit.toml, redactions.toml,
consent.toml, review.toml, sidecars) are never written by a build.

:class:`Resources` holds what recordings share in one run (the speech engine and the
chapter scorer, loaded on first use); a step is a function of it, the recording and the
previous steps' result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from .errors import InputError, LearncastError, as_error
from .fsutil import atomic_path
from .models import Audio, Recording, Transcript
from .workspace import TEMP_RE, Workspace, file_lock

log = logging.getLogger(__name__)

STAGES = ("ingest", "transcribe", "chapter", "publish")
DEFAULT_SCORER = "auto"
DERIVED_DIR = "derived"  # in the cache: what each transcript's formats were made from


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

    def fail(self, exc: BaseException) -> None:
        """Mark this recording failed with ``exc`` as a one-line LearncastError."""
        self.ok, self.error = False, as_error(exc, self.path)


@dataclass
class BuildReport:
    results: list[RecordingResult] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    site_dir: Path | None = None
    stages: tuple[str, ...] = STAGES

    @property
    def failed(self) -> list[RecordingResult]:
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


class Resources:
    """What is shared across recordings in one run: settings, engine, question set, scorer.

    The engine and the scorer load on first use (a no-change rebuild loads neither);
    ``warm_scorer`` loads the scorer on a thread while Whisper runs.
    """

    def __init__(self, ws: Workspace, *, engine: str | None = None, model: str | None = None,
                 reporter: Reporter | None = None, threads: int | None = None,
                 require_reviewed: bool = False, now: dt.datetime | None = None,
                 scorer: str = DEFAULT_SCORER):
        from .transcribe import Settings

        self.ws = ws
        self.config = ws.config
        self.settings = Settings.from_config(ws.config, engine=engine, model=model, threads=threads)
        self.reporter: Reporter = reporter or QuietReporter()
        self.require_reviewed = require_reviewed
        self.now = now or dt.datetime.now(dt.timezone.utc)
        self.scorer_name = scorer
        self._engine = None
        self._questions = None
        self._scorer = None
        self._scorer_lock = threading.Lock()
        self._identity: str | None = None
        self._warming: threading.Thread | None = None
        self._last_read: tuple[tuple, dict[str, Any], Transcript] | None = None
        # Called with (recording, audio) just before speech recognition starts: the build
        # uses it to encode the media and load the chapter scorer while Whisper runs.
        self.before_asr: list[Callable[[Recording, Audio], None]] = []

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

    @property
    def scorer(self):
        """The sentence scorer, built (and its model loaded) only when a recording needs chaptering."""
        with self._scorer_lock:
            if self._scorer is None:
                from .chapters import make_scorer

                self._scorer = make_scorer(self.scorer_name, self.questions)
            return self._scorer

    @property
    def scorer_identity(self) -> str:
        if self._identity is None:
            from .chapters.stage import scorer_identity

            self._identity = scorer_identity(self.scorer_name)
        return self._identity

    def warm_scorer(self) -> None:
        """Load the chapter scorer on a background thread (its model takes seconds to load),
        so it is ready when the first transcript is. Errors surface at the chapter step."""
        if self._scorer is not None or self._warming is not None:
            return

        def load() -> None:
            try:
                _ = self.scorer
            except Exception:  # noqa: BLE001 - the chapter step loads it again and reports
                log.debug("loading the chapter scorer ahead of time failed", exc_info=True)

        self._warming = threading.Thread(target=load, name="learncast-scorer", daemon=True)
        self._warming.start()

    def read(self, path: Path) -> tuple[dict[str, Any], Transcript]:
        """transcript.json, parsed once per version of the file (the transcribe and chapter
        steps read it in turn; its inode, size and mtime tell when it changed)."""
        from .transcribe import load_transcript_file

        st = path.stat()
        stamp = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
        if self._last_read is None or self._last_read[0] != stamp:
            self._last_read = (stamp, *load_transcript_file(path))
        _, data, transcript = self._last_read
        return dict(data), transcript

    def page_url(self, slug: str) -> str:
        return self.config.page_url(slug)


# ---------------------------------------------------------------- the steps


def ingest_step(res: Resources, rec: Recording) -> tuple[Audio, Path | None]:
    from .ingest import ingest

    res.reporter.started(rec.slug, "ingest")
    return ingest(rec, res.ws.cache_dir)


def transcribe_step(res: Resources, rec: Recording, audio: Audio, stereo: Path | None) -> Transcript:
    """Transcribe unless transcript.json is current or a person has edited it."""
    from .transcribe import TRANSCRIPT_NAME, TranscriptionJob, transcribe_recording

    folder = res.ws.transcript_dir(rec.slug)
    if not (folder / TRANSCRIPT_NAME).is_file():
        adopt_renamed(res.ws, rec, audio)

    def before() -> None:
        for hook in res.before_asr:
            hook(rec, audio)
        res.reporter.started(rec.slug, "transcribe", audio.duration)

    job = TranscriptionJob(folder=folder, config=res.config, settings=res.settings, engine=lambda: res.engine,
              lock=lambda: file_lock(res.ws, rec.slug), now=res.now, stereo=stereo,
              progress=lambda done: res.reporter.advanced(rec.slug, done), before_asr=before, read=res.read)
    data, transcript = transcribe_recording(job, audio)
    return with_review(res.ws, rec.slug, data, transcript)


def _transcribed(res: Resources, rec: Recording) -> tuple[dict[str, Any], Transcript]:
    from .transcribe import TRANSCRIPT_NAME, require_speech

    path = res.ws.transcript_dir(rec.slug) / TRANSCRIPT_NAME
    if not path.is_file():
        raise InputError("has not been transcribed yet", path=rec.path,
                         fix="run `learncast transcribe` (or `learncast build`) first")
    data, transcript = res.read(path)
    return data, require_speech(transcript, rec.path)


def _chapter(res: Resources, rec: Recording, data: dict[str, Any], transcript: Transcript) -> Transcript:
    from .chapters.stage import ChapterJob, chapter_recording, chapters_path

    job = ChapterJob(folder=res.ws.transcript_dir(rec.slug), state=chapters_path(res.ws.cache_dir, rec.slug),
              questions=res.questions, scorer=lambda: res.scorer, identity=res.scorer_identity,
              started=lambda: res.reporter.started(rec.slug, "chapter"))
    return chapter_recording(job, data, transcript)


def load_step(res: Resources, rec: Recording) -> Transcript:
    """The transcript as the stages left it: its words, its chapters and its review.

    Chapters come from the chapter stage's record; when there is none (the cache was
    deleted), the chapter stage makes it again first."""
    from .chapters.stage import chapters_path, stored_chapters
    from .transcribe import chapters_edited

    data, transcript = _transcribed(res, rec)
    if not chapters_edited(data):
        state = chapters_path(res.ws.cache_dir, rec.slug)
        transcript = (transcript.with_chapters(stored_chapters(state)) if state.is_file()
                      else _chapter(res, rec, data, transcript))
    return with_review(res.ws, rec.slug, data, transcript)


def chapter_step(res: Resources, rec: Recording) -> Transcript:
    """Chapter against the question set (see :mod:`pipeline.chapters.stage`), then the formats."""
    data, transcript = _transcribed(res, rec)
    transcript = with_review(res.ws, rec.slug, data, _chapter(res, rec, data, transcript))
    formats_step(res, rec, transcript)
    return transcript


def formats_step(res: Resources, rec: Recording, transcript: Transcript) -> None:
    """Every format in transcripts/<slug>/, from the transcript and its chapters."""
    from .formats import derive

    derive(transcript, res.ws.transcript_dir(rec.slug), res.page_url(rec.slug),
           res.ws.cache_dir / DERIVED_DIR / f"{rec.slug}.key")


def with_review(ws: Workspace, slug: str, data: dict[str, Any], transcript: Transcript) -> Transcript:
    """The transcript with the person's review (review.toml) on it, if it still holds: a
    change to the text after the review means it needs reviewing again."""
    from .review import holds, read_review

    return dataclasses.replace(transcript, reviewed=holds(read_review(ws.transcript_dir(slug)), data))


def adopt_renamed(ws: Workspace, rec: Recording, audio: Audio) -> Path | None:
    """Copy a renamed recording's transcript folder to its new slug; returns the old folder.

    An orphaned folder (its slug no longer matches a file in media/) whose transcript
    was made from the same audio is the same recording under its old name. Its files
    (transcript and the person's edits, consent, redactions, review) are copied, never
    moved: the old folder stays until ``learncast prune --yes``. transcript.json is
    copied last, so an interrupted copy is simply redone by the next build. (Its guid and
    first publication date follow it in the publish stage's history.)
    """
    from .transcribe import TRANSCRIPT_NAME, is_hand_edited, read_transcript_file, write_transcript_file

    candidates = orphans(ws).get(audio.sha256, [])
    if not candidates:
        return None
    old = max(candidates, key=lambda f: (f / TRANSCRIPT_NAME).stat().st_mtime_ns)
    new = ws.transcript_dir(rec.slug)
    for src in sorted(old.rglob("*")):
        rel = src.relative_to(old)
        dest = new / rel
        if (src.is_symlink() or not src.is_file() or rel == Path(TRANSCRIPT_NAME) or dest.exists()
                or TEMP_RE.match(src.name)):
            continue
        with atomic_path(dest) as tmp:
            shutil.copyfile(src, tmp)
    data = read_transcript_file(old / TRANSCRIPT_NAME)
    data["source"] = rec.path.name
    write_transcript_file(new / TRANSCRIPT_NAME, data, machine=not is_hand_edited(data))
    log.info("%s: renamed from %s; copied its transcript (the old folder stays until "
             "`learncast prune --yes`)", rec.slug, old.name)
    return old


def orphans(ws: Workspace) -> dict[str, list[Path]]:
    """audio_sha256 → transcript folders whose slug no longer has a file in media/."""
    from .transcribe import TRANSCRIPT_NAME

    found: dict[str, list[Path]] = {}
    live = ws.media_slugs()
    root = ws.transcripts_dir
    for folder in sorted(root.iterdir()) if root.is_dir() else ():
        if folder.name in live or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            data = json.loads((folder / TRANSCRIPT_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        sha = data.get("audio_sha256") if isinstance(data, dict) else None
        if isinstance(sha, str):
            found.setdefault(sha, []).append(folder)
    return found


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


def step(res: Resources, rec: Recording, name: str, result: RecordingResult,
         stereo: Path | None = None) -> tuple[RecordingResult, Path | None]:
    """Run one step for one recording. A failed result passes through untouched."""
    if not result.ok:
        return result, stereo
    try:
        if name == "ingest":
            result.audio, stereo = ingest_step(res, rec)
        elif name == "transcribe":
            result.transcript = transcribe_step(res, rec, result.audio, stereo)
        elif name == "chapter":
            result.transcript = chapter_step(res, rec)
        elif name == "derive" and result.transcript is not None:
            formats_step(res, rec, result.transcript)
        elif name == "load" and result.transcript is None:
            result.transcript = load_step(res, rec)
    except (LearncastError, OSError) as exc:
        result.fail(exc)
    except Exception as exc:  # a bug must not stop the batch; -vv shows the traceback
        log.debug("%s: %s step failed", rec.slug, name, exc_info=True)
        result.fail(exc)
    return result, stereo


def run_steps(res: Resources, rec: Recording, steps: Sequence[str],
              after_ingest: Callable[[Audio], None] | None = None,
              result: RecordingResult | None = None) -> RecordingResult:
    """Every step for one recording (the one step loop every way of building uses);
    ``after_ingest`` is given the decoded audio as soon as there is some. ``result``
    carries on from steps run elsewhere (a worker process ran the first ones)."""
    result, stereo = result or RecordingResult(slug=rec.slug, path=rec.path), None
    for name in steps:
        result, stereo = step(res, rec, name, result, stereo)
        if name == "ingest" and result.ok and after_ingest is not None:
            after_ingest(result.audio)
    return result


def process(res: Resources, rec: Recording, steps: Sequence[str]) -> RecordingResult:
    """Every step for one recording; reports the outcome."""
    result = run_steps(res, rec, steps)
    res.reporter.finished(rec.slug, result.ok, result.message)
    return result


def recording_view(ws: Workspace, slug: str) -> dict[str, Any]:
    """One recording's transcript as the stages left it, in one dict: transcript.json's
    fields, the chapters in use, and the review and publication records (read-only)."""
    from .chapters.stage import chapters_path, read_state
    from .publish.history import History
    from .review import holds, read_review
    from .transcribe import TRANSCRIPT_NAME, chapters_edited, read_transcript_file

    data = read_transcript_file(ws.transcript_dir(slug) / TRANSCRIPT_NAME)
    text = dict(data)
    if not chapters_edited(data):
        state = read_state(chapters_path(ws.cache_dir, slug))
        data.update({k: v for k, v in state.items() if k not in ("format", "asr_key")})
        data.setdefault("chapters", [])
    review = read_review(ws.transcript_dir(slug))
    data["reviewed"] = holds(review, text)
    if data["reviewed"]:
        data["reviewed_at"] = review.reviewed_at
        data["reviewed_by"] = review.reviewed_by
    published = History.load(ws.state_dir).entries.get(slug, {})
    data.update({k: published[k] for k in ("guid", "first_published") if k in published})
    if "guid" not in data and isinstance(data.get("audio_sha256"), str):  # the guid it will have
        from .publish.history import episode_guid

        data["guid"] = episode_guid(data["audio_sha256"])
    return data
