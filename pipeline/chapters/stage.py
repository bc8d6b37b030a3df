"""The chapter stage: a transcript and the question set in, the recording's chapters out.

Its output is ``.learncast/chapters/<slug>.json``, written by this stage alone: the
chapters as published (the automatic ones with the corrections in
``transcripts/<slug>/chapters.edit.toml`` applied), the automatic ones the corrections
were applied to, and the keys saying what each was made from. It lives in the cache
because it can always be made again from files a person owns: the transcript, the
question set and the corrections. Nothing here writes ``transcript.json``.

Chapters a person wrote into ``transcript.json`` itself win over all of this, as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from ..fsutil import write_json_if_changed
from ..models import Chapter, Transcript
from . import edits as chapter_edits
from .questions import QuestionSet

log = logging.getLogger(__name__)

CACHE_FOLDER = "chapters"  # in the workspace cache: <slug>.json


def chapters_path(cache_dir: Path, slug: str) -> Path:
    return cache_dir / CACHE_FOLDER / f"{slug}.json"


def scorer_identity(name: str) -> str:
    """What the scorer called ``name`` is, with its model's version, without loading a model.

    ``auto`` and ``semantic`` use the first embedding model whose package is installed
    (``auto`` falls back to lexical), so installing or upgrading one re-chapters.
    """
    from importlib import metadata

    from .semantic import BACKENDS, PREFERENCE

    def installed(backend: str) -> str | None:
        try:
            return f"{backend}={metadata.version(BACKENDS[backend].package)}"
        except metadata.PackageNotFoundError:
            return None

    if name in ("auto", "semantic"):
        found = next((i for i in map(installed, PREFERENCE) if i), None)
        return found or ("lexical" if name == "auto" else name)
    return (installed(name) if name in BACKENDS else None) or name


def chapters_key(data: dict[str, Any], questions: QuestionSet, identity: str) -> str:
    """What a transcript's automatic chapters are made from: its content, the question set,
    the scorer and this release."""
    from ..transcribe import content_checksum

    raw = json.dumps([content_checksum(data), data.get("duration"), questions.fingerprint, identity,
                      __version__])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def read_state(path: Path) -> dict[str, Any]:
    """The stage's last output for a recording ({} when there is none or it is unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def stored_chapters(path: Path) -> tuple[Chapter, ...]:
    """The chapters the stage last wrote for a recording (none yet: empty)."""
    try:
        return tuple(Chapter.from_dict(c) for c in read_state(path).get("chapters") or ())
    except (KeyError, TypeError, ValueError, AttributeError):
        return ()


@dataclass(frozen=True)
class ChapterJob:
    """One recording's chaptering. ``scorer`` loads the sentence scorer on first call;
    ``identity`` is the configured scorer's name and version (see :func:`scorer_identity`);
    ``started`` is told when the scorer really runs (the progress display)."""

    folder: Path  # transcripts/<slug>/: the corrections file
    state: Path  # .learncast/chapters/<slug>.json: this stage's output
    questions: QuestionSet
    scorer: Callable[[], Any]
    identity: str
    started: Callable[[], None] | None = None


def chapter_recording(job: ChapterJob, data: dict[str, Any], transcript: Transcript) -> Transcript:
    """The stage: ``transcript`` with its chapters, made only when something they depend on
    changed; the corrections are applied every time they change (the file is never written)."""
    from ..transcribe import chapters_edited
    from . import chapter_transcript  # the package attribute: tests count the calls

    edits = chapter_edits.load(job.folder)
    if chapters_edited(data):
        log.info("%s: keeping the hand-corrected chapters in transcript.json", job.folder.name)
        if edits:
            log.warning("%s: %s is not applied: the chapters in transcript.json were corrected by hand",
                        job.folder.name, chapter_edits.EDITS_NAME)
        return transcript
    state = read_state(job.state)
    if state.get("asr_key") != data.get("asr_key"):
        state = {}  # a new transcription (not a hand edit) is chaptered afresh
    auto_key = chapters_key(data, job.questions, job.identity)
    if state.get("chapters_key") == chapter_edits.edits_key(auto_key, edits) and state.get("chapters"):
        return transcript.with_chapters(stored_chapters(job.state))
    auto = chapter_edits.stored_auto(state, auto_key)
    if auto is None:
        if job.started:
            job.started()
        scorer = job.scorer()
        auto = chapter_transcript(transcript, job.questions, scorer=scorer)
        # The scorer that ran: "auto" may have fallen back to lexical.
        auto_key = chapters_key(data, job.questions, scorer_identity(getattr(scorer, "name", None) or job.identity))
    chapters = chapter_edits.apply(auto, edits, transcript, job.questions,
                                   path=job.folder / chapter_edits.EDITS_NAME).chapters
    made_from = {"format": 1, "asr_key": data.get("asr_key")}
    write_json_if_changed(job.state, chapter_edits.record(made_from, auto, auto_key, chapters, edits))
    return transcript.with_chapters(chapters)
