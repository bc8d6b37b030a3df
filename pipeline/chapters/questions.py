"""The reflective-question set that interviews are split by.

The set is data, not code: a TOML file shipped with the package (``questions.toml``
beside this module) that a workspace can replace through ``questions`` in
``learncast.toml``. Capture teams edit it by hand, so :func:`load_questions` reports
every problem in one :class:`~pipeline.errors.ConfigError` instead of stopping at the
first one.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

from ..config import _LANG_RE, Key, _kind, _nonempty, check_table, read_toml
from ..errors import ConfigError

#: Chapter ids the chaptering stage uses itself; a question may not take them.
INTRO = "intro"
CLOSING = "closing"
RESERVED_IDS = (INTRO, CLOSING)

DEFAULT_QUESTIONS_NAME = "questions.toml"

# Ids become page anchors (``#ch-3-rules``) and file names, so keep them URL-safe.
_ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Question:
    """One reflective question and the other ways an interviewer may word it."""

    id: str
    question: str
    title: str
    phrasings: tuple[str, ...] = ()
    #: (language, title, question): how pages in that language show it. Chaptering matches
    #: only ``question`` and ``phrasings`` (the spoken language's wording).
    translations: tuple[tuple[str, str, str], ...] = ()

    def in_language(self, lang: str) -> tuple[str, str]:
        """(title, question) for a page in ``lang`` ("cy", "cy-GB"): its translation when the set
        has one (the exact code, else the base language), else the set's own wording."""
        base = lang.split("-", 1)[0].lower() if lang else ""
        for wanted in (lang, base):
            for code, title, question in self.translations:
                if wanted and code.lower() == wanted.lower():
                    return title or self.title, question or self.question
        return self.title, self.question

    @property
    def bank(self) -> tuple[str, ...]:
        """Every wording the scorers compare transcript sentences against."""
        return (self.question, *self.phrasings)

    def to_dict(self) -> dict[str, Any]:
        """What chaptering uses (the set's fingerprint): translations are left out, so adding
        one never invalidates a recording's chapters."""
        return {"id": self.id, "question": self.question, "title": self.title,
                "phrasings": list(self.phrasings)}


@dataclass(frozen=True)
class QuestionSet:
    """A validated question set.

    ``fingerprint`` is a SHA-256 of the content (not of the file bytes), so editing a
    comment does not invalidate cached chapters but changing any wording does.
    """

    questions: tuple[Question, ...]
    path: Path | None = None
    by_id: Mapping[str, Question] = field(init=False, repr=False, compare=False)
    fingerprint: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({q.id: q for q in self.questions}))
        body = json.dumps([q.to_dict() for q in self.questions], sort_keys=True, ensure_ascii=False)
        object.__setattr__(self, "fingerprint", hashlib.sha256(body.encode("utf-8")).hexdigest())

    def __reduce__(self):
        # Builds send the set to worker processes; the lookup is rebuilt there.
        return (QuestionSet, (self.questions, self.path))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)


def _question_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a string, got {_kind(value)}"
    if not _ID_RE.match(value):
        return (f'expected lower-case letters, digits, "-" or "_" starting with a letter '
                f'(at most 40), got "{value}"')
    if value in RESERVED_IDS:
        return f'"{value}" is reserved for the chapter Learncast adds itself; choose another id'
    return None


def _phrasings(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"expected a list of strings, got {_kind(value)}"
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            return f"item {i + 1}: expected a non-empty string, got {_kind(item)}"
    return None


QUESTION_KEYS = [
    Key("id", _question_id, "a short URL-safe name, e.g. rules"),
    Key("question", _nonempty, "the question as written in the interview guide"),
    Key("title", _nonempty, "the short chapter title"),
    Key("phrasings", _phrasings, "other ways the question may be asked"),
]
_REQUIRED = ("id", "question", "title")
TRANSLATION_KEYS = [
    Key("title", _nonempty, "the short chapter title in this language"),
    Key("question", _nonempty, "the question in this language"),
]


def _translations(table: dict[str, Any], where: str, problems: list[str]) -> tuple[tuple[str, str, str], ...]:
    """The ``[question.cy]`` sub-tables of one question: (language, title, question) each."""
    out = []
    for code, sub in table.items():
        if not (isinstance(sub, dict) and _LANG_RE.match(code)):
            continue
        found = check_table(sub, TRANSLATION_KEYS, where=f"{code}.")
        problems += [f"{where}: {p}" for p in found]
        if not found and not sub:
            problems.append(f'{where}: [question.{code}] is empty; give it a title and a question')
        elif not found:
            out.append((code, sub.get("title", "").strip(), sub.get("question", "").strip()))
    return tuple(out)


def _tables(value: Any) -> str | None:
    if isinstance(value, list) and value:
        return None
    return f"expected one or more [[question]] tables, got {_kind(value)}"


_TOP_KEYS = [Key("question", _tables, "the [[question]] tables")]


def default_questions_path() -> Path:
    """The question set shipped with Learncast."""
    return Path(str(resources.files(__package__).joinpath(DEFAULT_QUESTIONS_NAME)))


def load_questions(path: Path | None = None) -> QuestionSet:
    """Read and validate a question-set TOML file; ``None`` loads the built-in set.

    Raises ConfigError naming the file and listing every problem: unknown or missing
    keys, wrong types, duplicate ids, ids that clash with ``intro``/``closing``.
    """
    path = Path(path) if path is not None else default_questions_path()
    data = read_toml(path)
    problems = check_table(data, _TOP_KEYS)
    tables = data.get("question")
    if not isinstance(tables, list) or not tables:
        if "question" not in data:
            problems.append("expected at least one [[question]] table with id, question and title")
        raise ConfigError(problems, path=path)

    questions: list[Question] = []
    seen: dict[str, int] = {}
    for n, table in enumerate(tables, start=1):
        where = f"question {n}"
        if not isinstance(table, dict):
            problems.append(f"{where}: expected a [[question]] table, got {_kind(table)}")
            continue
        own = {k: v for k, v in table.items() if not (isinstance(v, dict) and _LANG_RE.match(k))}
        problems += [f"{where}: {p}" for p in check_table(own, QUESTION_KEYS)]
        translated = _translations(table, where, problems)
        problems += [f'{where}: missing key "{k}"' for k in _REQUIRED if k not in table]
        qid = table.get("id")
        if isinstance(qid, str):
            if qid in seen:
                problems.append(f'{where}: duplicate id "{qid}" (also question {seen[qid]})')
            else:
                seen[qid] = n
        if all(isinstance(table.get(k), str) for k in _REQUIRED):
            questions.append(Question(
                id=table["id"], question=table["question"].strip(), title=table["title"].strip(),
                phrasings=tuple(p.strip() for p in table.get("phrasings", ()) if isinstance(p, str)),
                translations=translated))
    if problems:
        raise ConfigError(problems, path=path)
    return QuestionSet(questions=tuple(questions), path=path)
