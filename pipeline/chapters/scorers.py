"""How a sentence is scored against the question set, behind one small interface.

The chaptering algorithm only needs, for every sentence, how strongly it resembles each
question. Keeping that behind :class:`Scorer` lets a semantic scorer (sentence
embeddings) replace the lexical one without touching the segmentation.

Names: ``lexical`` (always there), ``minilm`` and ``e5`` (sentence embeddings, when their
model package is installed: Learncast's ``semantic`` extra), ``semantic`` (the best
embedding model installed) and ``auto``, the default: ``semantic`` when a model loads,
else ``lexical``, so chaptering works, less well, on an install without the extra.
"""

from __future__ import annotations

import logging
from typing import Callable, Protocol

import numpy as np

from ..errors import ModelError, UsageError
from .questions import QuestionSet

log = logging.getLogger(__name__)


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


def _backend(name: str) -> ScorerFactory:
    def factory(questions: QuestionSet) -> Scorer:
        from .semantic import SemanticScorer

        return SemanticScorer(questions, name)

    return factory


def _semantic(questions: QuestionSet) -> Scorer:
    from .semantic import BACKENDS, SemanticScorer, available_backend

    name = available_backend()
    if name is None:
        packages = " or ".join(b.package for b in BACKENDS.values())
        raise ModelError(f"no sentence-embedding model is installed ({packages})",
                         fix="install Learncast's semantic extra: pip install 'learncast[semantic]'")
    return SemanticScorer(questions, name)


_fallback_logged = False


def _auto(questions: QuestionSet) -> Scorer:
    """The semantic scorer when a model loads, else the lexical one (logged once)."""
    global _fallback_logged
    try:
        scorer = _semantic(questions)
    except ModelError as exc:
        if not _fallback_logged:
            log.warning("chaptering with the lexical scorer: %s", exc.one_line())
            _fallback_logged = True
        return _lexical(questions)
    log.debug("chaptering with the %s scorer", getattr(scorer, "name", "semantic"))
    return scorer


_SCORERS: dict[str, ScorerFactory] = {"lexical": _lexical, "minilm": _backend("minilm"), "e5": _backend("e5"),
                                      "semantic": _semantic, "auto": _auto}


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
