"""The old diarizer against the new ones, on the same words, in one run.

    python -m bench.diarizers                    # every recording below, words cached
    python -m bench.diarizers --hour             # ... and the labelling time on a 60-minute recording
    python -m bench.diarizers --out bench/work/diarizers.md

Each recording is transcribed once by the product's engine (faster-whisper, the embedded
tiny.en) and its words cached in ``bench/work/asr`` (the key is the pipeline's ASR key), so
only the speaker stage runs again. Then, on those words:

* **old**: ``pipeline/transcribe/speakers.py`` as it was at ``OLD_COMMIT`` (numpy MFCC,
  k-means, GMM, Viterbi; two voices always), loaded from git;
* **mfcc**: the MFCC voices with scikit-learn k-means and Gaussian mixtures;
* **dvector**: Resemblyzer's trained encoder, scikit-learn clustering and the same turn
  smoothing.

Each new one runs twice: told the number of speakers (as a sidecar's ``speakers`` says it)
and estimating it. Accuracy is :func:`pipeline.transcribe.speakers.speaker_accuracy`: the
time-weighted share of labelled speech with the right label under the best one-to-one
mapping onto the reference speakers. For the generated interviews (the sample and the
evaluation set) the role accuracy is given too: the share of words whose key is the
true role (interviewer or interviewee), with no remapping, which is what chaptering needs.

References: 09 and 10 their RTTM files; 02 where each channel is within 30 dB of its loudest
100 ms (its mono mix is diarised, the channels are not used); 08 its ``segments.tsv`` (one
session per channel, mixed to mono); the interviews their ``.truth.json`` turns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import logging
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.chapters import CACHE_DIR, EVAL_DIR, SAMPLE, CachedEngine, _load_json  # noqa: E402
from bench.transcription import REALSPEECH, machine_lines  # noqa: E402

log = logging.getLogger("bench.diarizers")

OLD_COMMIT = "676b426"  # main before any speaker change
METHODS = ("old", "mfcc", "dvector")


@dataclass
class Case:
    name: str
    audio: Path
    reference: Callable[[Path], list]  # audio -> turns (start, end, speaker)
    truth: dict[str, Any] | None = None  # a generated interview's truth (roles)


def _rttm(audio: Path) -> list:
    from pipeline.transcribe.speakers import read_rttm

    return read_rttm(next(audio.parent.glob("*.rttm")))


def _channels(audio: Path) -> list:
    from pipeline.transcribe.speakers import channel_turns

    return channel_turns(audio)


def _tsv(audio: Path) -> list:
    rows = audio.with_suffix(".segments.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(float(r.split("\t")[0]), float(r.split("\t")[1]), r.split("\t")[2]) for r in rows if r.strip()]


def _truth_turns(truth: dict[str, Any]) -> Callable[[Path], list]:
    return lambda _audio: [(t["start"], t["end"], t["speaker"]) for t in truth["turns"]]


def cases(realspeech: Path, with_eval: bool) -> list[Case]:
    out = [
        Case("02 stereo mixed to mono, 2 speakers", realspeech / "02_stereo_librispeech/stereo_diarization.wav", _channels),
        Case("08 spontaneous, 2 sessions", realspeech / "08_mfa_spontaneous_two_sessions/michaelandsickmichael.wav", _tsv),
        Case("09 phone call, 2 speakers", realspeech / "09_pyannote_sample_phonecall/sample.wav", _rttm),
        Case("10 AMI meeting, 4 speakers", realspeech / "10_ami_pyannote_tst00_diarization/tst00.wav", _rttm),
    ]
    truths = [(SAMPLE.stem, SAMPLE)]
    if with_eval:
        from bench.chapters import eval_items

        truths += [(item.name, item.path) for item in eval_items(False)]
    for name, path in truths:
        truth = _load_json(path.with_suffix(".truth.json"))
        out.append(Case(name, path, _truth_turns(truth), truth))
    return out


def load_old() -> Callable:
    """``assign_speakers`` as it was at OLD_COMMIT (its relative imports resolve in pipeline.transcribe)."""
    src = subprocess.run(["git", "show", f"{OLD_COMMIT}:pipeline/transcribe/speakers.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="old-speakers-")) / "speakers_old.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("pipeline.transcribe._speakers_old", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.assign_speakers


def words_for(case: Case, engine: CachedEngine) -> tuple[Any, list]:
    from pipeline.ingest import ingest
    from pipeline.models import Recording
    from pipeline.workspace import slugify

    audio, _stereo = ingest(Recording(path=case.audio, slug=slugify(case.audio.stem)), CACHE_DIR)
    engine._key = engine.settings.asr_key(audio.sha256)
    raw = engine.transcribe(audio.path, audio.duration, engine.settings.options)
    return audio, list(raw.segments)


def role_accuracy(segments: list, truth: dict[str, Any]) -> float | None:
    from bench.chapters import speaker_accuracy as word_roles
    from pipeline.models import Transcript, speaker_role

    roled = [s.__class__(**{**s.__dict__, "speaker": speaker_role(s.speaker)}) for s in segments]
    return word_roles(Transcript(language="en", engine="", model="", duration=0.0, segments=tuple(roled)), truth)


def run_case(case: Case, engine: CachedEngine, old: Callable) -> list[dict]:
    from pipeline.transcribe.speakers import assign_speakers, speaker_accuracy

    audio, segments = words_for(case, engine)
    turns = case.reference(case.audio)
    n_ref = len({t[2] for t in turns})
    rows = []
    runs = [("old", "2 (fixed)", lambda: old(segments, audio.path))]
    for method in METHODS[1:]:
        runs.append((method, "given", lambda m=method: assign_speakers(segments, audio.path, num_speakers=n_ref, method=m)))
        runs.append((method, "estimated", lambda m=method: assign_speakers(segments, audio.path, method=m)))
    for method, count, call in runs:
        t0 = time.perf_counter()
        labelled = call()
        seconds = time.perf_counter() - t0
        rows.append({"case": case.name, "method": method, "count": count, "ref": n_ref,
                     "found": len({s.speaker for s in labelled}), "accuracy": speaker_accuracy(labelled, turns),
                     "roles": role_accuracy(labelled, case.truth) if case.truth else None,
                     "seconds": seconds, "duration": audio.duration})
    return rows


def hour_timing(engine: CachedEngine, interviews: list[Case], minutes: float = 60.0) -> dict[str, float]:
    """Labelling time on one ~60-minute recording: the interviews' 16 kHz audio joined end to
    end until it lasts ``minutes``, with their cached words moved to match, so the speaker
    stage sees an hour of real words without an hour of transcription here. Wall and CPU
    seconds (the process's, every thread) per diarizer."""
    import wave

    from pipeline.audio import wav_channels

    pieces, segments, offset = [], [], 0.0
    while offset < minutes * 60:
        for case in interviews:
            audio, segs = words_for(case, engine)
            pieces.append(np.asarray(wav_channels(audio.path, purpose="bench")[:, 0]))
            segments += [_shifted(s, offset) for s in segs]
            offset += pieces[-1].size / 16000
            if offset >= minutes * 60:
                break
    hour = ROOT / "bench" / "work" / "hour" / f"hour-{int(minutes)}.wav"
    hour.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(hour), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.concatenate(pieces).astype("<i2").tobytes())
    from pipeline.transcribe.speakers import assign_speakers

    out = {"duration": offset, "words": float(sum(len(s.words) for s in segments))}
    for method in METHODS[1:]:
        wall, cpu = time.perf_counter(), time.process_time()
        assign_speakers(segments, hour, method=method)
        out[f"{method}_s"], out[f"{method}_cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    return out


def _shifted(seg: Any, dt_s: float) -> Any:
    import dataclasses

    return dataclasses.replace(seg, start=seg.start + dt_s, end=seg.end + dt_s,
                               words=tuple(dataclasses.replace(w, start=w.start + dt_s, end=w.end + dt_s)
                                           for w in seg.words))


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def report(rows: list[dict], hour: dict[str, float] | None) -> str:
    lines = [f"## Speaker turns: old and new diarizers ({dt.date.today().isoformat()})", "",
             machine_lines(argparse.Namespace(threads=2, device="cpu")), "",
             "Words from faster-whisper (embedded tiny.en), cached; every diarizer labels the same words. "
             "accuracy = time-weighted share of labelled speech with the right label under the best one-to-one "
             "mapping onto the reference speakers; roles = share of words whose key has the true role "
             "(generated interviews only); voices = distinct labels found.", "",
             "| recording | ref. speakers | old | mfcc, count given | mfcc, estimated (voices) "
             "| dvector, count given | dvector, estimated (voices) | roles old / dvector est. |",
             "|---|---|---|---|---|---|---|---|"]
    by_case: dict[str, dict[tuple[str, str], dict]] = {}
    for r in rows:
        by_case.setdefault(r["case"], {})[(r["method"], r["count"])] = r
    for name, got in by_case.items():
        old, mg, me = got[("old", "2 (fixed)")], got[("mfcc", "given")], got[("mfcc", "estimated")]
        dg, de = got[("dvector", "given")], got[("dvector", "estimated")]
        lines.append(f"| {name} | {old['ref']} | {_fmt(old['accuracy'])} | {_fmt(mg['accuracy'])} | "
                     f"{_fmt(me['accuracy'])} ({me['found']}) | {_fmt(dg['accuracy'])} | "
                     f"{_fmt(de['accuracy'])} ({de['found']}) | {_fmt(old['roles'])} / {_fmt(de['roles'])} |")
    for method in METHODS:
        secs = sum(r["seconds"] for r in rows if r["method"] == method and r["count"] != "given")
        audio = sum(r["duration"] for r in rows if r["method"] == method and r["count"] != "given")
        lines.append("")
        lines.append(f"{method}: {secs:.1f} s of labelling for {audio / 60:.1f} min of audio (count estimated).")
    if hour:
        lines += ["", f"On one {hour['duration'] / 60:.0f}-minute recording (the interviews joined end to end, "
                  f"{hour['words']:.0f} words, count estimated): mfcc {hour['mfcc_s']:.1f} s wall / "
                  f"{hour['mfcc_cpu']:.1f} s CPU, dvector {hour['dvector_s']:.1f} s wall / {hour['dvector_cpu']:.1f} s CPU."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.diarizers", description=__doc__.split("\n")[0])
    parser.add_argument("--realspeech", type=Path, default=REALSPEECH)
    parser.add_argument("--no-eval", action="store_true", help="the real recordings and the sample only")
    parser.add_argument("--hour", action="store_true", help="also time a 60-minute recording")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from pipeline.config import Config
    from pipeline.transcribe import Settings

    engine = CachedEngine(Settings.from_config(Config(root=ROOT)))
    old = load_old()
    rows = []
    for case in cases(args.realspeech, not args.no_eval):
        if not case.audio.is_file():
            log.warning("%s is not here; skipped", case.audio)
            continue
        rows += run_case(case, engine, old)
    interviews = [c for c in cases(args.realspeech, True) if c.truth]
    text = report(rows, hour_timing(engine, interviews) if args.hour else None)
    print(text)
    if args.out:
        from pipeline.fsutil import write_text

        write_text(args.out, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
