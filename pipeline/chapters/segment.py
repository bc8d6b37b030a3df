"""Find where each reflective question is asked and cut the interview into chapters.

Real interviews do not follow the guide: questions are paraphrased, asked in any
order, skipped, or come back later; the interviewer asks short follow-ups that are not
new topics, and the interviewee often repeats the question before answering. So the
stage does not look for the questions one by one. It:

1. splits the transcript into timed sentences (``sentences.py``);
2. scores every sentence against every question (a :class:`~.scorers.Scorer`);
3. weighs each score by the evidence that a *new question is being asked there*: the
   interviewer is speaking, it is phrased as a question, it opens a turn or follows a
   pause, a signpost ("moving on", "coming back to") introduces it;
4. moves each possible start back to where the asker began speaking (the start of the
   interviewer's turn, or the interviewer's question an interviewee is repeating);
5. chooses the set of starts with the greatest total evidence by dynamic programming,
   with a minimum chapter length and no constraint on order or coverage; a question
   asked twice must be signposted or clearly worded to count twice;
6. adds an introduction before the first question and a closing when the interviewer
   wraps up near the end.

The work grows about linearly with the length of the transcript: an hour of speech
takes a fraction of a second with the lexical scorer. Sentences that could not start a
chapter whatever they scored (with trusted speaker labels, the interviewee's answers) are
never scored, which is most of the text and most of a semantic scorer's time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from ..models import Chapter, Transcript
from .questions import CLOSING, INTRO, QuestionSet
from .scorers import Scorer, make_scorer
from .sentences import (REVISIT_RE, TRANSITION_RE, Sentence, is_follow_up, is_lead_in, is_question_like,
                        split_sentences)

log = logging.getLogger(__name__)

#: Chapters with a confidence below this are worth a person's check.
LOW_CONFIDENCE = 0.5
#: Question chapters shorter than this need clearer evidence (and half of it is the least).
MIN_CHAPTER = 12.0
INTRO_TITLE = "Introduction"
# A first question starting sooner than this starts at 0.0, without an introduction.
_MIN_INTRO = 1.0
CLOSING_TITLE = "Closing"

# How far back a start may move to reach the beginning of the asker's wording.
_LOOKBACK = 20.0
_LEAD_IN_GAP = 2.5
# An interviewer may set a question up ("Lots of people would have kept their heads
# down. You didn't."), and the chapter starts where they began speaking; but a long
# stretch is more likely an answer with the wrong speaker label.
_PREAMBLE_WORDS = 40
# An interviewee repeating a question this soon after the interviewer asked it.
_ECHO_GAP = 6.0
# Weights on a sentence's score: who speaks, how it is phrased, whether it opens a turn.
_INTERVIEWEE = 0.45
_ANSWER = 0.0  # a statement by the interviewee
_STATEMENT = 0.75
_MID_TURN = 0.9
_SIGNPOST = 1.15
_FOLLOW_UP = 0.3
_PAUSE = 0.6  # seconds of silence that count as a boundary
# Chapters shorter than the minimum cost this much at half the minimum, less when longer;
# shorter than half the minimum they are not allowed.
_SHORT_PENALTY = 0.3
_HARD_SHARE = 0.5
# A second chapter for the same question needs a signpost or this much more evidence.
_REPEAT_EXTRA = 0.25
# Wrap-up cues, looked for only near the end.
CLOSING_RE = re.compile(
    r"\bthank(?:s| you)(?: (?:so|very) much)?(?: again)? for (?:your time|talking|speaking|joining|"
    r"sharing|coming|taking part|doing this|being|having|giving|all)|"
    r"\bthat's (?:all|everything) (?:we have|i have|for today|from me)|"
    r"\b(?:before|as) we (?:finish|close|wrap|end|stop)|\bto (?:wrap|finish|close|round) (?:up|off|things)|"
    r"\bwe(?:'re| are) (?:out of|running out of|nearly out of) time|\bcom(?:e|ing) to (?:an|the) end|"
    r"\banything else you(?:'d| would)? (?:like|want) to (?:add|say|share|mention)|"
    r"\bany (?:final|last|closing) (?:thoughts|words|reflections|comments)|"
    r"\b(?:we'll|let's|we will|let us) (?:stop|leave it|end|finish|wrap (?:it )?up) (?:there|here)|"
    r"\bthat brings us to the end|\bthanks for listening|"
    r"\b(?:note|place|point) to (?:end|finish|stop|close|leave it|wrap up)(?: on)?\b|"
    r"\b(?:let's|let us|we'll|we will|i'll|i will) leave it there|"
    r"\ball (?:the time )?(?:we have|we've got) time for|"
    r"\b(?:that was|that's been|it's been|it has been|this has been) (?:a|an|such a) "
    r"(?:real )?(?:joy|pleasure|delight|privilege|treat|honour|honor)")
# A bare thank-you near the end ("Thank you, Tom."), which closes only when the
# interviewer says it and asks nothing after it.
THANKS_RE = re.compile(
    r"^(?:(?:okay|ok|well|great|lovely|brilliant|wonderful|right|so|and|oh) )*"
    r"(?:thank you|thanks)(?: (?:so|very) much)?(?: (?:again|indeed))?(?: [a-z]+)?$")
# The last 15% of the recording, but at least 90 s and at most 5 min or half of it.
_CLOSING_WINDOW = (90.0, 0.15, 300.0)


@dataclass(frozen=True)
class _Candidate:
    """A place where question ``q`` may have been asked."""

    anchor: int  # the sentence that matched
    first: int  # the sentence the chapter would start at
    start: float
    q: int
    weight: float
    signposted_revisit: bool


def chapter_transcript(transcript: Transcript, questions: QuestionSet, *,
                       scorer: str | Scorer = "auto",
                       min_chapter: float = MIN_CHAPTER) -> tuple[Chapter, ...]:
    """Chapters for ``transcript``: intro, one per question asked, and a closing if any.

    The chapters tile the timeline: the first starts at 0.0, each ends where the next
    starts, and the last ends at ``transcript.duration``. A question chapter starts at
    the first word of the sentence where the interviewer begins asking it.
    """
    sentences = split_sentences(transcript)
    duration = max([transcript.duration, *(s.end for s in sentences)])
    if not sentences or not len(questions):
        return (Chapter(0.0, duration, INTRO, INTRO_TITLE, 1.0),)
    model = make_scorer(scorer, questions) if isinstance(scorer, str) else scorer
    trusted = labels_trusted(sentences)
    raw, firsts = _score(sentences, len(questions), model, trusted)

    candidates = _candidates(sentences, raw, firsts, model, trusted)
    chosen = _choose(candidates, model.threshold, min_chapter)
    chosen, closing = _closing(sentences, raw, chosen, model.threshold, trusted, duration)

    starts: list[tuple[float, str, str, float]] = []
    for c in chosen:
        q = questions.questions[c.q]
        starts.append((c.start, q.id, q.title, _confidence(c, raw, model)))
    if closing is not None:
        starts.append(closing)
    starts.sort(key=lambda s: s[0])
    if starts and starts[0][0] < _MIN_INTRO:
        starts[0] = (0.0, *starts[0][1:])  # nothing before it worth a chapter of its own
    else:
        starts.insert(0, (0.0, INTRO, INTRO_TITLE, 1.0))
    chapters = tuple(
        Chapter(start=start, end=starts[i + 1][0] if i + 1 < len(starts) else duration,
                question=qid, title=title, confidence=round(conf, 3))
        for i, (start, qid, title, conf) in enumerate(starts))
    for ch in chapters:
        if ch.confidence < LOW_CONFIDENCE:
            log.info("chapter %r at %.1fs has low confidence (%.2f); check it in transcript.json",
                     ch.title, ch.start, ch.confidence)
    return chapters


def labels_trusted(sentences: list[Sentence]) -> bool:
    """Whether the speaker labels look like a real interviewer/interviewee split.

    With no interviewer at all, or an "interviewer" doing most of the talking, the
    labels are more likely a diarisation failure than the truth, and only the wording
    of a sentence can show that it is a question.
    """
    total = sum(s.n_words for s in sentences)
    asked = sum(s.n_words for s in sentences if s.is_interviewer)
    return total > 0 and 0.01 <= asked / total <= 0.6


def _lead_in_start(sentences: list[Sentence], i: int, trusted: bool) -> int:
    """The sentence where the wording that leads up to sentence ``i`` begins.

    With trusted labels that is the start of the speaker's turn (an interviewer's
    "Thank you. Moving on to governance. What ..."), and for an interviewee repeating
    a question, the start of the interviewer's turn just before. Without trusted labels
    it walks back only over signposts, acknowledgements and questions.
    """
    target = sentences[i]
    k = i
    preamble = 0  # words of plain sentences walked over
    while k > 0:
        prev, cur = sentences[k - 1], sentences[k]
        if cur.pause_before >= _LEAD_IN_GAP:
            break
        if target.start - prev.start > _LOOKBACK or (trusted and prev.speaker != target.speaker):
            break
        if not (is_lead_in(prev) or is_question_like(prev)):
            preamble += prev.n_words
            if not (trusted and target.is_interviewer) or preamble > _PREAMBLE_WORDS:
                break
        k -= 1
    if trusted and not target.is_interviewer and k > 0:
        prev = sentences[k - 1]
        if prev.is_interviewer and sentences[k].start - prev.end <= _ECHO_GAP and is_question_like(prev):
            return _lead_in_start(sentences, k - 1, trusted)
    return k


def _speaker_factor(sentence: Sentence, trusted: bool) -> float:
    """The weight of who speaks and how: the interviewer asking weighs most."""
    asked = is_question_like(sentence)
    if trusted:
        if not (sentence.is_interviewer or asked):
            return _ANSWER
        return (1.0 if sentence.is_interviewer else _INTERVIEWEE) * (1.0 if asked else _STATEMENT)
    # Without trusted labels, only question-phrased sentences can open a chapter.
    return 1.0 if asked else 0.0


def _score(sentences: list[Sentence], n_questions: int, model: Scorer,
           trusted: bool) -> tuple[np.ndarray, dict[int, int]]:
    """Scores of the sentences that could start a chapter, and where each one's lead-in starts.

    A sentence whose speaker factor keeps it under the threshold even at a perfect score
    is left at zero. A sentence with a lead-in before it is also scored together with
    that lead-in, and the mean of the two scores counts where it is the higher.
    """
    raw = np.zeros((len(sentences), n_questions))
    factors = np.array([_speaker_factor(s, trusted) for s in sentences])
    scored = [int(i) for i in np.flatnonzero(factors * _SIGNPOST >= model.threshold)]
    if not scored:
        return raw, {}
    firsts = {i: _lead_in_start(sentences, i, trusted) for i in scored}
    with_lead_in = [i for i in scored if firsts[i] < i]
    texts = [sentences[i].text for i in scored]
    texts += [" ".join(s.text for s in sentences[firsts[i]:i + 1]) for i in with_lead_in]
    scores = np.asarray(model.score(texts), dtype=float)
    if scores.shape != (len(texts), n_questions):
        raise ValueError(f"scorer returned shape {scores.shape}, expected {(len(texts), n_questions)}")
    raw[scored] = scores[:len(scored)]
    if with_lead_in:
        # Half the lead-in's score: it lends a vague question its topic, but a preamble
        # about the last answer ("people would have kept their heads down") must not
        # outvote the question's own wording.
        own = raw[with_lead_in]
        raw[with_lead_in] = np.maximum(own, (own + scores[len(scored):]) / 2)
    return raw, firsts


def _candidates(sentences: list[Sentence], raw: np.ndarray, firsts: dict[int, int], model: Scorer,
                trusted: bool) -> list[_Candidate]:
    """Every (sentence, question) pair whose evidence-weighted score reaches the threshold."""
    out: list[_Candidate] = []
    threshold = model.threshold
    for i, first in firsts.items():
        s = sentences[i]
        if raw[i].max() * _SIGNPOST < threshold:
            continue
        factor = _speaker_factor(s, trusted)
        opener = sentences[first]
        boundary = first == 0 or opener.pause_before >= _PAUSE or (trusted and opener.turn_start)
        if not boundary:
            factor *= _MID_TURN
        if is_follow_up(s):
            factor *= _FOLLOW_UP
        lead = " ".join(x.normalised for x in sentences[first:i + 1])
        revisit = bool(REVISIT_RE.search(lead))
        if revisit or TRANSITION_RE.search(lead):
            factor *= _SIGNPOST
        for q in np.flatnonzero(raw[i] * factor >= threshold):
            out.append(_Candidate(anchor=i, first=first, start=opener.start, q=int(q),
                                  weight=float(raw[i, q] * factor), signposted_revisit=revisit))
    return out


def _choose(candidates: list[_Candidate], threshold: float, min_chapter: float) -> list[_Candidate]:
    """The best set of chapter starts; a question asked twice must earn its second chapter.

    The first pass allows any question any number of times (never twice in a row).
    Then each question keeps its strongest unsignposted occurrence; another occurrence
    stays only when signposted ("coming back to ...") or clearly stronger than the
    threshold, the rest are dropped and the choice is made again.
    """
    pool = list(candidates)
    while True:
        chosen = _best_path(pool, threshold, min_chapter)
        by_q: dict[int, list[_Candidate]] = {}
        for c in chosen:
            by_q.setdefault(c.q, []).append(c)
        drop: set[_Candidate] = set()
        for occurrences in by_q.values():
            if len(occurrences) < 2:
                continue
            plain = [c for c in occurrences if not c.signposted_revisit] or occurrences
            keep = max(plain, key=lambda c: c.weight)
            for c in occurrences:
                if c is not keep and not c.signposted_revisit and c.weight < threshold + _REPEAT_EXTRA:
                    drop.add(c)
        if not drop:
            return chosen
        pool = [c for c in pool if c not in drop]


def _best_path(candidates: list[_Candidate], threshold: float, min_chapter: float) -> list[_Candidate]:
    """Maximum total gain (weight above threshold) of chapter starts.

    Starts closer than ``min_chapter`` cost a penalty that grows as they get closer,
    and closer than half of it are not allowed, so a short answer can still be its own
    chapter when both questions are clear. Consecutive chapters never share a question.
    For the candidates beyond ``min_chapter`` it keeps the best path ending in each of
    two different questions, which is all that rule needs, so the whole is linear
    apart from the few candidates inside the penalty window.
    """
    order = sorted(candidates, key=lambda c: (c.start, -c.weight))
    n = len(order)
    if not n:
        return []
    min_chapter = max(min_chapter, 1e-3)  # two chapters never start at the same time
    best = [0.0] * n
    back: list[int | None] = [None] * n
    top: list[tuple[float, int, int]] = []  # up to two (value, question, index), distinct questions
    hard = min_chapter * _HARD_SHARE
    soft = min_chapter - hard
    far = 0  # candidates before this index are at least min_chapter behind
    near = 0  # candidates before this index are at least ``hard`` behind
    for j, c in enumerate(order):
        while far < j and order[far].start <= c.start - min_chapter:
            top = _merge_top(top, (best[far], order[far].q, far))
            far += 1
        while near < j and order[near].start <= c.start - hard:
            near += 1
        gain = c.weight - threshold + 1e-9  # a candidate at the threshold still counts
        best[j] = gain
        prev = next((t for t in top if t[1] != c.q), None)
        if prev is not None:
            best[j], back[j] = prev[0] + gain, prev[2]
        for k in range(far, near):
            if order[k].q == c.q:
                continue
            short = (min_chapter - (c.start - order[k].start)) / soft
            value = best[k] + gain - _SHORT_PENALTY * short
            if value > best[j]:
                best[j], back[j] = value, k
    j: int | None = max(range(n), key=lambda k: best[k])
    path = []
    while j is not None:
        path.append(order[j])
        j = back[j]
    return path[::-1]


def _merge_top(top: list[tuple[float, int, int]], item: tuple[float, int, int]) -> list[tuple[float, int, int]]:
    """The two best entries with different questions, after adding ``item``."""
    entries = sorted([*top, item], key=lambda t: -t[0])
    out: list[tuple[float, int, int]] = []
    for e in entries:
        if all(e[1] != o[1] for o in out):
            out.append(e)
        if len(out) == 2:
            break
    return out


def _closing(sentences: list[Sentence], raw: np.ndarray, chosen: list[_Candidate], threshold: float,
             trusted: bool, duration: float
             ) -> tuple[list[_Candidate], tuple[float, str, str, float] | None]:
    """Find the interviewer's wrap-up near the end, and the question chapters it ends.

    A wrap-up cue inside a question's lead-in ("Thank you for sharing that. What ...")
    or in a sentence that itself matches a question ("Before we finish, what kept you
    going?") is not a closing, and neither is one followed by a question the interviewer
    asks. Chapters after the closing that no interviewer asked (an interviewee's last
    words happening to match a question) are folded into it.
    """
    window = min(max(_CLOSING_WINDOW[0], _CLOSING_WINDOW[1] * duration), _CLOSING_WINDOW[2], duration / 2)
    in_lead_ins = {k for c in chosen for k in range(c.first, c.anchor + 1)}
    for i, s in enumerate(sentences):
        if s.start < duration - window or i in in_lead_ins:
            continue
        if not (CLOSING_RE.search(s.normalised)
                or (trusted and s.is_interviewer and THANKS_RE.match(s.normalised))):
            continue
        if raw[i].max() >= threshold and is_question_like(s):
            continue
        start = sentences[_lead_in_start(sentences, i, trusted)].start
        later = [sentences[c.anchor] for c in chosen if c.start >= start]
        if any(is_question_like(a) and (a.is_interviewer or not trusted) for a in later):
            continue
        confidence = 0.9 if trusted and s.is_interviewer else 0.7
        return [c for c in chosen if c.start < start], (start, CLOSING, CLOSING_TITLE, confidence)
    return chosen, None


def _confidence(c: _Candidate, raw: np.ndarray, model: Scorer) -> float:
    """How sure the label is, mostly from how far the evidence clears the threshold.

    A fifth comes from how clearly this question beats the next best at the same
    sentence, which catches a wording that could belong to two questions ("what rules
    or red tape ...").
    """
    span = max(model.strong - model.threshold, 1e-6)
    level = min(max((c.weight - model.threshold) / span, 0.0), 1.0)
    row = raw[c.anchor]
    others = np.delete(row, c.q)
    runner_up = float(others.max()) if others.size else 0.0
    margin = min(max((row[c.q] - runner_up) / span, 0.0), 1.0)
    return float(0.8 * level + 0.2 * margin)
