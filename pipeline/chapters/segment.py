"""Find where each reflective question is asked and cut the interview into chapters.

Real interviews do not follow the guide: questions are paraphrased, asked in any
order, skipped, or come back later; the interviewer asks short follow-ups that are not
new topics, and the interviewee often repeats the question before answering. So the
stage does not look for the questions one by one. It:

1. splits the transcript into timed sentences (``sentences.py``);
2. scores every sentence against every question (a :class:`~.scorers.Scorer`);
3. weighs each score by the evidence that a *new question is being asked there*: the
   interviewer is speaking (with trusted speaker labels, only an interviewer opens a
   chapter, unless the interviewee restates the question just asked), it is phrased as a
   question (a one-word turn such as "Paperwork?" counts, whatever punctuation speech
   recognition gave it), it opens a turn or follows a pause, it comes after one answer
   and is answered at length, a signpost ("moving on", "coming back to") opens it;
4. lets the interviewee's answer settle which question was asked where the wording fits
   two almost equally well ("How did you get them on your side?": relationships or
   engagement), since an answer about trust and an answer about persuasion differ; a
   label weaker than the sentence's best reading is then discounted by the difference;
5. moves each possible start back to where the asker began speaking (the start of the
   interviewer's turn, or the interviewer's question an interviewee is repeating);
6. chooses the set of starts with the greatest total evidence by dynamic programming,
   with a minimum chapter length and no constraint on order or coverage; a question
   asked twice must be signposted or clearly worded to count twice, and a question the
   interviewer asks again in other words soon after (the interviewee did not follow, or
   a follow-up names the topic again) starts its chapter at the first asking;
7. adds an introduction before the first question and a closing when the interviewer
   wraps up near the end.

The work grows about linearly with the length of the transcript: an hour of speech
takes a fraction of a second with the lexical scorer. Sentences that could not start a
chapter whatever they scored (with trusted speaker labels, everything the interviewee says
but a restated question) are never scored, which is most of the text and most of a semantic scorer's time; the only
other text scored is the first words of the answers to the few questions whose wording
fits two questions almost equally well.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass

import numpy as np

from ..models import Chapter, Transcript
from .questions import CLOSING, INTRO, QuestionSet
from .scorers import Scorer, make_scorer
from .sentences import Sentence, is_follow_up, is_lead_in, is_question_like, signposts, split_sentences

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
# The same question asked again this soon, with no other chapter between, is a
# restatement: its chapter starts at the first asking.
_RESTATE_WINDOW = 30.0
# A label scoring below the sentence's best match loses this much weight per unit of
# the difference, so that a sentence is not split between two of its readings.
_RUNNER_UP = 1.0
# An interviewer's question that opens a turn after the other speaker's answer and is
# answered at length is more likely a new question than one that is not, by this factor.
_ANSWERED = 1.2
_ANSWERED_AFTER = 5.0  # seconds of the other speaker before the question
_ANSWERED_BY = 8.0  # seconds of answer after it
# A whole interviewer turn this short, answered by the other speaker, is a question
# ("Paperwork?", "Any regrets?") even where speech recognition ended it with a full stop.
_SHORT_QUESTION_WORDS = 4
# The start of the answer: at most this many sentences and words.
_ANSWER_SENTENCES = 2
_ANSWER_WORDS = 24
# Labels within this of a sentence's best score are near-ties, which the answer breaks,
# counting this much against the wording's own score.
_NEAR = 0.1
_ANSWER_WEIGHT = 0.5
# Wrap-up cues, looked for only near the end.
CLOSING_RE = re.compile(
    r"\bthank(?:s| you)(?: (?:so|very) much)?(?: again)? for (?:your time|talking|speaking|joining|"
    r"sharing|coming|taking part|doing this|being|having|giving|all)|"
    r"\bthat's (?:all|everything) (?:we have|i have|for today|from me)|"
    r"\b(?:before|as) we (?:finish|close|wrap|end|stop)|\bto (?:wrap|finish|close|round) (?:up|off|things)|"
    r"\bwe(?:'re| are) (?:out of|running out of|nearly out of) time|\bcom(?:e|ing) to (?:an|the) end|"
    r"\banything (?:else )?you(?:'d| would)? (?:like|want) to (?:add|say|share|mention)|"
    r"\bwe(?:'re| are) (?:nearly|almost) (?:done|finished|out of time)|"
    r"\bany (?:final|last|closing) (?:thoughts|words|reflections|comments)|"
    r"\b(?:we'll|let's|we will|let us|we) (?:stop|leave it|end|finish|wrap (?:it )?up) (?:there|here)|"
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
    best_q: int = -1  # the sentence's best-scoring question
    plain: float = 0.0  # the weight without the runner-up discount (see _candidates)

    def weight_after(self, prev_q: int | None) -> float:
        """The weight when the chapter before is about ``prev_q``: a runner-up reading is
        not discounted after a chapter about the sentence's best reading, since a question
        that touches the topic just discussed may still be asking something new."""
        return max(self.weight, self.plain) if prev_q == self.best_q else self.weight


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
    asked = [_asked(sentences, i, trusted) for i in range(len(sentences))]
    raw, firsts = _score(sentences, len(questions), model, trusted, asked)

    candidates = _candidates(sentences, raw, firsts, model, trusted, asked)
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


def _asked(sentences: list[Sentence], i: int, trusted: bool) -> bool:
    """Whether sentence ``i`` is put as a question: by its wording, or, with trusted
    labels, by being a whole short interviewer turn that the other speaker answers."""
    s = sentences[i]
    if is_question_like(s):
        return True
    if not (trusted and s.is_interviewer and s.turn_start and s.n_words <= _SHORT_QUESTION_WORDS):
        return False
    nxt = sentences[i + 1] if i + 1 < len(sentences) else None
    return nxt is not None and nxt.speaker != s.speaker and not is_lead_in(s)


def _speaker_factor(sentence: Sentence, trusted: bool, asked: bool) -> float:
    """The weight of who speaks and how: the interviewer asking weighs most."""
    if trusted:
        if not (sentence.is_interviewer or asked):
            return _ANSWER
        return (1.0 if sentence.is_interviewer else _INTERVIEWEE) * (1.0 if asked else _STATEMENT)
    # Without trusted labels, only question-phrased sentences can open a chapter.
    return 1.0 if asked else 0.0


def _score(sentences: list[Sentence], n_questions: int, model: Scorer,
           trusted: bool, asked: list[bool]) -> tuple[np.ndarray, dict[int, int]]:
    """Scores of the sentences that could start a chapter, and where each one's lead-in starts.

    A sentence whose speaker factor keeps it under the threshold even at a perfect score
    is left at zero. With trusted labels, so is one whose chapter would not start at an
    interviewer's words (any interviewer: ``interviewer``, ``interviewer-2``, ...): an
    interviewee's question opens a chapter only by restating the question the interviewer
    has just asked (its start then moves back to the asking, see :func:`_lead_in_start`);
    a passage of an answer may relabel a chapter (:func:`_answer_decides`) but never starts
    one, however well it matches a question. A sentence with a lead-in before it is also scored together with
    that lead-in, and the mean of the two scores counts where it is the higher.
    """
    raw = np.zeros((len(sentences), n_questions))
    factors = np.array([_speaker_factor(s, trusted, a) for s, a in zip(sentences, asked)])
    scored = [int(i) for i in np.flatnonzero(factors * _SIGNPOST >= model.threshold)]
    if not scored:
        return raw, {}
    firsts = {i: _lead_in_start(sentences, i, trusted) for i in scored}
    if trusted:  # only the interviewer opens a chapter (an interviewee by restating their question)
        firsts = {i: first for i, first in firsts.items() if sentences[first].is_interviewer}
        scored = list(firsts)
        if not scored:
            return raw, {}
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


def _answer(sentences: list[Sentence], i: int, trusted: bool) -> str:
    """The start of the answer to the question in sentence ``i``: the next few sentences
    of the other speaker (with trusted labels), or simply the next few sentences."""
    words: list[str] = []
    k = i + 1
    if trusted:  # the rest of the asker's turn is not the answer
        while k < len(sentences) and sentences[k].speaker == sentences[i].speaker:
            k += 1
    for s in sentences[k:k + _ANSWER_SENTENCES]:
        if len(words) >= _ANSWER_WORDS or (trusted and s.speaker == sentences[i].speaker):
            break  # enough, or the asker speaks again: the answer is over
        words += s.text.split()
    return " ".join(words[:_ANSWER_WORDS])


def _answer_decides(sentences: list[Sentence], raw: np.ndarray, rows: list[int], model: Scorer,
                    trusted: bool) -> None:
    """Break near-ties between a sentence's readings with the answer that follows it.

    Among the questions scoring within ``_NEAR`` of the sentence's best, the one with the
    highest wording score plus ``_ANSWER_WEIGHT`` times its answer score takes the best
    score, and the former best takes its place. Only labels swap: the answer never makes a
    sentence more (or less) of a question than its own wording does.
    """
    ties = [i for i in rows if np.count_nonzero(raw[i] >= raw[i].max() - _NEAR) > 1]
    answers = {i: _answer(sentences, i, trusted) for i in ties}
    ties = [i for i in ties if answers[i]]
    if not ties:
        return
    scores = np.asarray(model.score([answers[i] for i in ties]), dtype=float)
    for i, ans in zip(ties, scores):
        row = raw[i]
        near = np.flatnonzero(row >= row.max() - _NEAR)
        best = int(row.argmax())
        pick = int(near[np.argmax(row[near] + _ANSWER_WEIGHT * ans[near])])
        if pick != best:
            row[best], row[pick] = row[pick], row[best]


def _candidates(sentences: list[Sentence], raw: np.ndarray, firsts: dict[int, int], model: Scorer,
                trusted: bool, asked: list[bool]) -> list[_Candidate]:
    """Every (sentence, question) pair whose evidence-weighted score reaches the threshold.

    Where a sentence that reaches it fits two questions almost equally well, the start
    of the answer after it decides between them first (``_answer_decides``). Then a
    label's score is lowered by ``_RUNNER_UP`` times its shortfall from the sentence's
    best label: a runner-up stays available (the best may be the question of the
    chapter already running, see :meth:`_Candidate.weight_after`), but a clear best is
    not split off into a second, weaker chapter.
    """
    out: list[_Candidate] = []
    threshold = model.threshold
    weighed: dict[int, tuple[float, bool]] = {}  # sentence -> (evidence factor, signposted revisit)
    for i, first in firsts.items():
        if raw[i].max() * _SIGNPOST * _ANSWERED < threshold:
            continue
        weighed[i] = _evidence_factor(sentences, i, first, trusted, asked)
        if raw[i].max() * weighed[i][0] < threshold:
            del weighed[i]
    _answer_decides(sentences, raw, list(weighed), model, trusted)
    for i, (factor, revisit) in weighed.items():
        top = raw[i].max()
        evidence = raw[i] - _RUNNER_UP * (top - raw[i])
        best_q = int(raw[i].argmax())
        start = sentences[firsts[i]].start
        for q in np.flatnonzero(raw[i] * factor >= threshold):
            out.append(_Candidate(anchor=i, first=firsts[i], start=start, q=int(q),
                                  weight=float(evidence[q] * factor), signposted_revisit=revisit,
                                  best_q=best_q, plain=float(raw[i, q] * factor)))
    return out


def _evidence_factor(sentences: list[Sentence], i: int, first: int, trusted: bool,
                     asked: list[bool]) -> tuple[float, bool]:
    """How much sentence ``i`` (with its lead-in from ``first``) looks like a new question
    being asked, as a factor on its score; and whether it is signposted as a revisit."""
    s = sentences[i]
    factor = _speaker_factor(s, trusted, asked[i])
    opener = sentences[first]
    boundary = first == 0 or opener.pause_before >= _PAUSE or (trusted and opener.turn_start)
    if not boundary:
        factor *= _MID_TURN
    if is_follow_up(s) and all(is_lead_in(x) for x in sentences[first:i]):
        # (after a set-up in the same turn, "them" is what the set-up named)
        factor *= _FOLLOW_UP
    elif trusted and asked[i] and s.is_interviewer and _answered(sentences, first, i):
        factor *= _ANSWERED
    marks = [signposts(x) for x in sentences[first:i + 1]]
    if any(t for t, _ in marks):
        factor *= _SIGNPOST
    return factor, any(r for _, r in marks)


def _answered(sentences: list[Sentence], first: int, i: int) -> bool:
    """Whether the turn from ``first`` to question ``i`` comes after the other speaker has
    spoken for ``_ANSWERED_AFTER`` seconds and is answered for ``_ANSWERED_BY`` seconds."""
    asker = sentences[i].speaker
    k = first
    while k > 0 and sentences[k - 1].speaker != asker:
        k -= 1
    if k == first or sentences[first - 1].end - sentences[k].start < _ANSWERED_AFTER:
        return False
    j = i + 1
    while j < len(sentences) and sentences[j].speaker == asker:
        j += 1  # the rest of the asker's turn
    end = j
    while end < len(sentences) and sentences[end].speaker != asker:
        end += 1
    return end > j and sentences[end - 1].end - sentences[j].start >= _ANSWERED_BY


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
            return _effective(_restatements(chosen, pool, min_chapter))
        pool = [c for c in pool if c not in drop]


def _restatements(chosen: list[_Candidate], pool: list[_Candidate], min_chapter: float) -> list[_Candidate]:
    """Start each chapter where its question was first asked, when it was asked twice.

    An interviewer whose question was not followed asks it again in other words, and a
    follow-up may name the topic more plainly than the question did; the second asking
    then often scores higher, but the chapter began at the first. So within
    ``_RESTATE_WINDOW`` before a chapter that is not a signposted revisit:

    * an earlier candidate for the same question, leaving the chapter before at least
      ``min_chapter`` long, moves the start back to it;
    * a chapter just before it whose sentence reads best as this chapter's question (it
      was chosen for its runner-up reading) is taken to be the first asking: the two
      become one chapter, starting there.
    """
    by_key = {(c.anchor, c.q): c for c in pool}
    out: list[_Candidate] = []
    for c in chosen:
        if not c.signposted_revisit and out:
            prev = out[-1]
            if (prev.q != prev.best_q and prev.best_q == c.q and c.start - prev.start <= _RESTATE_WINDOW
                    and (prev.anchor, c.q) in by_key):
                first = by_key[(prev.anchor, c.q)]
                out[-1] = dataclasses.replace(first, weight=max(c.weight, first.weight),
                                              plain=max(c.plain, first.plain), signposted_revisit=False)
                continue
        floor = out[-1].start + min_chapter if out else 0.0
        earlier = [e for e in pool if e.q == c.q and floor <= e.start < c.start
                   and c.start - e.start <= _RESTATE_WINDOW]
        if earlier and not c.signposted_revisit:
            first = min(earlier, key=lambda e: e.start)
            c = dataclasses.replace(first, weight=max(c.weight, first.weight), plain=max(c.plain, first.plain),
                                    signposted_revisit=False)
        out.append(c)
    return out


def _best_path(candidates: list[_Candidate], threshold: float, min_chapter: float) -> list[_Candidate]:
    """Maximum total gain (weight above threshold) of chapter starts.

    Starts closer than ``min_chapter`` cost a penalty that grows as they get closer,
    and closer than half of it are not allowed, so a short answer can still be its own
    chapter when both questions are clear. Consecutive chapters never share a question,
    and a candidate's weight may depend on the question before it
    (:meth:`_Candidate.weight_after`). For the candidates beyond ``min_chapter`` it keeps
    the best path ending in each question, which is all those rules need, so the whole
    is linear apart from the few candidates inside the penalty window.
    """
    order = sorted(candidates, key=lambda c: (c.start, -c.weight))
    n = len(order)
    if not n:
        return []
    min_chapter = max(min_chapter, 1e-3)  # two chapters never start at the same time
    best = [0.0] * n
    back: list[int | None] = [None] * n
    top: dict[int, tuple[float, int]] = {}  # question -> (best value, index) of a path ending in it
    hard = min_chapter * _HARD_SHARE
    soft = min_chapter - hard
    far = 0  # candidates before this index are at least min_chapter behind
    near = 0  # candidates before this index are at least ``hard`` behind
    for j, c in enumerate(order):
        while far < j and order[far].start <= c.start - min_chapter:
            q = order[far].q
            if q not in top or best[far] > top[q][0]:
                top[q] = (best[far], far)
            far += 1
        while near < j and order[near].start <= c.start - hard:
            near += 1
        best[j] = c.weight_after(None) - threshold + 1e-9  # a candidate at the threshold still counts
        for q, (value, k) in top.items():
            if q != c.q and value + c.weight_after(q) - threshold + 1e-9 > best[j]:
                best[j], back[j] = value + c.weight_after(q) - threshold + 1e-9, k
        for k in range(far, near):
            if order[k].q == c.q:
                continue
            short = (min_chapter - (c.start - order[k].start)) / soft
            value = best[k] + c.weight_after(order[k].q) - threshold + 1e-9 - _SHORT_PENALTY * short
            if value > best[j]:
                best[j], back[j] = value, k
    j: int | None = max(range(n), key=lambda k: best[k])
    path = []
    while j is not None:
        path.append(order[j])
        j = back[j]
    return path[::-1]


def _effective(chosen: list[_Candidate]) -> list[_Candidate]:
    """The chosen starts with the weight each had after the chapter before it."""
    out: list[_Candidate] = []
    for c in chosen:
        weight = c.weight_after(out[-1].q if out else None)
        out.append(c if weight == c.weight else dataclasses.replace(c, weight=weight))
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
