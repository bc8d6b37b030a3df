"""Speaker labelling: real voices (espeak-ng, and real recordings when present), plus the
pure parts (splitting, role choice, the accuracy measure) on hand-made segments."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from pipeline.ffmpeg import decode_to_wav
from pipeline.models import INTERVIEWEE, INTERVIEWER, Segment, Word
from pipeline.transcribe import speakers
from pipeline.transcribe.speakers import assign_speakers, channel_turns, read_rttm, speaker_accuracy

# (speaker, text): the interviewer asks, the interviewee answers at more length.
SCRIPT = [
    (INTERVIEWER, "Welcome to the show. What did you change first?"),
    (INTERVIEWEE, "We stopped sending letters and started phoning every family ourselves."),
    (INTERVIEWER, "Why did that matter?"),
    (INTERVIEWEE, "Because a letter never asks how you are, and a phone call always does."),
    (INTERVIEWER, "Who pushed back the hardest?"),
    (INTERVIEWEE, "The finance team, at first, until the numbers came in after six months."),
    (INTERVIEWER, "And what would you tell another council?"),
    (INTERVIEWEE, "Start small, measure everything, and talk to the people who use the service."),
]
VOICES = {
    INTERVIEWER: ["-v", "en-us+m3", "-p", "35", "-s", "165"],
    INTERVIEWEE: ["-v", "en-gb+f4", "-p", "70", "-s", "155"],
}
GAPS = [0.7, 0.9, 0.6, 1.0, 0.8, 0.7, 0.9]
ESPEAK_RATE = 22050


def _espeak(text: str, args: list[str], path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", *args, "-w", str(path), text], check=True, capture_output=True)
    with wave.open(str(path), "rb") as w:
        assert w.getframerate() == ESPEAK_RATE
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 300)
    return pcm[loud[0]:loud[-1] + 1]


def _words(text: str, start: float, end: float) -> tuple[Word, ...]:
    """Words spread over the spoken span in proportion to their length (as a rough aligner would)."""
    tokens = text.split()
    total = sum(len(t) + 1 for t in tokens)
    out, pos = [], 0
    for tok in tokens:
        a = start + (end - start) * pos / total
        pos += len(tok) + 1
        out.append(Word(round(a, 3), round(start + (end - start) * (pos - 1) / total, 3), " " + tok))
    return tuple(out)


@pytest.fixture(scope="module")
def two_voices(tmp_path_factory) -> dict:
    """~35 s of two espeak-ng voices taking turns, as 16 kHz WAVs, with the true turn times.

    Segments mostly follow turns, but two of them run across a change of speaker (as
    Whisper's do), so the labeller has to split them.
    """
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng); it makes the two-voice test clip")
    work = tmp_path_factory.mktemp("voices")
    pieces = [np.zeros(int(0.5 * ESPEAK_RATE), dtype=np.int16)]
    cursor = pieces[0].size
    turns = []
    for i, (who, text) in enumerate(SCRIPT):
        clip = _espeak(text, VOICES[who], work / "turn.wav")
        turns.append((cursor / ESPEAK_RATE, (cursor + clip.size) / ESPEAK_RATE, who, text))
        pieces.append(clip)
        cursor += clip.size
        gap = np.zeros(int(GAPS[i % len(GAPS)] * ESPEAK_RATE), dtype=np.int16)
        pieces.append(gap)
        cursor += gap.size
    pcm = np.concatenate(pieces)
    raw = work / "raw.wav"
    with wave.open(str(raw), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(ESPEAK_RATE)
        w.writeframes(pcm.tobytes())
    mono = work / "mono.wav"
    decode_to_wav(raw, mono)

    segments = []
    merge = {1, 4}  # turn 1 runs on into turn 2, turn 4 into turn 5
    i = 0
    while i < len(turns):
        group = turns[i:i + 2] if i in merge else turns[i:i + 1]
        words = sum((_words(text, a, b) for a, b, _w, text in group), ())
        segments.append(Segment(start=group[0][0], end=group[-1][1], text=" ".join(t[3] for t in group), words=words))
        i += len(group)

    # The same conversation with one voice per channel (and a little crosstalk).
    left = pcm.astype(np.float64).copy()
    right = pcm.astype(np.float64).copy()
    for a, b, who, _text in turns:
        sl = slice(int(a * ESPEAK_RATE), int(b * ESPEAK_RATE))
        (right if who == INTERVIEWER else left)[sl] *= 0.05  # -26 dB bleed into the other microphone
    stereo_raw = work / "stereo_raw.wav"
    with wave.open(str(stereo_raw), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(ESPEAK_RATE)
        w.writeframes(np.stack([left, right], axis=1).round().astype("<i2").tobytes())
    stereo = work / "stereo.wav"
    decode_to_wav(stereo_raw, stereo, channels=2)
    same = work / "same.wav"  # a plain stereo mix: both channels identical
    decode_to_wav(raw, same, channels=2)
    return {"mono": mono, "stereo": stereo, "same": same, "segments": segments,
            "turns": [(a, b, who) for a, b, who, _t in turns]}


def role_accuracy(segments: list[Segment], turns) -> float:
    """Time share of speech labelled with the right role (no remapping: the role must be right)."""
    right = total = 0.0
    for seg in segments:
        for a, b, who in turns:
            overlap = max(0.0, min(seg.end, b) - max(seg.start, a))
            total += overlap
            right += overlap if seg.speaker == who else 0.0
    return right / total


def test_two_voices_diarised(two_voices):
    out = assign_speakers(two_voices["segments"], two_voices["mono"])
    assert role_accuracy(out, two_voices["turns"]) >= 0.9
    assert speaker_accuracy(out, two_voices["turns"]) >= 0.9
    # the two segments that ran across a change of speaker were split there
    assert len(out) >= len(SCRIPT)
    texts = [s.text for s in out]
    assert "We stopped sending letters and started phoning every family ourselves." in texts
    assert "Why did that matter?" in texts
    assert " ".join(texts).split() == " ".join(s.text for s in two_voices["segments"]).split()
    assert all(a.end <= b.start + 1e-6 for a, b in zip(out, out[1:]))


def test_two_voices_by_channel(two_voices, tmp_path):
    # A mono file with no voices in it: only the channels can get the labels right.
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(16000 * 40, dtype="<i2").tobytes())
    out = assign_speakers(two_voices["segments"], silent, channels_wav=two_voices["stereo"])
    assert role_accuracy(out, two_voices["turns"]) >= 0.95


def test_identical_channels_fall_back_to_diarisation(two_voices):
    diarised = assign_speakers(two_voices["segments"], two_voices["mono"])
    with_mix = assign_speakers(two_voices["segments"], two_voices["mono"], channels_wav=two_voices["same"])
    assert with_mix == diarised


def test_one_speaker_requested(two_voices):
    out = assign_speakers(two_voices["segments"], two_voices["mono"], num_speakers=1)
    assert [s.speaker for s in out] == [INTERVIEWEE] * len(two_voices["segments"])


# ---------------------------------------------------------------- pure parts


def seg(start: float, *tokens: str, speaker: str = INTERVIEWEE) -> Segment:
    words = tuple(Word(start + i * 0.5, start + i * 0.5 + 0.4, " " + t) for i, t in enumerate(tokens))
    return Segment(start, start + len(tokens) * 0.5, " ".join(tokens), speaker, words)


def test_split_at_word_boundary():
    s = seg(1.0, "Right.", "So", "what", "happened", "next?", "We", "waited.")
    items = speakers._items([s])
    roles = [INTERVIEWEE] + [INTERVIEWER] * 4 + [INTERVIEWEE] * 2
    out = speakers._split([s], items, roles)
    assert [(o.text, o.speaker) for o in out] == [
        ("Right.", INTERVIEWEE), ("So what happened next?", INTERVIEWER), ("We waited.", INTERVIEWEE)]
    assert out[0].start == s.start and out[-1].end == s.end
    assert out[1].start == s.words[1].start and out[1].end == s.words[4].end
    assert sum(len(o.words) for o in out) == len(s.words)


def test_roles_prefer_the_voice_asking_questions():
    segs = [seg(0, "Hello", "there."), seg(2, "What", "changed?"), seg(4, "A", "lot", "changed", "for", "us", "here."),
            seg(8, "Why?"), seg(9, "Money", "mostly.")]
    items = speakers._items(segs)
    # voice 0 asks both questions but also speaks first; voice 1 answers at length
    labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1]
    assert speakers._roles(items, labels) == {0: INTERVIEWER, 1: INTERVIEWEE}
    swapped = [1 - x for x in labels]
    assert speakers._roles(items, swapped) == {1: INTERVIEWER, 0: INTERVIEWEE}


def test_segments_without_words_are_labelled_whole(tmp_path):
    wav = tmp_path / "quiet.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(16000 * 3, dtype="<i2").tobytes())
    segs = [Segment(0.0, 1.0, "Hello?"), Segment(1.2, 2.5, "Hi there.")]
    out = assign_speakers(segs, wav)
    assert [s.text for s in out] == ["Hello?", "Hi there."]
    assert {s.speaker for s in out} <= {INTERVIEWER, INTERVIEWEE}
    assert assign_speakers([], wav) == []
    # too little speech to tell voices apart: one voice, the interviewee's
    assert [s.speaker for s in assign_speakers([Segment(0.0, 0.5, "Hello?")], wav)] == [INTERVIEWEE]


def test_wrong_sample_rate_is_a_clear_error(tmp_path):
    from pipeline.errors import MediaError

    wav = tmp_path / "cd.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(np.zeros(44100, dtype="<i2").tobytes())
    with pytest.raises(MediaError, match="16000 Hz"):
        assign_speakers([seg(0, "Hello.")], wav)


def test_speaker_accuracy_is_mapping_free_and_time_weighted():
    ref = [(0.0, 4.0, "alice"), (4.0, 6.0, "bob")]
    perfect = [Segment(0.0, 4.0, "a", INTERVIEWEE), Segment(4.0, 6.0, "b", INTERVIEWER)]
    assert speaker_accuracy(perfect, ref) == pytest.approx(1.0)
    # one second of bob's two labelled as alice's voice
    half = [Segment(0.0, 4.0, "a", INTERVIEWEE), Segment(4.0, 5.0, "b", INTERVIEWEE), Segment(5.0, 6.0, "c", INTERVIEWER)]
    assert speaker_accuracy(half, ref) == pytest.approx(5 / 6, abs=0.01)
    # silence in the hypothesis is not scored; overlap accepts either talker
    ref_overlap = ref + [(1.0, 2.0, "bob")]
    assert speaker_accuracy([Segment(1.0, 2.0, "x", INTERVIEWER)] + perfect[1:], ref_overlap) == pytest.approx(1.0)


def test_read_rttm(tmp_path):
    p = tmp_path / "x.rttm"
    p.write_text("SPEAKER f 1 6.690 0.430 <NA> <NA> spk90 <NA> <NA>\n"
                 "SPEAKER f 1 7.550 0.800 <NA> <NA> spk91 <NA> <NA>\n")
    assert read_rttm(p) == [(6.69, pytest.approx(7.12), "spk90"), (7.55, pytest.approx(8.35), "spk91")]


# ---------------------------------------------------------------- real recordings


def _transcribe(wav: Path) -> list[Segment]:
    from pipeline.transcribe.engines import FasterWhisperEngine, Options

    with wave.open(str(wav), "rb") as w:
        duration = w.getnframes() / w.getframerate()
    return list(FasterWhisperEngine("").transcribe(wav, duration, Options()).segments)


@pytest.mark.slow
def test_real_phone_call(real_recording):
    folder = real_recording("09_pyannote_sample_phonecall")
    segments = _transcribe(folder / "sample.wav")
    out = assign_speakers(segments, folder / "sample.wav")
    assert len({s.speaker for s in out}) == 2
    assert speaker_accuracy(out, read_rttm(folder / "sample.rttm")) >= 0.85


@pytest.mark.slow
def test_real_stereo_one_speaker_per_channel(tmp_path, real_recording):
    folder = real_recording("02_stereo_librispeech")
    stereo = folder / "stereo_diarization.wav"
    mono = tmp_path / "mono.wav"
    decode_to_wav(stereo, mono)
    out = assign_speakers(_transcribe(mono), mono, channels_wav=stereo)
    # reference: where each channel is within 30 dB of its loudest 100 ms
    turns = channel_turns(stereo)
    assert {who for _a, _b, who in turns} == {"ch0", "ch1"}
    assert speaker_accuracy(out, turns) >= 0.9


def test_speaker_accuracy_with_more_labels_than_speakers():
    ref = [(0.0, 6.0, "alice")]
    hyp = [Segment(0.0, 2.0, "a", INTERVIEWEE), Segment(2.0, 6.0, "b", INTERVIEWER)]
    assert speaker_accuracy(hyp, ref) == pytest.approx(4 / 6, abs=0.01)  # the longer label pairs with alice
