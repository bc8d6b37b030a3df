"""Workspace configuration: ``learncast.toml`` and per-recording sidecars.

Everything is validated before any work starts. Every bad key is reported at once
(file, key, what is expected) through one :class:`~pipeline.errors.ConfigError`,
which the CLI prints one line per problem before exiting 2.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

from .errors import ConfigError, LearncastError
from .models import ROLES, RecordingMeta, Speaker

CONFIG_NAME = "learncast.toml"
ENGINES = ("faster-whisper", "openai-whisper")
DEVICES = ("auto", "cpu", "cuda")
CONSENT_STATES = ("public", "withheld")

# Apple Podcasts top-level categories (2024 list), for a clear error on a typo.
APPLE_CATEGORIES = (
    "Arts", "Business", "Comedy", "Education", "Fiction", "Government", "History",
    "Health & Fitness", "Kids & Family", "Leisure", "Music", "News",
    "Religion & Spirituality", "Science", "Society & Culture", "Sports", "Technology",
    "True Crime", "TV & Film",
)

_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# ---------------------------------------------------------------- a small schema


@dataclass(frozen=True)
class Key:
    """One allowed key: its check returns an error text, or None when the value is fine."""

    name: str
    check: Callable[[Any], str | None]
    help: str


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) else f"expected a string, got {_kind(value)}"


def _nonempty(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a string, got {_kind(value)}"
    return None if value.strip() else "expected a non-empty string"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {_kind(value)}"


def _int_range(lo: int, hi: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected a whole number from {lo} to {hi}, got {_kind(value)}"
        if not lo <= value <= hi:
            return f"expected a whole number from {lo} to {hi}, got {value}"
        return None

    return check


def _limit(lo: int, hi: int, unit: str) -> Callable[[Any], str | None]:
    """0 (no limit) or a whole number from ``lo`` to ``hi``."""
    expected = f"expected 0 (no limit) or a whole number of {unit} from {lo} to {hi}"

    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{expected}, got {_kind(value)}"
        if value != 0 and not lo <= value <= hi:
            return f"{expected}, got {value}"
        return None

    return check


def _choice(options: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or value not in options:
            shown = f'"{value}"' if isinstance(value, str) else _kind(value)
            return f"expected one of {', '.join(repr(o) for o in options)}, got {shown}"
        return None

    return check


def _language(value: Any, allow_auto: bool = True) -> str | None:
    expected = 'expected a language code such as "en", "en-GB" or "cy" (Welsh)'
    if allow_auto:
        expected += ', or "auto" to detect it'
    if not isinstance(value, str):
        return f"{expected}, got {_kind(value)}"
    if allow_auto and value == "auto":
        return None
    if not _LANG_RE.match(value):
        return f"{expected}, got \"{value}\""
    return None


def _languages(value: Any) -> str | None:
    """``languages = ["cy", "en"]``: the languages every page is built in, each with a catalogue."""
    from .i18n import available, has_catalogue

    shipped = ", ".join(f'"{c}"' for c in available())
    if not isinstance(value, list) or not value:
        return f'expected a list of language codes such as ["cy", "en"], got {_kind(value)}'
    for item in value:
        if _language(item, allow_auto=False):
            return f'expected a list of language codes such as ["cy", "en"], got {_kind(item) if not isinstance(item, str) else repr(item)}'
        if not has_catalogue(item):
            return f'no catalogue for "{item}" (Learncast has {shipped}); see README, "Welsh and other languages"'
    if len({v.lower() for v in value}) != len(value):
        return "each language once"
    return None


def _url(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected an http(s) URL such as \"https://example.org/podcast/\", got {_kind(value)}"
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in value:
        return f"expected an http(s) URL such as \"https://example.org/podcast/\", got \"{value}\""
    return None


def _email(value: Any) -> str | None:
    if not isinstance(value, str) or not _EMAIL_RE.match(value):
        shown = f'"{value}"' if isinstance(value, str) else _kind(value)
        return f"expected an email address, got {shown}"
    return None


def _category(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected an Apple Podcasts category such as \"Government\", got {_kind(value)}"
    top = value.split(">")[0].strip()
    if top not in APPLE_CATEGORIES:
        return f"expected an Apple Podcasts category such as \"Government\" or \"Education\", got \"{value}\""
    return None


def _date(value: Any) -> str | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return None
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
            return None
        except ValueError:
            pass
    shown = f'"{value}"' if isinstance(value, str) else _kind(value)
    return f"expected a date written YYYY-MM-DD, got {shown}"


VOCABULARY_TERM_CHARS = 100  # a name or a term, not a paragraph


def _terms(value: Any) -> str | None:
    """A list of names and terms for the speech model (the vocabulary keys)."""
    expected = 'expected a list of names and terms, such as ["Wales Audit Office", "GovCamp Cymru"]'
    if not isinstance(value, list):
        return f"{expected}, got {_kind(value)}"
    for i, term in enumerate(value):
        if not isinstance(term, str) or not term.strip():
            shown = f'"{term}"' if isinstance(term, str) else _kind(term)
            return f"{expected}; item {i + 1} is {shown}, not a non-empty string"
        if len(term) > VOCABULARY_TERM_CHARS:
            return f"{expected}; item {i + 1} is {len(term)} characters long (at most {VOCABULARY_TERM_CHARS})"
    return None


def _season(value: Any) -> str | None:
    """A season number: a programme or cohort, 1 for the first."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10_000:
        shown = f'"{value}"' if isinstance(value, str) else (value if isinstance(value, int) else _kind(value))
        return f"expected a season number, a whole number from 1 to 10000 such as season = 2, got {shown}"
    return None


def _episode_number(value: Any) -> str | None:
    """An episode number within its season: 1, 2, ... (a decimal such as 2.5 for a special)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1_000_000:
        shown = f'"{value}"' if isinstance(value, str) else (value if isinstance(value, (int, float)) else _kind(value))
        return f"expected an episode number greater than 0 such as episode = 3, got {shown}"
    return None


def _max_chars(limit: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return f"expected a non-empty string, got {_kind(value) if not isinstance(value, str) else 'an empty one'}"
        return None if len(value) <= limit else f"expected at most {limit} characters, got {len(value)}"

    return check


#: podcast:license ids that need no url (Podcasting 2.0 license list: SPDX ids), and the
#: Open Government Licence, written with the url of its legal text.
KNOWN_LICENSES = {
    "CC0-1.0": None, "CC-BY-4.0": None, "CC-BY-SA-4.0": None, "CC-BY-NC-4.0": None,
    "CC-BY-NC-SA-4.0": None, "CC-BY-ND-4.0": None, "CC-BY-NC-ND-4.0": None,
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
_GEO_RE = re.compile(r"^geo:-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?$")
_OSM_RE = re.compile(r"^[NWR]\d+(#\d+)?$")


def _geo(value: Any) -> str | None:
    if isinstance(value, str) and _GEO_RE.match(value):
        return None
    shown = f'"{value}"' if isinstance(value, str) else _kind(value)
    return f'expected "geo:LATITUDE,LONGITUDE" such as "geo:53.7997,-1.5492", got {shown}'


def _osm(value: Any) -> str | None:
    if isinstance(value, str) and _OSM_RE.match(value):
        return None
    shown = f'"{value}"' if isinstance(value, str) else _kind(value)
    return f'expected an OpenStreetMap id such as "R118362" (N, W or R and a number), got {shown}'


def _txt(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str) or not item.strip() or len(item) > 4000:
            return ('expected the verification code a directory gave you (or a list of them), '
                    f'such as verify_txt = "S6lpp-7ZCn8", got {_kind(item)}')
    return None


SPEAKERS_MAX = 8  # as many voices as the speaker stage can estimate
_SPEAKERS_EXPECTED = ('expected a number of speakers (such as 3), or a list such as '
                      '["Sam Carter (interviewer)", "Helen Ward (interviewee)"]')
_ROLE_RE = re.compile(r"^(.*?)\s*\((\w+)\)\s*$")


def parse_speakers(value: Any) -> tuple[tuple[Speaker, ...], int | None] | str:
    """A sidecar's ``speakers``: the named speakers and how many there are, or the problem.

    ``3``; ``["Sam Carter (interviewer)", "Helen Ward"]`` (a name without a role is an
    interviewee's); or a list of tables ``{name = "...", role = "interviewer"}``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= SPEAKERS_MAX:
            return f"{_SPEAKERS_EXPECTED}; {value} is not a number of speakers from 1 to {SPEAKERS_MAX}"
        return (), value
    if not isinstance(value, list) or not value:
        return f"{_SPEAKERS_EXPECTED}, got {_kind(value) if value != [] else 'an empty list'}"
    if len(value) > SPEAKERS_MAX:
        return f"{_SPEAKERS_EXPECTED}; {len(value)} speakers listed, at most {SPEAKERS_MAX}"
    people = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, dict):
            unknown = sorted(set(item) - {"name", "role"})
            if unknown:
                return f'{_SPEAKERS_EXPECTED}; item {i} has unknown key "{unknown[0]}" (allowed: name, role)'
            name, role = item.get("name"), item.get("role", "interviewee")
        elif isinstance(item, str):
            m = _ROLE_RE.match(item)
            name, role = (m.group(1), m.group(2)) if m else (item, "interviewee")
        else:
            return f"{_SPEAKERS_EXPECTED}; item {i} is {_kind(item)}"
        if not isinstance(name, str) or not name.strip():
            return f"{_SPEAKERS_EXPECTED}; item {i} has no name"
        if not isinstance(role, str) or role.strip().lower() not in ROLES:
            shown = f'"{role}"' if isinstance(role, str) else _kind(role)
            return f'{_SPEAKERS_EXPECTED}; item {i} ("{name.strip()}") has the role {shown}, expected interviewer or interviewee'
        people.append(Speaker(" ".join(name.split()), role.strip().lower()))
    if len(people) > 1 and all(p.role == "interviewer" for p in people):
        return f"{_SPEAKERS_EXPECTED}; every speaker listed is an interviewer: mark who is interviewed \"(interviewee)\""
    return tuple(people), len(people)


def _speakers(value: Any) -> str | None:
    result = parse_speakers(value)
    return result if isinstance(result, str) else None


def _kind(value: Any) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "a table"}
    for t, name in names.items():
        if type(value) is t:
            return name
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def check_table(data: dict[str, Any], keys: list[Key], where: str = "") -> list[str]:
    """Validate one TOML table; returns one problem text per bad key."""
    allowed = {k.name: k for k in keys}
    problems: list[str] = []
    for name, value in data.items():
        full = f"{where}{name}"
        if name not in allowed:
            close = difflib.get_close_matches(name, list(allowed), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.append(f'unknown key "{full}"{hint}; allowed keys: {", ".join(allowed)}')
            continue
        err = allowed[name].check(value)
        if err:
            problems.append(f'key "{full}": {err}')
    return problems


#: Builds the error for a TOML file that cannot be read: ``(what is wrong, what to do or None)``.
TomlError = Callable[[str, str | None], LearncastError]


def read_toml(path: Path, *, error: TomlError | None = None) -> dict[str, Any]:
    """Parse a TOML file; any problem reading it is one line naming the file and the fix.

    By default the problem is a :class:`ConfigError`; ``error`` builds another kind (the
    chapter corrections fail only their recording).
    """
    return loads_toml(read_toml_text(path, error=error), path, error=error)


def read_toml_text(path: Path, *, error: TomlError | None = None) -> str:
    """The text of a TOML file, with :func:`read_toml`'s errors when it is not readable UTF-8."""
    make = error or _config_error(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise make("is not UTF-8 text", "save it as UTF-8") from None
    except OSError as exc:
        raise make(f"cannot be read ({exc.strerror or exc})",
                   "check that the file is there and that you may read it") from None


def loads_toml(text: str, path: Path, *, error: TomlError | None = None) -> dict[str, Any]:
    """Parse the text of the TOML file ``path``, as :func:`read_toml` does."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise (error or _config_error(path))(f"is not valid TOML: {exc}", None) from None


def _config_error(path: Path) -> TomlError:
    def make(what: str, fix: str | None) -> LearncastError:
        return ConfigError([f"{what}; {fix}" if fix else what], path=path)

    return make


# ---------------------------------------------------------------- learncast.toml

CONFIG_KEYS = [
    Key("title", _nonempty, "the show's title"),
    Key("description", _nonempty, "what the show is about, for the feed and the site"),
    Key("author", _nonempty, "the show's author (person or team)"),
    Key("owner_name", _nonempty, "the feed owner's name (Apple's itunes:owner)"),
    Key("owner_email", _email, "the feed owner's email (Apple's itunes:owner)"),
    Key("language", _language, 'the show\'s language, e.g. "en"; "auto" detects it per recording'),
    Key("languages", _languages, 'the languages of the site, e.g. ["cy", "en"]: each page in each (first: the default)'),
    Key("base_url", _url, "where site/ will be published, e.g. https://example.org/learncast/"),
    Key("artwork", _string, "square JPEG or PNG, 1400-3000 px; empty generates one"),
    Key("category", _category, "an Apple Podcasts category, e.g. Government"),
    Key("explicit", _bool, "whether the show is explicit"),
    Key("questions", _string, "a question-set TOML file; empty uses the built-in set"),
    Key("engine", _choice(ENGINES), "the Whisper engine"),
    Key("model", _string, "a CTranslate2 folder, a .pt checkpoint or a size name; empty uses the embedded tiny.en"),
    Key("device", _choice(DEVICES), "where the model runs"),
    Key("interviewer", _string, "the interviewer's name, shown as the speaker label"),
    Key("require_consent", _bool, "publish a recording only once its consent is public"),
    Key("feed_limit", _limit(1, 100_000, "episodes"),
        "the most episodes in feed.xml (the newest); older ones move to archive pages feed-2.xml, ..."),
    Key("feed_max_kb", _limit(100, 1_000_000, "kB"),
        "the largest feed.xml (and archive page) in kB; items past it move to the next page"),
    Key("vocabulary", _terms,
        "names and terms the speech model should expect in every recording, e.g. [\"Wales Audit Office\"]"),
    *[Key(*k) for k in (
        ("copyright", _nonempty, 'the feed\'s copyright line, e.g. "© 2026 Leeds City Council"'),
        ("license", _max_chars(128), 'podcast:license, e.g. "OGL-UK-3.0", "CC-BY-4.0" or your own with license_url'),
        ("license_url", _url, "the full text of a custom licence (needed unless license is a known id)"),
        ("locked", _bool, "podcast:locked: true stops other hosts importing the feed (owner_email verifies a move)"),
        ("verify_txt", _txt, "podcast:txt purpose=\"verify\": a code a directory gives you to prove you own the feed"),
        ("artwork_alt", _max_chars(500), "the artwork described in words, for podcast:image alt"),
        ("season", _season, "the season (programme or cohort) of recordings whose sidecar names none"),
        ("season_name", _max_chars(128), "that season's name, e.g. \"Leeds cohort 2026\""),
        ("interviewer_href", _url, "a page about the interviewer (podcast:person href)"),
        ("interviewer_img", _url, "a picture of the interviewer (podcast:person img)"),
    )],
]

#: Defaults for the feed's size (README, "How big the feed gets"): 100 episodes, a common
#: default of podcast hosts and well under the 300 Apple's directory lists; 2,000 kB, under the
#: 2 MiB some feed readers refuse and the 3 MB+ feeds Pocket Casts was reported to reject.
DEFAULT_FEED_LIMIT = 100
DEFAULT_FEED_MAX_KB = 2000


@dataclass(frozen=True)
class Config:
    """A validated ``learncast.toml``; paths are absolute."""

    root: Path
    title: str = "Learncast"
    description: str = "Interviews with practitioners about how services changed."
    author: str = "Learncast"
    owner_name: str = "Learncast"
    owner_email: str = "learncast@example.org"
    language: str = "en"
    languages: tuple[str, ...] = ()
    base_url: str = "http://localhost:8000/"
    artwork: Path | None = None
    category: str = "Government"
    explicit: bool = False
    questions: Path | None = None
    engine: str = "faster-whisper"
    model: str = ""
    device: str = "auto"
    interviewer: str = "Interviewer"
    require_consent: bool = False
    feed_limit: int = DEFAULT_FEED_LIMIT
    feed_max_kb: int = DEFAULT_FEED_MAX_KB
    vocabulary: tuple[str, ...] = ()
    copyright: str = ""
    license: str = ""
    license_url: str = ""
    locked: bool = True
    verify_txt: tuple[str, ...] = ()
    artwork_alt: str = ""
    season: int | None = None
    season_name: str = ""
    interviewer_href: str = ""
    interviewer_img: str = ""

    @property
    def path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def feed_language(self) -> str:
        return "en" if self.language == "auto" else self.language

    def url(self, *parts: str) -> str:
        """An absolute URL under ``base_url``."""
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return base + "/".join(p.strip("/") for p in parts if p)

    @property
    def site_languages(self) -> tuple[str, ...]:
        """The languages the site is built in: ``languages``, else the show's one language."""
        return self.languages or (self.feed_language,)

    @property
    def bilingual(self) -> bool:
        """More than one language: each language's pages and feed in its own folder (``site/cy/``)."""
        return len(self.languages) > 1

    def page_url(self, slug: str, lang: str | None = None) -> str:
        """The episode page's URL (chapter links and the feed point at it); in a site of several
        languages, the page in ``lang`` (default: the first language)."""
        if self.bilingual:
            return self.url(lang or self.languages[0], "episodes", slug) + "/"
        return self.url("episodes", slug) + "/"


def load_config(root: Path) -> Config:
    """Read and validate ``ROOT/learncast.toml``; raise ConfigError with every problem."""
    root = Path(root).resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            [f"no {CONFIG_NAME} here; run `learncast init {root}` to create a workspace, "
             "or pass --workspace DIR"],
            path=path,
        )
    data = read_toml(path)
    problems = check_table(data, CONFIG_KEYS)
    values: dict[str, Any] = {k: v for k, v in data.items() if k in {c.name for c in CONFIG_KEYS}}
    for name in ("artwork", "questions"):
        raw = values.pop(name, "")
        if isinstance(raw, str) and raw.strip():
            p = (root / raw).resolve()
            if not p.is_file():
                problems.append(f'key "{name}": file "{raw}" does not exist (paths are relative to {CONFIG_NAME})')
            else:
                values[name] = p
    one = values.get("languages")
    if isinstance(one, list) and len(one) == 1 and not _language(one[0], allow_auto=False) \
            and one[0] != values.get("language", "en"):
        problems.append(f'key "languages": one language ("{one[0]}") must be the show\'s language '
                        f'("{values.get("language", "en")}"); set language = "{one[0]}", or list two or more')
    if values.get("license") and values["license"] not in KNOWN_LICENSES and not values.get("license_url"):
        problems.append(f'key "license": "{values["license"]}" is not a known licence id '
                        f'({", ".join(KNOWN_LICENSES)}); add license_url = "https://..." with its full text')
    if problems:
        raise ConfigError(problems, path=path)
    if isinstance(values.get("verify_txt"), str):
        values["verify_txt"] = (values["verify_txt"],)
    elif "verify_txt" in values:
        values["verify_txt"] = tuple(values["verify_txt"])
    if "base_url" in values and not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    if "vocabulary" in values:
        values["vocabulary"] = tuple(values["vocabulary"])
    if "languages" in values:
        values["languages"] = tuple(values["languages"])
    return Config(root=root, **values)


# ---------------------------------------------------------------- sidecars

SIDECAR_KEYS = [
    Key("title", _nonempty, "the episode title"),
    Key("interviewee", _nonempty, "the interviewee's name"),
    Key("role", _string, "the interviewee's role and organisation"),
    Key("interviewer", _string, "the interviewer's name, if not the show's"),
    Key("date", _date, "the date of the interview, YYYY-MM-DD"),
    Key("description", _string, "a short description of the episode"),
    Key("consent", _choice(CONSENT_STATES), "public or withheld"),
    Key("publish_after", _date, "an embargo date, YYYY-MM-DD"),
    Key("vocabulary", _terms, "names and terms the speech model should expect in this recording"),
    Key("language", _language, 'the language spoken, e.g. "cy" for Welsh; "auto" detects it; default: the show\'s'),
    *[Key(*k) for k in (
        ("season", _season, "the season (programme or cohort) this interview belongs to, e.g. 2"),
        ("season_name", _max_chars(128), "that season's name, e.g. \"Cardiff cohort 2027\""),
        ("episode", _episode_number, "the episode's number within its season, e.g. 3"),
        ("location", _max_chars(128), "the place the change happened, e.g. \"Leeds, West Yorkshire\""),
        ("location_geo", _geo, "that place as \"geo:LATITUDE,LONGITUDE\""),
        ("location_osm", _osm, "that place's OpenStreetMap id, e.g. \"R118362\""),
        ("interviewee_href", _url, "a page about the interviewee (podcast:person href)"),
        ("interviewee_img", _url, "a picture of the interviewee (podcast:person img)"),
    )],
    Key("speakers", _speakers, "how many people speak, or who they are, with a role each"),
]


def load_sidecar(path: Path) -> RecordingMeta:
    """Read and validate a recording's ``media/<stem>.toml``."""
    data = read_toml(path)
    problems = check_table(data, SIDECAR_KEYS)
    if problems:
        raise ConfigError(problems, path=path)
    fields = {f.name for f in dataclasses.fields(RecordingMeta)}
    values = {k: v for k, v in data.items() if k in fields}
    for k in ("date", "publish_after"):
        if isinstance(values.get(k), str):
            values[k] = dt.date.fromisoformat(values[k])
    if "vocabulary" in values:
        values["vocabulary"] = tuple(values["vocabulary"])
    if "speakers" in data:
        people, count = parse_speakers(data["speakers"])  # checked above
        values["speakers"], values["speaker_count"] = people, count
        names = {p.role: p.name for p in reversed(people)}  # the first of each role
        values.setdefault("interviewer", names.get("interviewer"))
        values.setdefault("interviewee", names.get("interviewee"))
    return RecordingMeta(**values)


# ---------------------------------------------------------------- learncast init

INIT_TEMPLATE = '''\
# Learncast workspace settings. Every key is optional; the defaults are shown.
# Paths are relative to this file. Run `learncast build` in this folder.

# The show, as listeners see it in their podcast app and on the site.
title = "{title}"
description = "Practitioners talk about how they changed public services: the relationships, the rules they broke and what went wrong."
author = "Capture team"            # the show's author (itunes:author)
owner_name = "Capture team"        # the feed owner (itunes:owner), for directory listings
owner_email = "capture-team@example.org"
language = "en"                    # "en", "en-GB", "cy", ...; "auto" detects it per recording
                                   # (a recording's media/<name>.toml may say its own language)
# languages = ["cy", "en"]        # a bilingual site: every page and a feed in each (site/cy/, site/en/)
base_url = "https://example.org/learncast/"   # where you will copy site/ to
artwork = ""                       # square JPEG/PNG, 1400-3000 px; empty generates one
category = "Government"            # an Apple Podcasts category, e.g. Government, Education
explicit = false

# Chapters: the reflective-question set to split interviews by. Empty uses the built-in set.
questions = ""

# Transcription. engine: "faster-whisper" (default) or "openai-whisper".
# model: empty uses the embedded Whisper tiny.en (works offline, English only); or a
# CTranslate2 model folder, a .pt checkpoint, or a size name such as "small" (needs a network;
# multilingual, Welsh included: README, "Recordings in other languages").
engine = "faster-whisper"
model = ""
device = "auto"                    # "auto", "cpu" or "cuda"
interviewer = "Interviewer"        # the interviewer's name on transcripts

# Names and terms the speech model should expect: people, organisations, places, programmes,
# acronyms ("Wales Audit Office", "GovCamp Cymru"). Whisper is prompted with them, so it
# spells them as written here. Each recording's media/<name>.toml may add its own
# vocabulary = [...]. Where the show or the recording has one, the recording's interviewee,
# interviewer and role (and the interviewer below) are added to it, its own terms first;
# with no vocabulary anywhere, nothing is added. About 220 tokens fit (a few dozen terms):
# past that the list is cut, keeping the terms in the order written. Changing it
# transcribes the affected recordings again.
vocabulary = []

# Consent: when true, a recording is published only once its consent is "public"
# (set it in media/<name>.toml as consent = "public"). Leave false to publish everything.
require_consent = false

# The feed apps subscribe to. feed.xml holds the newest feed_limit episodes and stays under
# feed_max_kb kilobytes; older episodes move to archive pages (feed-2.xml, feed-3.xml, ...)
# linked from it (RFC 5005 paging, which AntennaPod and gPodder follow). The site always
# lists every episode. 0 turns a limit off.
feed_limit = 100
feed_max_kb = 2000

# More for podcast apps and directories (README, "Seasons, licence, place and ownership").
# Uncomment what you need; a recording's sidecar may set its own season, episode and location.
# season = 1
# season_name = "Leeds cohort 2026"
# license = "OGL-UK-3.0"            # or "CC-BY-4.0", or your own with license_url = "https://..."
# copyright = "© 2026 Your organisation"
# verify_txt = "code-a-directory-gave-you"
# artwork_alt = "What the artwork shows, in words"
locked = true                      # false lets another host import the feed
'''
