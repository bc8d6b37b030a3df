"""Themes: what connects interviews beside the fixed questions, as the team confirms them.

``transcripts/<slug>/themes.toml`` holds, per chapter (its question id), the themes the
team confirmed or wrote (``learncast themes``)::

    # confirmed with the interviewee, 3 March
    relationships = ["private landlords", "breakfast meetings"]
    rules = ["rent debts"]

It is a person's file: written only through :mod:`pipeline.tomledit` (comments kept),
never by a build. Keywords are *suggested* per chapter (:mod:`pipeline.keywords`, from
the redacted transcript, so a cut word is never suggested) but only the confirmed themes
in this file are published. A build leaves out, with a warning, a theme of a chapter the
recording no longer has, and a theme that names a redacted phrase or is said only inside
a cut stretch.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from . import redact, tomledit
from .config import read_toml
from .errors import InputError, UsageError
from .models import Theme, Transcript, is_interviewer

log = logging.getLogger(__name__)

THEMES_NAME = "themes.toml"
THEME_MAX_CHARS = 60
THEMES_PER_CHAPTER = 10
_HEADER = ("# The team's themes for this recording: per chapter (a question id), a list.\n"
           "# Only these are published. See `learncast themes --help`.\n")
_WORD = re.compile(r"[\w']+", re.UNICODE)


def clean(text: str) -> str:
    """A theme as written: one line, single spaces, no punctuation at either end."""
    return " ".join(str(text).split()).strip(" ,;:.!?\"'")


def theme_slug(name: str) -> str:
    """The theme's page name and identity: "Rent debts" and "rent-debts" are one theme."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")
    if not slug:  # a name in another script: a stable name of its own
        slug = "theme-" + "-".join(f"{ord(ch):x}" for ch in name.casefold() if ch.isalnum())[:60]
    return slug


def theme_problem(name: str) -> str | None:
    if not _WORD.search(name):
        return "a theme needs words"
    if len(name) > THEME_MAX_CHARS:
        return f"a theme is a few words: at most {THEME_MAX_CHARS} characters"
    return None


def parse_list(text: str) -> list[str]:
    """``"a, b; c"`` from the command line: the themes, cleaned, each once."""
    out: list[str] = []
    for part in re.split(r"[,;\n]", text):
        name = clean(part)
        if name and theme_slug(name) not in {theme_slug(t) for t in out}:
            out.append(name)
    return out


# ---------------------------------------------------------------- the file


def load_themes(folder: Path) -> dict[str, list[str]]:
    """Read ``themes.toml`` ({} without one): question id -> themes, in the file's order.

    InputError naming every bad entry and the fix.
    """
    path = folder / THEMES_NAME
    if not path.is_file():
        return {}
    fix = (f'write each chapter as QUESTION = ["theme", ...], or change it with '
           f'`learncast themes {folder.name} --set QUESTION "a, b"`')
    data = read_toml(path, error=lambda what, how: InputError(what, path=path, fix=how or fix))
    problems: list[str] = []
    out: dict[str, list[str]] = {}
    for chapter, value in data.items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f'"{chapter}" must be a list of themes, e.g. {chapter} = ["rent debts"]')
            continue
        names: list[str] = []
        for v in value:
            name = clean(v)
            problem = theme_problem(name)
            if problem:
                problems.append(f'"{chapter}": "{v}": {problem}')
            elif theme_slug(name) not in {theme_slug(n) for n in names}:
                names.append(name)
        if len(names) > THEMES_PER_CHAPTER:
            problems.append(f'"{chapter}" has {len(names)} themes; at most {THEMES_PER_CHAPTER} per chapter')
        out[chapter] = names
    if problems:
        raise InputError("; ".join(problems), path=path, fix=fix)
    return out


def save_themes(folder: Path, themes: Mapping[str, Sequence[str]]) -> Path:
    """Write the chapters whose themes changed (an empty list removes the chapter), keeping
    every comment and every chapter not changed as written."""
    path = folder / THEMES_NAME
    before = load_themes(folder)
    changes = {k: (list(v) if v else None) for k, v in themes.items() if list(v) != before.get(k, [])}
    if not changes:
        return path
    doc = tomledit.load(path, header=_HEADER)
    tomledit.set_values(doc, changes)
    folder.mkdir(parents=True, exist_ok=True)
    return tomledit.save(path, doc)


# ---------------------------------------------------------------- the chapters' text


def chapter_texts(transcript: Transcript) -> dict[str, str]:
    """Per question id, what the interviewees say in its chapters (the answer, not the question)."""
    chapters = sorted(transcript.chapters, key=lambda c: c.start)
    out: dict[str, list[str]] = {}
    for i, ch in enumerate(chapters):
        end = chapters[i + 1].start if i + 1 < len(chapters) else max(ch.end, transcript.duration)
        said = [s.text.strip() for s in transcript.segments
                if ch.start - 1e-3 <= (s.start + s.end) / 2 < end and not is_interviewer(s.speaker)]
        out.setdefault(ch.question, []).extend(t for t in said if t)
    return {k: " ".join(v) for k, v in out.items()}


def _said(text: str, name: str) -> bool:
    words = [w.lower() for w in _WORD.findall(name)]
    tokens = [w.lower() for w in _WORD.findall(text)]
    return bool(words) and any(tokens[i:i + len(words)] == words for i in range(len(tokens) - len(words) + 1))


def suggestions(transcript: Transcript, top: int = 5, extractor: str | None = None) -> dict[str, list[str]]:
    """Per question id, the keywords suggested for its chapter (from ``transcript``, which
    the caller has redacted). ModelError when the extractor cannot run."""
    from . import keywords

    return {qid: keywords.suggest(text, top, extractor or keywords.DEFAULT)
            for qid, text in chapter_texts(transcript).items()}


# ---------------------------------------------------------------- what a build publishes


@dataclass(frozen=True)
class Published:
    themes: tuple[Theme, ...]
    notes: tuple[str, ...]


def publish(folder: Path, applied: redact.Applied, original: Transcript, slug: str) -> Published:
    """The confirmed themes to publish for one recording.

    Left out with a warning and a note, never published: a theme of a chapter the
    recording no longer has, one that names a redacted phrase, and one said in the
    chapter's words as they were but not as they are published (said only in a cut).
    """
    notes: list[str] = []
    out: list[Theme] = []
    redacted = chapter_texts(applied.transcript)
    before = chapter_texts(original)
    for chapter, names in load_themes(folder).items():
        if chapter not in redacted:
            notes.append(f'the themes of the chapter "{chapter}" are not published: this recording has no such chapter now')
            continue
        for name in names:
            if (applied.text(name) or "") != name or (_said(before[chapter], name) and not _said(redacted[chapter], name)):
                notes.append(f'the theme "{name}" ({chapter}) touches a redaction, so it is not published')
                continue
            out.append(Theme(chapter=chapter, name=name))
    for note in notes:
        log.warning("%s: %s", slug, note)
    return Published(tuple(out), tuple(notes))


# ---------------------------------------------------------------- what the command line changes


def changed(confirmed: Mapping[str, Sequence[str]], *, chapters: Iterable[str],
            suggested: Mapping[str, Sequence[str]] | None = None, accept: Iterable[str] = (),
            set_: Iterable[tuple[str, str]] = (), add: Iterable[tuple[str, str]] = (),
            remove: Iterable[tuple[str, str]] = ()) -> dict[str, list[str]]:
    """The themes after the command line's changes, in that order: accept, set, add, remove.

    ``accept`` names chapters (or ``all``) whose suggestions are confirmed. UsageError for a
    chapter the recording does not have or a theme that cannot be one.
    """
    ids = list(chapters)
    out = {k: list(v) for k, v in confirmed.items()}

    def check(chapter: str) -> str:
        if chapter not in ids:
            raise UsageError(f'no chapter "{chapter}"', fix=f"use one of: {', '.join(ids)}" if ids
                             else "run `learncast build` (or `learncast chapter`) first")
        return chapter

    def merge(chapter: str, names: Iterable[str]) -> None:
        have = out.setdefault(chapter, [])
        for name in names:
            problem = theme_problem(name)
            if problem:
                raise UsageError(f'"{name}": {problem}', fix="write a theme in a few words")
            if theme_slug(name) not in {theme_slug(t) for t in have}:
                have.append(name)

    for chapter in accept:
        for qid in (ids if chapter == "all" else [check(chapter)]):
            merge(qid, (suggested or {}).get(qid, []))
    for chapter, text in set_:
        out[check(chapter)] = []
        merge(chapter, parse_list(text))
    for chapter, text in add:
        merge(check(chapter), parse_list(text))
    for chapter, text in remove:
        gone = {theme_slug(t) for t in parse_list(text)}
        out[check(chapter)] = [t for t in out.get(chapter, []) if theme_slug(t) not in gone]
    for chapter, names in out.items():
        if len(names) > THEMES_PER_CHAPTER:
            raise UsageError(f'"{chapter}" would have {len(names)} themes; at most {THEMES_PER_CHAPTER} per chapter',
                             fix="keep the few that matter most")
    return out


def suggest_for(folder: Path, transcript: Transcript, top: int = 5,
                extractor: str | None = None) -> dict[str, list[str]]:
    """The suggestions for the recording in ``folder``, from its transcript as published
    (redactions applied, so a cut word is never suggested)."""
    applied = redact.apply(transcript, redact.load(folder))
    return suggestions(applied.transcript, top, extractor)


def listing(transcript: Transcript, confirmed: Mapping[str, Sequence[str]],
            suggested: Mapping[str, Sequence[str]] | None, unavailable: str = "") -> list[str]:
    """What ``learncast themes SLUG`` shows: per chapter, what is confirmed and what is suggested."""
    titles: dict[str, str] = {}
    for ch in sorted(transcript.chapters, key=lambda c: c.start):
        titles.setdefault(ch.question, ch.title)
    lines: list[str] = []
    for qid in [*titles, *(k for k in confirmed if k not in titles)]:
        mine = list(confirmed.get(qid, []))
        title = titles.get(qid)
        if title is None:
            lines.append(f"{qid} (no such chapter now: not published)")
        else:
            lines.append(qid if title == qid else f"{qid} ({title})")
        lines.append("  confirmed: " + (", ".join(mine) if mine else "none"))
        if suggested is not None:
            have = {theme_slug(t) for t in mine}
            new = [s for s in suggested.get(qid, []) if theme_slug(s) not in have]
            lines.append("  suggested: " + (", ".join(new) if new else "none"))
    if unavailable:
        lines.append(f"no suggestions: {unavailable}")
    return lines


__all__ = ["THEMES_NAME", "Published", "chapter_texts", "changed", "clean", "load_themes", "parse_list",
           "listing", "publish", "save_themes", "suggest_for", "suggestions", "theme_problem", "theme_slug"]
