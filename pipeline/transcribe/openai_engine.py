"""The openai-whisper engine: the reference PyTorch implementation of Whisper.

It is the slower of the two engines (see bench/RESULTS.md) and exists as a cross-check and
for people who already hold openai-whisper ``.pt`` checkpoints. It works offline: with no
model named, it converts the embedded CTranslate2 tiny.en into a checkpoint once (see
:mod:`.convert`) and reuses it from the model cache on later runs.

To keep it honest on silence it is fed speech only: faster-whisper's Silero VAD finds the
speech, the speech chunks are joined (in batches of a few minutes, so a long recording
never needs one giant spectrogram), decoded, and every time is mapped back onto the
recording. That is the same VAD, with the same settings, as the faster-whisper engine, so
the two engines' transcripts can be compared like for like.

torch and whisper are imported only when an engine is made, so ``learncast --help`` and
the faster-whisper path never pay for them.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from ..errors import ModelError
from ..models import Segment
from .convert import convert_ct2_to_openai
from .languages import loaded_languages
from .resources import default_threads, describe_model, embedded_model_dir, pick_device, pin_blas_threads
from .sampling import seed_from, torch_seeded
from .types import Options, Progress, RawResult, vocabulary_prompt
from .vad import batch_end_seconds, batches, join, open_wav, redo_skips, restore_times, speech_chunks, tidy

log = logging.getLogger(__name__)

CONVERTER_VERSION = "1"  # part of the cache key: bump when convert.py's output changes
NETWORK_TIMEOUT = 3.0  # seconds to decide that model downloads are impossible

_INSTALL_FIX = "pip install 'learncast[openai]' (and torch==2.13.0 for the CPU build)"
_LOCAL_FIX = "leave model empty to use the embedded tiny.en, or set model to a local .pt file or CTranslate2 folder"
_PATH_FIX = "point model at a .pt checkpoint or a CTranslate2 folder, or leave it empty for the embedded tiny.en"


class OpenAIWhisperEngine:
    """openai-whisper (PyTorch), fp32 on CPU, fp16 on CUDA."""

    name = "openai-whisper"

    def __init__(self, model: str = "", *, device: str = "auto", threads: int | None = None):
        pin_blas_threads()  # numpy's sums alike in every process (resources.pin_blas_threads)
        self.threads = threads or default_threads()
        _limit_numba_threads(self.threads)
        torch, _ = _import_whisper()
        self.model_id = describe_model(model)
        self.device = pick_device(device, torch.cuda.is_available, checked_by="PyTorch",
                                  cuda_build="a CUDA build of torch")
        torch.set_num_threads(self.threads)
        self._model = _load_model(resolve_checkpoint(model), self.device)
        self.languages = loaded_languages(model, self._model.is_multilingual, self._model.num_languages)

    def transcribe(self, wav: Path, duration: float, options: Options,
                   progress: Progress | None = None) -> RawResult:
        audio = open_wav(wav)  # int16 on disk; each batch becomes floats when decoded
        language = options.language if self._model.is_multilingual else "en"
        if options.language not in (None, "en") and not self._model.is_multilingual:
            log.warning("%s: the model is English-only; transcribing as English, not %s", wav, options.language)
        chunks = speech_chunks(audio, options.vad)
        if not chunks:
            log.info("%s: no speech found", wav)
            if progress:
                progress(duration)
            return RawResult(language=language or "en", segments=())

        segments: list[Segment] = []
        prompt = self.prompt(options.vocabulary)
        for batch in batches(chunks):
            speech = join(audio, batch)
            # Temperature fallback samples from torch's generator: seeded from the batch itself,
            # so the text does not depend on what this process decoded before (see .sampling).
            with torch_seeded(seed_from(speech, language, options.key())):
                result = self._decode(speech, language, options, prompt)
                if prompt:  # a window that skipped speech with the prompt, again without (vad.redo_skips)
                    said = language or result.get("language") or "en"
                    result["segments"] = redo_skips(result["segments"], len(speech), lambda start, end: self._decode(
                        speech[start:end], said, options, None)["segments"])
            language = language or result.get("language") or "en"
            segments.extend(restore_times(result["segments"], batch, options))
            if progress:
                progress(min(duration, batch_end_seconds(batch)))
        if progress:
            progress(duration)
        return RawResult(language=language or "en", segments=tidy(segments, duration))

    def prompt(self, vocabulary: tuple[str, ...]) -> str | None:
        """The vocabulary as the prompt this model is given (see :func:`.types.vocabulary_prompt`)."""
        if not vocabulary:
            return None
        from whisper.tokenizer import get_tokenizer

        tokenizer = get_tokenizer(self._model.is_multilingual, num_languages=self._model.num_languages)
        return vocabulary_prompt(vocabulary, tokenizer.encode)

    def _decode(self, speech: np.ndarray, language: str | None, options: Options,
                prompt: str | None = None) -> dict[str, Any]:
        """One batch with whisper.transcribe; ``prompt`` (the vocabulary's) goes before the
        batch's first window, as faster-whisper's ``initial_prompt`` does (engines.PROMPT_AS);
        :meth:`transcribe` decodes a window that skipped speech again without it."""
        import whisper

        return whisper.transcribe(
            self._model,
            speech,
            verbose=None,  # no printing, no progress bar
            language=language,
            task="transcribe",
            beam_size=options.beam_size,
            best_of=options.best_of,
            temperature=options.temperatures,
            fp16=self.device == "cuda",
            word_timestamps=options.word_timestamps,
            condition_on_previous_text=False,  # no text carried between windows: no loops
            initial_prompt=prompt,
            no_speech_threshold=options.no_speech_threshold,
            compression_ratio_threshold=options.compression_ratio_threshold,
            logprob_threshold=options.log_prob_threshold,
            hallucination_silence_threshold=(
                options.hallucination_silence_threshold if options.word_timestamps else None),
        )


def _limit_numba_threads(threads: int) -> None:
    """Size numba's thread pool to our threads, before whisper imports numba. Whisper's
    word-timing DTW is compiled with ``parallel=True``, and numba's pool otherwise starts
    one thread per core whatever torch is told, so one-thread workers running side by side
    (``--jobs``) each spin up a pool for every core and slow one another down (figures:
    bench/RESULTS.md). ``numba.set_num_threads`` did not stop it; the pool's size, fixed
    when numba starts, does. A NUMBA_NUM_THREADS already set is left alone."""
    if "numba" not in sys.modules and threads < (os.cpu_count() or 1):
        os.environ.setdefault("NUMBA_NUM_THREADS", str(threads))


def _import_whisper():
    try:
        import torch
        import whisper
    except ImportError:
        raise ModelError("openai-whisper is not installed", fix=_INSTALL_FIX) from None
    return torch, whisper


def model_cache_dir() -> Path:
    """Where converted checkpoints live: ``$LEARNCAST_CACHE/models``, else the user cache."""
    root = os.environ.get("LEARNCAST_CACHE")
    if root:
        return Path(root).expanduser() / "models"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "learncast" / "models"


def resolve_checkpoint(model: str) -> str:
    """What to load for ``model``: a ``.pt`` path (converting a CTranslate2 folder first)
    or an openai-whisper size name. Raises ModelError with a fix for anything else."""
    _, whisper = _import_whisper()

    if not model:
        return str(cached_conversion(embedded_model_dir(), label="embedded-tiny.en"))
    path = Path(model).expanduser()
    if path.is_file() and path.suffix == ".pt":
        return str(path)
    if path.is_file() and path.name == "model.bin":
        path = path.parent
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise ModelError("not a model folder (no model.bin inside)", path=path,
                             fix=_PATH_FIX)
        return str(cached_conversion(path, label=path.name))
    if path.exists():
        raise ModelError("not a Whisper model (expected a .pt checkpoint or a CTranslate2 folder)", path=path,
                         fix=_PATH_FIX)
    if model in whisper.available_models():
        return model
    if path.suffix == ".pt" or os.sep in model or model.startswith("."):
        raise ModelError("model file not found", path=path,
                         fix="check the path in learncast.toml, or leave model empty for the embedded tiny.en")
    raise ModelError(f'unknown model "{model}"',
                     fix=f"use a .pt file, a CTranslate2 folder, or one of {', '.join(whisper.available_models())}")


def cached_conversion(folder: Path, *, label: str) -> Path:
    """The openai-whisper checkpoint for a CTranslate2 folder, converting it on first use.

    The cache key covers the model file's path, size and modification time (cheap, and
    it changes when the model is replaced), so a reinstalled model is converted afresh.
    """
    model_bin = folder / "model.bin"
    try:
        st = model_bin.stat()
    except OSError:
        raise ModelError("model.bin not found", path=model_bin,
                         fix="point model at the folder that holds model.bin, or leave it empty for the embedded tiny.en") from None
    key = hashlib.sha256(
        f"{model_bin.resolve()}|{st.st_size}|{st.st_mtime_ns}|{CONVERTER_VERSION}".encode()).hexdigest()[:16]
    dest = model_cache_dir() / f"{label}-{key}.pt"
    if dest.is_file():
        return dest
    log.info("converting %s for openai-whisper (once) into %s", folder, dest)
    try:
        return convert_ct2_to_openai(folder, dest)
    except OSError as exc:
        raise ModelError(f"cannot write the converted model: {exc.strerror}", path=dest,
                         fix="set LEARNCAST_CACHE to a writable folder") from None


@functools.lru_cache(maxsize=4)
def _load_model(source: str, device: str):
    """Load a checkpoint (strictly) or a named model once per process."""
    torch, whisper = _import_whisper()
    if source in whisper.available_models():
        return _load_named(source, device, whisper)
    log.info("loading openai-whisper checkpoint %s on %s", source, device)
    try:
        checkpoint = torch.load(source, map_location=device, weights_only=True)
        model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
        model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    except Exception as exc:  # unpickling, missing keys, wrong shapes
        raise ModelError(f"cannot load the checkpoint: {type(exc).__name__}: {str(exc)[:200]}", path=source,
                         fix="convert or download the model again, or leave model empty for the embedded tiny.en") from None
    heads = checkpoint.get("alignment_heads")
    if heads is not None and tuple(heads.shape) == (model.dims.n_text_layer, model.dims.n_text_head):
        # the word-timing heads; whisper.load_model only restores them for named models
        model.register_buffer("alignment_heads", heads.to(torch.bool).to_sparse(), persistent=False)
    return model.to(device).eval()


def _load_named(name: str, device: str, whisper):
    """A named model from whisper's download cache, downloading it only if a network is there."""
    url = whisper._MODELS[name]
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whisper"
    if not (root / Path(urlparse(url).path).name).is_file() and not _reachable(url):
        raise ModelError(f'cannot download the Whisper model "{name}" (no network)',
                         fix=_LOCAL_FIX)
    log.info("loading openai-whisper model %s on %s", name, device)
    try:
        return whisper.load_model(name, device=device, download_root=str(root))
    except Exception as exc:  # network errors mid-download, checksum mismatch
        raise ModelError(f'cannot download the Whisper model "{name}": {type(exc).__name__}',
                         fix=_LOCAL_FIX) from None


def _reachable(url: str) -> bool:
    """Whether the download host answers within a few seconds (so offline never hangs)."""
    host = urlparse(url).hostname or ""
    try:
        with socket.create_connection((host, 443), timeout=NETWORK_TIMEOUT):
            return True
    except OSError:
        return False
