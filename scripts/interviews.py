"""Synthetic interviews for development and evaluation: espeak-ng voices, a title card, ground truth.

Learncast's tests need real speech with known answers: who spoke when, what they said,
and where each question (chapter) starts. This module turns a written script into a
recording (MP4 with a still title card, or WAV / MP3 audio only) and a ground-truth JSON
whose times come from the generated audio itself (sample counts), never from estimates.

It is a development tool: the Learncast pipeline never imports it, so espeak-ng is only
needed by whoever regenerates the evaluation media. Output is deterministic: the same
script, voices and settings give the same audio samples and the same truth file.

Typical use (see ``scripts/make_sample_interview.py``)::

    truth = make_interview(turns, Path("eval/x.mp4"), card=TitleCard("Show", "Jane Doe"),
                           voices={"interviewer": Voice("en-us+m1", pitch=35),
                                   "interviewee": Voice("en-gb+f3", pitch=60)})
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from pipeline.errors import BuildError, UsageError
from pipeline.ffmpeg import arg_path, ffmpeg_exe, run
from pipeline.fsutil import atomic_path, write_json

log = logging.getLogger(__name__)

# The reflective question set (id -> canonical wording), in canonical order.
QUESTIONS: dict[str, str] = {
    "relationships": "What relationships were important to build? With who? And how did you build trust?",
    "confidence": "What made you confident enough to stick your neck out and go against the status quo?",
    "rules": "What rules did you have to break?",
    "bureaucracy": "What bureaucracy did you have to break through?",
    "setbacks": "What went wrong, and what did you learn from it?",
    "reactions": ("How did others react when something went wrong? Did you feel supported to learn, "
                  "or pressured to put it right?"),
    "thinking": "What was guiding your thinking?",
    "methods": "What methods, models or theories did you draw on?",
    "engagement": "How did you talk about change in a way that engaged others and got them onside?",
    "governance": "What governance were you working within, and how did that help or hinder progress?",
    "resilience": ("What enabled you to stay resilient and see change through to implementation "
                   "when things felt really tough?"),
}

INTERVIEWER = "interviewer"
INTERVIEWEE = "interviewee"
FOLLOWUP = "followup"
CLOSING = "closing"
INTRO = "intro"

SAMPLE_RATE = 22050  # espeak-ng's native rate; resampling would only blur the timings
DEFAULT_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class Voice:
    """One espeak-ng voice and how it is driven.

    ``name`` is an espeak-ng voice, optionally with a variant (``en-us+m3``, ``en-gb+f3``);
    ``speed`` is words per minute (-s), ``pitch`` 0-99 (-p), ``word_gap`` extra pause
    between words in 10 ms units (-g). ``gain_db`` is applied after each clip is
    peak-normalised, so two speakers can sit at different levels on purpose.
    """

    name: str
    speed: int = 155
    pitch: int = 50
    word_gap: int = 0
    gain_db: float = -3.0


@dataclass(frozen=True)
class Turn:
    """One speaker turn of a script.

    ``question`` marks interviewer turns: a question id (starts that chapter, unless it
    restates the chapter already running), ``"followup"`` (a probe inside the current
    chapter), ``"closing"`` (starts the closing chapter) or None (no chapter change).
    ``pause_before`` overrides the gap before this turn, in seconds, to script a long
    silence or an interruption-like short gap.
    """

    speaker: str
    text: str
    question: str | None = None
    pause_before: float | None = None


@dataclass(frozen=True)
class Pauses:
    """Silence layout: lead-in before the first word, gaps between turns, tail after the last.

    Gaps cycle through ``between`` so they vary but stay deterministic.
    """

    lead_in: float = 1.5
    between: tuple[float, ...] = (0.8, 1.0, 0.7, 1.1, 0.9, 0.6, 1.2)
    tail: float = 1.5


@dataclass(frozen=True)
class TitleCard:
    """The still picture of an MP4: show name and interviewee on a plain background."""

    title: str
    subtitle: str = ""
    background: str = "0x1d3557"
    foreground: str = "white"
    size: tuple[int, int] = (640, 360)
    fps: int = 2
    font: Path = DEFAULT_FONT


@dataclass(frozen=True)
class Timed:
    """A turn placed on the timeline (seconds)."""

    turn: Turn
    start: float
    end: float


# ---------------------------------------------------------------- validation

def check_script(turns: Sequence[Turn], voices: Mapping[str, Voice],
                 questions: Mapping[str, str] = QUESTIONS) -> None:
    """Raise UsageError naming every problem in a script, before any audio is made."""
    problems = []
    allowed = set(questions) | {FOLLOWUP, CLOSING}
    for i, t in enumerate(turns):
        if t.speaker not in voices:
            problems.append(f"turn {i}: speaker {t.speaker!r} has no voice")
        if not t.text.strip():
            problems.append(f"turn {i}: empty text")
        if t.question is not None and t.question not in allowed:
            problems.append(f"turn {i}: unknown question {t.question!r}")
        if t.question is not None and t.speaker != INTERVIEWER:
            problems.append(f"turn {i}: only interviewer turns can carry a question")
        if t.pause_before is not None and t.pause_before < 0:
            problems.append(f"turn {i}: negative pause")
    if not turns:
        problems.append("the script has no turns")
    if problems:
        raise UsageError("; ".join(problems), fix="correct the interview script")


# ---------------------------------------------------------------- speech

def espeak_exe() -> str:
    """The espeak-ng binary; a clear error when it is missing (it is a dev-only tool)."""
    exe = shutil.which("espeak-ng")
    if not exe:
        raise BuildError("espeak-ng is not installed",
                         fix="apt-get install espeak-ng (only needed to regenerate sample media)")
    return exe


def speak(text: str, voice: Voice, workdir: Path) -> np.ndarray:
    """Synthesise ``text`` with espeak-ng; return mono int16 samples at SAMPLE_RATE.

    Leading and trailing silence that espeak adds is trimmed, so a turn's start and end
    in the truth file are where the voice really starts and stops.
    """
    txt = workdir / "turn.txt"
    wav = workdir / "turn.wav"
    txt.write_text(text, encoding="utf-8")
    cmd = [espeak_exe(), "-v", voice.name, "-s", str(voice.speed), "-p", str(voice.pitch),
           "-g", str(voice.word_gap), "-f", str(txt), "-w", str(wav)]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0 or not wav.is_file():
        raise BuildError(f"espeak-ng failed for voice {voice.name!r}: "
                         f"{proc.stderr.decode('utf-8', 'replace').strip()}",
                         fix="check the voice with `espeak-ng --voices=en`")
    samples = read_wav(wav)
    return _level(_trim(samples), voice.gain_db)


def read_wav(path: Path) -> np.ndarray:
    """Mono 16-bit samples of a WAV espeak-ng wrote (at SAMPLE_RATE)."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1 or w.getframerate() != SAMPLE_RATE:
            raise BuildError(f"unexpected WAV layout from espeak-ng ({w.getnchannels()} ch, "
                             f"{w.getframerate()} Hz, {8 * w.getsampwidth()} bit)", path=path,
                             fix="use espeak-ng 1.51 or later")
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16)


def _trim(samples: np.ndarray, threshold: int = 200) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0]:loud[-1] + 1]


def _level(samples: np.ndarray, gain_db: float) -> np.ndarray:
    """Peak-normalise to ``gain_db`` dBFS, so every voice starts from the same level."""
    peak = float(np.max(np.abs(samples.astype(np.int32)))) if samples.size else 0.0
    if peak == 0:
        return samples
    target = 32767 * 10 ** (gain_db / 20)
    return np.clip(np.round(samples.astype(np.float64) * (target / peak)), -32768, 32767).astype(np.int16)


# ---------------------------------------------------------------- timeline

def render_audio(turns: Sequence[Turn], voices: Mapping[str, Voice], pauses: Pauses,
                 workdir: Path) -> tuple[np.ndarray, list[Timed]]:
    """Speak every turn and lay the clips out with pauses; times come from sample counts."""
    pieces: list[np.ndarray] = []
    timed: list[Timed] = []
    cursor = 0  # in samples
    for i, turn in enumerate(turns):
        if i == 0:
            gap = pauses.lead_in if turn.pause_before is None else turn.pause_before
        elif turn.pause_before is not None:
            gap = turn.pause_before
        else:
            gap = pauses.between[(i - 1) % len(pauses.between)]
        gap_n = int(round(gap * SAMPLE_RATE))
        pieces.append(np.zeros(gap_n, dtype=np.int16))
        cursor += gap_n
        clip = speak(turn.text, voices[turn.speaker], workdir)
        log.info("turn %d (%s, %.2f s): %s", i, turn.speaker, clip.size / SAMPLE_RATE, turn.text[:60])
        timed.append(Timed(turn, cursor / SAMPLE_RATE, (cursor + clip.size) / SAMPLE_RATE))
        pieces.append(clip)
        cursor += clip.size
    pieces.append(np.zeros(int(round(pauses.tail * SAMPLE_RATE)), dtype=np.int16))
    return np.concatenate(pieces), timed


def add_room_tone(samples: np.ndarray, level_db: float | None, seed: int = 7) -> np.ndarray:
    """Mix in faint low-passed noise so silences are 'near-silence', like a real room.

    Seeded, so the result is the same on every run. ``None`` leaves digital silence.
    """
    if level_db is None:
        return samples
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(samples.size)
    # A short moving average tilts white noise towards the low end, like a quiet room's hum.
    tone = np.convolve(white, np.ones(24) / 24, mode="same")
    tone *= (32767 * 10 ** (level_db / 20)) / (np.sqrt(np.mean(tone ** 2)) or 1.0)
    return np.clip(np.round(samples.astype(np.float64) + tone), -32768, 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.astype("<i2").tobytes())


# ---------------------------------------------------------------- truth

def truth_from_timeline(timed: Sequence[Timed], duration: float,
                        questions: Mapping[str, str] = QUESTIONS) -> dict:
    """The ground truth: chapters (intro at 0, one per new question, closing) and turns.

    A question id equal to the running chapter is a restatement, not a new chapter;
    follow-ups never start a chapter.
    """
    chapters = [{"start": 0.0, "question": INTRO}]
    turns = []
    for t in timed:
        q = t.turn.question
        if q == CLOSING or (q in questions and q != chapters[-1]["question"]):
            chapters.append({"start": round(t.start, 3), "question": q})
        turns.append({
            "start": round(t.start, 3),
            "end": round(t.end, 3),
            "speaker": t.turn.speaker,
            "text": t.turn.text,
            "question": q if q in questions or q == FOLLOWUP else None,
        })
    return {"duration": round(duration, 3), "chapters": chapters, "turns": turns}


# ---------------------------------------------------------------- encoding

def _filter_escape(value: str) -> str:
    """Escape a value for use inside an ffmpeg filter option (quoted at both levels)."""
    return value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")


@functools.lru_cache(maxsize=None)
def _has_drawtext() -> bool:
    """Whether this ffmpeg was built with libfreetype (Debian's is; static builds may not be)."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-filters"], capture_output=True, check=False)
    return b" drawtext " in proc.stdout


def _card_filter(card: TitleCard, duration: float, workdir: Path) -> str:
    """drawtext over a colour when a font is available; otherwise the plain colour.

    The source gets an explicit duration: ``-shortest`` alone lets x264's lookahead
    overshoot the audio by dozens of frames.
    """
    w, h = card.size
    base = f"color=c={card.background}:s={w}x{h}:r={card.fps}:d={duration:.3f}"
    if not card.font.is_file() or not _has_drawtext():
        log.warning("no font %s or no drawtext filter: the title card is a plain colour", card.font)
        return base
    parts = [base]
    lines = [(card.title, 40, -30), (card.subtitle, 28, 40)]
    for n, (text, size, dy) in enumerate(lines):
        if not text:
            continue
        # textfile= avoids drawtext's own text escaping rules (%, :, quotes in names).
        tf = workdir / f"card{n}.txt"
        tf.write_text(text, encoding="utf-8")
        parts.append(
            f"drawtext=fontfile='{_filter_escape(str(card.font))}':textfile='{_filter_escape(str(tf))}':expansion=none"
            f":fontcolor={card.foreground}:fontsize={size}:x=(w-text_w)/2:y=(h-text_h)/2+({dy})")
    return ",".join(parts)


def encode(wav: Path, out: Path, card: TitleCard | None, workdir: Path, *, duration: float,
           audio_bitrate: str = "48k", crf: int = 38) -> None:
    """Encode the interview WAV to ``out``: .mp4 (H.264 card + AAC), .mp3 or .wav.

    Encoders run single-threaded with bit-exact flags and no metadata, so re-running the
    generator gives the same bytes.
    """
    suffix = out.suffix.lower()
    bitexact = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]
    with atomic_path(out) as tmp:
        if suffix == ".wav":
            shutil.copyfile(wav, tmp)
        elif suffix == ".mp3":
            run(["-y", "-i", arg_path(wav), "-c:a", "libmp3lame", "-b:a", audio_bitrate, "-ac", "1",
                 *bitexact, "-id3v2_version", "0", arg_path(tmp)], what=out)
        elif suffix == ".mp4":
            if card is None:
                raise UsageError("an MP4 needs a title card", path=out, fix="pass card=TitleCard(...)")
            run(["-y", "-f", "lavfi", "-i", _card_filter(card, duration, workdir), "-i", arg_path(wav),
                 "-map", "0:v", "-map", "1:a", "-t", f"{duration:.3f}",
                 "-c:v", "libx264", "-preset", "veryslow", "-tune", "stillimage", "-crf", str(crf),
                 "-pix_fmt", "yuv420p", "-threads", "1", "-x264-params", "threads=1",
                 "-c:a", "aac", "-b:a", audio_bitrate, "-ac", "1",
                 *bitexact, "-flags:v", "+bitexact", "-movflags", "+faststart", arg_path(tmp)], what=out)
        else:
            raise UsageError(f"unsupported output type {suffix!r}", path=out,
                             fix="write .mp4, .mp3 or .wav")


# ---------------------------------------------------------------- entry point

def make_interview(turns: Sequence[Turn], out: Path, *, voices: Mapping[str, Voice],
                   pauses: Pauses = Pauses(), card: TitleCard | None = None,
                   truth_path: Path | None = None, questions: Mapping[str, str] = QUESTIONS,
                   room_tone_db: float | None = -62.0, audio_bitrate: str = "48k") -> dict:
    """Render ``turns`` to ``out`` (.mp4/.mp3/.wav) and write its ground truth JSON.

    ``truth_path`` defaults to ``out`` with suffix ``.truth.json``. Returns the truth dict.
    The truth's ``duration`` is the length of the audio written, from its sample count.
    """
    check_script(turns, voices, questions)
    out = Path(out)
    truth_path = Path(truth_path) if truth_path else out.with_suffix(".truth.json")
    with tempfile.TemporaryDirectory(prefix="interview-") as tmp:
        workdir = Path(tmp)
        samples, timed = render_audio(turns, voices, pauses, workdir)
        samples = add_room_tone(samples, room_tone_db)
        wav = workdir / "interview.wav"
        write_wav(wav, samples)
        encode(wav, out, card, workdir, duration=samples.size / SAMPLE_RATE,
               audio_bitrate=audio_bitrate)
    # The audio's own length: containers round it up (MP4 to a video frame, MP3 to a frame).
    duration = samples.size / SAMPLE_RATE
    truth = truth_from_timeline(timed, duration, questions)
    write_json(truth_path, truth)
    log.info("wrote %s (%.1f s) and %s", out, duration, truth_path)
    return truth


# ---------------------------------------------------------------- scripted sets (eval, dev)


@dataclass(frozen=True)
class ScriptedInterview:
    """One scripted interview of a set: its name, the two voices, the pauses and the script."""

    name: str
    interviewer: Voice
    interviewee: Voice
    turns: tuple[Turn, ...]
    pauses: Pauses = Pauses()

    @property
    def voices(self) -> dict[str, Voice]:
        return {INTERVIEWER: self.interviewer, INTERVIEWEE: self.interviewee}


def generate_set(interviews: Sequence[ScriptedInterview], out_dir: Path, *,
                 only_missing: bool = False) -> list[Path]:
    """Render every interview into ``out_dir`` (``NAME.mp3`` and ``NAME.truth.json``);
    returns the audio paths. ``only_missing`` skips one whose two files both exist."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for iv in interviews:
        audio = out_dir / f"{iv.name}.mp3"
        truth = audio.with_suffix(".truth.json")
        paths.append(audio)
        if only_missing and audio.is_file() and truth.is_file():
            continue
        make_interview(iv.turns, audio, voices=iv.voices, pauses=iv.pauses, truth_path=truth)
    return paths


def set_cli(argv: Sequence[str] | None, *, what: str, default_out: Path,
            generate: Callable[[Path], list[Path]]) -> int:
    """The command line of a set's script: ``[OUT_DIR]``, then one written path a line."""
    import argparse

    parser = argparse.ArgumentParser(description=f"Generate the chaptering {what} interviews.")
    parser.add_argument("out_dir", nargs="?", type=Path, default=default_out,
                        help=f"folder for the .mp3 and .truth.json files (default: {default_out})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for path in generate(args.out_dir):
        print(path)
    return 0

