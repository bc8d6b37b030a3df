"""Learning from chapter corrections (``learncast chapters --learn``, the studio's "Teach the
question set"): the interviewer's words at a corrected chapter become a phrasing of its
question in the workspace's own set, and the next build chapters with it.

Units of :mod:`pipeline.chapters.learn` on hand-made transcripts; the command on a real
build (ffmpeg, the fake engine, the lexical scorer) from the built-in set, which the
workspace gets a copy of; the studio's routes on its own test workspace.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import make_tone, recording_data

from pipeline.chapters import Question, QuestionSet, learn, load_questions
from pipeline.chapters.questions import default_questions_path
from pipeline.models import Chapter, Segment, Transcript, Word
from test_studio import SLUG, Running, built, give_chapters, running, tolerance, ws  # noqa: F401 - fixtures

pytestmark = pytest.mark.build_options(scorer="lexical")

QUESTIONS = QuestionSet(questions=(
    Question("rules", "What rules did you have to break?", "Rules you had to break"),
    Question("methods", "Which methods did you use?", "Methods", ("What tools helped?",))))


def seg(start: float, speaker: str, text: str, step: float = 0.5) -> Segment:
    words = tuple(Word(start + i * step, start + (i + 1) * step, " " + w) for i, w in enumerate(text.split()))
    return Segment(start, words[-1].end, text, speaker, words)


TRANSCRIPT = Transcript(language="en", engine="fake", model="m", duration=60.0, segments=(
    seg(0.0, "interviewer", "Welcome to the show."),
    seg(4.0, "interviewee", "Thanks for having me here today, really."),
    seg(10.0, "interviewer", "So, thinking about your toolkit. What did you actually lean on? Anything else"),
    seg(20.0, "interviewee", "Mostly spreadsheets and a lot of patience."),
    seg(30.0, "interviewee", "And then the form rule went."),
    seg(50.0, "interviewer", "Which rules got in the way?"),
))


def chapters(*rows: tuple[float, str, bool]) -> Transcript:
    cs = [Chapter(s, 60.0, q, q, 1.0, corrected) for s, q, corrected in rows]
    return TRANSCRIPT.with_chapters(cs)


def test_the_interviewers_words_at_the_start_end_at_their_last_question_mark():
    assert learn.asked_at(TRANSCRIPT, 10.0) == "So, thinking about your toolkit. What did you actually lean on?"
    # a start moved onto the end of the answer before still finds the question after it
    assert learn.asked_at(TRANSCRIPT, 8.0) == "So, thinking about your toolkit. What did you actually lean on?"
    assert learn.asked_at(TRANSCRIPT, 30.0) == "", "the interviewee speaks there and nobody asks within 8 s"
    assert learn.asked_at(TRANSCRIPT, 12.0).startswith("toolkit. What"), "words before the start are not taken"


def test_only_corrected_question_chapters_offer_a_phrasing_and_none_already_in_the_bank():
    t = chapters((0.0, "intro", True), (10.0, "methods", True), (20.0, "rules", False), (50.0, "rules", True))
    found = learn.recording_candidates("alice", t, QUESTIONS)
    assert [(c.start, c.question, c.text) for c in found] == [
        (10.0, "methods", "So, thinking about your toolkit. What did you actually lean on?"),
        (50.0, "rules", "Which rules got in the way?")]
    bank = QuestionSet(questions=(QUESTIONS.questions[0], Question(
        "methods", "Which methods did you use?", "Methods", ("so thinking about your toolkit what did you actually lean on",))))
    assert [c.start for c in learn.recording_candidates("alice", t, bank)] == [50.0], "the bank has it (any case)"
    assert learn.recording_candidates("alice", chapters((10.0, "nosuch", True)), QUESTIONS) == []


def test_pick_takes_numbers_keys_or_all_and_names_the_fix_for_anything_else():
    t = chapters((10.0, "methods", True), (50.0, "rules", True))
    found = learn.recording_candidates("alice", t, QUESTIONS)
    assert learn.pick(found, ["2"]) == [found[1]]
    assert learn.pick(found, [found[0].key, "1"]) == [found[0]]
    assert learn.pick(found, ["all"]) == found
    with pytest.raises(Exception) as err:
        learn.pick(found, ["7"])
    assert "--accept N" in str(err.value.fix)


# ---------------------------------------------------------------- the command, on a real build


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def built_ws(tmp_path: Path, run, fake_engine, no_speakers) -> Path:
    from pipeline.workspace import init_workspace

    root = tmp_path / "ws"
    init_workspace(root, "Learning Show")
    make_tone(root / "media" / "alice.mp3", 60.0)
    report = run(root)
    assert report.exit_code == 0, [r.message for r in report.failed]
    return root


def labels(root: Path) -> list[tuple[float, str]]:
    return [(c["start"], c["question"]) for c in recording_data(root, "alice")["chapters"]]


def test_learning_from_a_relabelled_chapter_teaches_the_next_build(built_ws: Path, cli, run):
    root = built_ws
    assert (15.0, "rules") in labels(root)
    shipped, config_before = sha(default_questions_path()), (root / "learncast.toml").read_text(encoding="utf-8")
    assert cli("chapters", "alice", "--set", "15=governance", "--workspace", root).exit_code == 0

    listed = cli("chapters", "--learn", "--workspace", root)
    assert listed.exit_code == 0, listed.output
    assert '1. governance: "What rules did you have to break to make this work?"  (alice at 0:15)' in listed.output
    assert not (root / "questions.toml").exists(), "listing writes nothing"

    done = cli("chapters", "--learn", "--accept", "1", "--workspace", root)
    assert done.exit_code == 0, done.output
    own = root / "questions.toml"
    assert f"Added 1 phrasing(s) to {own}" in done.output
    assert sha(default_questions_path()) == shipped, "the shipped set is never changed"
    config = (root / "learncast.toml").read_text(encoding="utf-8")
    assert config == config_before.replace('questions = ""', 'questions = "questions.toml"'), "comments kept"
    assert "# The reflective questions Learncast splits interviews by." in own.read_text(encoding="utf-8")
    learned = load_questions(own).by_id["governance"]
    assert learned.phrasings[-1] == "What rules did you have to break to make this work?"
    again = cli("chapters", "alice", "--learn", "--workspace", root)
    assert "No new phrasings" in again.output, "what is in the set is not offered again"

    # without the correction, the next build labels that question itself
    assert cli("chapters", "alice", "--clear", "--workspace", root).exit_code == 0
    assert run(root).exit_code == 0
    assert (15.0, "governance") in labels(root)


def test_learning_writes_into_the_workspaces_own_set_keeping_its_comments(built_ws: Path, cli):
    root = built_ws
    own = root / "my-questions.toml"
    own.write_text("# our guide: keep this\n" + default_questions_path().read_text(encoding="utf-8"), encoding="utf-8")
    cfg = root / "learncast.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('questions = ""', 'questions = "my-questions.toml"'),
                   encoding="utf-8")
    assert cli("chapters", "alice", "--set", "15=governance", "--workspace", root).exit_code == 0
    assert cli("chapters", "--learn", "--accept", "all", "--workspace", root).exit_code == 0
    text = own.read_text(encoding="utf-8")
    assert text.startswith("# our guide: keep this\n") and "What rules did you have to break to make this work?" in text
    assert not (root / "questions.toml").exists()


def test_a_stray_questions_file_is_not_written_over(built_ws: Path, cli):
    root = built_ws
    (root / "questions.toml").write_text("# someone's draft\n", encoding="utf-8")
    assert cli("chapters", "alice", "--set", "15=governance", "--workspace", root).exit_code == 0
    result = cli("chapters", "--learn", "--accept", "1", "--workspace", root)
    assert result.exit_code != 0
    assert 'set questions = "questions.toml" in learncast.toml' in result.output
    assert (root / "questions.toml").read_text(encoding="utf-8") == "# someone's draft\n"


def test_chapters_without_a_slug_or_learn_names_the_fix(built_ws: Path, cli):
    result = cli("chapters", "--workspace", built_ws)
    assert result.exit_code != 0 and "learncast chapters SLUG" in result.output


# ---------------------------------------------------------------- the studio


@pytest.fixture
def live(ws: Path):  # noqa: F811
    with running(ws) as s:
        yield s


@pytest.mark.usefixtures("tolerance")
def test_the_studio_offers_a_corrected_chapters_wording_and_adds_the_ticked_one(live: Running):
    give_chapters(live.root, edits=None)
    status, body = live.json("GET", f"/api/recordings/{SLUG}/learn")
    assert status == 200 and body["candidates"] == [], "nothing corrected, nothing offered"
    status, _ = live.json("POST", f"/api/recordings/{SLUG}/chapters",
                          {"action": "relabel", "at": 2.0, "question": "bureaucracy"})
    assert status == 200
    status, body = live.json("GET", f"/api/recordings/{SLUG}/learn")
    assert status == 200, body
    [offer] = body["candidates"]
    assert offer["question"] == "bureaucracy" and offer["title"] == "Breaking through bureaucracy"
    assert offer["text"] == "What rules did you have to break to make this work?"
    status, body = live.json("POST", f"/api/recordings/{SLUG}/learn", {"keys": [offer["key"]]})
    assert status == 200, body
    assert body["candidates"] == [] and body["written"] == str(live.root / "questions.toml")
    assert offer["text"] in load_questions(live.root / "questions.toml").by_id["bureaucracy"].phrasings
    log = (live.root / ".learncast" / "state" / "studio-edits.log").read_text(encoding="utf-8")
    assert "POST learn" in log


@pytest.mark.parametrize("body", [{}, {"keys": []}, {"keys": ["all"]}, {"keys": [3]}, {"keys": ["nobody@1.00"]}])
def test_a_bad_learn_request_is_400_and_writes_nothing(live: Running, body):
    give_chapters(live.root, edits=None)
    status, answer = live.json("POST", f"/api/recordings/{SLUG}/learn", body)
    assert status == 400 and "\n" not in answer["error"]
    assert not (live.root / "questions.toml").exists()
