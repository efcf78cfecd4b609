"""Where docgen keeps files outside the project: scratch space and the user's cache.

Scratch files live only while a run lasts, in memory when there is room. A build writes
each document three times before it publishes it (the DOCX, LibreOffice's PDF and its
temporary files), and LibreOffice syncs its files to disk. On a disk file system every
file made and deleted costs time the build needs elsewhere; a memory file system
(/dev/shm on Linux) costs next to none, and nothing on it outlives a reboot.

The user's cache keeps what is worth making once per machine: LibreOffice's profile,
compiled templates and the font of the signature mark. Files docgen keeps (its state, the
registers and journals in content/) are written whole or not at all (write_whole).
"""

from __future__ import annotations

import os
import shutil
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


def write_whole(path: Path, text: str) -> None:
    """Write a text file whole or not at all: a temporary file beside it, then a rename, so
    a reader (or a run cut short) sees the old file or the new one, never half of one."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def replace_folder(staged: Path, final: Path) -> None:
    """Replace `final` by `staged` with renames, so readers see the old or the new folder."""
    final.parent.mkdir(parents=True, exist_ok=True)
    if not final.exists():
        os.replace(staged, final)
        return
    retired = final.with_name(f".{final.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    os.replace(final, retired)
    try:
        os.replace(staged, final)
    except OSError:
        os.replace(retired, final)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def owned(prefix: str) -> str:
    """A folder name's prefix that carries this process's id: «docgen-lo-1234-». A later
    run tells a folder whose process is gone from one still in use by it."""
    return f"{prefix}{os.getpid()}-"


def scratch_folder(prefix: str, documents: int = 0) -> Path:
    """A new private folder for scratch files (see scratch_root); the caller removes it."""
    return Path(tempfile.mkdtemp(prefix=owned(prefix), dir=scratch_root(documents)))


def remove_abandoned(folder: Path, prefixes: tuple[str, ...]) -> list[Path]:
    """Remove what runs that were killed left in `folder`: entries named by `owned` for a
    process that no longer runs. An entry of a running process is never touched."""
    removed = []
    for entry in folder.iterdir() if folder.is_dir() else []:
        prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
        owner = entry.name[len(prefix):].split("-", 1)[0] if prefix else ""
        if not owner.isdigit() or _alive(int(owner)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def user_cache() -> Path:
    """docgen's folder in the user's cache: $XDG_CACHE_HOME/docgen or ~/.cache/docgen."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docgen"
