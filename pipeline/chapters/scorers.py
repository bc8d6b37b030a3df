"""How a sentence is scored against the question set, behind one small interface.

The chaptering algorithm only needs, for every sentence, how strongly it resembles each
question. Keeping that behind :class:`Scorer` lets a semantic scorer (sentence
embeddings) replace the lexical one without touching the segmentation.
"""

from __future__ import annotations

from typing import Callable, Protocol

import numpy as np

from ..errors import UsageError
from .questions import QuestionSet


class Scorer(Protocol):
    """Scores sentences against one question set.

    ``score`` returns an array of shape (n_sentences, n_questions), in the order of
    ``QuestionSet.questions``, with values in [0, 1]. Scores from different scorers are
    on different scales, so each scorer states its own calibration: ``threshold`` is the
    least score that can mark a question being asked, ``strong`` a score at which the
    match is clear.
    """

    threshold: float
    strong: float

    def score(self, sentences: list[str]) -> np.ndarray: ...


ScorerFactory = Callable[[QuestionSet], Scorer]


def _lexical(questions: QuestionSet) -> Scorer:
    from .lexical import LexicalScorer

    return LexicalScorer(questions)


_SCORERS: dict[str, ScorerFactory] = {"lexical": _lexical}


def register_scorer(name: str, factory: ScorerFactory) -> None:
    """Make a scorer available to ``chapter_transcript(..., scorer=name)``."""
    _SCORERS[name] = factory


def make_scorer(name: str, questions: QuestionSet) -> Scorer:
    """Build the scorer called ``name`` for ``questions``."""
    try:
        factory = _SCORERS[name]
    except KeyError:
        raise UsageError(f"unknown chapter scorer {name!r}",
                         fix=f"use one of {', '.join(sorted(_SCORERS))}") from None
    return factory(questions)
