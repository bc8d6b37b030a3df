"""Which spoken languages a Whisper model can transcribe, known before any audio is read.

A recording's language is its sidecar's ``language``, else the show's (``learncast.toml``);
``"auto"`` detects it. An English-only model (the embedded tiny.en, any ``*.en`` size, a
CTranslate2 folder whose vocabulary is the English one) cannot transcribe Welsh: it would
write English-sounding nonsense. Such a recording fails with one line saying which model
to use instead, before its audio is decoded, and the other recordings go on.

What a model can do is read from its name or its files (:func:`model_languages`), with no
network and without loading it; the loaded engine confirms it (:func:`engine_languages`)
for models whose files say nothing (an openai-whisper ``.pt`` checkpoint). With an
English-only model, ``"auto"`` means English. A leaf module: it imports only the standard
library, :mod:`pipeline.errors` and :mod:`.resources`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .resources import SIZE_NAMES

#: Whisper's languages in the order of their tokens (whisper.tokenizer.LANGUAGES; faster-whisper
#: lists the same codes alphabetically): a model that knows N languages knows the first N
#: (large-v3 added "yue", the 100th).
WHISPER_LANGUAGES = (
    "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv",
    "it", "id", "hi", "fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no",
    "th", "ur", "hr", "bg", "lt", "la", "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr",
    "az", "sl", "kn", "et", "mk", "br", "eu", "is", "hy", "ne", "mn", "bs", "kk", "sq", "sw",
    "gl", "mr", "pa", "si", "km", "sn", "yo", "so", "af", "oc", "ka", "be", "tg", "sd", "gu",
    "am", "yi", "lo", "uz", "fo", "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl",
    "mg", "as", "tt", "haw", "ln", "ha", "ba", "jw", "su", "yue",
)
#: ISO 639-2/3 codes people write for languages Whisper knows by two letters.
_THREE_LETTERS = {"cym": "cy", "wel": "cy", "eng": "en", "fra": "fr", "fre": "fr", "deu": "de",
                  "ger": "de", "spa": "es", "bre": "br", "glg": "gl", "pol": "pl", "urd": "ur",
                  "ara": "ar", "pan": "pa", "ben": "bn", "som": "so", "por": "pt", "ita": "it"}
# CTranslate2's rule (whisper.cc): a vocabulary of 51865 tokens or more is multilingual, and
# it holds (size - 51765 - 1) language tokens.
_MULTILINGUAL_VOCABULARY = 51865
_VOCABULARY_BASE = 51765
_V3_NAMES = ("large", "large-v3", "turbo", "large-v3-turbo")  # 100 languages; the older sizes 99
EMBEDDED_NAME = "the embedded tiny.en"

FIX = ('set model = "small" (or another multilingual Whisper size: medium, large-v3, turbo) in '
       "learncast.toml, or model = a CTranslate2 folder of a fine-tune for the language, such as "
       "a Welsh one from Bangor University's techiaith converted with ct2-transformers-converter "
       '(README, "Recordings in other languages")')


@dataclass(frozen=True)
class ModelLanguages:
    """What one model transcribes: every Whisper language up to ``count``, or English only."""

    name: str  # the model, as a person knows it ("the embedded tiny.en", "small", a folder)
    multilingual: bool
    count: int = len(WHISPER_LANGUAGES)

    def knows(self, code: str) -> bool:
        if not self.multilingual:
            return code == "en"
        return code in WHISPER_LANGUAGES[: self.count]


def whisper_code(tag: str | None) -> str | None:
    """The language Whisper is asked for: ``"en-GB"`` → ``"en"``; ``"auto"`` (or none) →
    None, which detects it."""
    if not tag or tag == "auto":
        return None
    return tag.split("-")[0].lower()


def model_languages(model: str) -> ModelLanguages | None:
    """What ``model`` (learncast.toml's ``model``) can transcribe, from its name or its files;
    None when they cannot say (a ``.pt`` checkpoint, a name no engine knows). Never loads the
    model or reaches the network."""
    if not model:
        return ModelLanguages(EMBEDDED_NAME, multilingual=False)
    path = Path(model).expanduser()
    if path.is_file() and path.name == "model.bin":
        path = path.parent
    if path.is_dir():
        return _folder_languages(path, f"the model in {path}")
    if model in SIZE_NAMES:
        # distil-whisper was distilled on English speech alone, whatever its vocabulary
        english = model.endswith(".en") or model.startswith("distil-")
        return ModelLanguages(f'the Whisper model "{model}"', multilingual=not english,
                              count=len(WHISPER_LANGUAGES) if model in _V3_NAMES else 99)
    return None


def _folder_languages(folder: Path, name: str) -> ModelLanguages | None:
    """A CTranslate2 folder's languages, from the size of its vocabulary (CTranslate2's rule)."""
    size = None
    try:
        if (folder / "vocabulary.json").is_file():
            size = len(json.loads((folder / "vocabulary.json").read_text(encoding="utf-8")))
        elif (folder / "vocabulary.txt").is_file():
            size = sum(1 for line in (folder / "vocabulary.txt").read_text(encoding="utf-8").split("\n") if line)
    except (OSError, ValueError, TypeError):
        return None  # the engine says when it loads the model
    if size is None:
        return None
    multilingual = size >= _MULTILINGUAL_VOCABULARY
    return ModelLanguages(name, multilingual=multilingual,
                          count=max(0, size - _VOCABULARY_BASE - 1) if multilingual else 1)


def loaded_languages(model: str, multilingual: bool, count: int) -> ModelLanguages:
    """What a loaded model transcribes, from what it says of itself (``is_multilingual``, its
    number of languages) and its name (a distil-whisper model is English-only)."""
    named = model_languages(model) if model else None
    name = named.name if named else (EMBEDDED_NAME if not model else f'the model "{model}"')
    if named is not None and not named.multilingual:
        multilingual = False
    return ModelLanguages(name, multilingual=multilingual, count=count if multilingual else 1)


def engine_languages(engine: Any) -> ModelLanguages | None:
    """What a loaded engine says it transcribes (``engine.languages``), None when it does not say."""
    found = getattr(engine, "languages", None)
    return found if isinstance(found, ModelLanguages) else None


def check_language(code: str | None, can: ModelLanguages | None, *, recording: Path,
                   where: Path | None = None) -> None:
    """Raise InputError, one line naming the recording and the fix, when the model cannot
    transcribe ``code`` (Whisper's code; None detects). ``where`` is the file that set the
    language (the sidecar or learncast.toml)."""
    said = f" (set in {where})" if where else ""
    if code is not None and code not in WHISPER_LANGUAGES:
        known = _THREE_LETTERS.get(code)
        hint = f'write "{known}"' if known else 'use Whisper\'s code for it, such as "cy" for Welsh or "en" for English'
        raise InputError(f'is in language "{code}"{said}, which Whisper cannot transcribe',
                         path=recording, fix=f"{hint} (language = \"auto\" detects it)")
    if can is None or code is None:
        return
    if not can.multilingual and code != "en":
        raise InputError(f'is in language "{code}"{said}, but {can.name} is English-only', path=recording, fix=FIX)
    if not can.knows(code):
        raise InputError(f'is in language "{code}"{said}, but {can.name} does not know it', path=recording,
                         fix=f'set model = "large-v3" in learncast.toml: it knows all {len(WHISPER_LANGUAGES)} '
                             "of Whisper's languages")


__all__ = ["WHISPER_LANGUAGES", "ModelLanguages", "whisper_code", "model_languages", "loaded_languages",
           "engine_languages", "check_language", "FIX"]
