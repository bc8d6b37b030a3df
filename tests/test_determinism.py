"""A transcript is a function of the audio, the model and the options, never of the machine.

Whisper's temperature fallback samples. Unseeded, CTranslate2 draws from a generator per
worker thread seeded from the operating system, and PyTorch from the process's global
generator, so the same window gave different words in different processes, on different
worker threads, or after other recordings. These tests make every window sample
(``temperatures=(1.0,)``: no beam search at all) and check that the words are the same
with one thread, with two (two batches decoded at once), and in a fresh process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SAMPLE
from pipeline.ffmpeg import ffmpeg_exe
from pipeline.transcribe import sampling
from pipeline.transcribe.engines import FasterWhisperEngine, Options, get_engine

SAMPLED = Options(temperatures=(1.0,))  # every window is sampled, never beam-searched
SECONDS = 50.0  # 40 s of speech or more makes two batches: decoded at once on two threads

_IN_A_FRESH_PROCESS = """
import json, sys
from pathlib import Path
from pipeline.transcribe.engines import Options, get_engine
engine = get_engine(sys.argv[1], threads=int(sys.argv[3]))
result = engine.transcribe(Path(sys.argv[2]), float(sys.argv[4]), Options(temperatures=(1.0,)))
print(json.dumps([s.to_dict() for s in result.segments]))
"""


@pytest.fixture(scope="module")
def interview_wav(tmp_path_factory) -> Path:
    """50 s of the sample interview (two voices) as the ingest stage's 16 kHz mono WAV."""
    if not SAMPLE.is_file():
        pytest.skip("the sample interview is missing (scripts/make_sample_interview.py)")
    wav = tmp_path_factory.mktemp("det") / "interview.wav"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-t", str(SECONDS), "-i", str(SAMPLE),
                    "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(wav)], check=True)
    return wav


def _words(result) -> list[dict]:
    return [s.to_dict() for s in result.segments]


def _fresh_process(engine: str, wav: Path, threads: int, env: dict | None = None) -> list[dict]:
    out = subprocess.run([sys.executable, "-c", _IN_A_FRESH_PROCESS, engine, str(wav), str(threads), str(SECONDS)],
                         capture_output=True, text=True, cwd=ROOT, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_seed_depends_on_the_values_only():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert sampling.seed_from(a, [[1, 2]], 0.2) == sampling.seed_from(a.copy(), [[1, 2]], 0.2)
    assert sampling.seed_from(a, [[1, 2]], 0.2) != sampling.seed_from(a, [[1, 2]], 0.4)
    assert sampling.seed_from(a, "x") != sampling.seed_from(a.astype(np.float64), "x")  # dtype counts
    assert 0 <= sampling.seed_from(a) < 2**31  # never CTranslate2's "use the OS" value


def test_only_sampling_calls_are_routed_to_a_seeded_replica():
    assert sampling.samples({"beam_size": 1, "num_hypotheses": 5, "sampling_topk": 0, "sampling_temperature": 0.4})
    assert not sampling.samples({"beam_size": 5, "patience": 1})
    assert not sampling.samples({"beam_size": 1})  # greedy: top-k 1 by default


@pytest.mark.slow
def test_faster_whisper_samples_the_same_words_whatever_the_threads_or_process(interview_wav: Path):
    one = FasterWhisperEngine(threads=1)
    two = FasterWhisperEngine(threads=2)
    assert (one.streams, two.streams) == (1, 2)
    first = _words(one.transcribe(interview_wav, SECONDS, SAMPLED))
    assert len(first) >= 3 and "welcome" in json.dumps(first).lower()  # real words, sampled
    assert _words(two.transcribe(interview_wav, SECONDS, SAMPLED)) == first
    assert _words(one.transcribe(interview_wav, SECONDS, SAMPLED)) == first  # after other draws
    # A fresh process seeds CTranslate2 from the operating system unless we seed it.
    assert _fresh_process("faster-whisper", interview_wav, 2) == first


@pytest.mark.slow
def test_openai_whisper_samples_the_same_words_after_other_decoding(interview_wav: Path, tmp_path: Path):
    pytest.importorskip("torch", reason="torch is not installed (pip install torch==2.13.0)")
    pytest.importorskip("whisper", reason="openai-whisper is not installed (pip install 'learncast[openai]')")
    import os

    env = {**os.environ, "LEARNCAST_CACHE": str(tmp_path / "cache")}
    first = _fresh_process("openai-whisper", interview_wav, 1, env)
    assert len(first) >= 3
    # In this process torch's generator has drawn for the other recordings first.
    import torch

    torch.rand(1000)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEARNCAST_CACHE", str(tmp_path / "cache"))
        engine = get_engine("openai-whisper", threads=1)
        assert _words(engine.transcribe(interview_wav, SECONDS, SAMPLED)) == first


def test_transcription_pins_numpys_blas_to_one_thread():
    """OpenBLAS's float sums depend on its thread count, and Whisper's words on them: a Dask
    worker (OMP_NUM_THREADS=1) and a local build must run it alike (resources.pin_blas_threads)."""
    from threadpoolctl import threadpool_info

    from pipeline.transcribe.resources import pin_blas_threads

    pin_blas_threads()
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    assert blas and all(i["num_threads"] == 1 for i in blas), blas


def test_ctranslate2_runs_the_same_kernels_on_every_x86_machine():
    """MKL on Intel and oneDNN elsewhere, or AVX-512 against AVX2, decode the same audio to
    different words: importing the stage pins one path (resources.pin_cpu_kernels)."""
    import os
    import platform

    if platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip("the kernel pin is for x86-64 machines")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CT2_", "ONEDNN_"))}
    env["CT2_VERBOSE"] = "1"
    code = ("from pipeline.transcribe.engines import FasterWhisperEngine\n"
            "FasterWhisperEngine('', threads=1)\n")
    log = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         check=True, timeout=300).stderr
    assert "Use Intel MKL: false" in log and "GEMM_S8 backend: DNNL" in log, log
    if "AVX2=true" in log:
        assert "Selected ISA: AVX2" in log, log


def test_the_kernel_pin_keeps_what_a_person_set(monkeypatch):
    import platform

    from pipeline.transcribe.resources import pin_cpu_kernels

    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    env = {"CT2_USE_MKL": "1"}
    assert pin_cpu_kernels(env, {"avx2", "fma"}) == {"ONEDNN_MAX_CPU_ISA": "AVX2", "CT2_FORCE_CPU_ISA": "AVX2"}
    assert env["CT2_USE_MKL"] == "1"
    old_cpu = {}
    pin_cpu_kernels(old_cpu, {"avx"})  # no AVX2: CTranslate2 would refuse a forced AVX2
    assert "CT2_FORCE_CPU_ISA" not in old_cpu and old_cpu["CT2_USE_MKL"] == "0"
    monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    assert pin_cpu_kernels({}, set()) == {}
