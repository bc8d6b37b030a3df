"""Split a transcript into timed sentences and read the cues a question leaves.

Chapters start at sentence boundaries, so the sentence is the unit everything else
works on. Whisper segments are not sentences: one segment may hold several, and a
sentence may run across two segments, so sentences are rebuilt from the words, their
timings and their punctuation. A chapter that starts at a sentence's first word can
never start in the middle of a word or cut off what was said before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Segment, Transcript, is_interviewer

# A sentence ends at terminal punctuation, possibly followed by a closing quote or bracket.
_END_RE = re.compile(r"(?:[.?!]|\.\.\.|…)[\"'”’)\]]*$")
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "e.g.", "i.e.", "etc.",
                            "vs.", "no.", "approx.", "cllr.", "sr.", "jr."})
# A pause this long inside a segment ends a sentence even without punctuation
# (unpunctuated ASR output, hand-typed transcripts).
SPLIT_PAUSE = 1.5
# Across a segment boundary, a shorter pause is enough.
SEGMENT_PAUSE = 1.0
# Keep sentences bounded when nothing is punctuated, so scoring stays local.
MAX_WORDS = 60
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

_FILLERS = frozenset({"so", "and", "but", "okay", "ok", "well", "right", "now", "um", "uh", "er",
                      "erm", "then", "alright", "great", "yeah", "yes", "thanks", "oh"})
# Interrogative openers. A wh-word alone does not make a question ("What kept us going
# was the families."), so it counts only where the text has no punctuation to say so;
# an auxiliary followed by its subject ("did you", "was there") counts either way.
_WH = frozenset({"what", "what's", "how", "who", "whom", "whose", "why", "when", "where", "which"})
_AUX = frozenset({"did", "do", "does", "was", "were", "is", "are", "can", "could", "would", "will",
                  "have", "has", "had", "should", "might"})
_SUBJECTS = frozenset({"you", "your", "there", "anyone", "anybody", "anything", "people", "others",
                       "it", "they", "we", "that", "this"})
_IMPERATIVES = frozenset({"tell", "talk", "describe", "share", "walk", "explain"})
# Statement-form questions: "I'd like to hear about ...", "let's talk about ...".
_ASKING_RE = re.compile(
    r"\b(?:i'?d like to|i would like to|i want to|i wanted to|let's|let us|can we|could we|"
    r"i'm curious|i am curious|i wonder)\b.{0,30}\b(?:ask|hear|know|talk|turn|move|explore|understand|"
    r"discuss|go|come|look)\b|\btell (?:me|us)\b|\btalk (?:me|us) through\b|\bwalk (?:me|us) through\b")
# The interviewer moving to a new topic.
TRANSITION_RE = re.compile(
    r"\b(?:moving on|move on|next question|my next|another question|turn(?:ing)? to|"
    r"(?:first|second|third|next|last|final) question|switch(?:ing)? to|shift(?:ing)? to|"
    r"(?:move|moving|go|going) on to|onto|let's start|to start (?:with|off)|start(?:ing)? with)\b")
# The interviewer coming back to a question already asked.
REVISIT_RE = re.compile(
    r"\b(?:(?:coming|come|going|go|get|getting|circling|circle|turning|jumping|jump) back to|"
    r"back to (?:the|your|what|that|something)|return(?:ing)? to|revisit(?:ing)?|"
    r"(?:you|we) (?:mentioned|talked about|said) (?:earlier|before)|earlier you (?:mentioned|said)|"
    r"pick(?:ing)? up on|you touched on)\b")
# An acknowledgement that opens an interviewer's turn before the next question.
_ACK_RE = re.compile(
    r"^(?:okay|ok|right|great|lovely|brilliant|wonderful|fantastic|perfect|thanks|thank you|fab|"
    r"fascinating|interesting|excellent|amazing|mm|mhm|sure|i see|got it|"
    r"that's (?:really |so |very )?(?:great|interesting|fascinating|brilliant|amazing|helpful|"
    r"powerful|lovely|wonderful|useful|clear))\b")
_ACK_WORDS = 12

_BACK_REFERENCE_RE = re.compile(r"\b(?:that|this|those|it|them)\b")
# "it all" and "all this" are the whole story ("When did it all go wrong?", "What got
# you through all this?"), not the last answer.
_WHOLE_STORY_RE = re.compile(r"\b(?:(?:it|this|that) all|all (?:of )?(?:this|that|it))\b")
# A signpost opens its sentence ("Coming back to governance ...", "So, moving on, ...");
# further in, the same words are usually something else ("the thing you kept coming
# back to").
_SIGNPOST_WORDS = 6
_FOLLOW_UP_WORDS = 8


@dataclass(frozen=True)
class Sentence:
    """One sentence with its timing, its speaker and the cues that mark a question."""

    start: float  # the first word's start
    end: float  # the last word's end
    text: str
    speaker: str
    n_words: int
    pause_before: float  # silence since the previous sentence ended (from 0.0 for the first)
    turn_start: bool  # the first sentence after a change of speaker

    @property
    def is_interviewer(self) -> bool:
        return is_interviewer(self.speaker)  # interviewer, interviewer-2, ...

    @property
    def normalised(self) -> str:
        return " ".join(_TOKEN_RE.findall(self.text.lower().replace("’", "'")))


def _timed_tokens(segment: Segment) -> list[tuple[str, float, float]]:
    """The segment's tokens with times.

    The words carry the times but the text may have been corrected by a person since,
    so the text's tokens are used with the words' timings when they line up, and
    spread over the segment in proportion to their length when they do not.
    """
    tokens = segment.text.split()
    words = [w for w in segment.words if w.word.strip()]
    if words and len(words) == len(tokens):
        return [(tok, w.start, w.end) for tok, w in zip(tokens, words)]
    if not tokens and words:
        return [(w.word.strip(), w.start, w.end) for w in words]
    start = words[0].start if words else segment.start
    end = max(words[-1].end if words else segment.end, start)
    total = sum(len(t) + 1 for t in tokens) or 1
    out, pos = [], start
    for tok in tokens:
        span = (end - start) * (len(tok) + 1) / total
        out.append((tok, pos, pos + span))
        pos += span
    return out


def _ends_sentence(token: str) -> bool:
    return bool(_END_RE.search(token)) and token.lower() not in _ABBREVIATIONS \
        and not re.fullmatch(r"\d+\.", token)


def split_sentences(transcript: Transcript) -> list[Sentence]:
    """The transcript as timed sentences in time order.

    A sentence ends at terminal punctuation, at a change of speaker, at a long pause,
    at a segment boundary after a shorter pause, or after MAX_WORDS words.
    """
    pieces: list[tuple[str, list[tuple[str, float, float]]]] = []
    current: list[tuple[str, float, float]] = []
    speaker = None

    def flush() -> None:
        nonlocal current
        if current:
            pieces.append((speaker or "", current))
        current = []

    for segment in sorted(transcript.segments, key=lambda s: (s.start, s.end)):
        tokens = _timed_tokens(segment)
        if not tokens:
            continue
        if current and (segment.speaker != speaker
                        or tokens[0][1] - current[-1][2] >= SEGMENT_PAUSE
                        or len(current) >= MAX_WORDS // 2):
            flush()
        speaker = segment.speaker
        for tok in tokens:
            if current and tok[1] - current[-1][2] >= SPLIT_PAUSE:
                flush()
            current.append(tok)
            if _ends_sentence(tok[0]) or len(current) >= MAX_WORDS:
                flush()
    flush()

    sentences: list[Sentence] = []
    prev_end, prev_speaker = 0.0, None
    for who, toks in pieces:
        start, end = toks[0][1], max(t[2] for t in toks)
        sentences.append(Sentence(
            start=start, end=end, text=" ".join(t[0] for t in toks), speaker=who,
            n_words=len(toks), pause_before=max(0.0, start - prev_end),
            turn_start=who != prev_speaker))
        prev_end, prev_speaker = max(prev_end, end), who
    return sentences


def is_question_like(sentence: Sentence) -> bool:
    """Phrased as a question: a question mark, "did you ...", "tell me about ...", or a
    wh-word opening a sentence that does not end in a full stop."""
    text = sentence.text.strip().rstrip("\"'”’)]")
    if text.endswith("?"):
        return True
    words = sentence.normalised.split()
    while words and words[0] in _FILLERS:
        words = words[1:]
    if not words:
        return False
    if words[0] in _AUX and len(words) > 1 and words[1] in _SUBJECTS:
        return True
    if words[0] in _IMPERATIVES or (words[0] in _WH and not _END_RE.search(text)):
        return True
    return bool(_ASKING_RE.search(sentence.normalised))


def is_follow_up(sentence: Sentence) -> bool:
    """A short question about what was just said: "How did that feel?", "Why was that?".

    It points back ("that", "it") instead of naming a topic, which is what tells a
    follow-up from a new question that happens to share a word with it.
    """
    return (sentence.n_words <= _FOLLOW_UP_WORDS
            and bool(_BACK_REFERENCE_RE.search(_WHOLE_STORY_RE.sub(" ", sentence.normalised))))


def signposts(sentence: Sentence) -> tuple[bool, bool]:
    """Whether the sentence opens with a move to a new topic, and with a return to one
    asked before (the second implies the first)."""
    norm = sentence.normalised
    head = len(" ".join(norm.split()[:_SIGNPOST_WORDS]))

    def opens(pattern: re.Pattern[str]) -> bool:
        return any(m.start() < head for m in pattern.finditer(norm))

    revisit = opens(REVISIT_RE)
    return revisit or opens(TRANSITION_RE), revisit


def is_lead_in(sentence: Sentence) -> bool:
    """A short acknowledgement or signpost that belongs with the question after it."""
    norm = sentence.normalised
    if signposts(sentence)[0]:
        return True
    return sentence.n_words <= _ACK_WORDS and bool(_ACK_RE.match(norm))
