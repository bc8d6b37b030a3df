"""Consent and embargo: nothing is published without the interviewee's sign-off.

A recording's decision comes from ``transcripts/<slug>/consent.toml`` (written by
``learncast consent``), which wins over its sidecar (``consent``, ``publish_after``).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .config import CONSENT_STATES
from .errors import ConfigError, UsageError
from .fsutil import write_text
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


def decision(folder: Path, rec: Recording) -> Decision:
    path = folder / CONSENT_NAME
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError([f"is not valid TOML: {exc}"], path=path) from None
        consent = data.get("consent")
        if consent not in CONSENT_STATES:
            raise ConfigError([f'key "consent": expected "public" or "withheld", got {consent!r}'], path=path)
        after = data.get("publish_after")
        if isinstance(after, str):
            try:
                after = dt.date.fromisoformat(after)
            except ValueError:
                raise ConfigError([f'key "publish_after": expected YYYY-MM-DD, got "{after}"'], path=path) from None
        return Decision(consent=consent, publish_after=after or None, source="cli")
    meta = rec.meta
    if meta.consent or meta.publish_after:
        return Decision(consent=meta.consent, publish_after=meta.publish_after, source="sidecar")
    return Decision(consent=None, publish_after=None, source="none")


def record(folder: Path, consent: str, until: dt.date | None) -> Path:
    """Write the team's decision (atomically) beside the recording's other decisions."""
    if consent not in CONSENT_STATES:
        raise UsageError(f'unknown consent state "{consent}"', fix='use "public" or "withheld"')
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    lines = [
        "# The interviewee's consent, recorded with `learncast consent`. It wins over the sidecar.",
        f"consent = {json.dumps(consent)}",
    ]
    if until:
        lines.append(f"publish_after = {until.isoformat()}")
    lines.append(f"decided_at = {json.dumps(now)}")
    path = folder / CONSENT_NAME
    write_text(path, "\n".join(lines) + "\n")
    return path
