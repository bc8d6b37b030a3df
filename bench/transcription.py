"""Transcription benchmark: faster-whisper against openai-whisper on real recordings.

    python -m bench.transcription                 # every referenced clip in ../shared/realspeech
    python -m bench.transcription --long          # ... and a 60-minute recording (takes minutes)
    python -m bench.transcription --out bench/transcription.md

For each engine, on the same 16 kHz mono WAVs in one run, it reports word error rate (jiwer
after whisper's English text normaliser), speed as a multiple of real time (audio seconds
over transcription wall seconds; model loading and the first-call warm-up are timed
separately) and peak resident memory. Each engine runs in its own subprocess, so its peak
memory (VmHWM) is its own and one engine's threads never compete with the other's.

Clips are matched to references by file name, so no folder is special-cased:

* ``NAME.ref.txt`` beside ``NAME.wav|flac``: the channels mixed to mono (as ingest does);
* ``NAME.left.ref.txt`` / ``NAME.right.ref.txt``: channel 0 / 1 alone;
* ``NAME.chN_<anything>.ref.txt``: channel N alone (one speaker or session per channel).

Folders without a word reference (10_ami_pyannote_tst00_diarization) are skipped.
The long recording is every clip above, each followed by 2 s of silence, repeated until
it reaches the asked length, joined by ffmpeg into one WAV; its reference is the clips'
references in the same order, so its WER is measured too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REALSPEECH = ROOT.parent / "shared" / "realspeech"
ENGINES = ("faster-whisper", "openai-whisper")
DEFAULT_ENGINE = "faster-whisper"
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3")
GAP_SECONDS = 2.0
TARGET_SPEED = 12.0  # x real time for the default engine on the long recording
TARGET_RSS_MB = 1536.0


@dataclass
class Clip:
    name: str  # folder/file[:channel]
    source: Path
    channel: int | None  # None mixes to mono
    reference: str
    wav: str = ""
    duration: float = 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transcription", description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="CPU threads per engine (default 2)")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    parser.add_argument("--engine", action="append", choices=ENGINES, help="engine(s) to compare (default both)")
    parser.add_argument("--model", default="", help="model for both engines (default: the embedded tiny.en)")
    parser.add_argument("--realspeech", type=Path, default=REALSPEECH, help="folder of referenced clips")
    parser.add_argument("--long", action="store_true", help="also time a long recording (60 min by default)")
    parser.add_argument("--long-minutes", type=float, default=60.0)
    parser.add_argument("--long-engine", action="append", choices=ENGINES,
                        help=f"engine(s) for the long recording (default {DEFAULT_ENGINE})")
    parser.add_argument("--out", type=Path, help="also write the markdown here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.manifest, args.model, args.device, args.threads)

    engines = args.engine or list(ENGINES)
    with tempfile.TemporaryDirectory(prefix="learncast-bench-") as tmp:
        work = Path(tmp)
        clips = prepare_clips(args.realspeech, work)
        if not clips:
            print(f"no referenced clips found in {args.realspeech}", file=sys.stderr)
            return 2
        print(f"{len(clips)} clips, {sum(c.duration for c in clips):.1f} s of audio", file=sys.stderr)
        runs = {name: run_worker(name, clips, work, args) for name in engines}
        long_runs: dict[str, dict] = {}
        long_clip = None
        if args.long:
            long_clip = build_long(clips, work, args.long_minutes * 60)
            for name in args.long_engine or [DEFAULT_ENGINE]:
                long_runs[name] = run_worker(name, [long_clip], work, args)
        text = report(clips, runs, long_clip, long_runs, args)
    print(text)
    if args.out:
        from pipeline.fsutil import write_text

        write_text(args.out, text)
    return 0


# --- the clips ----------------------------------------------------------------------------


def find_clips(folder: Path) -> list[Clip]:
    """Every (audio, channel, reference) in ``folder``, matched by file name (see module doc)."""
    clips: list[Clip] = []
    for ref in sorted(folder.glob("*/*.ref.txt")):
        stem = ref.name[: -len(".ref.txt")]
        channel: int | None = None
        if m := re.fullmatch(r"(.+)\.(left|right)", stem):
            stem, channel = m.group(1), 0 if m.group(2) == "left" else 1
        elif m := re.fullmatch(r"(.+)\.ch(\d+)(?:_.*)?", stem):
            stem, channel = m.group(1), int(m.group(2))
        audio = next((ref.parent / f"{stem}{s}" for s in AUDIO_SUFFIXES if (ref.parent / f"{stem}{s}").is_file()), None)
        if audio is None:
            continue
        label = f"{ref.parent.name}/{audio.name}" + (f" (ch{channel})" if channel is not None else "")
        clips.append(Clip(name=label, source=audio, channel=channel,
                          reference=ref.read_text(encoding="utf-8").strip()))
    return clips


def prepare_clips(folder: Path, work: Path) -> list[Clip]:
    """Decode every clip to the 16 kHz mono 16-bit WAV the pipeline transcribes."""
    from pipeline.ffmpeg import run, wav_layout

    clips = find_clips(folder)
    for i, clip in enumerate(clips):
        wav = work / f"clip{i:02d}.wav"
        mix = ["-ac", "1"] if clip.channel is None else ["-af", f"pan=mono|c0=c{clip.channel}"]
        run(["-y", "-i", str(clip.source.resolve()), "-map", "0:a:0", *mix, "-ar", "16000",
             "-c:a", "pcm_s16le", str(wav)], what=clip.source)
        _, frames, _, rate = wav_layout(wav)
        clip.wav, clip.duration = str(wav), frames / rate
    return clips


def build_long(clips: list[Clip], work: Path, seconds: float) -> Clip:
    """One long WAV: the clips with 2 s gaps, repeated to ``seconds``; joined by ffmpeg."""
    from pipeline.ffmpeg import run

    gap = work / "gap.wav"
    run(["-y", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", str(GAP_SECONDS),
         "-c:a", "pcm_s16le", str(gap)])
    parts: list[str] = []
    refs: list[str] = []
    total = 0.0
    while total < seconds:
        for clip in clips:
            parts += [clip.wav, str(gap)]
            refs.append(clip.reference)
            total += clip.duration + GAP_SECONDS
            if total >= seconds:
                break
    listing = work / "long.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in parts), encoding="utf-8")
    out = work / "long.wav"
    run(["-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-c:a", "pcm_s16le", str(out)], what=listing)
    print(f"long recording: {total / 60:.1f} min from {len(refs)} clips", file=sys.stderr)
    return Clip(name=f"long ({total / 60:.0f} min)", source=out, channel=None, reference=" ".join(refs),
                wav=str(out), duration=total)


# --- one engine, in its own process ---------------------------------------------------------


def run_worker(engine: str, clips: list[Clip], work: Path, args: argparse.Namespace) -> dict:
    """Run one engine over the clips in a fresh Python process; return its measurements."""
    manifest = work / f"{engine}-{len(clips)}.json"
    manifest.write_text(json.dumps([asdict(c) | {"source": str(c.source)} for c in clips]), encoding="utf-8")
    cmd = [sys.executable, "-m", "bench.transcription", "--worker", engine, "--manifest", str(manifest),
           "--threads", str(args.threads), "--device", args.device, "--model", args.model]
    load_before = _loadavg()
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{engine} worker failed with exit code {proc.returncode}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result |= {"process_wall_s": wall, "load_before": load_before, "load_after": _loadavg()}
    print(f"{engine}: {len(clips)} file(s) in {wall:.1f} s", file=sys.stderr)
    return result


def worker(engine_name: str, manifest: Path, model: str, device: str, threads: int) -> int:
    """Inside the subprocess: load, warm up, transcribe each clip, print one JSON line."""
    from pipeline.transcribe.engines import Options, get_engine

    clips = json.loads(manifest.read_text(encoding="utf-8"))
    options = Options()
    started = time.perf_counter()
    engine = get_engine(engine_name, model, device=device, threads=threads)
    load_s = time.perf_counter() - started
    # One short call first: openai-whisper compiles its word-alignment code (numba) on first
    # use, and both engines allocate their working buffers; that is per process, not per file.
    shortest = min(clips, key=lambda c: c["duration"])
    started = time.perf_counter()
    engine.transcribe(Path(shortest["wav"]), shortest["duration"], options)
    warmup_s = time.perf_counter() - started
    rows = []
    for clip in clips:
        started = time.perf_counter()
        cpu_before = time.process_time()
        result = engine.transcribe(Path(clip["wav"]), clip["duration"], options)
        rows.append({
            "name": clip["name"],
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu_before,
            "text": " ".join(s.text for s in result.segments),
        })
    print(json.dumps({"engine": engine_name, "model": engine.model_id, "load_s": load_s, "warmup_s": warmup_s,
                      "peak_rss_mb": _peak_rss_mb(), "rows": rows}))
    return 0


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


# --- the report -----------------------------------------------------------------------------


def normalise(text: str) -> str:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()(text)


def corpus_wer(refs: list[str], hyps: list[str]) -> tuple[float, int]:
    """Word error rate over all clips together (errors / reference words), and the word count."""
    import jiwer

    pairs = [(normalise(r), normalise(h)) for r, h in zip(refs, hyps, strict=True)]
    pairs = [(r, h) for r, h in pairs if r.strip()]
    out = jiwer.process_words([r for r, _ in pairs], [h for _, h in pairs])
    words = out.hits + out.substitutions + out.deletions
    return out.wer, words


def report(clips: list[Clip], runs: dict[str, dict], long_clip: Clip | None, long_runs: dict[str, dict],
           args: argparse.Namespace) -> str:
    audio_s = sum(c.duration for c in clips)
    refs = [c.reference for c in clips]
    lines = [
        f"### Transcription: faster-whisper vs openai-whisper ({dt.date.today().isoformat()})",
        "",
        machine_lines(args),
        "",
        f"Same {len(clips)} clips ({audio_s:.1f} s of real speech from `../shared/realspeech`), same model "
        f"(`{runs[next(iter(runs))]['model']}`), default options (beam 5, VAD on, word timestamps), "
        f"{args.threads} threads, device {args.device}; each engine in its own process. "
        "WER: jiwer after whisper's EnglishTextNormalizer, all clips pooled. "
        "Speed: audio seconds / transcription wall seconds (load and warm-up excluded).",
        "",
        "| engine | WER | words | × real time | transcribe s | CPU s | load s | warm-up s | peak RSS MB | load avg before → after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    speeds: dict[str, float] = {}
    wers: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for name, run in runs.items():
        wer, words = corpus_wer(refs, [r["text"] for r in run["rows"]])
        wall = sum(r["seconds"] for r in run["rows"])
        cpu = sum(r["cpu_seconds"] for r in run["rows"])
        speeds[name], wers[name], cpus[name] = audio_s / wall, wer, cpu
        lines.append(f"| {name} | {wer:.1%} | {words} | {audio_s / wall:.1f}× | {wall:.1f} | {cpu:.1f} | "
                     f"{run['load_s']:.1f} | {run['warmup_s']:.1f} | {run['peak_rss_mb']:.0f} | "
                     f"{run['load_before']} → {run['load_after']} |")
    if {"faster-whisper", "openai-whisper"} <= speeds.keys():
        ratio = speeds["faster-whisper"] / speeds["openai-whisper"]
        cpu_ratio = cpus["openai-whisper"] / cpus["faster-whisper"]
        gap = (wers["faster-whisper"] - wers["openai-whisper"]) * 100
        lines += ["",
                  f"faster-whisper is **{ratio:.1f}×** as fast as openai-whisper (target ≥ 4×: "
                  f"{'met' if ratio >= 4 else 'NOT met'}; by CPU seconds, which other load disturbs less: "
                  f"{cpu_ratio:.1f}×); its WER is {gap:+.1f} points against openai-whisper's "
                  f"(target within 1 point: {'met' if abs(gap) <= 1 or gap < 0 else 'NOT met'})."]
    lines += ["", "Per clip (WER; seconds):", "",
              "| clip | s | " + " | ".join(f"{n} WER | {n} s" for n in runs) + " |",
              "|---|---|" + "---|---|" * len(runs)]
    for i, clip in enumerate(clips):
        cells = []
        for run in runs.values():
            row = run["rows"][i]
            cells.append(f"{corpus_wer([clip.reference], [row['text']])[0]:.0%} | {row['seconds']:.1f}")
        lines.append(f"| {clip.name} | {clip.duration:.1f} | " + " | ".join(cells) + " |")
    if long_clip and long_runs:
        lines += ["", "Long recording (the clips above with 2 s gaps, repeated; one WAV):", "",
                  "| engine | audio min | transcribe s | CPU s | × real time | WER | load s | peak RSS MB "
                  "| load avg before → after |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, run in long_runs.items():
            row = run["rows"][0]
            long_s = long_clip.duration
            speed = long_s / row["seconds"]
            wer, _ = corpus_wer([long_clip.reference], [row["text"]])
            verdict = ""
            if name == DEFAULT_ENGINE:
                verdict = (f" (targets ≥ {TARGET_SPEED:.0f}×: {'met' if speed >= TARGET_SPEED else 'NOT met'}; "
                           f"< {TARGET_RSS_MB / 1024:.1f} GB: {'met' if run['peak_rss_mb'] < TARGET_RSS_MB else 'NOT met'})")
            lines.append(f"| {name} | {long_s / 60:.1f} | {row['seconds']:.0f} | {row['cpu_seconds']:.0f} | "
                         f"{speed:.1f}× | {wer:.1%} | "
                         f"{run['load_s']:.1f} | {run['peak_rss_mb']:.0f} | {run['load_before']} → {run['load_after']} |{verdict}")
    lines += ["", "Clip matching: `NAME.ref.txt` = channels mixed to mono; `NAME.left/right.ref.txt` and "
              "`NAME.chN_*.ref.txt` = that channel alone (02 is one LibriSpeech speaker per channel, 08 one "
              "session per channel). 10 has no word reference and is not scored.", ""]
    return "\n".join(lines)


def machine_lines(args: argparse.Namespace) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    versions = []
    for pkg in ("faster-whisper", "ctranslate2", "openai-whisper", "torch", "onnxruntime", "numpy", "jiwer"):
        try:
            versions.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{pkg} (not installed)")
    return (f"Machine: {os.cpu_count()} CPUs (`nproc` {_nproc()}), {cpu}, {ram} RAM; "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}.  \n"
            f"Packages: {', '.join(versions)}.")


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


if __name__ == "__main__":
    if __package__ in (None, ""):  # run as `python bench/transcription.py`
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
