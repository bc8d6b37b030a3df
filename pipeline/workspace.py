"""A workspace: ``learncast.toml``, ``media/``, ``transcripts/``, ``site/``, ``.learncast/``.

Finds the recordings in ``media/``, gives each its slug, and knows where every
per-recording output lives. ``media/`` is only ever read. It also holds what every
command that changes a workspace shares: the one-build-at-a-time lock, the per-file
locks a writer takes to replace a file a person may be editing, the sweep of half-written
temporary files a killed build left, and the check that the output folders can be written.

``.learncast/`` is the build's own: everything in it is derived and can be deleted
(decoded audio, encoded media, stage caches), except ``.learncast/state/``, which holds
what a build cannot make again (each episode's guid and first publication date).
"""

from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from .config import CONFIG_NAME, INIT_TEMPLATE, Config, load_config, load_sidecar
from .errors import ConfigError, InputError, UsageError
from .fsutil import write_text
from .models import Recording, RecordingMeta

log = logging.getLogger(__name__)

# Files in media/ that are never recordings: sidecars, notes, ground truth, pictures.
NOT_MEDIA = {
    ".toml", ".json", ".txt", ".md", ".srt", ".vtt", ".py", ".csv", ".tsv", ".yaml", ".yml",
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".doc", ".docx", ".html", ".part",
    ".crdownload", ".tmp",
}

# The temporary files fsutil.atomic_path makes: ".NAME.XXXXXXXX.tmp[.ext]" (mkstemp's 8
# characters). A build killed with -9 can leave one behind; the next build removes them.
TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp(\.[^./]*)?$")

_SLUG_RE = re.compile(r"[^a-z0-9]+")
_VALID_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(stem: str) -> str:
    """The recording's file stem, lower-cased, each run outside [a-z0-9] turned into '-', trimmed.

    ``Jane Doe – Leeds`` becomes ``jane-doe-leeds``. The rule is part of the CLI contract:
    slugs are URLs and folder names that must not change between releases.
    """
    return _SLUG_RE.sub("-", stem.lower()).strip("-")


def check_slug(slug: str) -> str:
    """``slug`` if it is one slugify could make; a UsageError otherwise.

    Slugs become folder names under transcripts/ and site/, so one given on the command
    line (``learncast review ../x``) must not lead outside them.
    """
    if not isinstance(slug, str) or not _VALID_SLUG_RE.match(slug):
        raise UsageError(f'"{slug}" is not a slug', fix="use the slug `learncast status` shows, "
                         "e.g. jane-doe-leeds (lower-case letters, digits and '-')")
    return slug


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config

    @classmethod
    def open(cls, root: Path | str = ".") -> Workspace:
        root = Path(root).resolve()
        if not root.is_dir():
            raise UsageError("workspace folder does not exist", path=root,
                             fix=f"run `learncast init {root}` first")
        return cls(root=root, config=load_config(root))

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    @property
    def transcripts_dir(self) -> Path:
        return self.root / "transcripts"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def cache_dir(self) -> Path:
        """Derived, disposable files (decoded audio, transcription cache, manifest)."""
        return self.root / ".learncast"

    @property
    def state_dir(self) -> Path:
        """What a build cannot make again (guids, first publication dates): never pruned."""
        return self.cache_dir / "state"

    def lock_file(self, slug: str) -> Path:
        """The lock a writer holds while it replaces a file in ``transcripts/<slug>/``."""
        return self.cache_dir / "locks" / f"{check_slug(slug)}.lock"

    def transcript_dir(self, slug: str) -> Path:
        return self.transcripts_dir / check_slug(slug)

    def episode_dir(self, slug: str) -> Path:
        return self.site_dir / "episodes" / check_slug(slug)

    def episode_page(self, slug: str) -> Path:
        """The episode's page: ``site/episodes/<slug>/index.html``, or in a site of several
        languages the first language's, ``site/<lang>/episodes/<slug>/index.html``."""
        lang = self.config.languages[0] if self.config.bilingual else ""
        return self.site_dir / lang / "episodes" / check_slug(slug) / "index.html"

    def media_slugs(self) -> set[str]:
        """The slug of every file in ``media/`` that could be a recording, good or bad.

        A recording that fails (a bad sidecar, a slug clash) still owns its transcript
        folder: only folders outside this set are orphans that ``prune`` may remove.
        """
        if not self.media_dir.is_dir():
            return set()
        return {slugify(p.stem) for p in self.media_dir.iterdir()
                if not p.name.startswith(".") and p.suffix.lower() not in NOT_MEDIA}

    def recordings(self) -> tuple[list[Recording], list[InputError]]:
        """Every recording in ``media/``, plus one error for each file that can't be one.

        Two files with the same slug both fail, so neither is published under the other's name.
        """
        if not self.media_dir.is_dir():
            raise UsageError("no media/ folder in the workspace", path=self.media_dir,
                             fix="create it and copy recordings into it")
        candidates: dict[str, list[Path]] = {}
        errors: list[InputError] = []
        for path in sorted(self.media_dir.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            if path.suffix.lower() in NOT_MEDIA:
                continue
            slug = slugify(path.stem)
            if not slug:
                errors.append(InputError("file name has no letters or digits to make a slug from",
                                         path=path, fix="rename it, e.g. to interviewee-name.mp4"))
                continue
            candidates.setdefault(slug, []).append(path)
        recordings: list[Recording] = []
        for slug, paths in candidates.items():
            if len(paths) > 1:
                names = ", ".join(p.name for p in paths)
                for p in paths:
                    errors.append(InputError(f'files {names} would share the slug "{slug}"',
                                             path=p, fix="rename one of them"))
                continue
            path = paths[0]
            try:
                recordings.append(self._recording(path, slug))
            except ConfigError as exc:
                errors.append(InputError("; ".join(exc.problems), path=exc.path,
                                         fix="correct the sidecar (its keys are listed in README, 'Your own workspace')"))
        recordings.sort(key=lambda r: r.slug)
        return recordings, errors

    def _recording(self, path: Path, slug: str) -> Recording:
        sidecar = path.with_suffix(".toml")
        meta = RecordingMeta()
        if sidecar.is_file():
            meta = load_sidecar(sidecar)
        else:
            sidecar = None
        return Recording(path=path, slug=slug, meta=meta, sidecar=sidecar)


@contextmanager
def workspace_lock(ws: Workspace) -> Iterator[None]:
    """One build at a time per workspace. The OS releases the lock if a build crashes."""
    from filelock import FileLock, Timeout

    ws.cache_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(ws.cache_dir / "build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise UsageError("another learncast command is working on this workspace", path=ws.root,
                         fix="wait for it to finish, then run this again") from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def file_lock(ws: Workspace, slug: str, timeout: float = 30.0) -> Iterator[None]:
    """Held while one of ``transcripts/<slug>/``'s files is checked and replaced, so a build
    and a person's tool (the studio, the CLI) never replace the same file at once."""
    from filelock import FileLock, Timeout

    path = ws.lock_file(slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise UsageError(f'another writer holds "{slug}"\'s files', path=path,
                         fix="wait a moment and try again") from None
    try:
        yield
    finally:
        lock.release()


def check_outputs_writable(ws: Workspace, stages: Sequence[str]) -> None:
    """Refuse before any work when an output folder can't be one (e.g. ``site`` is a file)."""
    folders = [ws.transcripts_dir, ws.cache_dir]
    if "publish" in stages:
        folders.append(ws.site_dir)
    for folder in folders:
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder.name} must be a folder, but it is a file", path=folder,
                             fix=f"move the file {folder.name} aside, then run the build again")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create the {folder.name} folder ({exc.strerror})", path=folder,
                             fix="make the workspace folder writable") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f"the {folder.name} folder is read-only", path=folder,
                             fix=f"make it writable (chmod u+w {folder}), then run the build again")


def sweep_temp_files(ws: Workspace) -> list[Path]:
    """Remove half-written temporary files a killed build left in the workspace's outputs.

    Only names atomic_path makes are removed, and only under the build lock, so no
    running writer can lose one. ``media/`` is never touched.
    """
    removed = []
    for top in (ws.site_dir, ws.transcripts_dir, ws.cache_dir):
        if not top.is_dir():
            continue
        for dirpath, _, files in os.walk(top):
            for name in files:
                if name.startswith(".") and TEMP_RE.match(name):
                    path = Path(dirpath) / name
                    path.unlink(missing_ok=True)
                    removed.append(path)
    if removed:
        log.info("removed %d temporary file(s) left by an interrupted build", len(removed))
    return removed


def init_workspace(root: Path, title: str | None = None) -> Path:
    """Create a new workspace at ``root``; never overwrites an existing file."""
    root = Path(root)
    cfg = root / CONFIG_NAME
    if cfg.exists():
        raise UsageError("a workspace already exists here", path=cfg,
                         fix="edit it, or choose another folder")
    root.mkdir(parents=True, exist_ok=True)
    for name in ("media", "transcripts", "site"):
        (root / name).mkdir(exist_ok=True)
    show = title or (root.resolve().name.replace("-", " ").replace("_", " ").title() or "Learncast")
    write_text(cfg, INIT_TEMPLATE.format(title=show.replace('"', "'")))
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        write_text(gitignore, ".learncast/\n")
    log.info("created workspace %s", root)
    return cfg
