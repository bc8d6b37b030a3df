"""How long one 30-second Whisper window takes to encode, per engine and thread count.

    python -m bench.encoder                      # both engines, 1 and 2 threads
    python -m bench.encoder --threads 1 --threads 4

Every Whisper window is padded to 30 s, so a short recording costs at least one encoder
pass whatever its length: this is the floor under both engines on short clips. Each
engine and thread count runs in its own process (torch and CTranslate2 fix their thread
pools once per process); the figure is the median of ``--repeat`` passes after two warm-up
passes, on the embedded tiny.en (CTranslate2 int8, and the converted checkpoint in torch
float32, as the product runs them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time


def measure(engine: str, threads: int, repeat: int) -> float:
    import numpy as np

    from pipeline.transcribe.resources import embedded_model_dir

    if engine == "faster-whisper":
        import ctranslate2
        from faster_whisper import WhisperModel

        model = WhisperModel(str(embedded_model_dir()), device="cpu", compute_type="int8", cpu_threads=threads)
        rng = np.random.default_rng(0)
        features = model.feature_extractor((rng.standard_normal(16000 * 30) * 0.1).astype(np.float32))[:, :3000]
        batch = ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None]))

        def encode() -> None:
            model.model.encode(batch)
    else:
        import torch

        from pipeline.transcribe.openai_engine import _load_model, resolve_checkpoint

        torch.set_num_threads(threads)
        model = _load_model(resolve_checkpoint(""), "cpu")
        mel = torch.randn(1, 80, 3000)

        def encode() -> None:
            with torch.no_grad():
                model.encoder(mel)
    for _ in range(2):
        encode()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        encode()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="append", choices=["faster-whisper", "openai-whisper"])
    parser.add_argument("--threads", action="append", type=int)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker[0], int(args.worker[1]), args.repeat)))
        return 0
    print("| engine | threads | seconds per 30-s window |\n|---|---|---|")
    for engine in args.engine or ["faster-whisper", "openai-whisper"]:
        for threads in args.threads or [1, 2]:
            out = subprocess.run([sys.executable, "-m", "bench.encoder", "--worker", engine, str(threads),
                                  "--repeat", str(args.repeat)], capture_output=True, text=True, check=False)
            lines = out.stdout.strip().splitlines()
            if out.returncode != 0 or not lines:
                cell = "failed: " + (out.stderr.strip().splitlines() or ["no output"])[-1]
            else:
                cell = f"{json.loads(lines[-1]):.3f}"
            print(f"| {engine} | {threads} | {cell} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
