"""The openai-whisper engine and the CTranslate2 -> openai-whisper converter, on real models.

Runs the embedded tiny.en through both engines on a real recording (JFK's inaugural
sentence from ../shared/realspeech, wrapped in digital silence), so the converter is
checked the way it matters: the converted model must say what faster-whisper says.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import ModelError
from pipeline.ffmpeg import ffmpeg_exe
from pipeline.transcribe.engines import Options, get_engine
from pipeline.transcribe.resources import embedded_model_dir

torch = pytest.importorskip("torch", reason="torch is not installed (pip install torch==2.13.0)")
whisper = pytest.importorskip("whisper", reason="openai-whisper is not installed (pip install 'learncast[openai]')")

from pipeline.transcribe import openai_engine  # noqa: E402  (needs torch and whisper)
from pipeline.transcribe.convert import convert_ct2_to_openai, read_ct2_model  # noqa: E402

PAD = 10.0  # seconds of digital silence either side of the speech


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", *args], check=True)


def wav16k(path: Path, *args: str) -> Path:
    """A 16 kHz mono 16-bit WAV, as the ingest stage makes, from ffmpeg input arguments."""
    ffmpeg(*args, "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(path))
    return path


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    """A private model cache, so the embedded conversion happens here and not in ~/.cache."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("models")
        mp.setenv("LEARNCAST_CACHE", str(path))
        yield path / "models"


@pytest.fixture(scope="module")
def openai(model_cache):
    return get_engine("openai-whisper", threads=2)


@pytest.fixture(scope="module")
def faster():
    return get_engine("faster-whisper", threads=2)


@pytest.fixture(scope="module")
def speech(tmp_path_factory, real_recording) -> tuple[Path, float, str]:
    """JFK's sentence with 10 s of digital silence before and after: (wav, duration, reference)."""
    jfk = real_recording("01_jfk_inaugural", "jfk.flac")
    out = tmp_path_factory.mktemp("speech") / "jfk-padded.wav"
    wav16k(out, "-i", str(jfk / "jfk.flac"), "-af", f"adelay={int(PAD * 1000)}:all=1,apad=pad_dur={PAD}")
    return out, 11.0 + 2 * PAD, (jfk / "jfk.ref.txt").read_text().strip()


@pytest.fixture(scope="module")
def both_transcripts(openai, faster, speech):
    wav, duration, _ = speech
    seen: list[float] = []
    started = time.perf_counter()
    ours = openai.transcribe(wav, duration, Options(), progress=seen.append)
    theirs = faster.transcribe(wav, duration, Options())
    return ours, theirs, seen, time.perf_counter() - started


def normalise(text: str) -> str:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()(text)


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.wer(normalise(reference), normalise(hypothesis))


# --- converter -----------------------------------------------------------------------------


def test_converted_embedded_model_loads_strictly(tmp_path):
    dest = convert_ct2_to_openai(embedded_model_dir(), tmp_path / "tiny.en.pt")
    model = whisper.load_model(str(dest), device="cpu")  # load_state_dict(strict=True) inside
    dims = model.dims
    assert (dims.n_mels, dims.n_audio_ctx, dims.n_text_ctx, dims.n_vocab) == (80, 1500, 448, 51864)
    assert (dims.n_audio_layer, dims.n_audio_head, dims.n_audio_state) == (4, 6, 384)
    assert (dims.n_text_layer, dims.n_text_head, dims.n_text_state) == (4, 6, 384)
    assert not model.is_multilingual  # tiny.en
    heads = torch.load(dest, weights_only=True)["alignment_heads"]
    config = json.loads((embedded_model_dir() / "config.json").read_text())
    assert sorted(map(list, heads.nonzero().tolist())) == sorted(config["alignment_heads"])
    assert not list(tmp_path.glob(".*tmp*")), "the temporary file was left behind"


def test_converted_encoder_matches_ctranslate2(tmp_path):
    """Same mel in, same audio features out: the renaming and q/k/v split are right."""
    import ctranslate2

    dest = convert_ct2_to_openai(embedded_model_dir() / "model.bin", tmp_path / "m.pt")
    model = whisper.load_model(str(dest), device="cpu")
    mel = torch.from_numpy(np.random.default_rng(0).standard_normal((1, 80, 3000)).astype(np.float32) * 0.5)
    with torch.no_grad():
        ours = model.encoder(mel).numpy()
    ct2 = ctranslate2.models.Whisper(str(embedded_model_dir()), device="cpu", compute_type="float32")
    theirs = np.array(ct2.encode(ctranslate2.StorageView.from_array(mel.numpy()), to_cpu=True))
    assert np.abs(ours - theirs).max() < 1e-3 * np.abs(theirs).max()


@pytest.fixture(scope="module")
def embedded_state(tmp_path_factory) -> dict:
    """The converted embedded model's state dict (float16, as shipped)."""
    dest = convert_ct2_to_openai(embedded_model_dir(), tmp_path_factory.mktemp("ref") / "f.pt")
    return torch.load(dest, weights_only=True)["model_state_dict"]


@pytest.mark.parametrize("quantization", ["int8", "int16", "bfloat16"])
def test_quantised_ctranslate2_models_are_dequantised(tmp_path, quantization, embedded_state):
    """A model saved by CTranslate2's own writer in another precision converts to (nearly)
    the same weights."""
    from ctranslate2.specs import whisper_spec

    variables, _ = read_ct2_model(embedded_model_dir() / "model.bin")
    spec = whisper_spec.WhisperSpec(4, 6, 4, 6)
    for name, value in variables.items():
        if value.ndim:
            _set_spec_variable(spec, name, value.astype(np.float32))
    spec.decoder.projection.weight = spec.decoder.embeddings.weight
    vocab = (embedded_model_dir() / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
    spec.register_vocabulary(vocab[:variables["decoder/embeddings/weight"].shape[0]])
    spec.validate()
    spec.optimize(quantization=quantization)
    folder = tmp_path / quantization
    folder.mkdir()
    spec.save(str(folder))

    got = torch.load(convert_ct2_to_openai(folder, tmp_path / "q.pt"), weights_only=True)["model_state_dict"]
    want = embedded_state
    assert got.keys() == want.keys()
    for key in want:
        scale = float(want[key].float().abs().max()) or 1.0
        assert float((got[key].float() - want[key].float()).abs().max()) <= 0.01 * scale, key


def _set_spec_variable(spec, name: str, value: np.ndarray) -> None:
    obj = spec
    *scopes, attr = name.split("/")
    for scope in scopes:
        m = re.fullmatch(r"(\w+?)_(\d+)", scope)
        if m and isinstance(getattr(obj, m.group(1), None), list):
            obj = getattr(obj, m.group(1))[int(m.group(2))]
        else:
            obj = getattr(obj, scope)
    setattr(obj, attr, value)


def test_converter_rejects_missing_and_bad_files(tmp_path):
    with pytest.raises(ModelError, match="model.bin not found") as err:
        convert_ct2_to_openai(tmp_path / "nowhere", tmp_path / "out.pt")
    assert err.value.fix

    def header(version: int, spec: str) -> bytes:
        name = spec.encode() + b"\0"
        return struct.pack("<I", version) + struct.pack("<H", len(name)) + name + struct.pack("<II", 3, 1)

    cases = {
        "old": (header(5, "WhisperSpec"), "binary version 5"),
        "other": (header(6, "TransformerSpec"), "not a Whisper model"),
        "cut": (header(6, "WhisperSpec") + b"\x05\x00enc", "damaged or truncated"),
    }
    for folder, (data, message) in cases.items():
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.bin").write_bytes(data)
        with pytest.raises(ModelError, match=message):
            convert_ct2_to_openai(tmp_path / folder, tmp_path / "out.pt")
    assert not (tmp_path / "out.pt").exists()


# --- engine --------------------------------------------------------------------------------


@pytest.mark.slow
def test_openai_engine_says_what_faster_whisper_says(both_transcripts, speech):
    ours, theirs, _, _ = both_transcripts
    _, _, reference = speech
    our_text = " ".join(s.text for s in ours.segments)
    their_text = " ".join(s.text for s in theirs.segments)
    between = wer(their_text, our_text)
    print(f"\nopenai-whisper: {our_text!r}\nfaster-whisper: {their_text!r}\n"
          f"WER between engines {between:.3f}; vs reference: openai {wer(reference, our_text):.3f}, "
          f"faster {wer(reference, their_text):.3f}")
    assert ours.language == "en"
    assert between <= 0.1  # same model, different arithmetic (int8 vs fp32): tiny differences only
    assert wer(reference, our_text) <= 0.25


@pytest.mark.slow
def test_openai_engine_times_fall_on_the_speech(both_transcripts, speech):
    ours, _, seen, _ = both_transcripts
    _, duration, _ = speech
    assert ours.segments
    last = 0.0
    for seg in ours.segments:
        assert seg.words, "word timestamps were asked for"
        assert last <= seg.start <= seg.end <= duration
        for w in seg.words:
            assert last <= w.start <= w.end <= seg.end
            last = w.end
    # the speech is 10 s to 21 s: nothing may be placed in the padding
    assert ours.segments[0].start >= PAD - 0.5
    assert ours.segments[-1].end <= PAD + 11.0 + 0.5
    assert seen and seen[-1] == duration and seen == sorted(seen)


@pytest.mark.parametrize("source", ["anullsrc=r=16000:cl=mono", "anoisesrc=c=pink:r=16000:a=0.02:seed=7",
                                    "anoisesrc=c=white:r=16000:a=0.02:seed=7"])
def test_no_text_on_silence_or_noise(openai, faster, tmp_path, source):
    wav = wav16k(tmp_path / "quiet.wav", "-f", "lavfi", "-t", "20", "-i", source)
    for engine in (openai, faster):
        result = engine.transcribe(wav, 20.0, Options())
        assert result.segments == (), f"{engine.name} invented {[s.text for s in result.segments]}"


# A tune of three voices on a changing scale (no words in it), and a room: brown noise, or
# mains hum with a little hiss.
MUSIC = ("aevalsrc='0.25*sin(2*PI*t*440*pow(2\\,floor(mod(t*2\\,8))/12))*(1-mod(t*2\\,1))"
         "+0.15*sin(2*PI*t*220*pow(2\\,floor(mod(t/2\\,4))*5/12))"
         "+0.08*sin(2*PI*t*880*pow(2\\,floor(mod(t*4\\,8))/12))':s=16000:d=20")
ROOMS = ["anoisesrc=c=brown:r=16000:a=0.05:seed=3:d=20",
         "aevalsrc='0.05*sin(2*PI*50*t)+0.03*sin(2*PI*100*t)+0.01*random(0)':s=16000:d=20"]


@pytest.mark.parametrize("source", [MUSIC, *ROOMS], ids=["music", "room", "hum"])
def test_no_text_on_music_or_room_noise(openai, faster, tmp_path, source):
    wav = wav16k(tmp_path / "noise.wav", "-f", "lavfi", "-i", source)
    for engine in (openai, faster):
        result = engine.transcribe(wav, 20.0, Options())
        assert result.segments == (), f"{engine.name} invented {[s.text for s in result.segments]}"


def _tune_then_jfk(path: Path, jfk: Path, pause_ms: int) -> Path:
    """The synthetic tune, ``pause_ms`` of silence, then JFK's sentence, as a 16 kHz WAV."""
    delay = f",adelay={pause_ms}:all=1" if pause_ms else ""
    return wav16k(path, "-f", "lavfi", "-i", MUSIC, "-i", str(jfk / "jfk.flac"),
                  "-filter_complex", f"[1:a]aresample=16000,aformat=channel_layouts=mono{delay}[s];"
                                     "[0:a][s]concat=n=2:v=0:a=1")


def test_music_then_speech_keeps_the_speech_and_puts_nothing_in_the_music(openai, faster, tmp_path, real_recording):
    """A jingle, a second's pause, then speech (with no pause: the next test)."""
    jfk = real_recording("01_jfk_inaugural", "jfk.flac")
    wav = _tune_then_jfk(tmp_path / "music-speech.wav", jfk, 1000)
    for engine in (openai, faster):
        result = engine.transcribe(wav, 32.0, Options())
        text = " ".join(s.text for s in result.segments).lower()
        assert "ask not what your country can do for you" in text, f"{engine.name}: {text}"
        words = [w for s in result.segments for w in s.words]
        assert words and min(w.start for w in words) >= 19.5, f"{engine.name} put words in the music"


def test_music_straight_into_speech_keeps_the_first_words(openai, faster, tmp_path, real_recording):
    """A jingle straight into JFK, no pause: Silero, carrying its state from the tune, used
    to rate the first seconds of speech low and "And so" and "ask not what" were lost. The
    VAD now rates speech after music again from a fresh state (vad.rerate_after_sound)."""
    jfk = real_recording("01_jfk_inaugural", "jfk.flac")
    wav = _tune_then_jfk(tmp_path / "music-speech.wav", jfk, 0)
    for engine in (openai, faster):
        result = engine.transcribe(wav, 31.0, Options())
        text = " ".join(s.text for s in result.segments).lower()
        assert text.lstrip().startswith("and so"), f"{engine.name}: {text}"
        assert "ask not what your country can do for you" in text, f"{engine.name}: {text}"
        words = [w for s in result.segments for w in s.words]
        assert min(w.start for w in words) >= 19.5, f"{engine.name} put words in the music"


def test_embedded_model_is_converted_once(openai, model_cache):
    files = list(model_cache.glob("*.pt"))
    assert len(files) == 1 and files[0].name.startswith("embedded-tiny.en-")
    before = files[0].stat().st_mtime_ns
    assert openai_engine.resolve_checkpoint("") == str(files[0])
    assert files[0].stat().st_mtime_ns == before
    assert openai.model_id == "embedded:tiny.en" and openai.name == "openai-whisper"


def test_ctranslate2_folder_and_pt_file_are_accepted(openai, model_cache, tmp_path):
    converted = openai_engine.resolve_checkpoint(str(embedded_model_dir()))
    assert converted.endswith(".pt") and Path(converted).parent == model_cache
    pt = convert_ct2_to_openai(embedded_model_dir(), tmp_path / "mine.pt")
    assert openai_engine.resolve_checkpoint(str(pt)) == str(pt)


def test_missing_or_wrong_model_gives_model_error(tmp_path, model_cache):
    with pytest.raises(ModelError, match="not found") as err:
        get_engine("openai-whisper", str(tmp_path / "missing.pt"))
    assert "embedded" in err.value.fix
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no model.bin"):
        get_engine("openai-whisper", str(tmp_path / "empty"))
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError, match="cannot load the checkpoint"):
        get_engine("openai-whisper", str(tmp_path / "junk.pt"))
    with pytest.raises(ModelError, match="unknown model"):
        get_engine("openai-whisper", "gigantic")


def test_missing_openai_whisper_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "whisper", None)  # makes `import whisper` raise ImportError
    with pytest.raises(ModelError, match="openai-whisper is not installed") as err:
        get_engine("openai-whisper")
    assert "learncast[openai]" in err.value.fix and "torch==2.13.0" in err.value.fix


def test_named_model_offline_fails_fast(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # no downloaded copy
    monkeypatch.setattr(openai_engine, "_reachable", lambda url: False)
    with pytest.raises(ModelError, match="no network") as err:
        get_engine("openai-whisper", "tiny")
    assert "embedded tiny.en" in err.value.fix



@pytest.mark.parametrize("threads", [1, 64])
def test_numba_pool_is_sized_to_the_engine_threads(threads):
    """A --jobs worker with one thread must not get numba's one-thread-per-core pool (it
    doubled the time of two workers); with as many threads as cores, numba's default stays."""
    import os

    cores = os.cpu_count() or 1
    code = ("import os, sys; os.environ.pop('NUMBA_NUM_THREADS', None)\n"
            "from pipeline.transcribe.openai_engine import _limit_numba_threads\n"
            f"_limit_numba_threads({threads})\n"
            "import numba; print(numba.config.NUMBA_NUM_THREADS)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    expected = min(threads, cores) if threads < cores else numba_default(cores)
    assert int(out.stdout.strip()) == expected


def numba_default(cores: int) -> int:
    import numba

    return numba.config.NUMBA_DEFAULT_NUM_THREADS if hasattr(numba.config, "NUMBA_DEFAULT_NUM_THREADS") else cores
