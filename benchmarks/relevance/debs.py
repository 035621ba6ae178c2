"""Debian packages fetched by name and version, checked, and unpacked under
``benchmarks/data``: no root, nothing installed on the machine.

``apt-get download`` fetches a ``.deb`` into the current folder as any user
can; ``dpkg-deb -x`` unpacks it into a folder of our own. The SHA-256 of each
file is checked, so the corpus and the peers are the same bytes on every
machine: a mirror that serves something else fails the build with one line.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
DEBS = DATA / "debs"
UNPACKED = DATA / "unpacked"


@dataclass(frozen=True, slots=True)
class Deb:
    """One Debian package at one version, and the SHA-256 of its file."""

    name: str
    version: str
    architecture: str
    sha256: str

    @property
    def filename(self) -> str:
        # epochs never occur in these versions; apt writes ':' as '%3a'
        return f"{self.name}_{self.version}_{self.architecture}.deb"


class DebError(RuntimeError):
    """A package that could not be had; the message says why, on one line."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(deb: Deb) -> Path:
    """The checked ``.deb`` file of ``deb``, downloaded on first use."""
    DEBS.mkdir(parents=True, exist_ok=True)
    target = DEBS / deb.filename
    if not target.exists():
        if shutil.which("apt-get") is None:
            raise DebError("apt-get is not on this machine (a Debian system is needed)")
        done = subprocess.run(["apt-get", "download", f"{deb.name}={deb.version}"],
                              cwd=DEBS, capture_output=True, text=True)
        if done.returncode != 0 or not target.exists():
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise DebError(f"apt-get download {deb.name}={deb.version} failed: {last} "
                           "(run 'apt-get update' first?)")
    found = _sha256(target)
    if found != deb.sha256:
        target.unlink()
        raise DebError(f"{deb.filename}: SHA-256 {found} is not the expected {deb.sha256}")
    return target


def unpack(deb: Deb) -> Path:
    """The folder ``deb`` is unpacked into (its ``usr/…`` tree), unpacked on first use."""
    folder = UNPACKED / f"{deb.name}_{deb.version}"
    if (folder / ".complete").exists():
        return folder
    package = fetch(deb)
    if folder.exists():
        shutil.rmtree(folder)  # a half-unpacked folder from an interrupted run
    folder.mkdir(parents=True)
    done = subprocess.run(["dpkg-deb", "-x", str(package), str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise DebError(f"dpkg-deb -x {package.name} failed: {done.stderr.strip()}")
    (folder / ".complete").write_text("")
    return folder
