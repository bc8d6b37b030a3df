"""Full-text search over the episode pages, with Pagefind.

Pagefind reads the finished episode pages (only what is inside ``data-pagefind-body``;
the question pages repeat them and are not read at all) and writes a static index
plus its search UI into ``site/pagefind/``; the browser downloads only the index
fragments a query needs, so search works on any static host with no server code.
It cannot work from ``file://`` (browsers refuse the index fetches there); the search
page says so instead of failing silently.

Run :func:`build_search_index` after the pages are rendered and stale episodes removed.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from ..errors import BuildError

log = logging.getLogger(__name__)

INDEX_DIR = "pagefind"  # under site/; the search page links to it
#: The pages Pagefind reads. Only the episode pages carry ``data-pagefind-body``, so reading
#: the others (the question pages alone hold as much text again) would only cost time: the
#: index is the same. (So a workspace template that marks another page is not indexed.)
INDEXED_PAGES = "episodes/*/index.html"


def pagefind_executable() -> Path | None:
    """The Pagefind binary from the ``pagefind[bin]`` package, or None when not installed."""
    try:
        import pagefind_bin
    except ImportError:
        return None
    try:
        return Path(pagefind_bin.get_executable())
    except FileNotFoundError:
        return None


def build_search_index(site_dir: Path) -> Path | None:
    """Index ``site_dir`` into ``site_dir/pagefind``; returns that folder, or None without Pagefind.

    Pagefind writes into a fresh folder beside the live one, which then replaces it,
    so a failed run leaves the previous index working and old index files never pile up.
    """
    site_dir = Path(site_dir)
    exe = pagefind_executable()
    if exe is None:
        log.warning("search index not built: Pagefind is not installed (pip install 'pagefind[bin]')")
        return None
    live = site_dir / INDEX_DIR
    fresh = site_dir / f".{INDEX_DIR}.new"
    old = site_dir / f".{INDEX_DIR}.old"
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    # With no episode page yet, Pagefind is given the whole site: it then writes an empty
    # index (the search page works and finds nothing) instead of failing on no pages.
    pages = ["--glob", INDEXED_PAGES] if next(site_dir.glob(INDEXED_PAGES), None) else []
    args = [os.fspath(exe), "--site", os.fspath(site_dir), *pages,
            "--output-path", os.fspath(fresh), "--quiet"]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not (fresh / "pagefind-entry.json").is_file():
        shutil.rmtree(fresh, ignore_errors=True)
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise BuildError(f"Pagefind could not index the site ({detail[-1] if detail else f'exit {proc.returncode}'})",
                         path=site_dir, fix="check the pages render, or reinstall with pip install 'pagefind[bin]'")
    if live.exists():
        live.rename(old)
    fresh.rename(live)
    shutil.rmtree(old, ignore_errors=True)
    log.info("search index written to %s", live)
    return live
