"""Caption and transcript formats: parsed back with webvtt-py and srt, not string-matched."""

from __future__ import annotations

import dataclasses
import html
import io
import json
import os
import re

import pytest
import srt
import webvtt

from pipeline.models import INTERVIEWEE, INTERVIEWER, Segment, Transcript, Word
from pipeline import formats

HOSTILE = 'Try <script>alert("x")</script> & AT&T --> 00:00:01.000 --> x <b>bold</b> שלום עולם مرحبا 😀👩‍👩‍👧'


def timed(start: float, text: str, speaker: str, step: float = 0.3) -> Segment:
    """A segment whose words are spoken one every ``step`` seconds (Whisper-style leading spaces)."""
    tokens = text.split()
    words = tuple(Word(start + i * step, start + (i + 1) * step - 0.05, " " + tok) for i, tok in enumerate(tokens))
    return Segment(start=start, end=start + len(tokens) * step, text=text, speaker=speaker, words=words)


LONG = ("So the first thing we did was stop asking people to fill in the same form three times, "
        "because every team had its own copy and nobody trusted anybody else's, and then we sat "
        "down with the people who actually used the service and asked them what went wrong for them.")


@pytest.fixture
def transcript() -> Transcript:
    segs = [
        timed(0.5, "Welcome. What rules did you have to break?", INTERVIEWER),
        timed(4.0, LONG, INTERVIEWEE),
        timed(25.0, "And it worked.", INTERVIEWEE),
        timed(27.0, HOSTILE, INTERVIEWER),
        timed(36.0, "Thank you so much.", INTERVIEWER),
    ]
    return Transcript(language="en", engine="test", model="test", duration=40.0, segments=tuple(segs),
                      speakers={INTERVIEWER: "Ann <Host> & Co", INTERVIEWEE: "Dr. Bea Ōkafor"})


def vtt_captions(text: str):
    return webvtt.from_buffer(io.StringIO(text)).captions


def start(cap) -> float:
    return cap.start_time.in_milliseconds() / 1000  # webvtt-py's *_in_seconds are whole seconds


def end(cap) -> float:
    return cap.end_time.in_milliseconds() / 1000


def visible(line: str) -> str:
    """A VTT line as a viewer sees it: tags removed, character references decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", line))


def test_vtt_parses_with_voice_tags_and_monotonic_times(transcript):
    text = formats.to_vtt(transcript)
    assert text.startswith("WEBVTT\n")
    caps = vtt_captions(text)
    assert len(caps) >= 6  # the long answer became several cues
    last_end = 0.0
    for cap in caps:
        assert last_end <= start(cap) <= end(cap) <= transcript.duration
        last_end = end(cap)
        assert cap.voice is not None
    voices = [html.unescape(c.voice) for c in caps]
    assert voices[0] == "Ann <Host> & Co"
    assert "Dr. Bea Ōkafor" in voices
    # every word of the transcript is in the captions, in order
    seen = " ".join(visible(c.raw_text).replace("\n", " ") for c in caps).split()
    assert seen == " ".join(s.text for s in transcript.segments).split()


def test_long_segment_cues_follow_word_times(transcript):
    long_seg = transcript.segments[1]
    starts = {round(w.start, 3): w.word.strip() for w in long_seg.words}
    caps = [c for c in vtt_captions(formats.to_vtt(transcript)) if long_seg.start <= start(c) < long_seg.end]
    assert len(caps) >= 3
    for cap in caps:
        # each cue starts exactly when its first word is spoken
        assert starts[start(cap)] == visible(cap.raw_text).split()[0]
        assert end(cap) - start(cap) <= formats.MAX_CUE_SECONDS + 0.001


def test_line_length_and_two_lines_per_cue(transcript):
    giant = "https://example.org/" + "x" * 90
    t = Transcript(language="en", engine="t", model="t", duration=60.0, speakers=transcript.speakers,
                   segments=transcript.segments + (timed(40.0, f"see {giant} for details please", INTERVIEWEE),))
    for cap in vtt_captions(formats.to_vtt(t)):
        lines = [visible(x) for x in cap.raw_text.split("\n")]
        assert 1 <= len(lines) <= 2
        for line in lines:
            assert len(line) <= formats.MAX_LINE or " " not in line, line
    for sub in srt.parse(formats.to_srt(t)):
        lines = sub.content.split("\n")
        assert 1 <= len(lines) <= 2
        for line in lines:
            assert len(line) <= formats.MAX_LINE or " " not in line, line
    assert any(giant == visible(line) for cap in vtt_captions(formats.to_vtt(t)) for line in cap.raw_text.split("\n"))


def test_hostile_text_survives_both_formats(transcript):
    vtt_text = formats.to_vtt(transcript)
    # a literal arrow in speech must never become a timing line
    timing_lines = [ln for ln in vtt_text.splitlines() if "-->" in ln]
    assert len(timing_lines) == len(vtt_captions(vtt_text))
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}", ln) for ln in timing_lines)
    assert "<script>" not in vtt_text and "&lt;script&gt;" in vtt_text
    vtt_words = " ".join(visible(c.raw_text).replace("\n", " ") for c in vtt_captions(vtt_text)).split()
    assert " ".join(vtt_words).endswith(HOSTILE + " Thank you so much.")

    srt_text = formats.to_srt(transcript)
    subs = list(srt.parse(srt_text))
    assert len(subs) == len(vtt_captions(vtt_text))  # same cueing
    assert [s.start.total_seconds() for s in subs] == [start(c) for c in vtt_captions(vtt_text)]
    srt_words = " ".join(s.content.replace("\n", " ") for s in subs)
    assert '<script>alert("x")</script> & AT&T' in srt_words
    assert "-->" not in srt_words and "שלום עולם مرحبا 😀👩‍👩‍👧" in srt_words


def test_srt_names_speaker_at_each_turn(transcript):
    subs = list(srt.parse(formats.to_srt(transcript)))
    labelled = [s.content.split(":")[0] for s in subs if s.content.startswith(("Ann <Host> & Co:", "Dr. Bea Ōkafor:"))]
    # four turns: interviewer, interviewee (two segments), interviewer (two segments)
    assert labelled == ["Ann <Host> & Co", "Dr. Bea Ōkafor", "Ann <Host> & Co"]
    assert subs[0].content.startswith("Ann <Host> & Co: Welcome.")


def test_txt_one_paragraph_per_turn(transcript):
    paragraphs = formats.to_txt(transcript).rstrip("\n").split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0] == "Ann <Host> & Co: Welcome. What rules did you have to break?"
    assert paragraphs[1] == f"Dr. Bea Ōkafor: {LONG} And it worked."
    assert paragraphs[2].startswith("Ann <Host> & Co: Try <script>") and paragraphs[2].endswith("Thank you so much.")
    assert all("\n" not in p for p in paragraphs)


def test_p20_json_shape(transcript):
    data = formats.to_p20_json(transcript)
    assert data["version"] == "1.0.0"
    assert len(data["segments"]) == len(transcript.segments)
    for entry, seg in zip(data["segments"], transcript.segments):
        assert set(entry) == {"speaker", "startTime", "endTime", "body"}
        assert entry["body"] == seg.text
        assert entry["speaker"] == transcript.speaker_name(seg.speaker)
        assert entry["startTime"] <= entry["endTime"]
    json.dumps(data)  # serialisable as is


def test_edited_text_without_matching_words_is_spread_over_segment():
    seg = Segment(start=2.0, end=6.0, text="Names were [redacted] here for privacy reasons today.",
                  speaker=INTERVIEWEE, words=(Word(2.0, 6.0, " Names"),))
    t = Transcript(language="en", engine="t", model="t", duration=6.0, segments=(seg,))
    caps = vtt_captions(formats.to_vtt(t))
    assert start(caps[0]) == 2.0 and end(caps[-1]) <= 6.0
    assert " ".join(visible(c.raw_text).replace("\n", " ") for c in caps) == seg.text
    assert caps[0].voice == "Interviewee"  # no names configured: the key, titled


def test_empty_transcript_and_blank_segments():
    t = Transcript(language="en", engine="t", model="t", duration=3.0,
                   segments=(Segment(0.0, 1.0, "   ", INTERVIEWER),))
    assert formats.to_vtt(t) == "WEBVTT\n"
    assert list(srt.parse(formats.to_srt(t))) == []
    assert formats.to_txt(t) == ""
    assert formats.to_p20_json(t)["segments"] == []


def test_short_cue_is_held_but_never_overlaps_the_next():
    segs = (Segment(1.0, 1.2, "Yes.", INTERVIEWEE, (Word(1.0, 1.2, " Yes."),)),
            Segment(1.5, 2.5, "Right, go on.", INTERVIEWER),
            Segment(9.0, 9.1, "Okay.", INTERVIEWEE, (Word(9.0, 9.1, " Okay."),)))
    t = Transcript(language="en", engine="t", model="t", duration=9.5, segments=segs)
    caps = vtt_captions(formats.to_vtt(t))
    assert [(start(c), end(c)) for c in caps] == [(1.0, 1.5), (1.5, 2.5), (9.0, 9.5)]


def test_write_all_writes_every_kind(tmp_path, transcript):
    paths = formats.write_all(transcript, tmp_path / "out")
    assert set(paths) == {"vtt", "srt", "txt", "p20"}
    assert paths["vtt"].read_text(encoding="utf-8") == formats.to_vtt(transcript)
    assert paths["srt"].read_text(encoding="utf-8") == formats.to_srt(transcript)
    assert paths["txt"].read_text(encoding="utf-8") == formats.to_txt(transcript)
    assert json.loads(paths["p20"].read_text(encoding="utf-8")) == formats.to_p20_json(transcript)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(formats.FILE_NAMES.values())
    # unchanged content is not rewritten; changed content is
    for p in paths.values():
        os.utime(p, (1_000_000, 1_000_000))
    formats.write_all(transcript, tmp_path / "out")
    assert all(p.stat().st_mtime == 1_000_000 for p in paths.values())
    renamed = dataclasses.replace(transcript, speakers={INTERVIEWER: "Sam", INTERVIEWEE: "Bea"})
    formats.write_all(renamed, tmp_path / "out")
    assert all(p.stat().st_mtime != 1_000_000 for p in paths.values())
    assert "Sam: " in paths["txt"].read_text(encoding="utf-8")
