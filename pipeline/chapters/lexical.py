"""The lexical scorer: stemmed TF-IDF matching of sentences against the question bank.

Each question has several wordings (its "bank": the question, its phrasings and its
title). A sentence is compared with every wording on its own, so one close paraphrase
is enough, and the best match counts. Plain cosine similarity is not enough here:

* Cosine over-rewards very short sentences ("What did you learn from that?" shares one
  word with "What went wrong, and what did you learn from it?", and that word is all
  the sentence has). So it is combined with *coverage*, the share of the wording's
  weight the sentence contains, and a sentence sharing a single word is scaled down.
* A short wording is easy to cover by accident. So the score also counts how much of
  the *sentence* the question's whole bank explains ("did you feel supported or blamed
  when it went wrong" shares only "wrong" with the setbacks question, but every word
  with the reactions question).
* Words in several questions' wordings ("wrong", "change") tell them apart less, and
  weigh less in proportion.

Inverse document frequencies come from the wordings and the transcript together: words
the interviewee says all the time weigh little. The stemmer is Snowball's English one,
with a few irregular verbs mapped first ("kept" to "keep") and stems cut to seven
letters so that derived forms meet ("bureaucratic", "bureaucracy").
"""

from __future__ import annotations

import functools
import math
import re
import threading

import numpy as np
import snowballstemmer

from .questions import QuestionSet

_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")

# Function words and interview filler. Content words that are common in interviews
# ("change", "people", "think") stay: the transcript's own IDF weighs them down.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each either else even ever every few for from further get gets getting got had
hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself
his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let let's me might
more most much must mustn't my myself no nor not now of off on once one only or other our ours
ourselves out over own quite rather really same say said says she she'd she'll she's should
shouldn't so some such than that that's the their theirs them themselves then there there's these
they they'd they'll they're they've this those through to too under until up upon us very was
wasn't we we'd we'll we're we've were weren't what what's when when's where where's whether which
while who who's whom whose why why's will with within without won't would wouldn't yes yeah you you'd you'll
you're you've your yours yourself yourselves um uh er erm ah oh okay ok mm hmm like actually
basically sort kind lot lots thing things bit little well right sure just anything something
everything tell talk going go gone went come came know knew mean means guess suppose maybe perhaps
probably definitely absolutely obviously certainly literally able way ways time times
example examples give given gave happen happened happens next else involved involve more back
hear heard hearing want wanted wants wanting
""".split())

# Irregular forms the Snowball stemmer leaves alone ("kept" and "keep" must match).
_IRREGULAR = {
    "kept": "keep", "felt": "feel", "built": "build", "took": "take", "taken": "take",
    "made": "make", "thought": "think", "taught": "teach", "brought": "bring", "led": "lead",
    "found": "find", "held": "hold", "broke": "break", "broken": "break", "drew": "draw",
    "drawn": "draw", "began": "begin", "begun": "begin", "spoke": "speak", "spoken": "speak",
    "stood": "stand", "won": "win", "fought": "fight", "saw": "see", "seen": "see",
    "sought": "seek", "dealt": "deal", "understood": "understand", "lost": "lose", "sent": "send",
    "learnt": "learn", "overcame": "overcome", "wrote": "write", "written": "write", "ran": "run",
    "chose": "choose", "chosen": "choose", "grew": "grow", "grown": "grow", "met": "meet",
    "stuck": "stick", "bent": "bend",
}


# Stems are cut to this length so derived forms meet: "bureaucratic" and "bureaucracy"
# stem to "bureaucrat" and "bureaucraci", which share their first seven letters.
STEM_PREFIX = 7
# A word in the wordings of n questions weighs n ** -SPREAD_POWER as much.
SPREAD_POWER = 1.0
# How much the share of the sentence explained by the question's bank counts.
EXPLAINED_POWER = 0.3
# A sentence sharing a single word with a question's bank is scaled by 0.5 ** THIN_POWER.
THIN_POWER = 0.25


# A Snowball stemmer keeps state while it works, so threads take turns with it.
_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()


@functools.lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    with _STEMMER_LOCK:
        stem = _STEMMER.stemWord(_IRREGULAR.get(word, word))
    return stem[:STEM_PREFIX]


def tokens(text: str) -> list[str]:
    """Stemmed content words of ``text``."""
    words = _WORD_RE.findall(text.lower().replace("’", "'"))
    return [_stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


class LexicalScorer:
    """Stemmed TF-IDF matching against each question's wordings; see the module docstring."""

    name = "lexical"
    threshold = 0.27
    strong = 0.65

    def __init__(self, questions: QuestionSet):
        self.questions = questions
        self._bank = [[tokens(text) for text in (*q.bank, q.title)] for q in questions]
        self._docs = [doc for docs in self._bank for doc in docs]
        self._vocab: dict[str, int] = {}
        for doc in self._docs:
            for t in doc:
                self._vocab.setdefault(t, len(self._vocab))
        # Words in the wordings of several questions tell them apart less.
        spread = np.zeros(len(self._vocab))
        for docs in self._bank:
            for t in {t for doc in docs for t in doc}:
                spread[self._vocab[t]] += 1
        self._spread = spread

    def score(self, sentences: list[str]) -> np.ndarray:
        """Scores in [0, 1], shape (len(sentences), len(questions))."""
        out = np.zeros((len(sentences), len(self._bank)))
        if not self._vocab or not sentences:
            return out
        sent_docs = [tokens(s) for s in sentences]
        df: dict[str, int] = {}
        for doc in (*self._docs, *sent_docs):
            for t in set(doc):
                df[t] = df.get(t, 0) + 1
        n_docs = len(self._docs) + len(sent_docs)

        def idf(t: str) -> float:
            return math.log((1 + n_docs) / (1 + df[t])) + 1.0

        bank_idf = np.array([idf(t) for t in self._vocab]) / self._spread ** SPREAD_POWER
        bank_m = _tfidf(self._docs, self._vocab, bank_idf)
        # Sentence rows keep only the bank's words; the other words still count towards
        # each sentence's length (norm) and mass, which is what dilutes a long answer.
        sent_m = _tfidf(sent_docs, self._vocab, bank_idf)
        norm2 = np.zeros(len(sentences))
        mass = np.zeros(len(sentences))
        for r, doc in enumerate(sent_docs):
            for t in set(doc):
                w = (1.0 + math.log(doc.count(t))) * (bank_idf[self._vocab[t]] if t in self._vocab else idf(t))
                norm2[r] += w * w
                mass[r] += w
        with np.errstate(divide="ignore", invalid="ignore"):
            cos = (sent_m @ bank_m.T) / np.outer(np.sqrt(norm2), np.linalg.norm(bank_m, axis=1))
            coverage = ((sent_m > 0).astype(float) @ bank_m.T) / bank_m.sum(axis=1)[None, :]
        sim = np.sqrt(np.nan_to_num(cos) * np.nan_to_num(coverage))

        col = 0
        for qi, docs in enumerate(self._bank):
            in_bank = (bank_m[col:col + len(docs)] > 0).any(axis=0)
            best = sim[:, col:col + len(docs)].max(axis=1)
            # How much of the sentence the question's whole bank explains: "did you feel
            # supported or blamed when it went wrong" shares only "wrong" with "what went
            # wrong", but every word with the reactions question's wordings.
            with np.errstate(divide="ignore", invalid="ignore"):
                explained = np.nan_to_num(sent_m[:, in_bank].sum(axis=1) / mass)
            # One shared word is thin evidence, however well it matches.
            n_shared = (sent_m[:, in_bank] > 0).sum(axis=1)
            thin = (np.minimum(n_shared, 2) / 2) ** THIN_POWER
            out[:, qi] = best ** (1 - EXPLAINED_POWER) * explained ** EXPLAINED_POWER * thin
            col += len(docs)
        return np.clip(out, 0.0, 1.0)


def _tfidf(docs: list[list[str]], vocab: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """Sublinear TF-IDF rows over ``vocab`` (a word said twice counts a little more, not
    twice); words outside ``vocab`` are left out."""
    m = np.zeros((len(docs), len(vocab)))
    for r, doc in enumerate(docs):
        counts: dict[int, int] = {}
        for t in doc:
            if t in vocab:
                counts[vocab[t]] = counts.get(vocab[t], 0) + 1
        for c, n in counts.items():
            m[r, c] = (1.0 + math.log(n)) * idf[c]
    return m
