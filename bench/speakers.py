"""Speaker turns on the real multi-speaker recordings, for both product engines.

    python -m bench.speakers
    python -m bench.speakers --engine faster-whisper --out bench/work/speakers.md

Each recording is transcribed by the engine and labelled by the product's speaker stage
(:func:`pipeline.transcribe.speakers.assign_speakers`, two voices, as a build does), then
scored with :func:`~pipeline.transcribe.speakers.speaker_accuracy`: the time-weighted share
of labelled speech whose label is right under the best one-to-one mapping of labels onto
the reference speakers (in overlapped speech either talker counts as right).

* ``09_pyannote_sample_phonecall``: a phone call, two speakers, reference ``sample.rttm``;
* ``02_stereo_librispeech``: one speaker per channel; labelled from the channels (as the
  build does for such a file) and, to compare, from the mixed-down voice alone; reference:
  where each channel is within 30 dB of its loudest 100 ms;
* ``10_ami_pyannote_tst00_diarization``: a meeting with four speakers and overlap, reference
  ``tst00.rttm``. The product tells two voices apart (interviewer and interviewee), so at
  most two of the four can be mapped: this row shows how far that falls short on a meeting.

Speaker changes are also counted: the reference's (each speaker's turns joined across pauses
of up to 0.3 s, then in order of start) against the labelled segments'.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.transcription import PRODUCT_ENGINES, REALSPEECH, machine_lines  # noqa: E402


@dataclass
class Case:
    name: str
    source: Path
    how: str  # "voice" (diarised from the mono mix) or "channels"
    reference: str  # "rttm" or "channels"


CASES = (
    Case("09 phone call, 2 speakers", Path("09_pyannote_sample_phonecall/sample.wav"), "voice", "rttm"),
    Case("02 stereo, 1 speaker per channel", Path("02_stereo_librispeech/stereo_diarization.wav"), "channels",
         "channels"),
    Case("02 stereo, the same mixed to mono", Path("02_stereo_librispeech/stereo_diarization.wav"), "voice",
         "channels"),
    Case("10 AMI meeting, 4 speakers, overlap", Path("10_ami_pyannote_tst00_diarization/tst00.wav"), "voice",
         "rttm"),
)


def changes(labels: list[str]) -> int:
    return sum(1 for a, b in zip(labels, labels[1:]) if a != b)


def merged(turns: list, gap: float = 0.3) -> list:
    """Each speaker's turns with pauses of up to ``gap`` s closed, in order of start (the
    channel reference comes in 100 ms pieces)."""
    out = []
    for who in sorted({t[2] for t in turns}):
        current = None
        for a, b, _ in sorted(t for t in turns if t[2] == who):
            if current and a - current[1] <= gap:
                current = (current[0], max(current[1], b), who)
            else:
                if current:
                    out.append(current)
                current = (a, b, who)
        if current:
            out.append(current)
    return sorted(out)


def run(engine_name: str, realspeech: Path, work: Path) -> list[dict]:
    from pipeline.audio import wav_layout
    from pipeline.ffmpeg import decode_to_wav
    from pipeline.transcribe.engines import Options, get_engine
    from pipeline.transcribe.speakers import assign_speakers, channel_turns, read_rttm, speaker_accuracy

    engine = get_engine(engine_name)
    rows = []
    for case in CASES:
        source = realspeech / case.source
        if not source.is_file():
            rows.append({"case": case.name, "error": f"{source} is not here"})
            continue
        mono = work / f"{source.stem}.mono.wav"
        if not mono.is_file():
            decode_to_wav(source, mono)
        _, frames, _, rate = wav_layout(mono)
        started = time.perf_counter()
        segments = list(engine.transcribe(mono, frames / rate, Options()).segments)
        asr_s = time.perf_counter() - started
        if case.how == "channels":
            stereo = work / f"{source.stem}.stereo.wav"
            if not stereo.is_file():
                decode_to_wav(source, stereo, channels=2)
            labelled = assign_speakers(segments, mono, channels_wav=stereo)
        else:
            labelled = assign_speakers(segments, mono)
        if case.reference == "rttm":
            turns = read_rttm(next(source.parent.glob("*.rttm")))
        else:
            turns = channel_turns(source)
        ordered = merged(turns)
        rows.append({
            "case": case.name, "accuracy": speaker_accuracy(labelled, turns),
            "ref_speakers": len({t[2] for t in turns}), "labels": len({s.speaker for s in labelled}),
            "ref_changes": changes([t[2] for t in ordered]), "changes": changes([s.speaker for s in labelled]),
            "segments": len(labelled), "asr_s": asr_s,
        })
    return rows


def report(results: dict[str, list[dict]]) -> str:
    lines = [f"### Speaker turns on real recordings ({dt.date.today().isoformat()})", "",
             machine_lines(argparse.Namespace(threads=2, device="cpu")), "",
             "Two voices labelled, as in a build; accuracy = time-weighted share of labelled speech with the "
             "right label under the best one-to-one mapping onto the reference speakers.", "",
             "| recording | engine | speaker accuracy | reference speakers | labels | reference changes "
             "| changes found | segments |",
             "|---|---|---|---|---|---|---|---|"]
    for engine, rows in results.items():
        for row in rows:
            if "error" in row:
                lines.append(f"| {row['case']} | {engine} | not run: {row['error']} | – | – | – | – | – |")
                continue
            lines.append(f"| {row['case']} | {engine} | {row['accuracy']:.3f} | {row['ref_speakers']} | "
                         f"{row['labels']} | {row['ref_changes']} | {row['changes']} | {row['segments']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speakers", description=__doc__.split("\n")[0])
    parser.add_argument("--engine", action="append", choices=PRODUCT_ENGINES, help="default: both")
    parser.add_argument("--realspeech", type=Path, default=REALSPEECH)
    parser.add_argument("--out", type=Path, help="also write the markdown here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="learncast-speakers-") as tmp:
        results = {name: run(name, args.realspeech, Path(tmp)) for name in args.engine or PRODUCT_ENGINES}
    text = report(results)
    print(text)
    if args.out:
        from pipeline.fsutil import write_text

        write_text(args.out, text)
    return 0 if all("error" not in r for rows in results.values() for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
