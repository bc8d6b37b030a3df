"""Find and replace (pipeline/replace.py) and ``learncast replace``.

A workspace with two recordings whose transcripts are written here, word by word with
timings (no build: the recordings are only listed, never decoded), holding the issue's
misheard phrases: "the world nurse is mattered most" for "ward nurses mattered most".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import replace as rp
from pipeline.errors import ConfigError, UsageError
from pipeline.transcribe import is_hand_edited, write_transcript_file
from pipeline.wordedit import version_of
from pipeline.workspace import Workspace, file_lock, init_workspace

TURNS = {
    "helen-ward": [
        ("interviewer", "Welcome, Helen. What did the world nurse do?"),
        ("interviewee", "Honestly, the world nurse is mattered most. The World Nurse knew Jon's family."),
        ("interviewee", "Jonathan said don't ask O'Jon, ask jon."),
    ],
    "sam-carter": [
        ("interviewee", "The world nurse, then the rules you had to spend."),
    ],
}


def timed(text: str, start: float) -> tuple[dict, float]:
    words, t = [], start
    for token in text.split():
        words.append({"start": round(t, 3), "end": round(t + 0.4, 3), "word": " " + token, "probability": 0.6})
        t += 0.5
    return {"start": start, "end": round(t, 3), "text": text, "words": words}, t + 1.0


def write_transcript(root: Path, slug: str, turns) -> Path:
    segments, t = [], 0.0
    for speaker, text in turns:
        seg, t = timed(text, t)
        segments.append({**seg, "speaker": speaker})
    path = root / "transcripts" / slug / "transcript.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": 1, "language": "en", "duration": t, "speakers": {"interviewer": "Interviewer",
            "interviewee": "Helen Ward"}, "segments": segments}
    write_transcript_file(path, data, machine=True)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    init_workspace(root, "Replace Show")
    for slug, turns in TURNS.items():
        (root / "media" / f"{slug}.wav").write_bytes(b"RIFF")  # listed, never decoded here
        write_transcript(root, slug, turns)
    (root / "media" / "not-yet.wav").write_bytes(b"RIFF")  # no transcript: searched past
    return Workspace.open(root)


def load(ws: Workspace, slug: str) -> dict:
    return json.loads((ws.transcript_dir(slug) / "transcript.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- finding


def test_a_phrase_is_found_across_the_timed_words_it_spans_in_any_case(ws: Workspace):
    found = rp.preview(ws, "world nurse", "ward nurses", "helen-ward")
    (rec,) = found.recordings
    assert [m.found for m in rec.matches] == ["world nurse", "world nurse", "World Nurse"]
    m = rec.matches[1]
    assert (m.turn, m.first, m.last) == (1, 2, 4)
    words = load(ws, "helen-ward")["segments"][1]["words"]
    assert (m.start, m.end) == (words[2]["start"], words[3]["end"])
    assert m.before == "Honestly, the" and m.after.startswith("is mattered most.")
    assert m.turn_after.startswith("Honestly, the ward nurses is mattered most. The World Nurse")
    assert rec.version == version_of((ws.transcript_dir("helen-ward") / "transcript.json").read_bytes())


def test_match_case_finds_only_the_case_written(ws: Workspace):
    found = rp.preview(ws, "World Nurse", "Ward Nurses", "helen-ward", match_case=True)
    assert [m.found for m in found.recordings[0].matches] == ["World Nurse"]


def test_only_whole_words_match_and_the_punctuation_around_them_stays(ws: Workspace):
    found = rp.preview(ws, "jon", "John", "helen-ward")
    matches = found.recordings[0].matches
    # "Jon's" and "jon." match; "Jonathan", "don't" and "O'Jon" do not
    assert [(m.found, m.replacement) for m in matches] == [("Jon's", "John's"), ("jon.", "John.")]


def test_capitals_follow_the_text_found_unless_the_replacement_has_its_own():
    assert rp.cased("ward nurses", "world nurse", False) == "ward nurses"
    assert rp.cased("ward nurses", "World nurse", False) == "Ward nurses"
    assert rp.cased("nhs england", "NHS ENGLAND", False) == "NHS ENGLAND"
    assert rp.cased("GovCamp Cymru", "govcamp", False) == "GovCamp Cymru"
    assert rp.cased("ward nurses", "World Nurse", False) == "Ward Nurses"
    assert rp.cased("ward", "World", True) == "ward"


def test_the_preview_writes_nothing(ws: Workspace):
    before = {s: (ws.transcript_dir(s) / "transcript.json").read_bytes() for s in TURNS}
    found = rp.preview(ws, "world nurse", "ward nurses")
    assert found.total == 4 and [r.slug for r in found.recordings if r.matches] == ["helen-ward", "sam-carter"]
    assert {s: (ws.transcript_dir(s) / "transcript.json").read_bytes() for s in TURNS} == before


def test_bad_phrases_and_slugs_are_one_line_errors(ws: Workspace):
    with pytest.raises(UsageError, match="give the phrase to find"):
        rp.preview(ws, "  ", "x")
    with pytest.raises(UsageError, match="characters long"):
        rp.preview(ws, "x", "y" * 300)
    with pytest.raises(rp.UnknownRecording, match="no transcribed recording"):
        rp.preview(ws, "x", "y", "not-yet")
    with pytest.raises(rp.UnknownRecording, match="is not a slug"):
        rp.preview(ws, "x", "y", "../etc")


# ---------------------------------------------------------------- applying


def test_apply_writes_a_persons_edit_with_timings_kept_and_inside_the_span(ws: Workspace):
    before = load(ws, "helen-ward")
    found = rp.preview(ws, "world nurse is mattered", "ward nurses mattered", "helen-ward")
    (rec,) = found.recordings
    (m,) = rec.matches
    done = rp.apply(ws, found.find, found.replace, {"helen-ward": rp.Choice(rec.version, (m.id,))})
    assert [(a.slug, a.replaced) for a in done] == [("helen-ward", 1)]
    after = load(ws, "helen-ward")
    seg, old = after["segments"][1], before["segments"][1]
    assert seg["text"] == "Honestly, the ward nurses mattered most. The World Nurse knew Jon's family."
    assert [w["word"].strip() for w in seg["words"]] == seg["text"].split()
    span = (old["words"][2]["start"], old["words"][5]["end"])  # world nurse is mattered
    for w in seg["words"][2:4]:  # ward nurses: inside the span, certain (a person chose them)
        assert span[0] <= w["start"] <= w["end"] <= span[1] and w["probability"] == 1.0
    assert seg["words"][:2] == old["words"][:2] and seg["words"][4:] == old["words"][5:]  # untouched: exact
    assert after["segments"][0] == before["segments"][0] and after["segments"][2] == before["segments"][2]
    assert is_hand_edited(after), "the build must never transcribe over it"
    assert done[0].version == version_of((ws.transcript_dir("helen-ward") / "transcript.json").read_bytes())


def test_only_the_chosen_matches_are_replaced(ws: Workspace):
    found = rp.preview(ws, "world nurse", "ward nurses", "helen-ward")
    rec = found.recordings[0]
    rp.apply(ws, found.find, found.replace, {"helen-ward": rp.Choice(rec.version, (rec.matches[2].id,))})
    texts = [s["text"] for s in load(ws, "helen-ward")["segments"]]
    assert "What did the world nurse do?" in texts[0]
    assert "the world nurse is mattered most. The Ward Nurses knew" in texts[1]


def test_across_all_recordings(ws: Workspace):
    found = rp.preview(ws, "world nurse", "ward nurses")
    chosen = {r.slug: rp.Choice(r.version) for r in found.recordings if r.matches}
    done = rp.apply(ws, found.find, found.replace, chosen)
    assert {a.slug: a.replaced for a in done} == {"helen-ward": 3, "sam-carter": 1}
    assert load(ws, "sam-carter")["segments"][0]["text"] == "The ward nurses, then the rules you had to spend."
    assert rp.preview(ws, "world nurse", "ward nurses").total == 0


def test_a_stale_preview_is_refused_and_writes_nothing(ws: Workspace):
    found = rp.preview(ws, "world nurse", "ward nurses")
    chosen = {r.slug: rp.Choice(r.version) for r in found.recordings if r.matches}
    other = ws.transcript_dir("sam-carter") / "transcript.json"
    data = load(ws, "sam-carter")
    data["segments"][0]["text"] = data["segments"][0]["text"].replace("spend", "bend")
    with file_lock(ws, "sam-carter"):  # someone saves it meanwhile, as the studio does
        write_transcript_file(other, data, machine=False)
    saved = other.read_bytes()
    helen = (ws.transcript_dir("helen-ward") / "transcript.json").read_bytes()
    with pytest.raises(rp.StalePreview) as caught:
        rp.apply(ws, found.find, found.replace, chosen)
    assert caught.value.stale == ["sam-carter"]
    assert "preview again" in caught.value.one_line()
    assert other.read_bytes() == saved, "the concurrent edit is kept"
    assert (ws.transcript_dir("helen-ward") / "transcript.json").read_bytes() == helen, "all or nothing"


def test_an_unknown_match_id_is_refused(ws: Workspace):
    found = rp.preview(ws, "world nurse", "ward nurses", "helen-ward")
    with pytest.raises(UsageError, match="has no match"):
        rp.apply(ws, found.find, found.replace, {"helen-ward": rp.Choice(found.recordings[0].version, ("9:9",))})


def test_a_turn_whose_text_was_edited_by_hand_is_retimed_before_it_is_matched(ws: Workspace):
    path = ws.transcript_dir("sam-carter") / "transcript.json"
    data = load(ws, "sam-carter")
    data["segments"][0]["text"] = "The world nurse, then, the rules you had to spend."  # words not updated
    write_transcript_file(path, data, machine=False)
    found = rp.preview(ws, "spend", "bend", "sam-carter")
    rp.apply(ws, found.find, found.replace, {"sam-carter": rp.Choice(found.recordings[0].version)})
    seg = load(ws, "sam-carter")["segments"][0]
    assert seg["text"] == "The world nurse, then, the rules you had to bend."
    assert [w["word"].strip() for w in seg["words"]] == seg["text"].split()


# ---------------------------------------------------------------- the vocabulary


def test_the_replacement_goes_into_the_vocabulary_with_comments_kept_once(ws: Workspace):
    path = ws.config.path
    text = path.read_text(encoding="utf-8").replace(
        "vocabulary = []", 'vocabulary = [\n  "Wales Audit Office",  # the regulator\n]  # ours')
    path.write_text(text, encoding="utf-8")
    assert rp.add_to_vocabulary(ws, "Ward  Nurses") is True
    assert rp.add_to_vocabulary(ws, "ward nurses") is False  # there already, in another case
    after = path.read_text(encoding="utf-8")
    assert '  "Wales Audit Office",  # the regulator\n  "Ward Nurses",\n]  # ours' in after
    assert "# Names and terms the speech model should expect" in after
    assert Workspace.open(ws.root).config.vocabulary == ("Wales Audit Office", "Ward Nurses")
    assert rp.in_vocabulary(ws, "WARD NURSES")


def test_a_vocabulary_key_is_added_when_there_is_none(ws: Workspace):
    path = ws.config.path
    path.write_text('title = "Show"  # keep me\n', encoding="utf-8")
    rp.add_to_vocabulary(ws, "GovCamp Cymru")
    assert path.read_text(encoding="utf-8") == 'title = "Show"  # keep me\nvocabulary = ["GovCamp Cymru"]\n'


def test_a_term_the_config_would_refuse_is_not_written(ws: Workspace):
    before = ws.config.path.read_bytes()
    with pytest.raises(ConfigError, match="at most 100"):
        rp.add_to_vocabulary(ws, "x" * 150)
    assert ws.config.path.read_bytes() == before


# ---------------------------------------------------------------- the command line


def test_the_command_previews_without_writing_then_applies(ws: Workspace, cli):
    before = (ws.transcript_dir("helen-ward") / "transcript.json").read_bytes()
    result = cli("replace", "world nurse", "ward nurses", "helen-ward", "--workspace", ws.root)
    assert result.exit_code == 0, result.output
    assert "helen-ward      0:06  Honestly, the [world nurse -> ward nurses] is mattered most." in result.output
    assert "3 match(es) in 1 of 1 transcript(s) searched." in result.output and "Add --apply to make the change." in result.output
    assert (ws.transcript_dir("helen-ward") / "transcript.json").read_bytes() == before
    result = cli("replace", "world nurse", "ward nurses", "--all", "--apply", "--add-to-vocabulary",
                 "--workspace", ws.root)
    assert result.exit_code == 0, result.output
    assert "4 match(es) in 2 of 2 transcript(s) searched." in result.output
    assert "helen-ward: replaced 3." in result.output and "sam-carter: replaced 1." in result.output
    assert "ward nurses" in Workspace.open(ws.root).config.vocabulary
    assert "the ward nurses is mattered" in load(ws, "helen-ward")["segments"][1]["text"]


def test_the_command_needs_one_slug_or_all(ws: Workspace, cli):
    result = cli("replace", "a", "b", "--workspace", ws.root)
    assert result.exit_code == 2 and "give one SLUG or --all" in result.output
    result = cli("replace", "a", "b", "nobody", "--workspace", ws.root)
    assert result.exit_code == 2 and 'no transcribed recording "nobody"' in result.output


def test_a_term_too_long_for_the_vocabulary_is_refused_before_any_transcript_changes(ws: Workspace, cli):
    before = (ws.transcript_dir("helen-ward") / "transcript.json").read_bytes()
    result = cli("replace", "world nurse", "w" * 120, "helen-ward", "--apply", "--add-to-vocabulary",
                 "--workspace", ws.root)
    assert result.exit_code == 2 and "at most 100" in result.output
    assert (ws.transcript_dir("helen-ward") / "transcript.json").read_bytes() == before


def test_two_matches_in_one_word_change_it_once():
    data = {"segments": [timed("Jon-Jon met Jon", 0.0)[0]]}
    matches = rp.find_matches(data, "Jon", "John")
    assert [(m.id, m.found, m.replacement) for m in matches] == [("0:0", "Jon-Jon", "John-Jon"), ("0:2", "Jon", "John")]
    assert rp.replaced(data, matches)["segments"][0]["text"] == "John-Jon met John"
