"""Where docgen keeps files outside the project: scratch space and the user's cache.

Scratch files live only while a run lasts, in memory when there is room. A build writes
each document three times before it publishes it (the DOCX, LibreOffice's PDF and its
temporary files), and LibreOffice syncs its files to disk. On a disk file system every
file made and deleted costs time the build needs elsewhere; a memory file system
(/dev/shm on Linux) costs next to none, and nothing on it outlives a reboot.

The user's cache keeps what is worth making once per machine: LibreOffice's profile,
compiled templates and the font of the signature mark.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

MEMORY = Path("/dev/shm")
PER_DOCUMENT = 1 << 20  # room asked for each document of a run: its DOCX and PDF, generously
RESERVE = 64 << 20  # room left to others on the memory file system


def scratch_root(documents: int = 0) -> Path:
    """Where a run's scratch files go: the memory file system, if it is there and has room
    for `documents` documents; else the system's temporary folder. $TMPDIR, when set,
    is the user's choice and always wins."""
    if "TMPDIR" not in os.environ and os.access(MEMORY, os.W_OK | os.X_OK):
        try:
            stats = os.statvfs(MEMORY)
        except OSError:
            return Path(tempfile.gettempdir())
        if stats.f_bavail * stats.f_frsize >= RESERVE + documents * PER_DOCUMENT:
            return MEMORY
    return Path(tempfile.gettempdir())


def scratch_folder(prefix: str, documents: int = 0) -> Path:
    """A new private folder for scratch files (see scratch_root); the caller removes it."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_root(documents)))


def user_cache() -> Path:
    """docgen's folder in the user's cache: $XDG_CACHE_HOME/docgen or ~/.cache/docgen."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docgen"
