"""Correcting one recording's chapters: what ``learncast chapters SLUG`` (and the studio) do.

Each change is checked against the current chapters before anything is written; the
corrections go into ``transcripts/<slug>/chapters.edit.toml`` (comments kept), which every
build applies. The chapters themselves are the chapter stage's, read here, never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..models import Chapter, Transcript
from ..workspace import Workspace
from . import edits as ce


@dataclass(frozen=True)
class Changes:
    """What a person asks for, times in seconds (each list in the order given)."""

    sets: tuple[tuple[float, str], ...] = ()  # relabel (or split) at a time
    moves: tuple[tuple[float, float], ...] = ()
    merges: tuple[float, ...] = ()
    titles: tuple[tuple[float, str], ...] = ()
    removes: tuple[float, ...] = ()  # drop the correction at a time
    clear: bool = False

    @property
    def any(self) -> bool:
        return bool(self.clear or self.sets or self.moves or self.merges or self.titles or self.removes)


@dataclass(frozen=True)
class Outcome:
    applied: ce.Applied  # the chapters with every correction, as the next build makes them
    corrections: int  # entries in the file
    written: Path | None  # the corrections file, when this call wrote it
    by_hand: bool  # transcript.json holds chapters a person wrote there, which win
    built: bool  # the chapters the last build made are these already
    transcript_path: Path


def current(ws: Workspace, slug: str) -> tuple[dict, Transcript, dict]:
    """(transcript.json's data, its Transcript with the chapters in use, what made them)."""
    from ..transcribe import TRANSCRIPT_NAME, chapters_edited, load_transcript_file
    from .stage import chapters_path, read_state

    tpath = ws.transcript_dir(slug) / TRANSCRIPT_NAME
    if not tpath.is_file():
        raise UsageError("has not been transcribed yet", path=tpath, fix="run `learncast build` first")
    data, transcript = load_transcript_file(tpath)
    made = data if chapters_edited(data) else read_state(chapters_path(ws.cache_dir, slug))
    if not made.get("chapters"):
        raise UsageError("has no chapters yet", path=tpath, fix="run `learncast chapter` (or `learncast build`) first")
    return data, transcript.with_chapters([Chapter.from_dict(c) for c in made["chapters"]]), made


def correct(ws: Workspace, slug: str, changes: Changes) -> Outcome:
    """Apply ``changes`` to the corrections file (when they fit) and say what results."""
    from ..transcribe import TRANSCRIPT_NAME, chapters_edited
    from . import load_questions

    folder = ws.transcript_dir(slug)
    path = folder / ce.EDITS_NAME
    data, transcript, made = current(ws, slug)
    questions = load_questions(ws.config.questions)
    auto = ce.auto_chapters(made)
    text = path.read_text(encoding="utf-8") if path.is_file() else None
    slots = [ce.Slot(e, i) for i, e in enumerate(ce.parse(text, path) if text is not None else [])]
    slots, touched = _change(slots, changes, auto, questions, path, slug)
    edits = [s.edit for s in slots]
    try:
        applied = ce.apply(auto, edits, transcript, questions, path=path)
    except ce.ChapterEditError as exc:
        if not changes.any:
            raise
        raise UsageError(f"not written: {exc.message}", path=path, fix=exc.fix) from None
    idle = [s for s in touched if s in slots and s.edit in applied.unused]
    if idle:
        raise UsageError(f"not written: no chapter starts within {ce.TOLERANCE:g} s of {ce.clock(idle[0].edit.at)}",
                         path=path, fix=f"check the times with `learncast chapters {slug} --list`")
    # New entries go after the file's own, in time order.
    slots = [s for s in slots if s.orig is not None] + sorted((s for s in slots if s.orig is None),
                                                              key=lambda s: s.edit.at)
    written = None
    if changes.any and (text is not None or slots):
        ce.save(path, ce.render(text, slots, path))
        written = path
    built = [c.to_dict() for c in transcript.chapters] == [c.to_dict() for c in applied.chapters]
    return Outcome(applied=applied, corrections=len(edits), written=written, by_hand=chapters_edited(data),
                   built=built, transcript_path=folder / TRANSCRIPT_NAME)


def _change(slots: list[ce.Slot], changes: Changes, auto, questions, path: Path,
            slug: str) -> tuple[list[ce.Slot], list[ce.Slot]]:
    """The file's entries after ``changes``, and the entries the changes touched."""
    touched: list[ce.Slot] = []
    if changes.clear:
        slots = []
    for t in changes.removes:
        if ce.remove(slots, t) is None:
            raise UsageError(f"--remove-edit: there is no correction at {ce.clock(t)}", path=path,
                             fix=f"see the corrections with `learncast chapters {slug} --list`")
    for t in changes.merges:
        slot = ce.merge(slots, t, auto)
        touched += [slot] if slot else []
    for t, to in changes.moves:
        touched.append(ce.move(slots, t, to))
    known = ("intro", "closing", *questions.ids)
    for t, label in changes.sets:
        if label not in known:
            raise UsageError(f'--set: unknown question id "{label}"', path=questions.path,
                             fix=f"use one of {', '.join(known)}")
        touched.append(ce.set_label(slots, t, label))
    for t, title in changes.titles:
        touched.append(ce.set_title(slots, t, " ".join(title.split())))
    return slots, touched
