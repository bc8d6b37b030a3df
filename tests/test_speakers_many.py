"""Any number of speakers: the sidecar's ``speakers``, estimating how many voices there are,
keys beyond two with the interviewers found by their questions, and the names in every output."""

from __future__ import annotations

import shutil
import subprocess
import types
import wave
from pathlib import Path

import numpy as np
import pytest

from pipeline import formats
from pipeline.config import load_sidecar
from pipeline.errors import ConfigError
from pipeline.ffmpeg import decode_to_wav
from pipeline.models import (INTERVIEWEE, INTERVIEWER, RecordingMeta, Segment, Speaker, Transcript, Word,
                             is_interviewer, speaker_role)
from pipeline.transcribe import clustering, speakers, voice_encoder
from pipeline.transcribe.speakers import assign_speakers, speaker_accuracy

# ---------------------------------------------------------------- the sidecar


def sidecar(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "panel.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_speakers_as_a_list_with_roles(tmp_path: Path):
    meta = load_sidecar(sidecar(tmp_path, 'speakers = ["Sam Carter (interviewer)", "Helen Ward (interviewee)", '
                                           '"Ravi Patel"]\n'))
    assert meta.speakers == (Speaker("Sam Carter", INTERVIEWER), Speaker("Helen Ward", INTERVIEWEE),
                             Speaker("Ravi Patel", INTERVIEWEE))
    assert meta.speaker_count == 3 and meta.interviewer_count == 1
    # the first of each role fills interviewer / interviewee, which the pages and the feed use
    assert (meta.interviewer, meta.interviewee) == ("Sam Carter", "Helen Ward")
    assert meta.speaker_names() == {INTERVIEWER: "Sam Carter", INTERVIEWEE: "Helen Ward",
                                    "interviewee-2": "Ravi Patel"}


def test_speakers_as_tables_and_as_a_count(tmp_path: Path):
    meta = load_sidecar(sidecar(tmp_path, 'interviewee = "Helen Ward"\n'
                                          '[[speakers]]\nname = "Sam Carter"\nrole = "interviewer"\n'
                                          '[[speakers]]\nname = "Ann Lee"\nrole = "interviewer"\n'
                                          '[[speakers]]\nname = "Helen Ward"\nrole = "interviewee"\n'))
    assert meta.speaker_count == 3 and meta.interviewer_count == 2
    assert meta.speaker_names() == {INTERVIEWER: "Sam Carter", "interviewer-2": "Ann Lee", INTERVIEWEE: "Helen Ward"}
    counted = load_sidecar(sidecar(tmp_path, 'interviewee = "Helen Ward"\nspeakers = 3\n'))
    assert (counted.speakers, counted.speaker_count) == ((), 3)
    assert counted.speaker_names() == {INTERVIEWEE: "Helen Ward"}
    assert load_sidecar(sidecar(tmp_path, 'title = "x"\n')).speaker_count is None  # estimated


@pytest.mark.parametrize("value, says", [
    ('"three"', "expected a number of speakers (such as 3)"),
    ("0", "0 is not a number of speakers from 1 to 8"),
    ("[]", "got an empty list"),
    ('["Sam Carter (host)"]', 'item 1 ("Sam Carter") has the role "host", expected interviewer or interviewee'),
    ('["A (interviewer)", "B (interviewer)"]', "every speaker listed is an interviewer"),
    ('[{name = "A", job = "x"}]', 'item 1 has unknown key "job"'),
    ('[{role = "interviewer"}]', "item 1 has no name"),
])
def test_bad_speakers_are_one_line_with_the_file_and_the_fix(tmp_path: Path, value: str, says: str):
    path = sidecar(tmp_path, f"speakers = {value}\n")
    with pytest.raises(ConfigError) as err:
        load_sidecar(path)
    (line,) = err.value.lines()
    assert line.startswith(f'{path}: key "speakers": ') and says in line and "\n" not in line
    assert 'such as ["Sam Carter (interviewer)", "Helen Ward (interviewee)"]' in line  # how to write it


# ---------------------------------------------------------------- keys and roles


def seg(start: float, *tokens: str) -> Segment:
    words = tuple(Word(start + i * 0.5, start + i * 0.5 + 0.4, " " + t) for i, t in enumerate(tokens))
    return Segment(start, start + len(tokens) * 0.5, " ".join(tokens), INTERVIEWEE, words)


def test_keys_for_three_voices_and_two_interviewers():
    segs = [seg(0, "Welcome.", "What", "changed?"), seg(3, "We", "phoned", "every", "family", "ourselves."),
            seg(7, "Why?"), seg(8, "Because", "letters", "never", "ask", "how", "you", "are."),
            seg(12, "And", "you?"), seg(13, "I", "ran", "the", "budget", "for", "it.")]
    items = speakers._items(segs)
    # voice 7 asks, voices 3 and 5 answer (ids are arbitrary; order of first speech numbers them)
    labels = [7, 7, 7, 3, 3, 3, 3, 3, 7, 3, 3, 3, 3, 3, 3, 3, 7, 7, 5, 5, 5, 5, 5, 5]
    assert speakers._roles(items, labels) == {7: INTERVIEWER, 3: INTERVIEWEE, 5: "interviewee-2"}
    # with two interviewers named, the better questioner of the other two joins voice 7
    two = speakers._roles(items, labels, interviewers=2)
    assert two[7] == INTERVIEWER and sorted(two.values()) == sorted([INTERVIEWER, "interviewer-2", INTERVIEWEE])
    # at least one interviewee is always left
    assert list(speakers._roles(items, [0] * 8 + [1] * 16, interviewers=5).values()).count(INTERVIEWEE) == 1


def test_roles_of_keys():
    assert [speaker_role(k) for k in (INTERVIEWER, "interviewer-2", INTERVIEWEE, "interviewee-3", "alice")] == [
        INTERVIEWER, INTERVIEWER, INTERVIEWEE, INTERVIEWEE, INTERVIEWEE]
    assert is_interviewer("interviewer-2") and not is_interviewer("interviewers")


def test_chapters_see_every_interviewer():
    from pipeline.chapters.sentences import split_sentences

    t = Transcript(language="en", engine="x", model="x", duration=6.0,
                   segments=(Segment(0.0, 2.0, "What changed?", "interviewer-2"),
                             Segment(2.0, 6.0, "Everything did.", "interviewee-2")))
    got = {s.text: s.is_interviewer for s in split_sentences(t)}
    assert got == {"What changed?": True, "Everything did.": False}


# ---------------------------------------------------------------- how many voices


def blobs(centres: int, per: int = 40, dims: int = 16, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(centres, dims)) * 3
    return np.vstack([m + rng.normal(size=(per, dims)) for m in means])


@pytest.mark.parametrize("voices", [2, 3, 4])
def test_count_estimate_finds_well_separated_voices(voices: int):
    V = blobs(voices)
    assert clustering.estimate_count(V, cosine=False) == voices
    assert clustering.estimate_count(V - V.mean(axis=0), cosine=True) == voices


def test_count_estimate_keeps_two_for_one_varying_voice():
    rng = np.random.default_rng(3)
    one = rng.normal(size=(120, 16))  # one voice, no structure: never more than two
    assert clustering.estimate_count(one, cosine=False) == 2
    assert clustering.estimate_count(np.zeros((2, 4)), cosine=False) == 2  # too few stretches to say


# ---------------------------------------------------------------- three real voices (espeak-ng)

SCRIPT = [
    ("a", "Welcome to the panel. What did your team change first?"),
    ("b", "We stopped sending letters and started phoning every family ourselves, every single week."),
    ("a", "And what did the finance team make of that?"),
    ("c", "At first they hated it, because the phone bill tripled, but the missed appointments halved."),
    ("a", "Would you do it again?"),
    ("b", "Without a doubt, and sooner, with the people who use the service in the room from the start."),
    ("c", "I would measure more carefully, so the argument for it was made by the numbers and not by us."),
]
VOICES = {"a": ["-v", "en-us+m3", "-p", "35", "-s", "165"], "b": ["-v", "en-gb+f4", "-p", "75", "-s", "150"],
          "c": ["-v", "en-us+m7", "-p", "10", "-s", "135"]}


@pytest.fixture(scope="module")
def three_voices(tmp_path_factory) -> dict:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng); it makes the three-voice clip")
    work = tmp_path_factory.mktemp("three")
    rate, pieces, turns, segments, cursor = 22050, [], [], [], 0.5
    pieces.append(np.zeros(int(0.5 * rate), dtype=np.int16))
    for who, text in SCRIPT:
        subprocess.run(["espeak-ng", *VOICES[who], "-w", str(work / "t.wav"), text], check=True, capture_output=True)
        with wave.open(str(work / "t.wav"), "rb") as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 300)
        pcm = pcm[loud[0]:loud[-1] + 1]
        end = cursor + pcm.size / rate
        tokens = text.split()
        step = (end - cursor) / len(tokens)
        words = tuple(Word(round(cursor + i * step, 3), round(cursor + (i + 0.9) * step, 3), " " + tok)
                      for i, tok in enumerate(tokens))
        segments.append(Segment(cursor, end, text, INTERVIEWEE, words))
        turns.append((cursor, end, who))
        pieces += [pcm, np.zeros(int(0.8 * rate), dtype=np.int16)]
        cursor = end + 0.8
    raw = work / "raw.wav"
    with wave.open(str(raw), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.concatenate(pieces).tobytes())
    mono = work / "mono.wav"
    decode_to_wav(raw, mono)
    return {"mono": mono, "segments": segments, "turns": turns}


METHODS = ["mfcc", pytest.param("dvector", marks=pytest.mark.skipif(
    not voice_encoder.available(), reason="resemblyzer's weights are not installed (pip install --no-deps "
                                          "resemblyzer==0.1.4)"))]


@pytest.mark.parametrize("method", METHODS)
def test_three_voices_labelled_with_the_interviewer_found(three_voices, method: str):
    out = assign_speakers(three_voices["segments"], three_voices["mono"], num_speakers=3, method=method)
    assert {s.speaker for s in out} == {INTERVIEWER, INTERVIEWEE, "interviewee-2"}
    assert speaker_accuracy(out, three_voices["turns"]) >= 0.9
    asks = [s.speaker for s in out if s.text.endswith("?")]
    assert asks.count(INTERVIEWER) >= 0.6 * len(asks)  # the voice asking the questions


@pytest.mark.skipif(not voice_encoder.available(), reason="resemblyzer's weights are not installed")
def test_three_voices_counted_when_nobody_says(three_voices):
    # the trained encoder's prints only: MFCC statistics find two voices here (README, "Speakers")
    out = assign_speakers(three_voices["segments"], three_voices["mono"], method="dvector")
    assert len({s.speaker for s in out}) == 3
    assert speaker_accuracy(out, three_voices["turns"]) >= 0.9


# ---------------------------------------------------------------- names in the outputs


def panel_transcript() -> Transcript:
    return Transcript(
        language="en", engine="x", model="x", duration=9.0,
        segments=(Segment(0.0, 2.0, "What changed?", INTERVIEWER), Segment(2.0, 5.0, "We phoned.", INTERVIEWEE),
                  Segment(5.0, 9.0, "And I paid.", "interviewee-2")),
        speakers={INTERVIEWER: "Sam Carter", INTERVIEWEE: "Helen Ward", "interviewee-2": "Ravi Patel"})


def test_captions_and_pages_carry_every_name():
    t = panel_transcript()
    vtt = formats.to_vtt(t)
    assert all(f"<v {name}>" in vtt for name in ("Sam Carter", "Helen Ward", "Ravi Patel"))
    assert "Ravi Patel: And I paid." in formats.to_txt(t)
    assert {e["speaker"] for e in formats.to_p20_json(t)["segments"]} == {"Sam Carter", "Helen Ward", "Ravi Patel"}
    from pipeline.pages.views import unchaptered

    paragraphs = unchaptered(t)
    assert [(p.name, p.is_interviewer) for p in paragraphs] == [
        ("Sam Carter", True), ("Helen Ward", False), ("Ravi Patel", False)]


def test_feed_credits_every_named_speaker_with_a_role():
    from pipeline.publish.feed import episode_people

    meta = RecordingMeta(speakers=(Speaker("Sam Carter", INTERVIEWER), Speaker("Ann Lee", INTERVIEWER),
                                   Speaker("Helen Ward"), Speaker("Ravi Patel")), speaker_count=4,
                         interviewer="Sam Carter", interviewee="Helen Ward")
    t = panel_transcript()
    t = Transcript(**{**t.__dict__, "speakers": {**t.speakers, "interviewer-2": "Ann Lee"}})
    ep = types.SimpleNamespace(recording=types.SimpleNamespace(meta=meta), transcript=t)
    assert episode_people(ep, "The Show") == [("Sam Carter", "host"), ("Ann Lee", "co-host"),
                                              ("Helen Ward", "guest"), ("Ravi Patel", "guest")]
    # placeholders are credited to nobody; the show's host stands in for an unnamed interviewer
    bare = Transcript(**{**t.__dict__, "speakers": {INTERVIEWER: "Interviewer", INTERVIEWEE: "Interviewee",
                                                    "interviewee-2": "Interviewee 2"}})
    ep = types.SimpleNamespace(recording=types.SimpleNamespace(meta=RecordingMeta()), transcript=bare)
    assert episode_people(ep, "The Show") == [("The Show", "host")]


def test_transcript_names_every_key(tmp_path: Path):
    from pipeline.config import Config
    from pipeline.models import Recording
    from pipeline.transcribe import speaker_names

    meta = RecordingMeta(speakers=(Speaker("Sam Carter", INTERVIEWER), Speaker("Helen Ward")), speaker_count=3)
    audio = types.SimpleNamespace(recording=Recording(tmp_path / "a.wav", "a", meta))
    names = speaker_names(Config(root=tmp_path), audio, [INTERVIEWER, INTERVIEWEE, "interviewee-2"])
    assert names == {INTERVIEWER: "Sam Carter", INTERVIEWEE: "Helen Ward", "interviewee-2": "Interviewee 2"}
