"""A trained speaker encoder: Resemblyzer's GE2E d-vectors, loaded without Resemblyzer.

The ``resemblyzer`` wheel (Apache-2.0) ships ``pretrained.pt``, a three-layer LSTM (40 mel
bands in, 256 units) with a linear layer on its last state: one 256-number voice print
per stretch of speech, near for one voice and far for two. Its own code imports
``webrtcvad``, which has no wheel and needs a C compiler to install, and ``librosa`` (numba,
llvmlite, ...), only to cut silences and compute the mel spectrum. So the wheel is
installed without its dependencies (``pip install --no-deps resemblyzer==0.1.4``: dev.py
does this) and this module reads its weights file with torch and does the rest itself:

* the mel spectrum as ``librosa.feature.melspectrogram`` computes it for Resemblyzer
  (25 ms Hann windows every 10 ms, power spectrum, 40 Slaney mel bands; *not* a log);
* the loudness normalisation (raised, never lowered, to -30 dBFS over the speech);
* the LSTM and the linear layer, on packed sequences of any length.

:func:`available` says whether the weights and torch are here; without them the speaker
stage uses its MFCC voices instead (see :mod:`.speakers`).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..audio import SAMPLE_RATE

log = logging.getLogger(__name__)

N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
HIDDEN = 256
LAYERS = 3
TARGET_DBFS = -30.0
BATCH = 256  # stretches per forward pass


def weights_path() -> Path | None:
    """Resemblyzer's ``pretrained.pt`` where the wheel is installed (its code is not imported)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "pretrained.pt"
        if path.is_file():
            return path
    return None


def available() -> bool:
    """Whether the trained encoder can run here: its weights and torch are installed."""
    return weights_path() is not None and importlib.util.find_spec("torch") is not None


@functools.lru_cache(maxsize=1)
def _model() -> Any:
    import torch

    path = weights_path()
    if path is None:
        raise RuntimeError("resemblyzer's pretrained.pt is not installed")
    state = torch.load(path, map_location="cpu", weights_only=True)["model_state"]
    lstm = torch.nn.LSTM(N_MELS, HIDDEN, LAYERS, batch_first=True)
    linear = torch.nn.Linear(HIDDEN, HIDDEN)
    lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
    linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
    lstm.eval()
    linear.eval()
    log.debug("voice encoder loaded from %s", path)
    return lstm, linear


@functools.lru_cache(maxsize=1)
def _mel_filters() -> np.ndarray:
    from faster_whisper.feature_extractor import FeatureExtractor  # librosa's Slaney filters, in numpy

    return FeatureExtractor.get_mel_filters(SAMPLE_RATE, N_FFT, N_MELS).astype(np.float32).T.copy()


def gain_for(samples: np.ndarray) -> float:
    """The factor that brings ``samples`` (float, the speech) to -30 dBFS, never below 1."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
    if rms <= 0:
        return 1.0
    return max(1.0, 10 ** ((TARGET_DBFS - 20 * np.log10(rms)) / 20))


def mel_frames(y: np.ndarray) -> np.ndarray:
    """(frames, 40) power mel spectrum of float samples, frame i centred on sample i*HOP."""
    y = np.pad(np.asarray(y, dtype=np.float32), (N_FFT // 2, N_FFT // 2))
    n = 1 + (y.size - N_FFT) // HOP
    if n <= 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann
    frames = np.lib.stride_tricks.sliding_window_view(y, N_FFT)[::HOP][:n] * window
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    return (power @ _mel_filters()).astype(np.float32)


def embed(stretches: Sequence[np.ndarray]) -> np.ndarray:
    """One L2-normalised voice print (256,) per stretch of float samples at 16 kHz."""
    import torch

    lstm, linear = _model()
    mels = [mel_frames(s) for s in stretches]
    out = np.zeros((len(mels), HIDDEN), dtype=np.float32)
    order = sorted(range(len(mels)), key=lambda i: -len(mels[i]))  # similar lengths share a batch
    with torch.inference_mode():
        for a in range(0, len(order), BATCH):
            idx = [i for i in order[a:a + BATCH] if len(mels[i])]
            if not idx:
                continue
            lengths = torch.tensor([len(mels[i]) for i in idx])
            padded = torch.nn.utils.rnn.pad_sequence([torch.from_numpy(mels[i]) for i in idx], batch_first=True)
            packed = torch.nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
            _, (hidden, _) = lstm(packed)
            raw = torch.relu(linear(hidden[-1]))
            vec = raw / torch.clamp(torch.norm(raw, dim=1, keepdim=True), min=1e-9)
            out[idx] = vec.numpy()
    return out


__all__ = ["available", "weights_path", "embed", "mel_frames", "gain_for"]
