"""The chaptering stage: split an interview into one chapter per reflective question.

``chapter_transcript`` finds where each question of a :class:`QuestionSet` is asked and
returns chapters that tile the recording (an introduction, the questions in the order
they were asked, and a closing when there is one). ``to_p20_chapters`` turns them into
a Podcasting 2.0 chapters file whose links point at the episode page's anchors.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..models import Chapter
from .questions import CLOSING, INTRO, Question, QuestionSet, default_questions_path, load_questions
from .scorers import Scorer, make_scorer, register_scorer
from .segment import LOW_CONFIDENCE, MIN_CHAPTER, chapter_transcript

P20_VERSION = "1.2.0"
_ANCHOR_RE = re.compile(r"[^a-z0-9_-]+")


def chapter_anchor(index: int, chapter: Chapter) -> str:
    """The page anchor of the chapter at position ``index`` (0-based) in its episode.

    The index keeps anchors unique when a question is asked twice; the question id
    keeps them readable. Ids from hand-edited transcripts are made URL-safe.
    """
    qid = _ANCHOR_RE.sub("-", chapter.question.lower()).strip("-") or "chapter"
    return f"ch-{index}-{qid}"


def to_p20_chapters(chapters: Iterable[Chapter], page_url: str) -> dict[str, Any]:
    """A Podcasting 2.0 JSON chapters document (version 1.2.0) for ``chapters``.

    Each chapter links to its section of the episode page, ``page_url#ch-N-id``.
    """
    return {
        "version": P20_VERSION,
        "chapters": [
            {"startTime": round(ch.start, 3), "title": ch.title,
             "url": f"{page_url}#{chapter_anchor(i, ch)}"}
            for i, ch in enumerate(chapters)
        ],
    }


__all__ = [
    "CLOSING",
    "INTRO",
    "LOW_CONFIDENCE",
    "MIN_CHAPTER",
    "P20_VERSION",
    "Question",
    "QuestionSet",
    "Scorer",
    "chapter_anchor",
    "chapter_transcript",
    "default_questions_path",
    "load_questions",
    "make_scorer",
    "register_scorer",
    "to_p20_chapters",
]
