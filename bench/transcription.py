"""Transcription benchmark: faster-whisper against openai-whisper, whisper.cpp and batched faster-whisper.

Usage, on real recordings:

    python -m bench.transcription                 # every referenced clip in ../shared/realspeech
    python -m bench.transcription --long          # ... and a 60-minute recording (takes minutes)
    python -m bench.transcription --out bench/transcription.md
    python -m bench.transcription --engine faster-whisper --engine whisper.cpp

For each engine, on the same 16 kHz mono WAVs in one run, it reports word error rate (jiwer
after whisper's English text normaliser), speed as a multiple of real time (audio seconds
over transcription wall seconds; model loading and the first-call warm-up are timed
separately), CPU seconds and peak resident memory. Each engine runs in its own subprocess,
so its peak memory (VmHWM) is its own and one engine's threads never compete with another's.

The engines, all on the same weights (the embedded tiny.en) and the same thread count:

* ``faster-whisper``: the product's engine (``WhisperModel.transcribe`` on speech batches,
  one window after another within a batch, one batch per core at once);
* ``openai-whisper``: the product's reference engine, on the checkpoint converted from it;
* ``faster-whisper-batchN``: ``faster_whisper.BatchedInferencePipeline`` with batch size N
  (8 and 16 by default), same options where they apply (VAD with the same settings, beam
  5, word timestamps, timestamp tokens as the product decodes them). It merges the VAD's
  speech into chunks of up to 30 s and decodes each once, N at a time: no seeking
  within a chunk, no conditioning on earlier text, no per-window temperature fallbacks;
* ``whisper.cpp``: an outside reference through ``pywhispercpp`` (``pip install
  'learncast[bench]'``), on a ggml file written by :mod:`bench.ggml` from the same
  checkpoint. Beam 5, best-of 5, English, no context, the same no-speech / log-probability
  thresholds, non-speech tokens suppressed, DTW word timings with tiny.en's alignment heads.
  whisper.cpp's own VAD needs a separate ggml Silero model we cannot download, so it is
  fed the speech that the product's VAD finds, in the product's batches (both from
  :mod:`pipeline.transcribe.vad`, as the openai-whisper engine is fed); the VAD's
  time is counted in its transcription time. If pywhispercpp is missing, or the model
  cannot be converted or loaded, the table says why instead of a figure.

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
PRODUCT_ENGINES = ("faster-whisper", "openai-whisper")  # a failure of these fails the benchmark
WHISPER_CPP = "whisper.cpp"
BATCHED = "faster-whisper-batch"  # + batch size
ENGINES = (*PRODUCT_ENGINES, WHISPER_CPP, f"{BATCHED}8", f"{BATCHED}16")
DEFAULT_ENGINE = "faster-whisper"
LONG_ENGINES = (DEFAULT_ENGINE, f"{BATCHED}8", f"{BATCHED}16")
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
    parser.add_argument("--engine", action="append", type=engine_name, metavar="ENGINE",
                        help=f"engine(s) to compare: {', '.join(ENGINES)} or {BATCHED}N (default: all of those)")
    parser.add_argument("--model", default="", help="model for every engine (default: the embedded tiny.en)")
    parser.add_argument("--realspeech", type=Path, default=REALSPEECH, help="folder of referenced clips")
    parser.add_argument("--long", action="store_true", help="also time a long recording (60 min by default)")
    parser.add_argument("--long-minutes", type=float, default=60.0)
    parser.add_argument("--long-engine", action="append", type=engine_name, metavar="ENGINE",
                        help=f"engine(s) for the long recording (default {', '.join(LONG_ENGINES)})")
    parser.add_argument("--out", type=Path, help="also write the markdown here")
    parser.add_argument("--texts", type=Path, help="also write every engine's transcripts here (JSON)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--barrier", action="store_true", help=argparse.SUPPRESS)  # bench.folder
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.manifest, args.model, args.device, args.threads, args.barrier)

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
            for name in args.long_engine or LONG_ENGINES:
                long_runs[name] = run_worker(name, [long_clip], work, args,
                                             warmup=min(clips, key=lambda c: c.duration))
        text = report(clips, runs, long_clip, long_runs, args)
        if args.texts:
            from pipeline.fsutil import write_json

            write_json(args.texts, {
                "clips": {name: [{"clip": c.name, "reference": c.reference, "text": r["text"]}
                                 for c, r in zip(clips, run.get("rows", []), strict=False)]
                          for name, run in runs.items()},
                "long": {name: {"reference": long_clip.reference, "text": run["rows"][0]["text"]}
                         for name, run in long_runs.items() if long_clip and run.get("rows")},
            })
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
    from pipeline.audio import wav_layout
    from pipeline.ffmpeg import run

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


def engine_name(value: str) -> str:
    """argparse type: one of ENGINES, or faster-whisper-batchN for any N >= 1."""
    if value in ENGINES or re.fullmatch(rf"{re.escape(BATCHED)}[1-9]\d*", value):
        return value
    raise argparse.ArgumentTypeError(f"unknown engine {value!r}: use {', '.join(ENGINES)} or {BATCHED}N")


def run_worker(engine: str, clips: list[Clip], work: Path, args: argparse.Namespace,
               warmup: Clip | None = None) -> dict:
    """Run one engine over the clips in a fresh Python process; return its measurements.
    The warm-up call is on ``warmup`` (default: the shortest of ``clips``), so a long
    recording is not transcribed twice.

    A product engine that fails stops the benchmark; a comparison engine that fails (or
    cannot run here) comes back as ``{"engine", "error"}`` and the table says why."""
    manifest = work / f"{engine}-{len(clips)}.json"
    entries = [asdict(c) | {"source": str(c.source)} for c in clips]
    if warmup is not None:
        entries.append(asdict(warmup) | {"source": str(warmup.source), "warmup_only": True})
    manifest.write_text(json.dumps(entries), encoding="utf-8")
    cmd = [sys.executable, "-m", "bench.transcription", "--worker", engine, "--manifest", str(manifest),
           "--threads", str(args.threads), "--device", args.device, "--model", args.model]
    load_before = _loadavg()
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    result = None
    if last.startswith("{"):
        try:
            result = json.loads(last)
        except ValueError:
            pass
    if proc.returncode != 0 or result is None or "error" in result:
        if result and result.get("error"):
            reason = result["error"]
        else:
            tail = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()][-3:]
            how = (f"killed by signal {-proc.returncode}" if proc.returncode < 0
                   else f"exit code {proc.returncode}")
            reason = f"the worker process failed ({how}): " + (" / ".join(tail) or "no output")
        print(proc.stderr[-3000:], file=sys.stderr)
        if engine in PRODUCT_ENGINES:
            raise SystemExit(f"{engine} worker failed: {reason}")
        print(f"{engine}: not run: {reason}", file=sys.stderr)
        return {"engine": engine, "error": reason, "load_before": load_before, "load_after": _loadavg()}
    result |= {"process_wall_s": wall, "load_before": load_before, "load_after": _loadavg()}
    print(f"{engine}: {len(clips)} file(s) in {wall:.1f} s", file=sys.stderr)
    return result


def worker(engine_name: str, manifest: Path, model: str, device: str, threads: int, barrier: bool = False) -> int:
    """Inside the subprocess: load, warm up, transcribe each clip, print one JSON line.
    With ``barrier``, say "ready" after the warm-up and wait for a line on stdin first, so
    that workers running side by side (:mod:`bench.folder`) start transcribing together."""
    from pipeline.transcribe.engines import Options

    entries = json.loads(manifest.read_text(encoding="utf-8"))
    clips = [c for c in entries if not c.get("warmup_only")]
    options = Options()
    started = time.perf_counter()
    try:
        engine = make_engine(engine_name, model, device=device, threads=threads)
    except Unavailable as exc:
        print(json.dumps({"engine": engine_name, "error": str(exc)}))
        return 3
    load_s = time.perf_counter() - started
    # One short call first: openai-whisper compiles its word-alignment code (numba) on first
    # use, and both engines allocate their working buffers; that is per process, not per file.
    shortest = next((c for c in entries if c.get("warmup_only")), None) or min(clips, key=lambda c: c["duration"])
    started = time.perf_counter()
    engine.transcribe(Path(shortest["wav"]), shortest["duration"], options)
    warmup_s = time.perf_counter() - started
    if barrier:
        print("ready", flush=True)
        sys.stdin.readline()
    rows = []
    started_at = time.time()
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
                      "started_at": started_at, "ended_at": time.time(), "peak_rss_mb": _peak_rss_mb(), "rows": rows,
                      "system_info": getattr(engine, "system_info", "")}))
    return 0


# --- the comparison engines (bench only; the product's engines come from get_engine) ------


class Unavailable(RuntimeError):
    """An engine that cannot run here; the message says exactly why."""


def make_engine(name: str, model: str, *, device: str, threads: int):
    """The engine called ``name``, loaded: the product's from get_engine, else a bench one."""
    from pipeline.transcribe.engines import get_engine

    if name == WHISPER_CPP:
        return WhisperCppEngine(model, device=device, threads=threads)
    if name.startswith(BATCHED):
        return BatchedFasterWhisperEngine(model, device=device, threads=threads,
                                          batch_size=int(name[len(BATCHED):]))
    return get_engine(name, model, device=device, threads=threads)


class BatchedFasterWhisperEngine:
    """faster-whisper's BatchedInferencePipeline on the model the product loads."""

    def __init__(self, model: str = "", *, device: str = "cpu", threads: int = 2, batch_size: int = 8):
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        from pipeline.transcribe.resources import describe_model, embedded_model_dir

        self.name = f"{BATCHED}{batch_size}"
        self.model_id = describe_model(model)
        self.batch_size = batch_size
        if device == "auto":
            import ctranslate2

            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        # as FasterWhisperEngine loads it: int8 on CPU, float16 on CUDA
        self._model = WhisperModel(model or str(embedded_model_dir()), device=device,
                                   compute_type="float16" if device == "cuda" else "int8", cpu_threads=threads)
        self._pipeline = BatchedInferencePipeline(self._model)

    def transcribe(self, wav: Path, duration: float, options, progress=None):
        from pipeline.audio import load_wav
        from pipeline.models import Segment, Word
        from pipeline.transcribe import vad
        from pipeline.transcribe.engines import RawResult

        audio = load_wav(wav)
        if audio.size == 0:
            return RawResult(language=options.language or "en", segments=())
        pieces, info = self._pipeline.transcribe(
            audio,
            language=options.language,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            vad_filter=options.vad,
            vad_parameters=dict(vad.VAD_PARAMETERS),  # the pipeline adds max_speech_duration_s=30
            batch_size=self.batch_size,
            # The product decodes with timestamp tokens (faster-whisper's default); the batched
            # pipeline's default is without. Without them tiny.en more often ends a merged
            # 30 s chunk early and the rest of it is lost: on a 10-minute join of the clips
            # WER was 24.9% without against 17.0% with them (sequential: 9.8%).
            without_timestamps=False,
            # the product's guards; the batched pipeline documents most of them as unused
            condition_on_previous_text=False,
            no_speech_threshold=0.6,
            compression_ratio_threshold=2.4,
            log_prob_threshold=-1.0,
            hallucination_silence_threshold=2.0 if options.word_timestamps else None,
        )
        segments = []
        for piece in pieces:
            if piece.no_speech_prob > 0.6 and piece.avg_logprob < -1.0:  # as the product drops them
                continue
            words = tuple(Word(start=float(w.start), end=float(w.end), word=w.word, probability=float(w.probability))
                          for w in (piece.words or ()))
            segments.append(Segment(start=float(piece.start), end=float(piece.end), text=piece.text.strip(),
                                    words=words))
        return RawResult(language=info.language, segments=tuple(segments))


class WhisperCppEngine:
    """whisper.cpp through pywhispercpp, on a ggml file converted from the same checkpoint."""

    name = WHISPER_CPP

    def __init__(self, model: str = "", *, device: str = "cpu", threads: int = 2):
        try:
            import _pywhispercpp as pw
            from pywhispercpp.model import Model
        except ImportError as exc:
            raise Unavailable(f"pywhispercpp is not installed (pip install 'learncast[bench]'): {exc}") from None
        from bench.ggml import GgmlError, convert_pt_to_ggml, embedded_ggml
        from pipeline.transcribe.resources import describe_model

        self.model_id = describe_model(model)
        try:
            if not model:
                path = embedded_ggml()
            elif model.endswith(".pt"):
                path = convert_pt_to_ggml(Path(model), Path(tempfile.mkdtemp(prefix="learncast-ggml-")) / "model.bin")
            else:
                raise Unavailable(f"whisper.cpp here runs the embedded model or a .pt checkpoint, not {model!r}")
        except Unavailable:
            raise
        except GgmlError as exc:
            raise Unavailable(f"cannot convert the model to ggml: {exc}") from None
        except Exception as exc:  # the .pt conversion (ModelError) or the cache
            raise Unavailable(f"cannot convert the model to ggml: {type(exc).__name__}: {exc}") from None
        self.model_path = path
        presets = pw.whisper_alignment_heads_preset
        embedded = not model
        self._log = Path(tempfile.mkstemp(prefix="learncast-whispercpp-", suffix=".log")[1])
        self._model = Model(
            str(path),
            redirect_whispercpp_logs_to=str(self._log),
            params_sampling_strategy=1,  # beam search
            context_params={
                "use_gpu": device.startswith("cuda"),
                # DTW word timings (the cross-attention alignment faster-whisper and
                # openai-whisper use); whisper.cpp cannot combine them with flash attention
                "flash_attn": not embedded,
                "dtw_token_timestamps": embedded,
                "dtw_aheads_preset": presets.WHISPER_AHEADS_TINY_EN if embedded else presets.WHISPER_AHEADS_NONE,
            },
            n_threads=threads,
            language="en",
            beam_search={"beam_size": 5, "patience": -1.0},
            greedy={"best_of": 5},  # for the temperature fallbacks, as best_of=5 elsewhere
            no_context=True,  # condition_on_previous_text=False
            suppress_nst=True,  # faster-whisper's suppress_tokens=[-1]
            token_timestamps=True,
            no_speech_thold=0.6,
            logprob_thold=-1.0,
            entropy_thold=2.4,
            print_progress=False,
            print_realtime=False,
            print_timestamps=False,
        )
        if getattr(self._model, "_ctx", None) is None:
            raise Unavailable(f"whisper.cpp could not load {path}: " + self._log_tail())
        # what this build of ggml uses (a portable wheel may leave out what the CPU has)
        self.system_info = str(Model.system_info()).strip()

    def _log_tail(self) -> str:
        try:
            lines = [ln for ln in self._log.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return "no log"
        return " / ".join(lines[-3:]) or "no log"

    def transcribe(self, wav: Path, duration: float, options, progress=None):
        import numpy as np

        from pipeline.models import Segment
        from pipeline.transcribe import vad
        from pipeline.transcribe.engines import RawResult

        audio = vad.open_wav(wav)
        segments = []
        for batch in vad.batches(vad.speech_chunks(audio, options.vad)):
            speech = np.ascontiguousarray(vad.join(audio, batch), dtype=np.float32)
            offset = batch[0]["start"] / vad.SAMPLE_RATE  # times are only indicative: text is what is scored
            for piece in self._model.transcribe(speech):
                if piece.text.strip():
                    segments.append(Segment(start=offset + piece.t0 / 100, end=offset + piece.t1 / 100,
                                            text=piece.text.strip()))
        return RawResult(language="en", segments=tuple(segments))


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
    ran = {name: run for name, run in runs.items() if "error" not in run}
    model = next((run["model"] for run in [*ran.values(), *long_runs.values()] if "model" in run), "?")
    lines = [
        f"### Transcription engines: {', '.join(runs)} ({dt.date.today().isoformat()})",
        "",
        machine_lines(args),
        "",
        f"Same {len(clips)} clips ({audio_s:.1f} s of real speech from `../shared/realspeech`), same model "
        f"(`{model}`), default options (beam 5, VAD on, word timestamps), "
        f"{args.threads} threads, device {args.device}; each engine in its own process. "
        "WER: jiwer after whisper's EnglishTextNormalizer, all clips pooled. "
        "Speed: audio seconds / transcription wall seconds (load and warm-up excluded). "
        f"`{BATCHED}N` is faster-whisper's BatchedInferencePipeline with batch size N; "
        "`whisper.cpp` is whisper.cpp (pywhispercpp) on a ggml file converted from the same weights "
        "(`bench/ggml.py`), fed the speech faster-whisper's VAD finds.",
        "",
        "| engine | WER | words | × real time | transcribe s | CPU s | load s | warm-up s | peak RSS MB | load avg before → after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    speeds: dict[str, float] = {}
    wers: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for name, run in runs.items():
        if "error" in run:
            lines.append(f"| {name} | not run: {_cell(run['error'])} | – | – | – | – | – | – | – | "
                         f"{run['load_before']} → {run['load_after']} |")
            continue
        wer, words = corpus_wer(refs, [r["text"] for r in run["rows"]])
        wall = sum(r["seconds"] for r in run["rows"])
        cpu = sum(r["cpu_seconds"] for r in run["rows"])
        speeds[name], wers[name], cpus[name] = audio_s / wall, wer, cpu
        lines.append(f"| {name} | {wer:.1%} | {words} | {audio_s / wall:.1f}× | {wall:.1f} | {cpu:.1f} | "
                     f"{run['load_s']:.1f} | {run['warmup_s']:.1f} | {run['peak_rss_mb']:.0f} | "
                     f"{run['load_before']} → {run['load_after']} |")
    lines += versus_openai(speeds, wers, cpus, "these clips")
    lines += comparison_lines(speeds, wers, cpus, "these clips")
    info = next((run["system_info"] for run in ran.values() if run.get("system_info")), "")
    if info:
        lines += ["", f"whisper.cpp build (`whisper_print_system_info`): `{_cell(info)}`."]
    if ran:
        lines += ["", "Per clip (WER; seconds):", "",
                  "| clip | s | " + " | ".join(f"{n} WER | {n} s" for n in ran) + " |",
                  "|---|---|" + "---|---|" * len(ran)]
    for i, clip in enumerate(clips if ran else []):
        cells = []
        for run in ran.values():
            row = run["rows"][i]
            cells.append(f"{corpus_wer([clip.reference], [row['text']])[0]:.0%} | {row['seconds']:.1f}")
        lines.append(f"| {clip.name} | {clip.duration:.1f} | " + " | ".join(cells) + " |")
    if long_clip and long_runs:
        lines += ["", "Long recording (the clips above with 2 s gaps, repeated; one WAV):", "",
                  "| engine | audio min | transcribe s | CPU s | × real time | WER | load s | peak RSS MB "
                  "| load avg before → after |",
                  "|---|---|---|---|---|---|---|---|---|"]
        long_speeds: dict[str, float] = {}
        long_wers: dict[str, float] = {}
        long_cpus: dict[str, float] = {}
        long_s = long_clip.duration
        for name, run in long_runs.items():
            if "error" in run:
                lines.append(f"| {name} | {long_s / 60:.1f} | not run: {_cell(run['error'])} | – | – | – | – | – | "
                             f"{run['load_before']} → {run['load_after']} |")
                continue
            row = run["rows"][0]
            speed = long_s / row["seconds"]
            wer, _ = corpus_wer([long_clip.reference], [row["text"]])
            long_speeds[name], long_wers[name], long_cpus[name] = speed, wer, row["cpu_seconds"]
            verdict = ""
            if name == DEFAULT_ENGINE:
                verdict = (f" (targets ≥ {TARGET_SPEED:.0f}×: {'met' if speed >= TARGET_SPEED else 'NOT met'}; "
                           f"< {TARGET_RSS_MB / 1024:.1f} GB: {'met' if run['peak_rss_mb'] < TARGET_RSS_MB else 'NOT met'})")
            lines.append(f"| {name} | {long_s / 60:.1f} | {row['seconds']:.0f} | {row['cpu_seconds']:.0f} | "
                         f"{speed:.1f}× | {wer:.1%} | "
                         f"{run['load_s']:.1f} | {run['peak_rss_mb']:.0f} | {run['load_before']} → {run['load_after']} |{verdict}")
        lines += versus_openai(long_speeds, long_wers, long_cpus, "the long recording")
        lines += comparison_lines(long_speeds, long_wers, long_cpus, "the long recording")
    lines += ["", "Clip matching: `NAME.ref.txt` = channels mixed to mono; `NAME.left/right.ref.txt` and "
              "`NAME.chN_*.ref.txt` = that channel alone (02 is one LibriSpeech speaker per channel, 08 one "
              "session per channel). 10 has no word reference and is not scored.", ""]
    return "\n".join(lines)


def versus_openai(speeds: dict[str, float], wers: dict[str, float], cpus: dict[str, float],
                  where: str) -> list[str]:
    """The issue's targets, the product's two engines against each other on ``where``."""
    if not {"faster-whisper", "openai-whisper"} <= speeds.keys():
        return []
    ratio = speeds["faster-whisper"] / speeds["openai-whisper"]
    cpu_ratio = cpus["openai-whisper"] / cpus["faster-whisper"]
    gap = (wers["faster-whisper"] - wers["openai-whisper"]) * 100
    return ["", f"On {where}, faster-whisper is **{ratio:.1f}×** as fast as openai-whisper (target ≥ 4×: "
                f"{'met' if ratio >= 4 else 'NOT met'}; by CPU seconds, which other load disturbs less: "
                f"{cpu_ratio:.1f}×); its WER is {gap:+.1f} points against openai-whisper's "
                f"(target within 1 point: {'met' if gap <= 1 else 'NOT met'})."]


def comparison_lines(speeds: dict[str, float], wers: dict[str, float], cpus: dict[str, float],
                     where: str) -> list[str]:
    """One sentence per comparison engine against the product's faster-whisper."""
    if DEFAULT_ENGINE not in speeds:
        return []
    out = []
    for name, speed in speeds.items():
        if name in PRODUCT_ENGINES:
            continue  # openai-whisper: versus_openai
        wall = speed / speeds[DEFAULT_ENGINE]
        cpu = cpus[DEFAULT_ENGINE] / cpus[name] if cpus[name] else float("nan")
        gap = (wers[name] - wers[DEFAULT_ENGINE]) * 100
        verdict = ("faster" if wall >= 1.1 else "slower" if wall <= 0.9
                   else "within 10%: no clear difference on a shared machine")
        out.append(f"On {where}, {name} is {wall:.2f}× as fast as the product's faster-whisper by wall time "
                   f"({verdict}), {cpu:.2f}× by CPU seconds; WER {gap:+.1f} points.")
    return ["", *out] if out else []


def _cell(text: str) -> str:
    """Text safe inside one markdown table cell."""
    return " ".join(str(text).replace("|", "/").split())[:300]


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
    for pkg in ("faster-whisper", "ctranslate2", "openai-whisper", "torch", "pywhispercpp", "onnxruntime", "numpy",
                "jiwer"):
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
