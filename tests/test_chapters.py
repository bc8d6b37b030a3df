"""Chaptering: question sets, sentence splitting, finding questions, P2.0 chapters.

Transcripts are built in code with word timings like Whisper's (about 0.35 s a word,
short pauses between sentences, longer between turns). The questions are asked in
paraphrase, never in the question file's own wording, so the tests exercise matching
rather than string equality.

These tests pin the segmentation with the lexical scorer, which needs no model and is
what an install without the semantic extra uses; ``test_semantic.py`` runs the same
scenarios with the sentence-embedding scorer.
"""

from __future__ import annotations

import logging
import pickle
import time
from dataclasses import dataclass

import numpy as np
import pytest

from pipeline.chapters import (LOW_CONFIDENCE, QuestionSet, chapter_anchor, chapter_transcript,
                               load_questions, to_p20_chapters)
from pipeline.chapters.sentences import is_follow_up, signposts, split_sentences
from pipeline.errors import ConfigError, UsageError
from pipeline.models import INTERVIEWEE, INTERVIEWER, Chapter, Segment, Transcript, Word

DEFAULT_IDS = ("relationships", "confidence", "rules", "bureaucracy", "setbacks", "reactions",
               "thinking", "methods", "engagement", "governance", "resilience")

ANSWER = ("We started with a small team of four people. At first nobody was sure it would work. "
          "The council was under a lot of pressure at the time. We spent a lot of time listening "
          "to residents and their families. Looking back, it was the right call for everyone.")


# ---------------------------------------------------------------- building transcripts


@dataclass
class Line:
    """One turn of a scripted interview; ``mark`` names the turn whose start a test checks."""

    speaker: str
    text: str
    mark: str | None = None


def asked(text: str, mark: str | None = None) -> Line:
    return Line(INTERVIEWER, text, mark)


def answer(text: str = ANSWER, mark: str | None = None) -> Line:
    return Line(INTERVIEWEE, text, mark)


def build(lines: list[Line], *, lead_silence: float = 2.0, turn_gap: float = 0.9,
          words_per_segment: int = 18, tail: float = 1.5) -> tuple[Transcript, dict[str, list[float]]]:
    """A transcript with Whisper-like segments and word timings, and each mark's start time."""
    segments: list[Segment] = []
    marks: dict[str, list[float]] = {}
    t = lead_silence
    for line in lines:
        if line.mark:
            marks.setdefault(line.mark, []).append(round(t, 3))
        words = line.text.split()
        for k in range(0, len(words), words_per_segment):
            timed = []
            for w in words[k:k + words_per_segment]:
                length = 0.22 + 0.025 * len(w)
                timed.append(Word(start=round(t, 3), end=round(t + length, 3), word=" " + w))
                t += length + (0.4 if w[-1] in ".?!" else 0.05)
            segments.append(Segment(start=timed[0].start, end=timed[-1].end,
                                    text=" " + " ".join(words[k:k + words_per_segment]),
                                    speaker=line.speaker, words=tuple(timed)))
        t += turn_gap
    transcript = Transcript(language="en", engine="test", model="test", duration=round(t + tail, 3),
                            segments=tuple(segments))
    return transcript, marks


@pytest.fixture(scope="module")
def questions() -> QuestionSet:
    return load_questions(None)


def chapter(transcript: Transcript, questions: QuestionSet, **kwargs) -> tuple[Chapter, ...]:
    """Chapters from the lexical scorer unless a test names another."""
    return chapter_transcript(transcript, questions, **{"scorer": "lexical", **kwargs})


def question_ids(chapters: tuple[Chapter, ...]) -> list[str]:
    return [c.question for c in chapters]


def assert_tiles(chapters: tuple[Chapter, ...], transcript: Transcript) -> None:
    assert chapters[0].start == 0.0
    for a, b in zip(chapters, chapters[1:]):
        assert a.end == b.start
        assert a.start < a.end
    assert chapters[-1].end == pytest.approx(transcript.duration)


def assert_starts_on_sentence_boundaries(chapters: tuple[Chapter, ...], transcript: Transcript) -> None:
    """Every start after 0.0 is a word's start and leaves the word before it whole."""
    words = [w for s in transcript.segments for w in s.words]
    starts = {w.start for w in words}
    for ch in chapters[1:]:
        assert ch.start in starts
        before = [w.end for w in words if w.start < ch.start]
        assert not before or max(before) <= ch.start


# ---------------------------------------------------------------- the question set


def test_default_question_set_has_the_eleven_questions(questions):
    assert questions.ids == DEFAULT_IDS
    for q in questions:
        assert q.title and q.question.endswith("?")
        assert 15 <= len(q.phrasings) <= 30
        assert len(set(q.phrasings)) == len(q.phrasings)
        # a terse wording, for interviewers who ask "Governance?"
        assert any(len(p.split()) <= 3 for p in q.phrasings), q.id
    assert questions.by_id["rules"].question == "What rules did you have to break?"
    assert len(questions.fingerprint) == 64
    assert load_questions(None).fingerprint == questions.fingerprint
    copy = pickle.loads(pickle.dumps(questions))  # builds hand it to worker processes
    assert copy == questions and copy.by_id["rules"] == questions.by_id["rules"]


QUESTION_FILE = '''\
[[question]]
id = "rules"
title = "Rules"
question = "What rules did you have to break?"
phrasings = ["Which rules did you bend?"]
'''


def test_fingerprint_follows_wording_not_comments(tmp_path):
    path = tmp_path / "q.toml"
    path.write_text(QUESTION_FILE, encoding="utf-8")
    first = load_questions(path)
    path.write_text("# a comment\n" + QUESTION_FILE, encoding="utf-8")
    assert load_questions(path).fingerprint == first.fingerprint
    path.write_text(QUESTION_FILE.replace("bend", "break"), encoding="utf-8")
    assert load_questions(path).fingerprint != first.fingerprint


def test_duplicate_id_is_a_config_error_naming_the_file(tmp_path):
    path = tmp_path / "questions.toml"
    path.write_text(QUESTION_FILE + QUESTION_FILE, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_questions(path)
    assert info.value.path == path
    assert any('duplicate id "rules"' in p for p in info.value.problems)
    assert str(path) in info.value.one_line()


def test_every_problem_in_a_question_file_is_reported(tmp_path):
    path = tmp_path / "questions.toml"
    path.write_text('''\
[[question]]
id = "intro"
title = "Hello"
question = "Who are you?"

[[question]]
id = "Bad Id"
question = 42
phrasings = "not a list"
colour = "blue"
''', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_questions(path)
    text = " | ".join(info.value.problems)
    assert "reserved" in text  # "intro" clashes with the chapter Learncast adds
    assert 'got "Bad Id"' in text
    assert 'key "question": expected a string, got a number' in text
    assert 'missing key "title"' in text
    assert "expected a list of strings" in text
    assert 'unknown key "colour"' in text
    assert len(info.value.problems) >= 6


def test_a_file_without_questions_is_a_config_error(tmp_path):
    path = tmp_path / "questions.toml"
    path.write_text('title = "nothing"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_questions(path)
    assert any("[[question]]" in p for p in info.value.problems)


# ---------------------------------------------------------------- sentences


def test_sentences_split_inside_segments_and_join_across_them():
    transcript, _ = build([asked("Thank you. What rules did you have to break?"),
                           answer("We broke the rule about referrals. It took a year.")],
                          words_per_segment=4)
    sentences = split_sentences(transcript)
    assert [s.text for s in sentences] == [
        "Thank you.", "What rules did you have to break?",
        "We broke the rule about referrals.", "It took a year."]
    words = [w for seg in transcript.segments for w in seg.words]
    assert sentences[1].start == words[2].start  # "What", inside the first segment
    assert sentences[1].end == words[8].end  # "break?", in the second segment
    assert [s.turn_start for s in sentences] == [True, False, True, False]
    assert sentences[2].speaker == INTERVIEWEE


def test_corrected_text_keeps_times_inside_its_segment():
    """A person fixed the text, so its words no longer line up with the word timings."""
    seg = Segment(start=10.0, end=14.0, text="We broke the referral rule. Then it worked.",
                  speaker=INTERVIEWEE,
                  words=(Word(10.0, 11.0, " We"), Word(11.0, 14.0, " brokethe")))
    transcript = Transcript(language="en", engine="t", model="t", duration=15.0, segments=(seg,))
    first, second = split_sentences(transcript)
    assert first.start == 10.0 and second.end == pytest.approx(14.0)
    assert 10.0 < second.start < 14.0


def test_follow_ups_and_signposts_are_told_from_look_alikes():
    transcript, _ = build([asked("How did that feel? What got you through all this? When did it all go wrong? "
                                 "Coming back to governance, was it a help? What was the idea you kept coming "
                                 "back to? So moving on, what methods did you use? I'd like to go back to "
                                 "something you said about the board.")])
    sentences = split_sentences(transcript)
    assert [is_follow_up(s) for s in sentences[:3]] == [True, False, False]
    assert [signposts(s) for s in sentences[3:]] == [(True, True), (False, False), (True, False), (True, True)]


# ---------------------------------------------------------------- finding questions


def test_paraphrased_questions_out_of_order_with_skips(questions):
    transcript, marks = build([
        asked("Welcome, and thanks for joining us today."),
        answer("Thanks for having me. I lead the community team at the council."),
        asked("Let's begin. What governance was in place, and did it help or hinder?", "governance"),
        answer(),
        asked("Thank you. Were there any rules you had to break?", "rules"),
        answer(),
        asked("That's really interesting. Who did you need to have on your side, and how did you "
              "get them to trust you?", "relationships"),
        answer(),
        asked("What kept you going when things got really tough?", "resilience"),
        answer(),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "governance", "rules", "relationships", "resilience"]
    for ch in chapters[1:]:
        assert ch.start == marks[ch.question][0]
        assert ch.title == questions.by_id[ch.question].title
        assert 0.0 <= ch.confidence <= 1.0
    assert chapters[0].title == "Introduction"
    assert_tiles(chapters, transcript)
    assert_starts_on_sentence_boundaries(chapters, transcript)


def test_follow_up_questions_do_not_start_chapters(questions):
    transcript, marks = build([
        asked("Did you end up bending the rules at all?", "rules"),
        answer(),
        asked("What did you learn from that?"),
        answer(),
        asked("How did that feel?"),
        answer(),
        asked("Can you give an example?"),
        answer(),
        asked("Okay. How did you deal with all the red tape?", "bureaucracy"),
        answer(),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "rules", "bureaucracy"]
    assert [c.start for c in chapters[1:]] == [marks["rules"][0], marks["bureaucracy"][0]]
    assert_tiles(chapters, transcript)


def test_interviewee_restating_the_question_is_not_a_chapter(questions):
    transcript, marks = build([
        asked("I'd like to start with methods. Which frameworks did you draw on?", "methods"),
        answer("What methods, models or theories did we draw on? Well, mostly systems thinking. " + ANSWER),
        asked("What principles were you guided by?", "thinking"),
        answer("What was guiding my thinking? Fairness, mainly. " + ANSWER),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "methods", "thinking"]
    assert chapters[1].start == marks["methods"][0]
    assert chapters[2].start == marks["thinking"][0]


def test_a_question_revisited_later_gets_a_second_chapter(questions):
    transcript, marks = build([
        asked("How did the boards and oversight structures affect things?", "governance"),
        answer(),
        asked("When it went wrong, how did people around you respond?", "reactions"),
        answer(),
        asked("Coming back to governance for a moment. Did the governance help or hinder you?", "governance"),
        answer(),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "governance", "reactions", "governance"]
    assert [chapters[1].start, chapters[3].start] == marks["governance"]
    anchors = [chapter_anchor(i, c) for i, c in enumerate(chapters)]
    assert len(set(anchors)) == len(anchors)


def test_chatter_and_silence_before_the_start_are_the_introduction(questions):
    transcript, marks = build([
        asked("Is the recording working? Can you hear me okay?"),
        answer("Yes, I can hear you fine."),
        asked("Great, let me just check the levels."),
        answer("Sure, testing one two three."),
        asked("Lovely. So, first question. Where did you find the courage to challenge how things "
              "were done?", "confidence"),
        answer(),
    ], lead_silence=25.0)
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "confidence"]
    assert chapters[0].end == chapters[1].start == marks["confidence"][0]


def test_closing_is_detected_near_the_end(questions):
    transcript, marks = build([
        asked("How did you get people on board with the change?", "engagement"),
        answer(),
        asked("Before we finish, is there anything else you'd like to add?", "closing"),
        answer("No, I think we covered it. Thank you for having me."),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "engagement", "closing"]
    assert chapters[-1].start == marks["closing"][0]
    assert chapters[-1].title == "Closing"
    assert_tiles(chapters, transcript)


def test_no_closing_without_a_wrap_up(questions):
    transcript, _ = build([
        asked("Thank you for coming in today."),
        answer("Happy to be here."),
        asked("How did you get people on board with the change?"),
        answer(),
    ])
    assert question_ids(chapter(transcript, questions)) == ["intro", "engagement"]


def test_questions_are_found_when_speaker_labels_fail(questions):
    """Diarisation put everyone down as the interviewee; question wording still shows the way."""
    lines = [
        asked("Did you use any particular models or theories?", "methods"),
        answer("We built really strong relationships with the GP practices, and trust came from "
               "turning up every week. " + ANSWER),
        asked("Thanks. How did you deal with all the red tape?", "bureaucracy"),
        answer(),
    ]
    transcript, marks = build([Line(INTERVIEWEE, line.text, line.mark) for line in lines])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "methods", "bureaucracy"]
    assert [c.start for c in chapters[1:]] == [marks["methods"][0], marks["bureaucracy"][0]]


def test_a_monologue_without_questions_is_one_introduction(questions):
    transcript, _ = build([answer(
        "I want to share how our team changed the service. The relationships we built with GP "
        "practices mattered most, and trust came slowly. We broke a few rules and cut through a "
        "lot of bureaucracy. The governance board was supportive. Some things went wrong and we "
        "learned from them. What kept us resilient was the families we worked with. " + ANSWER)])
    chapters = chapter(transcript, questions)
    assert chapters == (Chapter(0.0, transcript.duration, "intro", "Introduction", 1.0),)


def test_an_empty_transcript_is_one_introduction(questions):
    transcript = Transcript(language="en", engine="t", model="t", duration=12.5, segments=())
    assert question_ids(chapter(transcript, questions)) == ["intro"]


def test_a_question_at_the_very_start_has_no_introduction(questions):
    transcript, _ = build([asked("Were there any rules you had to break?"), answer()], lead_silence=0.0)
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["rules"]
    assert_tiles(chapters, transcript)


def test_a_question_set_up_by_a_preamble_starts_where_the_interviewer_began(questions):
    transcript, marks = build([
        asked("How did you deal with all the red tape?", "bureaucracy"),
        answer(),
        asked("That's a brave thing to admit. A lot of managers in your position would have "
              "kept quiet and waited for the storm to pass, and nobody would have blamed them. "
              "Where did you find the courage to challenge how things were done?", "confidence"),
        answer(),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "bureaucracy", "confidence"]
    assert chapters[2].start == marks["confidence"][0]


def test_a_bare_thank_you_from_the_interviewer_closes(questions):
    transcript, marks = build([
        asked("Were there any rules you had to break?", "rules"),
        answer(),
        asked("What a lovely place to stop. Thank you, Priya.", "closing"),
        answer("Thanks for having me."),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "rules", "closing"]
    assert chapters[-1].start == marks["closing"][0]


def test_a_thank_you_before_the_next_question_is_not_a_closing(questions):
    transcript, marks = build([
        asked("Were there any rules you had to break?", "rules"),
        answer(),
        asked("Thank you, Priya. How did you deal with all the red tape?", "bureaucracy"),
        answer(),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "rules", "bureaucracy"]
    assert chapters[-1].start == marks["bureaucracy"][0]


class RecordingScorer:
    """The lexical scorer, remembering which texts it was asked to score."""

    def __init__(self, questions: QuestionSet):
        from pipeline.chapters.lexical import LexicalScorer

        self.inner = LexicalScorer(questions)
        self.threshold, self.strong = self.inner.threshold, self.inner.strong
        self.seen: list[str] = []

    def score(self, sentences: list[str]) -> np.ndarray:
        self.seen += sentences
        return self.inner.score(sentences)


def test_answers_are_not_scored_when_speaker_labels_are_trusted(questions):
    """Most of an interview is answers; a costly scorer never sees them."""
    transcript, _ = build([asked("Were there any rules you had to break?", "rules"),
                           answer("We broke the referral rule. It took a year. Did it help? Yes.")])
    scorer = RecordingScorer(questions)
    chapters = chapter(transcript, questions, scorer=scorer)
    assert question_ids(chapters) == ["intro", "rules"]
    assert "Were there any rules you had to break?" in scorer.seen
    # an interviewee's question in the middle of the answer restates nothing: it cannot open a chapter
    assert "Did it help?" not in scorer.seen
    assert not {"We broke the referral rule.", "It took a year.", "Yes."} & set(scorer.seen)


def test_an_interviewee_restating_the_question_is_scored_and_the_chapter_is_the_interviewer_s(questions):
    transcript, marks = build([
        asked("Next one. Which frameworks did you draw on?", "methods"),
        answer("What methods, models or theories did we draw on? Well, mostly systems thinking. " + ANSWER)])
    scorer = RecordingScorer(questions)
    chapters = chapter(transcript, questions, scorer=scorer)
    assert "What methods, models or theories did we draw on?" in scorer.seen
    assert question_ids(chapters) == ["intro", "methods"] and chapters[1].start == marks["methods"][0]


def test_only_the_interviewer_opens_a_chapter(questions):
    """A passage of an answer about what guided the interviewee, in the question's own words,
    starts no chapter; the interviewer's next question does (issue #18)."""
    transcript, marks = build([
        asked("Were there any rules you had to break along the way?", "rules"),
        answer(ANSWER),
        answer("And what was guiding my thinking, what principles or values guided me? "
               "Fairness, mainly, and the values we agreed at the start. " + ANSWER),
        asked("Which frameworks, models or theories did you draw on?", "methods"),
        answer(),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "rules", "methods"]
    assert [c.start for c in chapters[1:]] == [marks["rules"][0], marks["methods"][0]]


def test_a_second_interviewer_opens_chapters_too(questions):
    transcript, marks = build([
        asked("Were there any rules you had to break along the way?", "rules"),
        answer(),
        Line("interviewer-2", "When it went wrong, how did people around you respond?", "reactions"),
        answer(),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "rules", "reactions"]
    assert chapters[2].start == marks["reactions"][0]


# ---------------------------------------------------------------- scorers and confidence


class KeywordScorer:
    """A stand-in for another scorer: 0.35 for a sentence naming the question id."""

    threshold = 0.3
    strong = 0.8

    def __init__(self, questions: QuestionSet):
        self.ids = questions.ids

    def score(self, sentences: list[str]) -> np.ndarray:
        return np.array([[0.35 if qid in s.lower() else 0.0 for qid in self.ids] for s in sentences])


def test_a_plugged_in_scorer_is_used_and_weak_chapters_are_flagged(questions, caplog):
    transcript, marks = build([asked("Tell me about governance.", "governance"), answer()])
    with caplog.at_level(logging.INFO, logger="pipeline.chapters"):
        chapters = chapter(transcript, questions, scorer=KeywordScorer(questions))
    assert question_ids(chapters) == ["intro", "governance"]
    assert chapters[1].start == marks["governance"][0]
    assert chapters[1].confidence < LOW_CONFIDENCE
    assert any("low confidence" in r.getMessage() and "Governance" in r.getMessage()
               for r in caplog.records)


class WordScorer:
    """A stand-in scorer: each question scores what its listed words say, so a test
    can make two questions fit a sentence equally well."""

    threshold = 0.3
    strong = 0.8

    def __init__(self, questions: QuestionSet, words: dict[str, dict[str, float]]):
        self.ids = questions.ids
        self.words = words  # word -> {question id: score}

    def score(self, sentences: list[str]) -> np.ndarray:
        out = np.zeros((len(sentences), len(self.ids)))
        for r, text in enumerate(sentences):
            for word, scores in self.words.items():
                if word in text.lower():
                    for qid, value in scores.items():
                        out[r, self.ids.index(qid)] = max(out[r, self.ids.index(qid)], value)
        return out


def test_the_answer_decides_between_two_readings_of_a_question(questions):
    """"How did you get them on your side?" fits relationships and engagement alike.

    (After a set-up in the same turn, "them" names the farmers, not the last answer: the
    question is not taken for a follow-up.)
    """
    scorer = WordScorer(questions, {"on your side": {"relationships": 0.5, "engagement": 0.48},
                                    "trust": {"relationships": 0.4}, "persuade": {"engagement": 0.4}})
    for reply, expected in (("Trust came from turning up every week.", "relationships"),
                            ("We had to persuade them with stories.", "engagement")):
        transcript, marks = build([asked("Welcome to the show."), answer(),
                                   asked("You work with a lot of farmers. How did you get them on your side?", "q"),
                                   answer(reply + " " + ANSWER)])
        chapters = chapter(transcript, questions, scorer=scorer)
        assert question_ids(chapters) == ["intro", expected]
        assert chapters[1].start == marks["q"][0]


def test_a_question_asked_again_in_other_words_starts_at_the_first_asking(questions):
    transcript, marks = build([
        asked("Were there any rules you had to break?", "rules"),
        answer(),
        asked("What was the big idea behind it all?", "thinking"),
        answer("Sorry, I'm not sure what you mean."),
        asked("I mean, what values and principles were guiding your thinking and your decisions?"),
        answer(),
    ])
    chapters = chapter(transcript, questions)
    assert question_ids(chapters) == ["intro", "rules", "thinking"]
    assert chapters[2].start == marks["thinking"][0]


def test_a_follow_up_naming_the_topic_does_not_move_the_chapter(questions):
    """The follow-up names the rules more plainly than the question did."""
    scorer = WordScorer(questions, {"guidance": {"rules": 0.45, "thinking": 0.34},
                                    "rules like that": {"rules": 0.75}, "red tape": {"bureaucracy": 0.7}})
    transcript, marks = build([
        asked("Talk me through the guidance you chose to ignore.", "rules"),
        answer(),
        asked("Rules like that exist for a reason, don't they?"),
        answer(),
        asked("How did you deal with all the red tape?", "bureaucracy"),
        answer(),
    ])
    chapters = chapter(transcript, questions, scorer=scorer)
    assert question_ids(chapters) == ["intro", "rules", "bureaucracy"]
    assert chapters[1].start == marks["rules"][0]


def test_a_one_word_question_is_a_question_whatever_its_punctuation(questions):
    """Speech recognition often ends "Paperwork?" with a full stop; a whole interviewer
    turn that short, answered by the interviewee, is still a question."""
    scorer = WordScorer(questions, {"rules": {"rules": 0.7}, "paperwork": {"bureaucracy": 0.35},
                                    "oversight": {"governance": 0.35}})
    transcript, marks = build([
        asked("Were there any rules you had to break?", "rules"),
        answer(),
        asked("Paperwork.", "bureaucracy"),
        answer(),
        asked("Oversight?", "governance"),
        answer(),
    ])
    chapters = chapter(transcript, questions, scorer=scorer)
    assert question_ids(chapters) == ["intro", "rules", "bureaucracy", "governance"]
    assert [c.start for c in chapters[1:]] == [marks["rules"][0], marks["bureaucracy"][0],
                                               marks["governance"][0]]


def test_a_weakly_worded_question_counts_when_it_is_answered_at_length(questions):
    """A question the scorer is unsure of, asked after one answer and answered at length,
    is taken for a new question; the same words answered in a word are not."""
    scorer = WordScorer(questions, {"rules": {"rules": 0.7}, "your compass": {"thinking": 0.27}})
    for reply, expected in ((ANSWER, ["intro", "rules", "thinking"]), ("Fairness.", ["intro", "rules"])):
        transcript, marks = build([asked("Were there any rules you had to break?", "rules"), answer(),
                                   asked("What was your compass in all of it?", "thinking"), answer(reply)])
        chapters = chapter(transcript, questions, scorer=scorer)
        assert question_ids(chapters) == expected
        assert chapters[-1].start == marks[expected[-1]][0]


def test_an_unknown_scorer_is_a_usage_error(questions):
    transcript, _ = build([asked("Were there any rules you had to break?"), answer()])
    with pytest.raises(UsageError, match="unknown chapter scorer"):
        chapter(transcript, questions, scorer="psychic")


def test_an_hour_long_interview_is_chaptered_quickly(questions):
    phrasings = ["Were there any rules you had to break?", "How did you deal with all the red tape?",
                 "What governance was in place, and did it help or hinder?",
                 "How did you get people on board with the change?"]
    lines: list[Line] = []
    for i in range(60):
        lines += [asked(phrasings[i % 4]), answer(" ".join([ANSWER] * 4))]
    transcript, _ = build(lines)
    assert transcript.duration > 3600
    began = time.perf_counter()
    chapters = chapter(transcript, questions)
    assert time.perf_counter() - began < 10.0
    assert_tiles(chapters, transcript)
    assert set(question_ids(chapters)) == {"intro", "rules", "bureaucracy", "governance", "engagement"}


# ---------------------------------------------------------------- Podcasting 2.0 chapters


def test_p20_chapters_link_to_the_page_anchors():
    chapters = (Chapter(0.0, 12.5, "intro", "Introduction"),
                Chapter(12.5, 80.0, "rules", "Rules you had to break", 0.9),
                Chapter(80.0, 99.0, "closing", "Closing", 0.9))
    doc = to_p20_chapters(chapters, "https://example.org/learncast/episodes/jane/")
    assert doc["version"] == "1.2.0"
    assert doc["chapters"] == [
        {"startTime": 0.0, "title": "Introduction",
         "url": "https://example.org/learncast/episodes/jane/#ch-0-intro"},
        {"startTime": 12.5, "title": "Rules you had to break",
         "url": "https://example.org/learncast/episodes/jane/#ch-1-rules"},
        {"startTime": 80.0, "title": "Closing",
         "url": "https://example.org/learncast/episodes/jane/#ch-2-closing"},
    ]


def test_anchors_are_url_safe_for_hand_edited_ids():
    assert chapter_anchor(3, Chapter(1.0, 2.0, "Our Story / Part 2", "x")) == "ch-3-our-story-part-2"
