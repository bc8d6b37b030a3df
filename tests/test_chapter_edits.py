"""Corrections to the automatic chapters: ``transcripts/<slug>/chapters.edit.toml``.

Unit tests of the file and of each operation, the ``learncast chapters`` command, and
builds (real ffmpeg, the fake engine, the lexical scorer) showing the corrections survive
rebuilds, a new question set, re-transcription and a hand edit to transcript.json.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import Counter, make_tone, recording_data, scripted_segments

from pipeline.chapters import Question, QuestionSet, load_questions
from pipeline.chapters import edits as ce
from pipeline.errors import LearncastError, UsageError
from pipeline.models import Chapter, Transcript

# A question set of the tests' own, so tuning the shipped one changes nothing here.
QUESTIONS_TOML = """\
[[question]]
id = "rules"
question = "What rules did you have to break?"
title = "Rules you had to break"
phrasings = ["Which rules did you have to break to make this work?"]

[[question]]
id = "governance"
question = "How did the governance and oversight of the project work?"
title = "Governance"

[[question]]
id = "setbacks"
question = "What went wrong along the way?"
title = "What went wrong"
"""
QUESTIONS = QuestionSet(questions=(
    Question("rules", "What rules did you have to break?", "Rules you had to break",
             ("Which rules did you have to break to make this work?",)),
    Question("governance", "How did the governance and oversight of the project work?", "Governance"),
    Question("setbacks", "What went wrong along the way?", "What went wrong")))
PATH = Path("/ws/transcripts/alice") / ce.EDITS_NAME
# The fake engine's 60 s interview: words start at 0, 1.5, ... 10.5; 15.0 ("What"), 16.091 ...
# 25.909; 30 ... 41 (every second); 48.0, 49.714, 51.429 ... 58.286.
TRANSCRIPT = Transcript(language="en", engine="fake", model="m", duration=60.0, segments=scripted_segments(60.0))
AUTO = (Chapter(0.0, 15.0, "intro", "Introduction", 1.0),
        Chapter(15.0, 48.0, "rules", "Rules you had to break", 0.62),
        Chapter(48.0, 60.0, "closing", "Closing", 0.7))


def applied(*edits: ce.ChapterEdit, auto=AUTO) -> tuple[Chapter, ...]:
    return ce.apply(auto, edits, TRANSCRIPT, QUESTIONS, path=PATH).chapters


def table(chapters) -> list[tuple]:
    return [(c.start, c.end, c.question, c.title, c.confidence, c.corrected) for c in chapters]


def fails(*edits: ce.ChapterEdit) -> str:
    with pytest.raises(ce.ChapterEditError) as info:
        applied(*edits)
    line = info.value.one_line()
    assert "\n" not in line and line.startswith(f"{PATH}: ") and ". Fix: " in line
    return line


# ---------------------------------------------------------------- times and the file


@pytest.mark.parametrize("text,seconds", [("30", 30.0), ("12:30", 750.0), ("12:30.5", 750.5),
                                          ("1:02:03.25", 3723.25), (75, 75.0), (12.5, 12.5), ("0", 0.0)])
def test_times_are_seconds_mm_ss_or_hh_mm_ss_with_decimals(text, seconds):
    assert ce.parse_time(text) == seconds
    assert ce.parse_time(ce.fmt_time(seconds)) == seconds


@pytest.mark.parametrize("bad", ["1:75", "abc", "12:3a", "1:2:3:4", "-5", -5, True, "1.5:30", ""])
def test_bad_times_are_refused(bad):
    with pytest.raises(ValueError):
        ce.parse_time(bad)


def test_fmt_time():
    assert [ce.fmt_time(t) for t in (0, 49.714, 750, 3725.5)] == ["0:00", "0:49.714", "12:30", "1:02:05.5"]


def test_parse_reads_every_kind_of_entry():
    text = """# a person's note
[[chapter]]
at = "12:30"
question = "governance"
title = "  Working   with the council "

[[chapter]]
at = 1505            # seconds work too
move_to = "25:10.5"

[[chapter]]
at = "0:31:40"
merge = true
"""
    assert ce.parse(text, PATH) == [
        ce.ChapterEdit(at=750.0, question="governance", title="Working with the council"),
        ce.ChapterEdit(at=1505.0, move_to=1510.5),
        ce.ChapterEdit(at=1900.0, merge=True)]
    assert ce.parse("# nothing yet\n", PATH) == []


def test_parse_reports_every_problem_in_one_line_naming_the_file():
    text = """colour = "red"
[[chapter]]
question = "rules"
[[chapter]]
at = "1:75"
title = "x"
[[chapter]]
at = 10
merge = true
title = "gone"
[[chapter]]
at = 20
[[chapter]]
at = 30
speaker = "x"
question = 5
"""
    with pytest.raises(ce.ChapterEditError) as info:
        ce.parse(text, PATH)
    line = info.value.one_line()
    assert line.startswith(f"{PATH}: ") and "\n" not in line and "Fix:" in line
    for part in ('unknown key "colour"', 'entry 1: missing "at"', 'entry 2: "at": not a time',
                 'entry 3: "merge = true" removes', "entry 4: says nothing to change",
                 'entry 5: unknown key "speaker"', 'entry 5: "question" must be a non-empty string'):
        assert part in line


def test_invalid_toml_is_one_clear_line():
    with pytest.raises(ce.ChapterEditError) as info:
        ce.parse("[[chapter]\nat = ", PATH)
    assert "is not valid TOML" in info.value.one_line() and "Fix:" in info.value.one_line()


def test_load_without_a_file_is_no_corrections(tmp_path: Path):
    assert ce.load(tmp_path) == []
    (tmp_path / ce.EDITS_NAME).write_text('[[chapter]]\nat = "0:15"\ntitle = "T"\n', encoding="utf-8")
    assert ce.load(tmp_path) == [ce.ChapterEdit(at=15.0, title="T")]


def test_the_key_is_the_automatic_key_without_corrections_and_ignores_comments():
    assert ce.edits_key("abc", []) == "abc"
    one = ce.parse('[[chapter]]\nat = 15\ntitle = "T"\n', PATH)
    same = ce.parse('# a comment\n[[chapter]]\nat = "0:15"   # the same time\ntitle = "T"\n', PATH)
    other = ce.parse('[[chapter]]\nat = 15\ntitle = "U"\n', PATH)
    assert ce.edits_key("abc", one) == ce.edits_key("abc", same) != ce.edits_key("abc", other)
    assert ce.edits_key("abc", one) != "abc"


# ---------------------------------------------------------------- applying: each operation


def test_no_corrections_leave_the_chapters_alone():
    assert applied() == AUTO


def test_relabel_takes_the_questions_title_and_confidence_one():
    assert table(applied(ce.ChapterEdit(at=15.0, question="governance"))) == [
        (0.0, 15.0, "intro", "Introduction", 1.0, False),
        (15.0, 48.0, "governance", "Governance", 1.0, True),
        (48.0, 60.0, "closing", "Closing", 0.7, False)]


def test_a_time_names_the_chapter_starting_within_the_tolerance():
    got = applied(ce.ChapterEdit(at=17.4, question="setbacks"))
    assert (got[1].start, got[1].question) == (15.0, "setbacks")  # the start itself stays


def test_relabel_to_intro_or_closing():
    got = applied(ce.ChapterEdit(at=15.0, question="closing"), ce.ChapterEdit(at=0, question="rules"))
    assert [(c.question, c.title) for c in got] == [("rules", "Rules you had to break"), ("closing", "Closing"),
                                                     ("closing", "Closing")]


def test_split_adds_a_start_at_the_nearest_word_start():
    got = applied(ce.ChapterEdit(at=31.4, question="governance", title="Working with the council"))
    assert table(got) == [
        (0.0, 15.0, "intro", "Introduction", 1.0, False),
        (15.0, 31.0, "rules", "Rules you had to break", 0.62, False),
        (31.0, 48.0, "governance", "Working with the council", 1.0, True),  # 31.0 starts "broke"
        (48.0, 60.0, "closing", "Closing", 0.7, False)]


def test_move_snaps_to_a_word_start_and_moves_the_previous_end():
    got = applied(ce.ChapterEdit(at=48.0, move_to=50.3))
    assert table(got)[1:] == [(15.0, 49.714, "rules", "Rules you had to break", 0.62, False),
                              (49.714, 60.0, "closing", "Closing", 1.0, True)]
    # Never inside a word: 16.6 is in "rules" (16.091-17.182); the nearest start is 16.091.
    assert applied(ce.ChapterEdit(at=15.0, move_to=16.6))[1].start == 16.091


def test_merge_joins_the_chapter_into_the_one_before():
    got = applied(ce.ChapterEdit(at=48.0, merge=True))
    assert table(got) == [(0.0, 15.0, "intro", "Introduction", 1.0, False),
                          (15.0, 60.0, "rules", "Rules you had to break", 1.0, True)]


def test_rename_keeps_the_label():
    got = applied(ce.ChapterEdit(at=15.0, title="Breaking the form rule"))
    assert (got[1].question, got[1].title, got[1].confidence, got[1].corrected) == (
        "rules", "Breaking the form rule", 1.0, True)


def test_entries_combine_and_their_order_does_not_matter():
    edits = [ce.ChapterEdit(at=15.0, title="Breaking the form rule", move_to=16.0),
             ce.ChapterEdit(at=30.0, question="governance"),
             ce.ChapterEdit(at=48.0, merge=True)]
    assert applied(*edits) == applied(*reversed(edits))
    assert [(c.start, c.end, c.question) for c in applied(*edits)] == [
        (0.0, 16.091, "intro"), (16.091, 30.0, "rules"), (30.0, 60.0, "governance")]


def test_a_move_already_found_by_a_new_chaptering_still_applies():
    moved = ce.ChapterEdit(at=40.0, move_to=49.714, title="Thanks")
    auto = (AUTO[0], Chapter(15.0, 49.714, "rules", "Rules", 0.6), Chapter(49.714, 60.0, "closing", "Closing", 0.7))
    got = applied(moved, auto=auto)
    assert (got[-1].start, got[-1].title, got[-1].corrected) == (49.714, "Thanks", True)


def test_a_merge_of_a_start_that_is_gone_changes_nothing():
    result = ce.apply(AUTO, [ce.ChapterEdit(at=40.0, merge=True)], TRANSCRIPT, QUESTIONS, path=PATH)
    assert result.chapters == AUTO and result.unused == (ce.ChapterEdit(at=40.0, merge=True),)


# ---------------------------------------------------------------- applying: what no longer fits


def test_a_time_past_the_end_fails_naming_the_file_and_the_fix():
    line = fails(ce.ChapterEdit(at=75.0, question="rules"))
    assert "1:15 is past the end of the recording (1:00)" in line
    assert "1:10 is past the end" in fails(ce.ChapterEdit(at=48.0, move_to=70.0))


def test_an_unknown_question_id_fails_listing_the_ids():
    line = fails(ce.ChapterEdit(at=15.0, question="govern"))
    assert 'unknown question id "govern"' in line and "governance" in line and "intro, closing" in line


def test_a_title_for_a_chapter_that_is_not_there_fails():
    line = fails(ce.ChapterEdit(at=35.0, title="x"))
    assert "no chapter starts within 3 s of 0:35" in line and "give it a question" in line
    assert "no chapter starts within" in fails(ce.ChapterEdit(at=35.0, move_to=36.0))


def test_the_first_chapter_cannot_be_merged_or_moved_away_from_zero():
    assert "no chapter before it" in fails(ce.ChapterEdit(at=0.0, merge=True))
    assert "no chapter would start at 0:00" in fails(ce.ChapterEdit(at=0.0, move_to=4.5))


def test_two_chapters_at_one_time_or_two_entries_for_one_chapter_fail():
    assert "two chapters would start at 0:48" in fails(ce.ChapterEdit(at=15.0, move_to=48.0))
    assert "also corrects the chapter starting at 0:15" in fails(
        ce.ChapterEdit(at=15.0, title="a"), ce.ChapterEdit(at=16.0, question="rules"))


def test_errors_travel_between_processes():
    import pickle

    err = ce.ChapterEditError("m", path=PATH, fix="f")
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is ce.ChapterEditError and again.one_line() == err.one_line()
    assert isinstance(again, LearncastError)


# ---------------------------------------------------------------- transcript.json


def test_record_keeps_the_automatic_chapters_only_while_there_are_corrections():
    edits = [ce.ChapterEdit(at=15.0, title="T")]
    chapters = applied(*edits)
    data = ce.record({"chapters": []}, AUTO, "auto-key", chapters, edits)
    assert data["chapters"] == [c.to_dict() for c in chapters] and data["chapters"][1]["corrected"] is True
    assert data["chapters_key"] == ce.edits_key("auto-key", edits)
    assert ce.stored_auto(data, "auto-key") == AUTO
    assert ce.stored_auto(data, "another-key") is None
    plain = ce.record(data, AUTO, "auto-key", AUTO, [])
    assert ce.AUTO_CHAPTERS not in plain and ce.AUTO_KEY not in plain and plain["chapters_key"] == "auto-key"
    assert ce.stored_auto(plain, "auto-key") == AUTO
    assert "corrected" not in plain["chapters"][0]  # uncorrected chapters are written as before
    assert Chapter.from_dict(data["chapters"][1]).corrected


# ---------------------------------------------------------------- rewriting the file


HAND_WRITTEN = """# Reviewed by Sam on 3 March.

# The answer about the form rule is its own topic.
[[chapter]]
at = 30   # seconds
question = "governance"  # checked with the guide
"""


def test_adding_an_entry_keeps_every_comment_and_entry_as_written():
    old = ce.parse(HAND_WRITTEN, PATH)
    slots = [ce.Slot(e, i) for i, e in enumerate(old)]
    ce.set_title(slots, 15.0, 'Breaking the "form" rule')
    text = ce.render(HAND_WRITTEN, slots, PATH)
    assert text.startswith(HAND_WRITTEN)
    assert ce.parse(text, PATH) == [*old, ce.ChapterEdit(at=15.0, title='Breaking the "form" rule')]


def test_changing_an_entry_keeps_its_comments():
    slots = [ce.Slot(e, i) for i, e in enumerate(ce.parse(HAND_WRITTEN, PATH))]
    ce.set_label(slots, 30.0, "setbacks")
    ce.set_title(slots, 30.0, "What went wrong with the form")
    text = ce.render(HAND_WRITTEN, slots, PATH)
    assert "# Reviewed by Sam on 3 March." in text and "# The answer about the form rule" in text
    assert "at = 30   # seconds\n" in text
    assert 'question = "setbacks"  # checked with the guide\n' in text
    assert ce.parse(text, PATH) == [ce.ChapterEdit(at=30.0, question="setbacks",
                                                   title="What went wrong with the form")]


def test_removing_an_entry_takes_its_own_comment_with_it():
    text = HAND_WRITTEN + '\n# keep me\n\n# about 48\n[[chapter]]\nat = 48\nmerge = true\n'
    slots = [ce.Slot(e, i) for i, e in enumerate(ce.parse(text, PATH))]
    ce.remove(slots, 48.0)
    out = ce.render(text, slots, PATH)
    assert "# keep me" in out and "# about 48" not in out and "merge" not in out
    assert out.startswith(HAND_WRITTEN)


def test_a_file_in_another_layout_is_never_rewritten():
    text = 'chapter = [{at = "0:15", title = "T"}]  # inline\n'
    slots = [ce.Slot(e, i) for i, e in enumerate(ce.parse(text, PATH))]
    ce.set_label(slots, 30.0, "rules")
    with pytest.raises(UsageError) as info:
        ce.render(text, slots, PATH)
    assert "make the change by hand" in info.value.one_line()


def test_a_new_file_explains_itself():
    slots: list[ce.Slot] = []
    ce.set_label(slots, 750.0, "governance")
    text = ce.render(None, slots, PATH)
    assert text.startswith("# Corrections to this recording's automatic chapters")
    assert text.endswith('[[chapter]]\nat = "12:30"\nquestion = "governance"\n')


# ---------------------------------------------------------------- builds

pytestmark = pytest.mark.build_options(scorer="lexical")  # the `run` fixture's defaults here


def use_questions(root: Path, text: str) -> None:
    (root / "questions.toml").write_text(text, encoding="utf-8")
    cfg = root / "learncast.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('questions = ""', 'questions = "questions.toml"'),
                   encoding="utf-8")


def data(root: Path, slug: str = "alice") -> dict:
    return recording_data(root, slug)


def raw(root: Path, slug: str = "alice") -> dict:
    """transcript.json itself, as a person would open it."""
    return json.loads((root / "transcripts" / slug / "transcript.json").read_text(encoding="utf-8"))


@pytest.fixture
def chapters_cli(cli):
    """``chapters_cli(root, *args, slug="alice")``: ``learncast chapters SLUG ARGS --workspace ROOT``."""

    def invoke(root: Path, *args: str, slug: str = "alice"):
        return cli("chapters", slug, *args, "--workspace", root)

    return invoke


@pytest.fixture(scope="module")
def template(tmp_path_factory, run) -> Path:
    """One 60 s recording built once (fake engine, lexical scorer); each test gets a copy."""
    import dataclasses

    from conftest import FakeEngine

    from pipeline import transcribe
    from pipeline.transcribe.engines import register_engine, unregister_engine
    from pipeline.workspace import init_workspace

    def label(segments, audio, stereo):
        return tuple(dataclasses.replace(s, speaker="interviewer" if "?" in s.text or i == 0 else "interviewee")
                     for i, s in enumerate(segments))

    root = tmp_path_factory.mktemp("chapter-edits") / "ws"
    init_workspace(root, "Test Show")
    use_questions(root, QUESTIONS_TOML)
    assert load_questions(root / "questions.toml").fingerprint == QUESTIONS.fingerprint
    make_tone(root / "media" / "alice.mp3", 60.0)
    register_engine("fake", FakeEngine)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(transcribe, "label_speakers", label)
            report = run(root)
    finally:
        unregister_engine("fake")
    assert report.exit_code == 0, [r.message for r in report.failed]
    assert [(c["start"], c["question"]) for c in data(root)["chapters"]] == [
        (0.0, "intro"), (15.0, "rules"), (48.0, "closing")]
    return root


@pytest.fixture
def built(template: Path, tmp_path: Path, fake_engine, no_speakers) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    return root


CORRECTED = [(0.0, "intro", "Introduction"), (15.0, "rules", "Breaking the form rule"),
             (30.0, "governance", "Governance"), (49.714, "closing", "Closing")]


def chapters_now(root: Path) -> list[tuple]:
    return [(c["start"], c["question"], c["title"]) for c in data(root)["chapters"]]


def published(root: Path) -> dict[str, str]:
    site = root / "site"
    return {"chapters.json": (site / "episodes" / "alice" / "chapters.json").read_text(encoding="utf-8"),
            "page": (site / "episodes" / "alice" / "index.html").read_text(encoding="utf-8"),
            "vtt": (site / "episodes" / "alice" / "chapters.vtt").read_text(encoding="utf-8"),
            "feed": (site / "feed.xml").read_text(encoding="utf-8")}


def assert_published(root: Path) -> None:
    from mutagen.id3 import ID3

    out = published(root)
    p20 = json.loads(out["chapters.json"])["chapters"]
    assert [(c["startTime"], c["title"]) for c in p20] == [(s, t) for s, _, t in CORRECTED]
    for name in ("page", "vtt", "feed"):
        assert "Breaking the form rule" in out[name], name
    assert "00:00:30.000 --> 00:00:49.714\nGovernance" in out["vtt"]
    tags = ID3(root / "site" / "episodes" / "alice" / "audio.mp3")
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
        (int(s * 1000), t) for s, _, t in CORRECTED]
    local = json.loads((root / "transcripts" / "alice" / "chapters.json").read_text(encoding="utf-8"))
    assert [c["title"] for c in local["chapters"]] == [t for _, _, t in CORRECTED]


def test_corrections_reach_everything_published_and_survive_every_rebuild(built: Path, fake_engine, monkeypatch,
                                                                          run, chapters_cli):
    from pipeline import chapters
    from pipeline.publish import media

    result = chapters_cli(built, "--set", "30=governance", "--move", "0:48=0:50.3", "--title",
                          "15=Breaking the form rule")
    assert result.exit_code == 0, result.output
    edit_file = built / "transcripts" / "alice" / ce.EDITS_NAME
    written = edit_file.read_bytes()
    scored, tagged = Counter(monkeypatch, chapters, "chapter_transcript"), Counter(monkeypatch, media, "tag_mp3")

    # A correction is applied without scoring again, and republishes the chapters.
    assert run(built).exit_code == 0
    assert (scored.calls, tagged.calls) == (0, 1)
    assert chapters_now(built) == CORRECTED
    d = data(built)
    assert [c.get("corrected", False) for c in d["chapters"]] == [False, True, True, True]
    assert [c["confidence"] for c in d["chapters"]][1:] == [1.0, 1.0, 1.0]
    assert [c["question"] for c in d[ce.AUTO_CHAPTERS]] == ["intro", "rules", "closing"]
    assert_published(built)

    # A plain rebuild does nothing and writes nothing.
    before = {p: p.stat().st_mtime_ns for p in (built / "transcripts").rglob("*") if p.is_file()}
    site_before = {p: p.stat().st_mtime_ns for p in (built / "site").rglob("*")
                   if p.is_file() and "pagefind" not in p.parts}
    assert run(built).exit_code == 0
    assert (scored.calls, tagged.calls) == (0, 1)
    assert {p: p.stat().st_mtime_ns for p in (built / "transcripts").rglob("*") if p.is_file()} == before
    assert {p: p.stat().st_mtime_ns for p in (built / "site").rglob("*")
            if p.is_file() and "pagefind" not in p.parts} == site_before

    # A comment in the file changes nothing either; the chapter stage alone applies it too.
    edit_file.write_bytes(b"# checked by Sam\n" + written)
    assert run(built, ("chapter",)).exit_code == 0
    assert scored.calls == 0
    assert {p: p.stat().st_mtime_ns for p in (built / "transcripts").rglob("*") if p.is_file() and p != edit_file} \
        == {p: t for p, t in before.items() if p != edit_file}
    written = edit_file.read_bytes()

    # A new question set re-chapters; the corrections are applied again.
    use_questions(built, QUESTIONS_TOML.replace("What rules did you have to break?",
                                                "Which rules did you have to break?"))
    assert run(built).exit_code == 0
    assert scored.calls == 1 and chapters_now(built) == CORRECTED

    # Re-transcription with another model.
    calls = len(fake_engine.calls)
    assert run(built, model="another-model").exit_code == 0
    assert len(fake_engine.calls) == calls + 1 and data(built)["model"] == "another-model"
    assert scored.calls == 2 and chapters_now(built) == CORRECTED

    # A hand edit to the transcript's text: kept, and the corrections still apply.
    d = raw(built)
    d["segments"][2]["text"] = "We broke the rule that every referral needed a signed consent form first."
    (built / "transcripts" / "alice" / "transcript.json").write_text(json.dumps(d), encoding="utf-8")
    assert run(built).exit_code == 0
    assert scored.calls == 3 and chapters_now(built) == CORRECTED
    assert "signed consent form" in data(built)["segments"][2]["text"]
    assert "signed consent form" in published(built)["page"]
    assert_published(built)
    assert edit_file.read_bytes() == written  # no build ever writes the file

    # Removing every correction brings the automatic chapters back, without scoring.
    assert chapters_cli(built, "--clear").exit_code == 0
    assert run(built).exit_code == 0
    assert scored.calls == 3
    assert chapters_now(built) == [(0.0, "intro", "Introduction"), (15.0, "rules", "Rules you had to break"),
                                   (48.0, "closing", "Closing")]
    assert ce.AUTO_CHAPTERS not in data(built) and edit_file.is_file()
    assert "Breaking the form rule" not in published(built)["feed"]


def test_a_correction_that_no_longer_fits_fails_only_its_recording(built: Path, run):
    make_tone(built / "media" / "bob.mp3", 50.0)
    edit_file = built / "transcripts" / "alice" / ce.EDITS_NAME
    edit_file.write_text('[[chapter]]\nat = "0:15"\nquestion = "governanse"\n', encoding="utf-8")
    report = run(built)
    [failed] = report.failed
    assert failed.slug == "alice" and report.published == ["bob"]
    assert failed.message.startswith(f"{edit_file}: ") and 'unknown question id "governanse"' in failed.message
    assert "Fix: use one of intro, closing" in failed.message and "\n" not in failed.message
    assert edit_file.read_text(encoding="utf-8").endswith('question = "governanse"\n')  # never touched

    edit_file.write_text('[[chapter]]\nat = "0:15"\nquestion = "governance"\n', encoding="utf-8")
    assert run(built).exit_code == 0
    assert data(built)["chapters"][1]["question"] == "governance"


def test_chapters_corrected_in_transcript_json_win_over_the_file(built: Path, caplog, run, chapters_cli):
    d = raw(built)
    d["chapters"] = data(built)["chapters"]  # a person copies the chapters into transcript.json
    d["chapters"][1]["title"] = "By hand"
    (built / "transcripts" / "alice" / "transcript.json").write_text(json.dumps(d), encoding="utf-8")
    (built / "transcripts" / "alice" / ce.EDITS_NAME).write_text('[[chapter]]\nat = 15\ntitle = "File"\n')
    assert run(built).exit_code == 0
    assert data(built)["chapters"][1]["title"] == "By hand"
    assert "chapters.edit.toml is not applied" in caplog.text
    result = chapters_cli(built, "--list")
    assert "corrected by hand" in result.output


# ---------------------------------------------------------------- the command


def test_list_shows_times_labels_confidence_and_corrections(built: Path, run, chapters_cli):
    result = chapters_cli(built)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "alice: 3 chapters, 0 correction(s)"
    assert lines[1].split() == ["0:00", "intro", "1.00", "Introduction"]
    assert lines[3].split()[:3] == ["0:48", "closing", "0.70"]

    assert chapters_cli(built, "--title", "0:15=Breaking the form rule").exit_code == 0
    result = chapters_cli(built, "--list")
    assert "1 correction(s) (not built yet" in result.output
    assert "0:15  rules    1.00  corrected  Breaking the form rule" in result.output
    run(built)
    assert "not built yet" not in chapters_cli(built, "--list").output


def test_each_option_writes_an_entry(built: Path, chapters_cli):
    edit_file = built / "transcripts" / "alice" / ce.EDITS_NAME
    result = chapters_cli(built, "--set", "0:30=governance", "--merge", "48", "--title", '15=Working with the council')
    assert result.exit_code == 0, result.output
    assert "3 correction(s) in" in result.output and "Run `learncast build`" in result.output
    assert ce.load(edit_file.parent) == [ce.ChapterEdit(at=15.0, title="Working with the council"),
                                         ce.ChapterEdit(at=30.0, question="governance"),
                                         ce.ChapterEdit(at=48.0, merge=True)]
    assert "0:30  governance" in result.output

    # A later option finds the entry by the time its chapter now starts.
    assert chapters_cli(built, "--move", "30=0:33.4").exit_code == 0
    assert chapters_cli(built, "--title", "33=Governance and the council").exit_code == 0
    assert ce.load(edit_file.parent)[1] == ce.ChapterEdit(at=30.0, question="governance", move_to=33.4,
                                                          title="Governance and the council")
    # Merging a chapter the corrections added drops its entry; --remove-edit restores the automatic one.
    assert chapters_cli(built, "--merge", "33").exit_code == 0
    assert chapters_cli(built, "--remove-edit", "0:48").exit_code == 0
    assert ce.load(edit_file.parent) == [ce.ChapterEdit(at=15.0, title="Working with the council")]
    assert chapters_cli(built, "--clear").exit_code == 0
    assert ce.load(edit_file.parent) == [] and edit_file.read_text().startswith("# Corrections")


def test_the_command_keeps_a_hand_written_file(built: Path, chapters_cli):
    edit_file = built / "transcripts" / "alice" / ce.EDITS_NAME
    edit_file.write_text(HAND_WRITTEN, encoding="utf-8")
    assert chapters_cli(built, "--title", "48=Thanks").exit_code == 0
    text = edit_file.read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN) and text.endswith('[[chapter]]\nat = "0:48"\ntitle = "Thanks"\n')


COMMENTED = """# Reviewed by Sam on 3 March.

# The answer about the form rule is its own topic.
[[chapter]]
at = 30   # seconds
question = "governance"  # checked with the guide

# Sam: the closing starts late.
[[chapter]]
at = "0:48"
move_to = "0:50.3"  # the thank-you
"""


def test_every_change_the_command_makes_keeps_the_files_comments(built: Path, chapters_cli):
    edit_file = built / "transcripts" / "alice" / ce.EDITS_NAME
    edit_file.write_text(COMMENTED, encoding="utf-8")
    kept = ("# Reviewed by Sam on 3 March.\n", "# The answer about the form rule is its own topic.\n",
            "at = 30   # seconds\n")

    def change(*args: str) -> str:
        result = chapters_cli(built, *args)
        assert result.exit_code == 0, result.output
        text = edit_file.read_text(encoding="utf-8")
        assert all(k in text for k in (kept if args != ("--clear",) else kept[:2])), (args, text)
        return text

    text = change("--set", "30=setbacks")
    assert 'question = "setbacks"  # checked with the guide\n' in text
    text = change("--title", '30=What went "wrong"')
    assert 'question = "setbacks"  # checked with the guide\ntitle = "What went \\"wrong\\""\n\n' in text
    text = change("--move", "50=0:49.714")
    assert "# Sam: the closing starts late.\n" in text and 'move_to = "0:49.714"  # the thank-you\n' in text
    text = change("--merge", "15")
    assert text.endswith('\n\n[[chapter]]\nat = "0:15"\nmerge = true\n')
    text = change("--remove-edit", "49.7")
    assert "Sam: the closing" not in text and "thank-you" not in text and "0:48" not in text
    assert ce.load(edit_file.parent) == [ce.ChapterEdit(at=30.0, question="setbacks", title='What went "wrong"'),
                                         ce.ChapterEdit(at=15.0, merge=True)]
    text = change("--clear")
    assert text == "# Reviewed by Sam on 3 March.\n\n# The answer about the form rule is its own topic.\n"
    assert ce.load(edit_file.parent) == []


def test_a_corrections_file_that_cannot_be_read_fails_its_recording_in_one_line(tmp_path: Path, unreadable):
    path = tmp_path / ce.EDITS_NAME
    path.write_bytes(b'[[chapter]]\nat = 15\ntitle = "Caf\xe9"\n')
    with pytest.raises(ce.ChapterEditError) as info:
        ce.load(tmp_path)
    assert info.value.one_line() == f"{path}: is not UTF-8 text. Fix: save it as UTF-8."
    unreadable(path)
    with pytest.raises(ce.ChapterEditError) as info:
        ce.load(tmp_path)
    assert info.value.one_line() == (f"{path}: cannot be read (Permission denied). "
                                     "Fix: check that the file is there and that you may read it.")


@pytest.mark.parametrize("args,expect", [
    (["--set", "12=govern"], 'unknown question id "govern"'),
    (["--set", "1:75=rules"], "not a time"),
    (["--set", "12"], "is not TIME=VALUE"),
    (["--move", "48=1:10"], "1:10 is past the end of the recording"),
    (["--move", "0=5"], "no chapter would start at 0:00"),
    (["--merge", "40"], "no chapter starts within 3 s of 0:40"),
    (["--merge", "0"], "no chapter before it"),
    (["--title", "40=Nowhere"], "no chapter starts within 3 s of 0:40"),
    (["--remove-edit", "15"], "there is no correction at 0:15"),
])
def test_the_command_checks_before_it_writes(built: Path, args, expect, chapters_cli):
    edit_file = built / "transcripts" / "alice" / ce.EDITS_NAME
    edit_file.write_text(HAND_WRITTEN, encoding="utf-8")
    result = chapters_cli(built, *args)
    assert result.exit_code == 2, result.output
    assert expect in result.output and "Fix:" in result.output
    assert edit_file.read_text(encoding="utf-8") == HAND_WRITTEN


def test_the_command_needs_a_known_slug_and_chapters(built: Path, chapters_cli):
    result = chapters_cli(built, "--list", slug="nobody")
    assert result.exit_code == 2 and 'no recording with the slug "nobody"' in result.output
    make_tone(built / "media" / "bob.mp3", 5.0)
    result = chapters_cli(built, "--set", "1=rules", slug="bob")
    assert result.exit_code == 2 and "has not been transcribed yet" in result.output
    assert not (built / "transcripts" / "bob" / ce.EDITS_NAME).exists()


def test_the_chapter_stage_command_is_unchanged(cli):
    result = cli("chapter", "--help")
    assert result.exit_code == 0 and "Split every transcript into chapters" in result.output
    result = cli("chapters", "--help")
    assert result.exit_code == 0
    for option in ("--set", "--move", "--merge", "--title", "--remove-edit", "--clear", "--list"):
        assert option in result.output
