"""Runs the stages over a workspace: ingest → transcribe → chapter → publish.

Each recording is processed on its own: one that fails is reported with a one-line
reason and the others still finish. Every output is written atomically, and a person's
edits to ``transcripts/<slug>/transcript.json`` are never overwritten.

Every stage is a pure function of its inputs, and each output remembers what it was made
from, so a rebuild redoes only what changed:

* ingest: the source file's size and mtime (``.learncast/sources/``), then its content hash;
* transcribe: ``asr_key`` in transcript.json (audio hash, engine, model, decoding options);
* chapter: ``chapters_key`` in transcript.json (transcript content, question set, scorer, and the
  corrections in ``chapters.edit.toml``);
* publish: ``.learncast/media.json`` keys for the media; pages and feeds are written only
  when their text changed.

A renamed recording keeps its transcript: its new slug adopts a copy of the old slug's
folder when the audio is the same (the old folder stays until ``learncast prune --yes``).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence

from . import __version__
from .errors import BuildError, InputError, LearncastError, UsageError
from .fsutil import atomic_path, write_json_if_changed, write_text
from .models import Audio, Recording, Transcript
from .workspace import Workspace, slugify

log = logging.getLogger(__name__)

STAGES = ("ingest", "transcribe", "chapter", "publish")
GUID_NAMESPACE = uuid.UUID("4f6a1c2e-8f0b-5c1d-9e3a-6b7c8d9e0f1a")
DEFAULT_SCORER = "auto"
DERIVED_DIR = "derived"  # in the cache: what each transcript's formats were made from

# The temporary files fsutil.atomic_path makes: ".NAME.XXXXXXXX.tmp[.ext]" (mkstemp's 8
# characters). A build killed with -9 can leave one behind; the next build removes them.
_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp(\.[^./]*)?$")


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


def as_error(exc: BaseException, path: Path | None = None) -> LearncastError:
    """A LearncastError for ``exc``: itself, or a one-line message for an OSError.

    A full disk or a read-only folder is not the recording's fault, but it is what
    stopped it, so the message names the file that could not be written and the fix.
    """
    if isinstance(exc, LearncastError):
        return exc
    if isinstance(exc, OSError):
        where = exc.filename or path
        if exc.errno == errno.ENOSPC:
            return BuildError("the disk is full", path=where,
                              fix="free some disk space, then run the build again")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return BuildError(f"cannot write here ({exc.strerror})", path=where,
                              fix="make the workspace folder writable, then run the build again")
        return BuildError(f"could not write an output ({exc.strerror or exc})", path=where,
                          fix="check there is free disk space and the folder is writable")
    return BuildError(f"unexpected {type(exc).__name__}: {exc}", path=path,
                      fix="run the build again; if it recurs, report it with `learncast -vv build`")


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


def scorer_identity(name: str) -> str:
    """What the scorer called ``name`` is, with its model's version, without loading a model.

    ``auto`` and ``semantic`` use the first embedding model whose package is installed
    (``auto`` falls back to lexical), so installing or upgrading one re-chapters.
    """
    from importlib import metadata

    from .chapters.semantic import BACKENDS, PREFERENCE

    def installed(backend: str) -> str | None:
        try:
            return f"{backend}={metadata.version(BACKENDS[backend].package)}"
        except metadata.PackageNotFoundError:
            return None

    if name in ("auto", "semantic"):
        found = next((i for i in map(installed, PREFERENCE) if i), None)
        return found or ("lexical" if name == "auto" else name)
    return (installed(name) if name in BACKENDS else None) or name


# ---------------------------------------------------------------- per recording


class Builder:
    """Holds what is shared across recordings in one run: config, engine, question set."""

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
        self._scorer_identity: str | None = None
        # Called with (recording, audio) just before speech recognition starts: the build
        # uses it to encode the media and load the chapter scorer while Whisper runs.
        self.before_asr: list[Callable[[Recording, Audio], None]] = []
        self._warming: threading.Thread | None = None
        self._last_read: tuple[tuple, dict[str, Any], Transcript] | None = None

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

    @property
    def scorer(self):
        """The sentence scorer, built (and its model loaded) only when a recording needs chaptering."""
        with self._scorer_lock:
            if self._scorer is None:
                from .chapters import make_scorer

                self._scorer = make_scorer(self.scorer_name, self.questions)
            return self._scorer

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

    def chapters_key(self, data: dict[str, Any], identity: str | None = None) -> str:
        """What a transcript's chapters are made from: its content, the question set, the scorer."""
        from .transcribe import content_checksum

        if identity is None:
            if self._scorer_identity is None:
                self._scorer_identity = scorer_identity(self.scorer_name)
            identity = self._scorer_identity
        raw = json.dumps([content_checksum(data), data.get("duration"), self.questions.fingerprint,
                          identity, __version__])
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    # ---- stages

    def ingest(self, rec: Recording) -> tuple[Audio, Path | None]:
        from .ingest import ingest

        self.reporter.started(rec.slug, "ingest")
        return ingest(rec, self.ws.cache_dir)

    def transcribe(self, rec: Recording, audio: Audio, stereo: Path | None) -> Transcript:
        """Transcribe unless transcript.json is current or a person has edited it."""
        from .transcribe import (TRANSCRIPT_NAME, is_hand_edited, transcribe_audio,
                                 transcript_to_file_data, write_transcript_file)

        folder = self.ws.transcript_dir(rec.slug)
        path = folder / TRANSCRIPT_NAME
        if not path.is_file():
            self.adopt_renamed(rec, audio)
        key = self.settings.asr_key(audio.sha256)
        keep: dict[str, Any] = {}
        if path.is_file():
            data, transcript = self.read(path)
            if is_hand_edited(data):
                if data.get("audio_sha256") not in (None, audio.sha256):
                    raise InputError(
                        "the recording's audio changed, but its transcript.json has a person's edits",
                        path=path,
                        fix="to keep the edits, restore the original recording; to transcribe the new "
                            "audio, move transcript.json aside and build again")
                log.info("%s: keeping the hand-edited transcript", rec.slug)
                return require_speech(transcript, rec)
            if data.get("asr_key") == key:
                return require_speech(transcript, rec)
            keep = {k: data[k] for k in ("guid", "first_published", "reviewed_at") if k in data}
        for hook in self.before_asr:
            hook(rec, audio)
        self.reporter.started(rec.slug, "transcribe", audio.duration)
        transcript = transcribe_audio(
            audio, self.config, self.settings, engine=self.engine, stereo_wav=stereo,
            progress=lambda done: self.reporter.advanced(rec.slug, done))
        extra = {"guid": keep.get("guid") or episode_guid(audio.sha256), "source": rec.path.name}
        extra.update({k: v for k, v in keep.items() if k != "guid"})
        # Written even when no speech was found, so a silent recording is not transcribed again.
        write_transcript_file(path, transcript_to_file_data(transcript, asr_key=key, extra=extra),
                              machine=True)
        return require_speech(transcript, rec)

    def adopt_renamed(self, rec: Recording, audio: Audio) -> Path | None:
        """Copy a renamed recording's transcript folder to its new slug; returns the old folder.

        An orphaned folder (its slug no longer matches a file in media/) whose transcript
        was made from the same audio is the same recording under its old name. Its files
        (transcript and the person's edits, guid, consent, redactions) are copied, never
        moved: the old folder stays until ``learncast prune --yes``. transcript.json is
        copied last, so an interrupted copy is simply redone by the next build.
        """
        from .transcribe import TRANSCRIPT_NAME, is_hand_edited, read_transcript_file, write_transcript_file

        candidates = self.orphans().get(audio.sha256, [])
        if not candidates:
            return None
        old = max(candidates, key=lambda f: (f / TRANSCRIPT_NAME).stat().st_mtime_ns)
        new = self.ws.transcript_dir(rec.slug)
        for src in sorted(old.rglob("*")):
            rel = src.relative_to(old)
            dest = new / rel
            if (src.is_symlink() or not src.is_file() or rel == Path(TRANSCRIPT_NAME) or dest.exists()
                    or _TEMP_RE.match(src.name)):
                continue
            with atomic_path(dest) as tmp:
                shutil.copyfile(src, tmp)
        data = read_transcript_file(old / TRANSCRIPT_NAME)
        data["source"] = rec.path.name
        write_transcript_file(new / TRANSCRIPT_NAME, data, machine=not is_hand_edited(data))
        log.info("%s: renamed from %s; copied its transcript (the old folder stays until "
                 "`learncast prune --yes`)", rec.slug, old.name)
        return old

    def orphans(self) -> dict[str, list[Path]]:
        """audio_sha256 → transcript folders whose slug no longer has a file in media/.

        Read afresh each time (only new recordings ask): a Dask worker's Builder outlives a build.
        """
        from .transcribe import TRANSCRIPT_NAME

        found: dict[str, list[Path]] = {}
        live = self.ws.media_slugs()
        root = self.ws.transcripts_dir
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

    def read(self, path: Path) -> tuple[dict[str, Any], Transcript]:
        """transcript.json, parsed once per version of the file.

        The transcribe and chapter steps of one recording read the same file in turn; the
        file's inode, size and mtime (a write replaces the inode) tell when it changed.
        """
        from .transcribe import load_transcript_file

        st = path.stat()
        stamp = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
        if self._last_read is None or self._last_read[0] != stamp:
            self._last_read = (stamp, *load_transcript_file(path))
        _, data, transcript = self._last_read
        return dict(data), transcript

    def load_transcript(self, rec: Recording) -> tuple[Transcript, dict[str, Any]]:
        from .transcribe import TRANSCRIPT_NAME

        path = self.ws.transcript_dir(rec.slug) / TRANSCRIPT_NAME
        if not path.is_file():
            raise InputError("has not been transcribed yet", path=rec.path,
                             fix="run `learncast transcribe` (or `learncast build`) first")
        data, transcript = self.read(path)
        return require_speech(transcript, rec), data

    def chapter(self, rec: Recording) -> Transcript:
        """Chapter against the question set; writes chapters into transcript.json and chapters.json.

        Skipped when ``chapters_key`` shows nothing it depends on changed, and never done
        over chapters a person corrected by hand. The corrections in ``chapters.edit.toml``
        are applied to the automatic chapters every time (the file itself is never written).
        """
        from .chapters import chapter_transcript, edits as chapter_edits
        from .transcribe import (TRANSCRIPT_NAME, chapters_checksum, chapters_edited, text_edited,
                                 write_transcript_file)

        transcript, data = self.load_transcript(rec)
        folder = self.ws.transcript_dir(rec.slug)
        edits = chapter_edits.load(folder)
        auto_key = self.chapters_key(data)
        if chapters_edited(data):
            log.info("%s: keeping the hand-corrected chapters", rec.slug)
            if edits:
                log.warning("%s: %s is not applied: the chapters in transcript.json were corrected by hand",
                            rec.slug, chapter_edits.EDITS_NAME)
        elif data.get("chapters_key") != chapter_edits.edits_key(auto_key, edits) or not data.get("chapters"):
            auto = chapter_edits.stored_auto(data, auto_key)
            if auto is None:
                self.reporter.started(rec.slug, "chapter")
                scorer = self.scorer
                auto = chapter_transcript(transcript, self.questions, scorer=scorer)
                # The scorer that ran: "auto" may have fallen back to lexical.
                auto_key = self.chapters_key(
                    data, scorer_identity(getattr(scorer, "name", None) or self.scorer_name))
            chapters = chapter_edits.apply(auto, edits, transcript, self.questions,
                                           path=folder / chapter_edits.EDITS_NAME).chapters
            transcript = transcript.with_chapters(chapters)
            data = chapter_edits.record(data, auto, auto_key, chapters, edits)
            data["chapters_checksum"] = chapters_checksum(data["chapters"])
            # Only the chapter keys change; a person's edits to the text stay theirs.
            write_transcript_file(folder / TRANSCRIPT_NAME, data, machine=not text_edited(data))
        self.derive(rec, transcript)
        return transcript

    def derive(self, rec: Recording, transcript: Transcript) -> None:
        """Re-derive every format from the canonical transcript (writes only what changed).

        ``.learncast/derived/<slug>.key`` remembers what the formats were made from, so an
        unchanged transcript costs one hash, not four renderings.
        """
        from .chapters import to_p20_chapters
        from .transcribe.formats import FILE_NAMES, write_all

        folder = self.ws.transcript_dir(rec.slug)
        page_url = self.page_url(rec.slug)
        key = hashlib.sha256(json.dumps([transcript.to_dict(), page_url, __version__], sort_keys=True,
                                        ensure_ascii=False).encode("utf-8")).hexdigest()
        memo = self.ws.cache_dir / DERIVED_DIR / f"{rec.slug}.key"
        outputs = [folder / name for name in (*FILE_NAMES.values(), "chapters.json")]
        try:
            if memo.read_text(encoding="utf-8") == key and all(p.is_file() for p in outputs):
                return
        except OSError:
            pass
        write_all(transcript, folder)
        write_json_if_changed(folder / "chapters.json", to_p20_chapters(transcript.chapters, page_url))
        write_text(memo, key)

    def page_url(self, slug: str) -> str:
        return self.config.url("episodes", slug) + "/"


def require_speech(transcript: Transcript, rec: Recording) -> Transcript:
    """A transcript with no words is no episode: fail the recording with a clear reason.

    The transcript is kept, so a silent recording is not transcribed again at every build.
    """
    if not any(s.text.strip() for s in transcript.segments):
        raise InputError("no speech found in the recording", path=rec.path,
                         fix="check the right file was copied and the microphone was on; if the "
                             "recording really is silent, remove it from media/")
    return transcript


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
    except (LearncastError, OSError) as exc:
        result.fail(exc)
    except Exception as exc:  # a bug must not stop the batch; -vv shows the traceback
        log.debug("%s: %s step failed", rec.slug, name, exc_info=True)
        result.fail(exc)
    return result, stereo


def process(builder: Builder, rec: Recording, steps: Sequence[str]) -> RecordingResult:
    """Every step for one recording; reports the outcome."""
    result, stereo = RecordingResult(slug=rec.slug, path=rec.path), None
    for name in steps:
        result, stereo = step(builder, rec, name, result, stereo)
    builder.reporter.finished(rec.slug, result.ok, result.message)
    return result


# ---------------------------------------------------------------- the whole workspace


def check_outputs_writable(ws: Workspace, stages: Sequence[str]) -> None:
    """Refuse before any work when an output folder can't be one (e.g. ``site`` is a file)."""
    folders = [ws.transcripts_dir, ws.cache_dir]
    if "publish" in stages:
        folders.append(ws.site_dir)
    for folder in folders:
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder.name} must be a folder, but it is a file", path=folder,
                             fix=f"move the file {folder.name} aside, then run the build again")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create the {folder.name} folder ({exc.strerror})", path=folder,
                             fix="make the workspace folder writable") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f"the {folder.name} folder is read-only", path=folder,
                             fix=f"make it writable (chmod u+w {folder}), then run the build again")


def sweep_temp_files(ws: Workspace) -> list[Path]:
    """Remove half-written temporary files a killed build left in the workspace's outputs.

    Only names atomic_path makes are removed, and only under the build lock, so no
    running writer can lose one. ``media/`` is never touched.
    """
    removed = []
    for top in (ws.site_dir, ws.transcripts_dir, ws.cache_dir):
        if not top.is_dir():
            continue
        for dirpath, _, files in os.walk(top):
            for name in files:
                if name.startswith(".") and _TEMP_RE.match(name):
                    path = Path(dirpath) / name
                    path.unlink(missing_ok=True)
                    removed.append(path)
    if removed:
        log.info("removed %d temporary file(s) left by an interrupted build", len(removed))
    return removed


def _duplicates(results: list[RecordingResult]) -> None:
    """Two files with the same audio would be one episode twice (one guid): fail the later ones."""
    first: dict[str, RecordingResult] = {}
    for r in results:
        if not r.ok or r.audio is None:
            continue
        other = first.setdefault(r.audio.sha256, r)
        if other is not r:
            r.fail(InputError(f"has the same audio as {other.path.name}", path=r.path,
                              fix="remove one of the two copies from media/"))


def run(ws: Workspace, stages: Sequence[str] = STAGES, *, jobs: int = 1, scheduler: str | None = None,
        **options: Any) -> BuildReport:
    """Run ``stages`` over every recording in the workspace.

    ``jobs`` > 1 processes recordings in parallel worker processes on this machine;
    ``scheduler`` (``tcp://host:8786``) hands them to a Dask cluster instead.
    Settings that concern every recording (the question set, the output folders) are
    checked before any work, so a mistake there stops the build at once (exit 2).
    """
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise UsageError(f"unknown stage {unknown[0]!r}", fix=f"use one of {', '.join(STAGES)}")
    if jobs < 1:
        raise UsageError("--jobs must be 1 or more", fix="use --jobs 1 to process one recording at a time")
    report = BuildReport(site_dir=ws.site_dir, stages=tuple(stages))
    check_outputs_writable(ws, stages)
    with workspace_lock(ws):
        sweep_temp_files(ws)
        builder = Builder(ws, **options)
        if "chapter" in stages or "publish" in stages:
            _ = builder.questions  # a broken question set stops the build before any work
        recordings, errors = ws.recordings()
        reporter = builder.reporter
        for err in errors:
            slug = (slugify(err.path.stem) or err.path.name) if err.path else "?"
            report.results.append(RecordingResult(slug=slug, path=err.path or ws.media_dir,
                                                  ok=False, error=err))
            reporter.finished(slug, False, err.one_line())
        steps = plan(stages)
        if not scheduler and not (jobs > 1 and len(recordings) > 1):
            planned = getattr(reporter, "planned", None)  # the CLI's overall progress bar
            if planned is not None:
                planned(len(recordings))
        if scheduler:
            from .parallel import run_dask

            report.results += run_dask(ws, recordings, steps, scheduler, options)
        elif jobs > 1 and len(recordings) > 1:
            from .parallel import run_pool

            report.results += run_pool(ws, recordings, steps, jobs, options)
        else:
            from .parallel import MediaPrefetch

            # While Whisper runs: ffmpeg encodes the published media on a thread, and the
            # chapter scorer's model loads on another. Only for recordings that need ASR,
            # so a no-change rebuild starts neither.
            with MediaPrefetch(ws, enabled="publish" in stages) as prefetch:
                builder.before_asr.append(lambda rec, audio: prefetch.start(audio))
                if "chapter" in steps:
                    builder.before_asr.append(lambda rec, audio: builder.warm_scorer())
                report.results += [process(builder, rec, steps) for rec in recordings]
        _duplicates(report.results)
        failure: LearncastError | None = None
        if "publish" in stages:
            from .publish.episodes import publish_site

            ok = [r for r in report.results if r.ok and r.transcript is not None]
            try:
                report.published = publish_site(builder, ok)
            except (LearncastError, OSError) as exc:
                failure = as_error(exc, ws.site_dir)
        from .status import record_build

        record_build(ws, report)
    if failure is not None:
        raise failure
    return report
