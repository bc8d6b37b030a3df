"""bench/ggml.py: the whisper.cpp (legacy ggml) writer used by the transcription benchmark.

The format test needs nothing beyond numpy (it brings its own tiny mel filters and
tokenizer). The real test converts the embedded tiny.en (CTranslate2 -> .pt -> ggml) and
has whisper.cpp transcribe JFK's sentence; it is skipped when pywhispercpp, torch or
openai-whisper is not installed.
"""

from __future__ import annotations

import base64
import importlib.util
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from bench.ggml import FTYPE_F16, FTYPE_F32, HPARAMS, MAGIC, read_ggml, write_ggml


DIMS = {"n_vocab": 10, "n_audio_ctx": 6, "n_audio_state": 4, "n_audio_head": 2, "n_audio_layer": 1,
        "n_text_ctx": 5, "n_text_state": 4, "n_text_head": 2, "n_text_layer": 1, "n_mels": 3}


def fake_assets(folder: Path, n_mels: int, tokens: list[bytes]) -> Path:
    np.savez(folder / "mel_filters.npz", **{f"mel_{n_mels}": np.arange(n_mels * 5, dtype=np.float32).reshape(n_mels, 5)})
    # a tiktoken file lists "base64 rank" lines; write them out of order to check the sort
    lines = [f"{base64.b64encode(t).decode()} {i}" for i, t in enumerate(tokens)]
    (folder / "gpt2.tiktoken").write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    return folder


def test_layout_matches_what_whisper_cpp_reads(tmp_path: Path) -> None:
    dims = DIMS
    rng = np.random.default_rng(0)
    state = {
        "encoder.conv1.weight": rng.standard_normal((4, 3, 3)).astype(np.float32),
        "encoder.conv1.bias": rng.standard_normal(4).astype(np.float32),
        "encoder.positional_embedding": rng.standard_normal((6, 4)).astype(np.float32),
        "decoder.token_embedding.weight": rng.standard_normal((10, 4)).astype(np.float32),
        "decoder.ln.weight": rng.standard_normal(4).astype(np.float32),
    }
    tokens = [b"!", b"hello", b"\xe2\x82", b" world"]
    out = write_ggml(tmp_path / "m.bin", dims, state, assets=fake_assets(tmp_path, 3, tokens))

    raw = out.read_bytes()
    header = struct.unpack("<12i", raw[:48])
    assert header[0] == MAGIC and list(header[1:11]) == [dims[k] for k in HPARAMS] and header[11] == FTYPE_F16

    model = read_ggml(out)
    assert model.mel_filters.shape == (3, 5) and model.mel_filters[2, 4] == 14.0
    assert model.vocab == tokens  # in rank order, whatever the file's line order
    assert list(model.tensors) == list(state)  # the checkpoint's order

    conv = model.tensors["encoder.conv1.weight"]
    assert conv.ftype == FTYPE_F16 and conv.shape == (4, 3, 3)
    np.testing.assert_allclose(conv.data, state["encoder.conv1.weight"], rtol=1e-3, atol=1e-3)
    bias = model.tensors["encoder.conv1.bias"]
    assert bias.ftype == FTYPE_F32 and bias.shape == (4, 1)  # whisper.cpp keeps conv biases as [n, 1]
    np.testing.assert_array_equal(bias.data[:, 0], state["encoder.conv1.bias"])
    assert model.tensors["encoder.positional_embedding"].ftype == FTYPE_F32
    assert model.tensors["decoder.token_embedding.weight"].ftype == FTYPE_F16
    assert model.tensors["decoder.ln.weight"].ftype == FTYPE_F32

    # dims are written innermost first: conv1.weight (4, 3, 3) -> 3, 3, 4 after its header
    name = b"encoder.conv1.weight"
    at = raw.index(name)
    assert struct.unpack("<6i", raw[at - 24:at]) == (3, len(name), FTYPE_F16, 3, 3, 4)


def test_f32_option_stores_every_tensor_in_f32(tmp_path: Path) -> None:
    dims = DIMS
    state = {"decoder.token_embedding.weight": np.ones((10, 4), dtype=np.float32)}
    out = write_ggml(tmp_path / "m.bin", dims, state, f16=False, assets=fake_assets(tmp_path, 3, [b"a"]))
    model = read_ggml(out)
    assert model.ftype == FTYPE_F32 and model.tensors["decoder.token_embedding.weight"].ftype == FTYPE_F32


@pytest.mark.slow
def test_converted_embedded_model_transcribes_jfk_in_whisper_cpp(tmp_path: Path, real_recording) -> None:
    jfk = real_recording("01_jfk_inaugural", "jfk.flac")
    pytest.importorskip("pywhispercpp.model", exc_type=ImportError,
                        reason="pywhispercpp is not installed (pip install 'learncast[bench]')")
    pytest.importorskip("torch", reason="torch is not installed (pip install torch==2.13.0)")
    if importlib.util.find_spec("whisper") is None:  # only its assets are read; importing it is slow
        pytest.skip("openai-whisper is not installed (pip install 'learncast[openai]')")
    from bench.ggml import check, convert_pt_to_ggml
    from pipeline.transcribe.convert import convert_ct2_to_openai
    from pipeline.transcribe.resources import embedded_model_dir

    pt = convert_ct2_to_openai(embedded_model_dir(), tmp_path / "tiny.en.pt")
    ggml = convert_pt_to_ggml(pt, tmp_path / "ggml-tiny.en.bin")
    model = read_ggml(ggml)
    assert model.hparams["n_vocab"] == 51864 and len(model.tensors) == 167

    text = check(ggml, jfk / "jfk.flac", threads=2)
    words = re.sub(r"[^a-z ]", "", text.lower()).split()
    reference = re.sub(r"[^a-z ]", "", (jfk / "jfk.ref.txt").read_text().lower()).split()
    assert words == reference
