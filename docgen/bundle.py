"""Assembling outputs: a bundle PDF with bookmarks and metadata, and a manifest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from .plan import Properties
from .stamp import finalize_pdf
from .vcs import Revision


@dataclass(frozen=True)
class Part:
    """One PDF of a bundle and the bookmark that leads to it."""

    pdf: Path
    bookmark: str


def merge(parts: list[Part], dest: Path, properties: Properties, revision: Revision) -> None:
    """Write the parts one after another into `dest`, each under its bookmark."""
    writer = PdfWriter()
    for part in parts:
        start = len(writer.pages)
        writer.append(PdfReader(part.pdf), import_outline=False)
        writer.add_outline_item(title=part.bookmark, page_number=start)
    writer.page_mode = "/UseOutlines"
    with dest.open("wb") as stream:
        writer.write(stream)
    identity = "".join(sha256(part.pdf) for part in parts).encode()
    finalize_pdf(dest, properties, revision, identity, intents_from=parts[0].pdf)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: Path, name: str = "manifest.json") -> None:
    """List every file of `folder` with its SHA-256 and size."""
    files = {
        path.name: {"sha256": sha256(path), "size": path.stat().st_size}
        for path in sorted(folder.iterdir()) if path.is_file() and path.name != name
    }
    (folder / name).write_text(json.dumps({"files": files}, ensure_ascii=False, indent=2) + "\n",
                               encoding="utf-8")
