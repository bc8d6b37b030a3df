"""Consent and embargo: nothing is published without the interviewee's sign-off.

A recording's decision comes from ``transcripts/<slug>/consent.toml`` (written by
``learncast consent``), which wins over its sidecar (``consent``, ``publish_after``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import tomledit
from .config import CONSENT_STATES, Key, _date, check_table, read_toml
from .errors import ConfigError, UsageError
from .models import Recording

CONSENT_NAME = "consent.toml"


@dataclass(frozen=True)
class Decision:
    consent: str | None  # "public", "withheld" or None (not given)
    publish_after: dt.date | None
    source: str  # "cli", "sidecar" or "none"

    def blocks(self, today: dt.date, require_consent: bool) -> str | None:
        """Why this recording may not be published today, or None."""
        if self.consent == "withheld":
            return "consent is withheld"
        if require_consent and self.consent != "public":
            return 'require_consent is on and consent is not "public"'
        if self.publish_after and self.publish_after > today:
            return f"embargoed until {self.publish_after.isoformat()}"
        return None


def _consent(value: Any) -> str | None:
    return None if value in CONSENT_STATES else f'expected "public" or "withheld", got {value!r}'


def _decided_at(value: Any) -> str | None:
    return None if isinstance(value, (str, dt.date)) else "expected the date and time of the decision"


CONSENT_KEYS = [
    Key("consent", _consent, 'the interviewee\'s decision: "public" or "withheld"'),
    Key("publish_after", _date, "an embargo: publish only after this date, YYYY-MM-DD"),
    Key("decided_at", _decided_at, "when the decision was recorded"),
]
HEADER = "# The interviewee's consent, recorded with `learncast consent`. It wins over the sidecar.\n"


def decision(folder: Path, rec: Recording) -> Decision:
    path = folder / CONSENT_NAME
    if path.is_file():
        data = read_toml(path)
        problems = check_table(data, CONSENT_KEYS)
        if "consent" not in data:
            problems.insert(0, f'key "consent": {_consent(None)}')
        if problems:
            raise ConfigError(problems, path=path)
        after = data.get("publish_after")
        if isinstance(after, str):
            after = dt.date.fromisoformat(after)
        return Decision(consent=data["consent"], publish_after=after or None, source="cli")
    meta = rec.meta
    if meta.consent or meta.publish_after:
        return Decision(consent=meta.consent, publish_after=meta.publish_after, source="sidecar")
    return Decision(consent=None, publish_after=None, source="none")


def record(folder: Path, consent: str, until: dt.date | None) -> Path:
    """Write the team's decision (atomically) beside the recording's other decisions.

    A file already there keeps its comments; its decision is replaced (no ``until``
    lifts an embargo).
    """
    if consent not in CONSENT_STATES:
        raise UsageError(f'unknown consent state "{consent}"', fix='use "public" or "withheld"')
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    values = {"consent": consent, "publish_after": until, "decided_at": now}
    return tomledit.edit(folder / CONSENT_NAME, lambda doc: tomledit.set_values(doc, values), header=HEADER)
