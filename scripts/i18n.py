#!/usr/bin/env python3
"""Update Learncast's gettext catalogues: extract, update every language, compile.

    python scripts/i18n.py              # after changing or adding a string in a template or in code
    python scripts/i18n.py --init fr    # start a new language's catalogue (then translate its .po)
    python scripts/i18n.py --check      # exit 1 when the catalogues are out of date (what the test checks)

It runs pybabel (Babel's command line) with babel.cfg from the repository root:

    pybabel extract -F babel.cfg -k N_ --no-location --sort-output -o pipeline/locale/messages.pot .
    pybabel update -i pipeline/locale/messages.pot -d pipeline/locale --no-fuzzy-matching
    pybabel compile -d pipeline/locale --statistics

The compiled .mo files are committed with the .po files, so an installed Learncast needs
no build step. See README, "Welsh and other languages".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "pipeline" / "locale"
POT = LOCALE / "messages.pot"
HEADER = ["--project=Learncast", "--copyright-holder=Learncast contributors", "--msgid-bugs-address=capture-team@example.org"]


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(dest: Path = POT) -> None:
    pybabel("extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "--no-location", "--sort-output",
            "--omit-header", *HEADER, "-o", str(dest), str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--init", metavar="LANG", help="start a catalogue for a new language")
    parser.add_argument("--check", action="store_true", help="only check that the catalogues are current")
    args = parser.parse_args(argv)
    if args.check:
        sys.path.insert(0, str(ROOT))
        from tests.i18n_check import problems  # the same check the test suite makes

        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    extract()
    if args.init:
        pybabel("init", "-i", str(POT), "-d", str(LOCALE), "-l", args.init)
    pybabel("update", "-i", str(POT), "-d", str(LOCALE), "--no-fuzzy-matching", "--ignore-obsolete")
    pybabel("compile", "-d", str(LOCALE), "--statistics")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
