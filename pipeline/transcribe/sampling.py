"""Reproducible temperature fallback: the same sampled text on every machine and thread count.

Whisper decodes each 30-s window with beam search first; when the result looks wrong
(too repetitive, too unlikely) it decodes again by *sampling* at rising temperatures.
Both engines draw those samples from a random generator that is not tied to the window:

* CTranslate2 (faster-whisper) keeps one generator per worker thread, seeded from the
  operating system's entropy the first time that thread samples, and never reseeded
  (``ctranslate2.set_random_seed`` only reaches threads that have not sampled yet). A
  window's sampled text then depends on the process, on which worker thread took the
  window, and on what that thread sampled before: a ``--jobs 2`` build and a Dask build of
  the same recording differed in 6-7% of the words.
* PyTorch (openai-whisper) draws from the process's global generator, so a window's
  samples depend on every draw made before it in that process.

Here every sampling call gets a seed computed from what is being decoded, and nothing
else: for CTranslate2, the encoder output, the prompt and the sampling options of the
call; for openai-whisper, the batch's audio samples. A CTranslate2 generator can only be
given a seed when it is created, so each sampling call runs on a fresh one-thread
replica of the model (its worker thread is new, so its generator starts from our seed),
under a lock so that no other thread reads the global seed in between. A tiny model
loads in about 0.2 s, and sampling happens only on the windows whose beam-search result
failed the checks, so the cost is small. Beam search itself is deterministic and is left
on the shared model.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from typing import Any, Iterator

import numpy as np

log = logging.getLogger(__name__)

_CT2_LOCK = threading.Lock()  # held while a fresh replica's generator takes its seed
_TORCH_LOCK = threading.Lock()  # the torch generator is global to the process


def seed_from(*parts: Any) -> int:
    """A 31-bit seed from arrays and plain values (CTranslate2 treats 2**32 - 1 as "random")."""
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        if isinstance(part, np.ndarray):
            arr = np.ascontiguousarray(part)
            h.update(f"{arr.dtype.str}{arr.shape}".encode())
            h.update(memoryview(arr).cast("B"))
        else:
            h.update(repr(part).encode("utf-8"))
        h.update(b"\x00")
    return int.from_bytes(h.digest(), "little") & 0x7FFFFFFF


def samples(kwargs: dict[str, Any]) -> bool:
    """Whether a CTranslate2 ``generate`` call samples (top-k 1 is greedy, the default)."""
    return kwargs.get("beam_size", 5) == 1 and kwargs.get("sampling_topk", 1) != 1


def _host_array(view: Any) -> np.ndarray:
    """A StorageView's values as a numpy array (copied to the host when on a GPU)."""
    import ctranslate2

    if getattr(view, "device", "cpu") != "cpu":
        view = view.to_device(ctranslate2.Device.cpu)
    return np.asarray(view)


class SeededWhisper:
    """A ``ctranslate2.models.Whisper`` whose sampling is a function of its inputs.

    faster-whisper's ``WhisperModel.model`` is replaced by this wrapper: every attribute
    is the wrapped model's, and ``generate`` calls that sample run on a fresh replica
    seeded from the call (see the module docstring).
    """

    def __init__(self, model: Any, path: str, *, device: str, compute_type: str):
        self._model = model
        self._path = path
        self._device = device
        self._compute_type = compute_type

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def generate(self, features: Any, prompts: Any, **kwargs: Any) -> Any:
        if not samples(kwargs):
            return self._model.generate(features, prompts, **kwargs)
        import ctranslate2

        options = sorted((k, v) for k, v in kwargs.items() if k != "asynchronous")
        seed = seed_from(_host_array(features), [list(p) for p in prompts], options)
        with _CT2_LOCK:
            ctranslate2.set_random_seed(seed)
            replica = ctranslate2.models.Whisper(self._path, device=self._device,
                                                 compute_type=self._compute_type,
                                                 inter_threads=1, intra_threads=1)
            try:
                log.debug("sampling at temperature %s with seed %d",
                          kwargs.get("sampling_temperature"), seed)
                return replica.generate(features, prompts, **kwargs)
            finally:
                del replica


@contextlib.contextmanager
def torch_seeded(seed: int) -> Iterator[None]:
    """Run a block with PyTorch's generators seeded, and restore them afterwards."""
    import torch

    with _TORCH_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # every device's generator
        yield
