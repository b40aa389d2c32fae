"""The browser packages the tests load: pinned npm packages, installed by ``npm ci``, bundled by esbuild.

Nothing reaches a page from a CDN: ``install`` puts exactly a folder's ``package-lock.json``
into its ``node_modules`` (again only when ``package.json`` or the lock file changed: a
stamp named after their hash records the install), and ``bundle`` turns an entry file into
one self-contained script with the folder's own esbuild.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import unavailable

ROOT = Path(__file__).resolve().parents[2]
TEST_PACKAGES = Path(__file__).resolve().parent / "js"  # @descope/web-js-sdk for the test page
EXAMPLE = ROOT / "examples" / "react-otp"  # the React example, which has its own pins
ESBUILD_FLAGS = ("--bundle", "--format=iife", "--platform=browser", "--target=es2020", "--log-level=warning")


def npm() -> str:
    """The ``npm`` command (``scripts/browser-deps`` installs it when missing)."""
    found = shutil.which("npm")
    if found is None:
        unavailable("npm not found (scripts/browser-deps installs Debian's nodejs and npm)")
    return found


def install(folder: Path) -> None:
    """``npm ci`` in ``folder`` unless its installed packages already match its lock file.

    Safe to call from several test processes at once (they take turns on a file lock).
    """
    digest = hashlib.sha256(b"".join((folder / name).read_bytes() for name in ("package.json", "package-lock.json")))
    stamp = folder / "node_modules" / f".passgate-installed-{digest.hexdigest()[:16]}"
    with _locked(folder):
        if stamp.exists():
            return
        command = [npm(), "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode:
            raise RuntimeError(f"npm ci in {folder} failed:\n{done.stdout}{done.stderr}")
        stamp.touch()


def bundle(folder: Path, entry: str, outfile: Path) -> Path:
    """``folder/entry`` and everything it imports from ``folder/node_modules``, as one IIFE script."""
    esbuild = folder / "node_modules" / ".bin" / "esbuild"
    command = [str(esbuild), entry, *ESBUILD_FLAGS, f"--outfile={outfile}"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode or done.stderr.strip():
        raise RuntimeError(f"esbuild {entry} failed or warned:\n{done.stdout}{done.stderr}")
    return outfile


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder``'s packages, shared by every process on this machine."""
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"passgate-npm-{key}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
