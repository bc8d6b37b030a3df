#!/usr/bin/env python3
"""Update Learncast's gettext catalogues: extract, update every language, compile.

    python scripts/i18n.py              # after changing or adding a string in a template or in code
    python scripts/i18n.py --init fr    # start a new language's catalogue (then translate its .po)
    python scripts/i18n.py --check      # exit 1 when the catalogues are out of date (what the test checks)

It does what these pybabel (Babel's command line) runs do, with babel.cfg from the repository
root, except that a catalogue whose messages did not change is left as it is:

    pybabel extract -F babel.cfg -k N_ -k t --no-location --sort-output --omit-header -o pipeline/locale/messages.pot .
    pybabel update -i pipeline/locale/messages.pot -d pipeline/locale --no-fuzzy-matching --ignore-obsolete
    pybabel compile -d pipeline/locale

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
    pybabel("extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "t", "--no-location", "--sort-output",
            "--omit-header", *HEADER, "-o", str(dest), str(ROOT))


def update_and_compile() -> list[Path]:
    """``pybabel update`` then ``pybabel compile`` for every language, through Babel's API so a
    catalogue whose messages did not change is not rewritten (no date churn); returns the
    files written."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    with POT.open("rb") as fh:
        template = read_po(fh)
    written = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalog.obsolete.clear()
        for path, write in ((po, lambda buf: write_po(buf, catalog, ignore_obsolete=True)),
                            (po.with_suffix(".mo"), lambda buf: write_mo(buf, catalog))):
            buf = BytesIO()
            write(buf)
            if not path.is_file() or path.read_bytes() != buf.getvalue():
                path.write_bytes(buf.getvalue())
                written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--init", metavar="LANG", help="start a catalogue for a new language")
    parser.add_argument("--check", action="store_true", help="only check that the catalogues are current")
    args = parser.parse_args(argv)
    if args.check:
        sys.path.insert(0, str(ROOT / "tests"))
        from i18n_check import problems  # the same check the test suite makes

        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    extract()
    if args.init:
        pybabel("init", "-i", str(POT), "-d", str(LOCALE), "-l", args.init)
    for path in update_and_compile():
        print(f"wrote {path.relative_to(ROOT)}")
    untranslated = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po")):
        if po.parent.parent.name == "en":
            continue
        with po.open("rb") as fh:
            from babel.messages.pofile import read_po

            catalog = read_po(fh)
        untranslated += [f"{po.parent.parent.name}: {m.id!r}" for m in catalog
                         if m.id and not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    for line in untranslated:
        print(f"to translate: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
