"""Limits on DOCX files docgen opens that it did not make: a zip bomb is refused unopened."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import DocgenError

MAX_UNPACKED = 100 << 20  # a DOCX of a hundred pages unpacks to a few megabytes
MAX_RATIO = 200  # XML packs 5 to 20 times; a bomb, thousands of times
MAX_ENTRIES = 2000


class UnsafeArchive(DocgenError):
    """A DOCX that would unpack to far more than any document."""


def check_docx(path: Path) -> None:
    """Refuse a DOCX whose parts unpack past the limits; let a broken one through to the
    reader that says so."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return
    if len(entries) > MAX_ENTRIES:
        raise UnsafeArchive(f"{path}: в архиве DOCX {len(entries)} частей — больше {MAX_ENTRIES}")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED:
        raise UnsafeArchive(f"{path}: DOCX распаковывается в {unpacked >> 20} МБ — больше "
                            f"{MAX_UNPACKED >> 20} МБ; файл не открыт")
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
            raise UnsafeArchive(f"{path}: часть {entry.filename} сжата в "
                                f"{entry.file_size // entry.compress_size} раз — так сжимают "
                                "только архивы-бомбы; файл не открыт")
