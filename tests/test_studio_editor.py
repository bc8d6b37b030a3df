"""The transcript editor's saves over real HTTP: split and join turns (every word keeps its
exact timings), undo (an earlier state saved back restores its timings), a third speaker,
words marked checked, and the redaction spans the page strikes through and keeps silent.
Then a transcript with three speaker keys through the captions, the pages and the feed.

The studio fixtures (one tone transcribed by the fake engine) are tests/test_studio.py's.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from test_studio import SLUG, Running, built, edit_word, live, ws  # noqa: F401 - fixtures


def copy(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data))


def on_disk(live: Running) -> dict[str, Any]:
    return json.loads(live.transcript.read_text(encoding="utf-8"))


def words_text(words: list[dict[str, Any]]) -> str:
    return " ".join(w["word"].strip() for w in words)


def split(data: dict[str, Any], i: int, k: int) -> dict[str, Any]:
    """What the page sends to split turn ``i`` before its word ``k``: each half its own words."""
    data = copy(data)
    seg = data["segments"][i]
    first, second = seg["words"][:k], seg["words"][k:]
    a = dict(seg, end=first[-1]["end"], text=words_text(first), words=first)
    b = dict(seg, start=second[0]["start"], text=words_text(second), words=second)
    data["segments"][i:i + 1] = [a, b]
    return data


def join(data: dict[str, Any], i: int, speaker: str | None = None) -> dict[str, Any]:
    """What the page sends to join turn ``i`` with the next, as ``speaker`` or turn i's."""
    data = copy(data)
    a, b = data["segments"][i], data["segments"][i + 1]
    data["segments"][i:i + 2] = [{"start": a["start"], "end": b["end"], "text": a["text"] + " " + b["text"],
                                  "speaker": speaker or a["speaker"], "words": a["words"] + b["words"]}]
    return data


def timings(segments: list[dict[str, Any]]) -> list[tuple[float, float, str, float]]:
    return [(w["start"], w["end"], w["word"], w["probability"]) for s in segments for w in s["words"]]


# ---------------------------------------------------------------- split and join


def test_a_split_turn_keeps_every_word_with_its_exact_timings(live: Running):
    t = live.load()
    before = t["data"]
    status, body = live.save(t["version"], split(before, 2, 4))
    assert status == 200, body
    after = on_disk(live)
    assert len(after["segments"]) == len(before["segments"]) + 1
    a, b = after["segments"][2], after["segments"][3]
    assert a["text"] == "We broke the rule" and b["text"] == "that every referral needed a signed form first."
    assert (a["start"], b["end"]) == (before["segments"][2]["start"], before["segments"][2]["end"])
    assert a["end"] == before["segments"][2]["words"][3]["end"] and b["start"] == before["segments"][2]["words"][4]["start"]
    assert timings(after["segments"]) == timings(before["segments"])  # no word moved, none retimed
    assert a["speaker"] == b["speaker"] == before["segments"][2]["speaker"]


def test_a_joined_turn_keeps_every_word_and_takes_the_chosen_speaker(live: Running):
    t = live.load()
    before = t["data"]
    assert before["segments"][1]["speaker"] != before["segments"][2]["speaker"]
    status, body = live.save(t["version"], join(before, 1, speaker="interviewee"))
    assert status == 200, body
    after = on_disk(live)
    joined = after["segments"][1]
    assert len(after["segments"]) == len(before["segments"]) - 1
    assert joined["text"] == before["segments"][1]["text"] + " " + before["segments"][2]["text"]
    assert joined["speaker"] == "interviewee"
    assert (joined["start"], joined["end"]) == (before["segments"][1]["start"], before["segments"][2]["end"])
    assert timings(after["segments"]) == timings(before["segments"])


def test_an_edit_inside_a_split_turn_retimes_only_the_changed_word(live: Running):
    t = live.load()
    halves = edit_word(split(t["data"], 2, 4), 3, "referral", "referral letter")
    assert live.save(t["version"], halves)[0] == 200
    old = t["data"]["segments"][2]["words"]
    new = on_disk(live)["segments"][3]["words"]
    assert [w["word"] for w in new] == [" that", " every", " referral", " letter", " needed", " a", " signed", " form", " first."]
    assert new[:3] == old[4:7] and new[4:] == old[7:]  # untouched, exactly
    assert new[3]["start"] == old[6]["end"] and new[3]["probability"] == 1.0  # the gap after "referral"


def test_undo_saves_the_earlier_state_back_with_its_exact_timings(live: Running):
    t = live.load()
    original = t["data"]
    status, body = live.save(t["version"], edit_word(original, 2, "broke the rule", "bent a rule"))
    assert status == 200 and on_disk(live)["segments"][2]["text"].startswith("We bent a rule")
    status, body = live.save(body["version"], original)  # the page's undo: the snapshot before the edit
    assert status == 200, body
    assert on_disk(live)["segments"] == original["segments"]


# ---------------------------------------------------------------- speakers


def test_a_third_speaker_gets_its_own_key_and_turns(live: Running):
    t = live.load()
    data = copy(t["data"])
    data["speakers"]["speaker-3"] = "Priya Shah"
    data["segments"][3]["speaker"] = "speaker-3"
    assert live.save(t["version"], data)[0] == 200
    after = on_disk(live)
    assert after["speakers"]["speaker-3"] == "Priya Shah" and after["segments"][3]["speaker"] == "speaker-3"
    data["segments"][2]["speaker"] = "speaker-4"  # not in the map
    status, body = live.save(live.load()["version"], data)
    assert status == 400 and 'speaker "speaker-4"' in body["error"]


# ---------------------------------------------------------------- checked words


def test_a_checked_word_is_saved_kept_and_no_longer_uncertain(live: Running):
    from pipeline.models import Transcript

    t = live.load()
    status, listing = live.json("GET", "/api/recordings")
    assert [r["uncertain"] for r in listing["recordings"] if r["slug"] == SLUG] == [2]
    data = copy(t["data"])
    assert data["segments"][2]["words"][1]["word"] == " broke"
    data["segments"][2]["words"][1]["checked"] = True
    status, body = live.save(t["version"], data)
    assert status == 200, body
    word = on_disk(live)["segments"][2]["words"][1]
    assert word["checked"] is True and word["probability"] == 0.2  # the engine's figure stays
    status, listing = live.json("GET", "/api/recordings")
    assert [r["uncertain"] for r in listing["recordings"] if r["slug"] == SLUG] == [1]
    # kept through the model and through a later edit of another word of the turn
    assert Transcript.from_dict(on_disk(live)).to_dict()["segments"][2]["words"][1]["checked"] is True
    status, body = live.save(body["version"], edit_word(body["data"], 2, "signed", "written"))
    assert status == 200 and on_disk(live)["segments"][2]["words"][1]["checked"] is True
    # a person who changes the word itself typed it: certain, with no mark to keep
    status, body = live.save(body["version"], edit_word(body["data"], 2, "broke", "bent"))
    assert status == 200 and "checked" not in on_disk(live)["segments"][2]["words"][1]


def test_a_checked_mark_that_is_not_true_or_false_is_refused(live: Running):
    t = live.load()
    data = copy(t["data"])
    data["segments"][2]["words"][1]["checked"] = "yes"
    status, body = live.save(t["version"], data)
    assert status == 400 and "checked" in body["error"]


def test_an_unchecked_word_is_written_without_the_key():
    from pipeline.models import Word

    assert "checked" not in Word(0.0, 1.0, " a", 0.2).to_dict()
    assert Word.from_dict({"start": 0, "end": 1, "word": " a", "checked": True}).checked is True
    assert Word.from_dict({"start": 0, "end": 1, "word": " a", "checked": "yes"}).checked is False


def test_checking_a_word_after_the_review_keeps_it_reviewed_and_a_text_change_does_not(live: Running):
    def state() -> str:
        rows = live.json("GET", "/api/recordings")[1]["recordings"]
        return next(f'{r["state"]}: {r["detail"]}' for r in rows if r["slug"] == SLUG)

    assert live.json("POST", f"/api/recordings/{SLUG}/review", {"by": "Sam"})[0] == 200
    assert state().startswith("reviewed")
    t = live.load()
    data = copy(t["data"])
    data["segments"][2]["words"][6]["checked"] = True
    status, body = live.save(t["version"], data)
    assert status == 200 and state().startswith("reviewed") and "needs review" not in state()
    status, body = live.save(body["version"], edit_word(body["data"], 2, "broke", "bent"))
    assert status == 200 and "changed since it was reviewed: needs review" in state()


def test_a_checked_word_survives_the_transcribe_stages_read_and_write(live: Running):
    from pipeline.transcribe import load_transcript_file, transcript_to_file_data, write_transcript_file

    data, _ = load_transcript_file(live.transcript)
    data["segments"][2]["words"][6]["checked"] = True
    write_transcript_file(live.transcript, data, machine=False)
    _, transcript = load_transcript_file(live.transcript)
    assert transcript.segments[2].words[6].checked is True
    again = transcript_to_file_data(transcript, asr_key="k")
    assert again["segments"][2]["words"][6]["checked"] is True
    assert sum("checked" in w for s in again["segments"] for w in s["words"]) == 1


# ---------------------------------------------------------------- redaction spans


def test_the_spans_are_the_ones_the_build_silences(live: Running):
    from pipeline import redact
    from pipeline.transcribe import load_transcript_file

    spans = f"/api/recordings/{SLUG}/redactions/spans"
    assert live.json("GET", spans) == (200, {"spans": [], "unmatched": []})
    words = live.load()["data"]["segments"][2]["words"]
    r = f"/api/recordings/{SLUG}/redactions"
    start, end = words[5]["start"], words[6]["end"]  # "every referral", as the page sends a selection
    assert live.json("POST", r, {"start": str(start), "end": str(end), "reason": "a name"})[0] == 200
    assert live.json("POST", r, {"text": "signed form", "reason": "a form"})[0] == 200
    status, body = live.json("GET", spans)
    assert status == 200
    _, transcript = load_transcript_file(live.transcript)
    expected = redact.apply(transcript, redact.load(live.root / "transcripts" / SLUG)).spans
    assert body["spans"] == [[round(a, 3), round(b, 3)] for a, b in expected]
    assert body["spans"][0] == [start, end]
    assert [w.word for w in redact.apply(transcript, redact.load(live.root / "transcripts" / SLUG))
            .transcript.segments[2].words][5:7] == [" [redacted]", " needed"]
    assert live.json("DELETE", f"{r}/1")[0] == 200
    assert [s[0] for s in live.json("GET", spans)[1]["spans"]] == [words[9]["start"]]
    assert live.json("POST", r, {"text": "nothing like this was said", "reason": "asked"})[0] == 200
    assert live.json("GET", spans)[1]["unmatched"] == ["nothing like this was said"]  # the build withholds it
    assert live.json("GET", "/api/recordings/nobody/redactions/spans")[0] == 404
    assert live.json("GET", spans, auth=False)[0] in (401, 403)


# ---------------------------------------------------------------- three speakers, published


def panel() -> "Transcript":  # noqa: F821
    from pipeline.models import INTERVIEWEE, INTERVIEWER, Segment, Transcript, Word

    def seg(start: float, text: str, speaker: str) -> Segment:
        toks = text.split()
        return Segment(start, start + len(toks) * 0.4, text, speaker,
                       tuple(Word(start + i * 0.4, start + (i + 1) * 0.4, " " + w) for i, w in enumerate(toks)))

    return Transcript("en", "fake", "fake", 20.0, (
        seg(0.0, "Welcome to you both.", INTERVIEWER),
        seg(2.0, "Thank you for having us.", INTERVIEWEE),
        seg(5.0, "It is good to be here.", "speaker-3"),
        seg(8.0, "What changed first?", INTERVIEWER),
        seg(10.0, "The referral form went.", "speaker-3"),
    ), speakers={INTERVIEWER: "Sam Rivers", INTERVIEWEE: "Jane Doe", "speaker-3": "Priya Shah"})


def test_a_third_speaker_has_their_own_voice_tag_and_name_in_every_format():
    from pipeline import formats

    t = panel()
    vtt = formats.to_vtt(t)
    assert "<v Priya Shah>It is good to be here." in vtt and "<v Jane Doe>Thank you" in vtt
    assert "Priya Shah: It is good to be here." in formats.to_txt(t)
    assert "Priya Shah" in formats.to_srt(t)
    assert {s["speaker"] for s in formats.to_p20_json(t)["segments"]} == {"Sam Rivers", "Jane Doe", "Priya Shah"}


def test_a_third_speaker_is_a_guest_in_the_feed_once_and_a_placeholder_is_not(tmp_path: Path):
    import dataclasses

    from test_publish import NS, episode, parse
    from pipeline.config import Config
    from pipeline.models import RecordingMeta
    from pipeline.publish.feed import build_feed, guests

    config = Config(root=tmp_path, title="Show", description="About.", author="Team", owner_name="Team",
                    owner_email="team@example.org", base_url="https://example.org/s/", interviewer="Sam Rivers")
    ep = episode(tmp_path / "site", "panel", meta=RecordingMeta(interviewee="Jane Doe"), tr=panel(),
                 when=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc))
    item = parse(build_feed(config, [ep])).find("channel/item")
    people = [(p.get("role"), p.text) for p in item.findall("podcast:person", NS)]
    assert people == [("host", "Sam Rivers"), ("guest", "Jane Doe"), ("guest", "Priya Shah")]
    unnamed = dataclasses.replace(ep, transcript=dataclasses.replace(
        panel(), speakers={**panel().speakers, "speaker-3": "Speaker 3", "speaker-4": "Ali Khan"}))
    assert guests(unnamed) == ["Jane Doe"]  # "Speaker 3" is no one to credit; speaker-4 never speaks


def test_a_third_speaker_is_named_on_the_episode_page(tmp_path: Path):
    from test_pages import BASE, make_episode, parse
    from pipeline.config import Config
    from pipeline.models import RecordingMeta
    from pipeline.pages import render_site

    config = Config(root=tmp_path, title="Show", description="About.", language="en-GB", base_url=BASE)
    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.xml").write_text("<rss/>")
    (site / "artwork.jpg").write_bytes(b"\xff\xd8")
    ep = make_episode(site, config, "panel", "A panel", RecordingMeta(interviewee="Jane Doe"), panel(),
                      dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc), video=False)
    render_site(config, site, [ep], None, workspace_root=tmp_path)
    doc = parse(site / "episodes" / "panel" / "index.html")
    turns = [(p.get("data-speaker"), p.findtext(".//span[@class='speaker']"))
             for p in doc.xpath("//p[contains(@class, 'turn')]")]
    assert ("speaker-3", "Priya Shah") in turns and ("interviewee", "Jane Doe") in turns
    assert [k for k, _ in turns] == ["interviewer", "interviewee", "speaker-3", "interviewer", "speaker-3"]


@pytest.mark.parametrize("name", ["Speaker 3", "speaker-3", "Interviewee 2", "Guest"])
def test_placeholder_names_are_not_credited(name: str, tmp_path: Path):
    import dataclasses

    from test_publish import episode
    from pipeline.models import RecordingMeta
    from pipeline.publish.feed import guests

    t = dataclasses.replace(panel(), speakers={**panel().speakers, "speaker-3": name})
    ep = episode(tmp_path / "site", "p", meta=RecordingMeta(interviewee=""), tr=t)
    assert guests(ep) == ["Jane Doe"]  # the interviewee the transcript names; the placeholder is no one
