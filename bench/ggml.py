"""Write a whisper.cpp model (the legacy ggml format) from an openai-whisper checkpoint.

Why: the benchmark runs whisper.cpp as an outside reference, on the same weights as the
other engines. The only model we can count on offline is the embedded CTranslate2
tiny.en; :mod:`pipeline.transcribe.convert` already turns it into an openai-whisper
``.pt``, and this module turns that ``.pt`` into the ``ggml-*.bin`` whisper.cpp loads.
(whisper.cpp's own ``models/convert-pt-to-ggml.py`` is not on PyPI and wants a clone of
the openai-whisper repository; this is our own, shorter writer of the same format.)

    python -m bench.ggml                       # the embedded tiny.en -> the model cache
    python -m bench.ggml --checkpoint X.pt --out ggml-x.bin [--f32]
    python -m bench.ggml --check JFK.wav       # ... and transcribe a clip with pywhispercpp

The file, all integers int32 and all floats little-endian::

    magic 0x67676d6c ("ggml")
    hparams: n_vocab n_audio_ctx n_audio_state n_audio_head n_audio_layer
             n_text_ctx n_text_state n_text_head n_text_layer n_mels ftype (1 = f16, 0 = f32)
    mel filters: n_mels n_fft, then n_mels * n_fft float32 (openai-whisper's mel_filters.npz)
    vocab: count, then per token: byte length, bytes (the BPE ranks of gpt2.tiktoken for
           English-only models, multilingual.tiktoken otherwise; whisper.cpp adds the
           special tokens itself from n_vocab)
    per tensor: n_dims name_length ftype, dims innermost first (numpy's shape reversed),
                name (UTF-8), data (row-major; f16, or f32 for 1-D tensors, the conv
                biases and the positional embeddings, which whisper.cpp keeps in f32)

whisper.cpp checks every tensor's name, shape and byte size against the hparams and
refuses the file otherwise, so a model that loads has the layout right; :func:`read_ggml`
reads a file back for the tests.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

MAGIC = 0x67676D6C
HPARAMS = ("n_vocab", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
           "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer", "n_mels")
MULTILINGUAL_VOCAB = 51865  # whisper.cpp: n_vocab >= 51865 means a multilingual model
FTYPE_F32, FTYPE_F16 = 0, 1
# Tensors whisper.cpp creates as f32 whatever the file's ftype (besides every 1-D tensor).
F32_TENSORS = frozenset({"encoder.conv1.bias", "encoder.conv2.bias",
                         "encoder.positional_embedding", "decoder.positional_embedding"})
CONV_BIASES = ("encoder.conv1.bias", "encoder.conv2.bias")  # stored as [n, 1]
FORMAT_VERSION = "1"  # part of the cached file's name: bump when the output changes


class GgmlError(RuntimeError):
    """A checkpoint or asset this writer cannot use (the message says which and why)."""


# --- openai-whisper's assets ----------------------------------------------------------------


def whisper_assets() -> Path:
    """openai-whisper's ``whisper/assets`` folder, found without importing whisper (torch)."""
    spec = importlib.util.find_spec("whisper")
    if spec is None or not spec.submodule_search_locations:
        raise GgmlError("openai-whisper is not installed; its mel filters and tokenizer are needed "
                        "(pip install 'learncast[openai]')")
    folder = Path(next(iter(spec.submodule_search_locations))) / "assets"
    if not (folder / "mel_filters.npz").is_file():
        raise GgmlError(f"openai-whisper's assets are missing ({folder / 'mel_filters.npz'})")
    return folder


def mel_filters(n_mels: int, assets: Path | None = None) -> np.ndarray:
    """The (n_mels, n_fft) mel filterbank openai-whisper uses, as float32."""
    with np.load((assets or whisper_assets()) / "mel_filters.npz") as npz:
        key = f"mel_{n_mels}"
        if key not in npz:
            raise GgmlError(f"no {n_mels}-band mel filters in openai-whisper's mel_filters.npz")
        return np.ascontiguousarray(npz[key], dtype="<f4")


def vocabulary(n_vocab: int, assets: Path | None = None) -> list[bytes]:
    """The BPE tokens in id order (rank i is token id i), from openai-whisper's tiktoken file."""
    name = "multilingual.tiktoken" if n_vocab >= MULTILINGUAL_VOCAB else "gpt2.tiktoken"
    path = (assets or whisper_assets()) / name
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise GgmlError(f"cannot read the tokenizer {path}: {exc.strerror}") from None
    ranked: dict[int, bytes] = {}
    for line in lines:
        if not line.strip():
            continue
        token, rank = line.split()
        ranked[int(rank)] = base64.b64decode(token)
    if sorted(ranked) != list(range(len(ranked))):
        raise GgmlError(f"{path} does not number its tokens 0..{len(ranked) - 1}")
    if len(ranked) > n_vocab:
        raise GgmlError(f"{path} has {len(ranked)} tokens, more than the model's n_vocab {n_vocab}")
    return [ranked[i] for i in range(len(ranked))]


# --- writing --------------------------------------------------------------------------------


def tensor_layout(name: str, array: np.ndarray, *, f16: bool = True) -> tuple[np.ndarray, int]:
    """The array as whisper.cpp wants it stored, and its ftype (0 = f32, 1 = f16)."""
    data = np.squeeze(np.asarray(array))
    if name in CONV_BIASES:
        data = data.reshape(data.shape[0], 1)
    if f16 and data.ndim >= 2 and name not in F32_TENSORS:
        return np.ascontiguousarray(data, dtype="<f2"), FTYPE_F16
    return np.ascontiguousarray(data, dtype="<f4"), FTYPE_F32


def write_ggml(dest: Path, dims: Mapping[str, int], state: Mapping[str, Any], *, f16: bool = True,
               assets: Path | None = None) -> Path:
    """Write ``state`` (name -> array or tensor) and ``dims`` (openai-whisper's ModelDimensions
    as a dict) as a whisper.cpp model at ``dest``, atomically; return ``dest``."""
    missing = [k for k in HPARAMS if k not in dims]
    if missing:
        raise GgmlError(f"the checkpoint's dims lack {', '.join(missing)}")
    filters = mel_filters(int(dims["n_mels"]), assets)
    tokens = vocabulary(int(dims["n_vocab"]), assets)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            _i32(fh, MAGIC, *(int(dims[k]) for k in HPARAMS), FTYPE_F16 if f16 else FTYPE_F32)
            _i32(fh, *filters.shape)
            fh.write(filters.tobytes())
            _i32(fh, len(tokens))
            for token in tokens:
                _i32(fh, len(token))
                fh.write(token)
            for name, value in state.items():
                data, ftype = tensor_layout(name, _numpy(value), f16=f16)
                encoded = name.encode("utf-8")
                _i32(fh, data.ndim, len(encoded), ftype, *reversed(data.shape))
                fh.write(encoded)
                fh.write(data.tobytes())
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def convert_pt_to_ggml(checkpoint: Path, dest: Path, *, f16: bool = True) -> Path:
    """Convert an openai-whisper ``.pt`` (``{"dims", "model_state_dict"}``) to whisper.cpp's format."""
    try:
        import torch
    except ImportError:
        raise GgmlError("PyTorch is needed to read the .pt checkpoint (pip install torch==2.13.0)") from None
    try:
        loaded = torch.load(checkpoint, map_location="cpu", weights_only=True)
        dims, state = loaded["dims"], loaded["model_state_dict"]
    except Exception as exc:  # unpickling errors, a file that is not a whisper checkpoint
        raise GgmlError(f"cannot read the checkpoint {checkpoint}: {type(exc).__name__}: {str(exc)[:200]}") from None
    return write_ggml(dest, dims, state, f16=f16)


def embedded_ggml(folder: Path | None = None) -> Path:
    """The embedded tiny.en as a whisper.cpp model, converted once (CTranslate2 -> .pt by the
    product's converter, .pt -> ggml here) and kept beside the product's ``.pt`` in the model
    cache (or in ``folder``)."""
    from pipeline.transcribe.openai_engine import resolve_checkpoint

    checkpoint = Path(resolve_checkpoint(""))
    dest = (folder or checkpoint.parent) / f"ggml-{checkpoint.stem}-v{FORMAT_VERSION}.bin"
    if not dest.is_file():
        convert_pt_to_ggml(checkpoint, dest)
    return dest


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().to("cpu").float().numpy()
    return np.asarray(value)


def _i32(fh: IO[bytes], *values: int) -> None:
    fh.write(struct.pack(f"<{len(values)}i", *values))


# --- reading back (tests, checks) -----------------------------------------------------------


@dataclass
class GgmlTensor:
    name: str
    ftype: int
    shape: tuple[int, ...]  # numpy order (outermost first), as it was written
    data: np.ndarray


@dataclass
class GgmlModel:
    hparams: dict[str, int]
    ftype: int
    mel_filters: np.ndarray
    vocab: list[bytes]
    tensors: dict[str, GgmlTensor]


def read_ggml(path: Path) -> GgmlModel:
    """Read a whisper.cpp model file written in the legacy ggml format."""
    with open(path, "rb") as fh:
        (magic,) = _read_i32(fh, 1)
        if magic != MAGIC:
            raise GgmlError(f"{path} is not a ggml model (magic {magic:#x})")
        values = _read_i32(fh, len(HPARAMS) + 1)
        hparams = dict(zip(HPARAMS, values, strict=False))
        ftype = values[-1]
        n_mels, n_fft = _read_i32(fh, 2)
        filters = np.frombuffer(_read(fh, 4 * n_mels * n_fft), dtype="<f4").reshape(n_mels, n_fft)
        (count,) = _read_i32(fh, 1)
        vocab = []
        for _ in range(count):
            (length,) = _read_i32(fh, 1)
            vocab.append(_read(fh, length))
        tensors: dict[str, GgmlTensor] = {}
        while head := fh.read(12):
            n_dims, name_len, tftype = struct.unpack("<3i", head)
            shape = tuple(reversed(_read_i32(fh, n_dims)))
            name = _read(fh, name_len).decode("utf-8")
            dtype = np.dtype("<f2") if tftype == FTYPE_F16 else np.dtype("<f4")
            size = int(np.prod(shape)) * dtype.itemsize
            tensors[name] = GgmlTensor(name, tftype, shape, np.frombuffer(_read(fh, size), dtype=dtype).reshape(shape))
    return GgmlModel(hparams, ftype, filters, vocab, tensors)


def _read(fh: IO[bytes], n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise GgmlError(f"truncated ggml file: expected {n} bytes, found {len(data)}")
    return data


def _read_i32(fh: IO[bytes], n: int) -> tuple[int, ...]:
    return struct.unpack(f"<{n}i", _read(fh, 4 * n))


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ggml", description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", type=Path, help="openai-whisper .pt (default: the embedded tiny.en, "
                        "converted by `learncast models convert`'s code)")
    parser.add_argument("--out", type=Path, help="where to write the ggml model (default: the model cache)")
    parser.add_argument("--f32", action="store_true", help="store every tensor in f32 (default f16)")
    parser.add_argument("--check", type=Path, help="transcribe this recording with pywhispercpp afterwards")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    try:
        if args.checkpoint:
            out = args.out or args.checkpoint.with_name(f"ggml-{args.checkpoint.stem}.bin")
            convert_pt_to_ggml(args.checkpoint, out, f16=not args.f32)
        elif args.out:
            from pipeline.transcribe.openai_engine import resolve_checkpoint

            out = convert_pt_to_ggml(Path(resolve_checkpoint("")), args.out, f16=not args.f32)
        else:
            out = embedded_ggml()
    except GgmlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    model = read_ggml(out)
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MiB, {len(model.tensors)} tensors, "
          f"{len(model.vocab)} BPE tokens, hparams {model.hparams})")
    if args.check:
        print(check(out, args.check, threads=args.threads))
    return 0


def check(model: Path, recording: Path, *, threads: int = 2) -> str:
    """Transcribe ``recording`` (any format ffmpeg reads) with whisper.cpp and ``model``."""
    import tempfile

    from pywhispercpp.model import Model

    from pipeline.audio import load_wav
    from pipeline.ffmpeg import run

    with tempfile.TemporaryDirectory(prefix="learncast-ggml-") as tmp:
        wav = Path(tmp) / "check.wav"
        run(["-y", "-i", str(recording), "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(wav)], what=recording)
        audio = load_wav(wav)
    m = Model(str(model), redirect_whispercpp_logs_to=None, n_threads=threads, language="en",
              print_progress=False, print_realtime=False)
    return " ".join(s.text for s in m.transcribe(audio))


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
