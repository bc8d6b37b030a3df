"""Keywords suggested per chapter: the team's starting point for themes.

Two extractors, both offline and both on the chapter's answer alone (the interviewer's
question is the same in every interview, so its words would connect nothing):

* ``minilm``: the sentence model the chapter scorer already ships (all-MiniLM-L6-v2,
  :mod:`pipeline.chapters.semantic`), KeyBERT-style. Candidates are the word n-grams
  (one to three words, no stop word inside) of the answer; each is scored by the cosine
  of its embedding with the answer's (the mean of its sentences' embeddings, as the
  model reads at most 256 word pieces at once), and Maximal Marginal Relevance picks
  the next keyword as the one most like the answer and least like those already picked,
  so five suggestions are not five wordings of one idea.
* ``yake``: YAKE! (the ``yake`` package), statistical features of one text alone:
  position, frequency, casing, and how many different words surround a term.

``bench/keywords.py`` compares them against keywords written by hand for two evaluation
interviews (bench/RESULTS.md, "Themes"); the better one is :data:`DEFAULT`. Nothing here
is published: a suggestion becomes a theme only when the team confirms it
(:mod:`pipeline.themes`).
"""

from __future__ import annotations

import logging
import re
from typing import Callable, Sequence

import numpy as np

from .errors import ModelError

log = logging.getLogger(__name__)

EXTRACTORS = ("yake", "minilm")
DEFAULT = "yake"  # the better of the two on the evaluation interviews: bench/RESULTS.md, "Themes"
MAX_WORDS = 3
MMR_DIVERSITY = 0.5  # 0: most similar only; 1: most different only

# Common English words and the fillers of speech: never the start, end or inside of a keyword.
STOPWORDS = frozenset("""
a about above after again against all almost also although always am among an and another any anyone
anything anyway are around as at away back be became because become been before being below between
both but by came can cannot could did do does doing done down during each either else enough even ever
every everyone everything far few first for from further get gets getting give given go goes going gone
got had has have having he her here hers herself him himself his how however i if in into is it its
itself just keep kept know known last least less let like made make makes making many may me might mine
more most much must my myself need needed never new next no nobody none nor not nothing now of off often
on once one ones only onto or other others otherwise our ours ourselves out over own part per perhaps
put quite rather really right said same say saying says see seemed seen several shall she should since
so some somebody someone something sometimes soon still such take taken tell than that the their theirs
them themselves then there these they thing things think thought this those though through thus till to
together too took toward towards two under until up upon us use used very want wanted was way ways we
well went were what whatever when where whether which while who whole whom whose why will with within
without would yes yet you your yours yourself yourselves
across along alongside behind beside besides beyond inside near outside past since via
yeah okay ok oh um uh er erm hmm mm actually basically honestly literally lot lots bit kind sort stuff
sure maybe probably course fine great good pretty absolutely definitely obviously certainly mean means
meant felt feel feels told tried try trying started start came come coming went goes looked look
""".split())

_SENTENCE = re.compile(r"[.!?;:]+(?:\s+|$)|\s+-\s+|\n+")
_PHRASE_BREAK = re.compile(r"[,()\[\]\"\u201c\u201d]+|\s[-\u2013\u2014]+\s")  # a keyword never spans these
_WORD = re.compile(r"[^\W\d_](?:[\w'\u2019-]*\w)?", re.UNICODE)
_MARKER = "[redacted]"

Embed = Callable[[list[str]], np.ndarray]


def sentences(text: str) -> list[str]:
    """The text's sentences; a redaction marker ends one (no keyword spans a cut)."""
    text = text.replace(_MARKER, ".")
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _content(word: str) -> str | None:
    """The word as a keyword holds it (lower case, no possessive), or None for a stop word."""
    low = word.lower().replace("\u2019", "'")
    if low.endswith("'s"):
        low = low[:-2]
    if len(low) < 3 or "'" in low or low in STOPWORDS:
        return None
    return low


def candidates(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Every word n-gram of the text (1 to ``max_words`` words) made only of content words,
    lower-cased, in order of first appearance, each once."""
    seen: dict[str, None] = {}
    for chunk in (c for s in sentences(text) for c in _PHRASE_BREAK.split(s)):
        run: list[str] = []
        for word in [*_WORD.findall(chunk), ""]:
            content = _content(word) if word else None
            if content:
                run.append(content)
                continue
            for n in range(1, max_words + 1):
                for i in range(len(run) - n + 1):
                    seen.setdefault(" ".join(run[i:i + n]), None)
            run = []
    return list(seen)


def mmr(doc: np.ndarray, vectors: np.ndarray, top: int, diversity: float = MMR_DIVERSITY) -> list[int]:
    """Maximal Marginal Relevance: ``top`` rows of ``vectors`` (unit rows), each the most like
    ``doc`` and the least like those already chosen."""
    if not len(vectors):
        return []
    relevance = vectors @ doc
    chosen = [int(np.argmax(relevance))]
    pairwise = vectors @ vectors.T
    while len(chosen) < min(top, len(vectors)):
        redundancy = pairwise[:, chosen].max(axis=1)
        score = (1 - diversity) * relevance - diversity * redundancy
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen


def minilm_keywords(text: str, top: int = 5, *, embed: Embed | None = None,
                    diversity: float = MMR_DIVERSITY) -> list[str]:
    """KeyBERT-style keywords of ``text`` with the MiniLM sentence model (ModelError without it)."""
    cands = candidates(text)
    parts = sentences(text)
    if not cands or not parts:
        return []
    if embed is None:
        from .chapters.semantic import load_backend
        embed = load_backend("minilm")
    vectors = embed([*parts, *cands])
    doc = vectors[:len(parts)].mean(axis=0)
    doc = doc / max(float(np.linalg.norm(doc)), 1e-9)
    picked = mmr(doc, vectors[len(parts):], top, diversity)
    return [cands[i] for i in picked]


def yake_keywords(text: str, top: int = 5) -> list[str]:
    """YAKE! keywords of ``text`` (ModelError without the ``yake`` package)."""
    try:
        import yake
    except ImportError as exc:
        raise ModelError(f"the yake keyword extractor needs the yake package ({exc})",
                         fix="install Learncast's semantic extra: pip install 'learncast[semantic]'") from exc
    clean = " . ".join(sentences(text))
    if not candidates(clean):
        return []
    extractor = yake.KeywordExtractor(lan="en", n=MAX_WORDS, dedupLim=0.7, top=top * 2)
    out: list[str] = []
    for phrase, _score in extractor.extract_keywords(clean):
        words = phrase.lower().split()
        if all(_content(w) == w for w in words) and phrase.lower() not in out:
            out.append(phrase.lower())
        if len(out) == top:
            break
    return out


def suggest(text: str, top: int = 5, extractor: str = DEFAULT) -> list[str]:
    """Up to ``top`` keywords for one chapter's answer, best first; ModelError when the
    extractor cannot run."""
    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown keyword extractor {extractor!r} (use one of {', '.join(EXTRACTORS)})")
    if not text.strip():
        return []
    many = top * 3  # more than asked for: those that repeat a better one are dropped
    found = minilm_keywords(text, many) if extractor == "minilm" else yake_keywords(text, many)
    return distinct(found, top)


def stems(phrase: str) -> frozenset[str]:
    """The Snowball stems of a phrase's content words."""
    import snowballstemmer

    stemmer = snowballstemmer.stemmer("english")
    return frozenset(stemmer.stemWord(w) for w in (_content(x) for x in _WORD.findall(phrase)) if w)


def distinct(found: Sequence[str], top: int) -> list[str]:
    """The first ``top`` keywords that neither hold nor are held by (stems aside) one kept
    before them: "page application" after "twenty page application" adds nothing."""
    kept: list[tuple[str, frozenset[str]]] = []
    for phrase in found:
        mine = stems(phrase)
        if mine and not any(mine <= theirs or theirs <= mine for _, theirs in kept):
            kept.append((phrase, mine))
        if len(kept) == top:
            break
    return [p for p, _ in kept]


def suggest_all(texts: Sequence[str], top: int = 5, extractor: str = DEFAULT) -> list[list[str]]:
    return [suggest(t, top, extractor) for t in texts]


__all__ = ["DEFAULT", "EXTRACTORS", "candidates", "minilm_keywords", "mmr", "sentences", "suggest",
           "suggest_all", "yake_keywords"]
