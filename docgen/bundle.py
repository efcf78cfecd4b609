"""Assembling outputs: a bundle PDF with bookmarks and metadata, and a manifest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from .documents import Properties, Revision
from .stamp import finalize_pdf, save_pdf


@dataclass(frozen=True)
class Part:
    """One PDF of a bundle and the bookmark that leads to it."""

    pdf: Path
    bookmark: str


def merge(parts: list[Part], dest: Path, properties: Properties, revision: Revision) -> None:
    """Write the parts one after another into `dest`, each under its bookmark.

    The output intent and language of the first part and every part's named destinations
    (the place to sign among them) are kept, so the bundle stays PDF/A and can be signed;
    a reader shows its title, as for each part, not its file name.
    """
    sources = [pikepdf.open(part.pdf) for part in parts]
    try:
        with pikepdf.new() as bundle:
            intents = sources[0].make_indirect(sources[0].Root.OutputIntents)
            bundle.Root.OutputIntents = bundle.copy_foreign(intents)
            destinations = pikepdf.Dictionary()
            with bundle.open_outline() as outline:
                for part, source in zip(parts, sources, strict=True):
                    start = len(bundle.pages)
                    bundle.pages.extend(source.pages)
                    outline.root.append(pikepdf.OutlineItem(part.bookmark, start))
                    pages = {page.obj.objgen: start + index
                             for index, page in enumerate(source.pages)}
                    for name, target in source.Root.get("/Dests", {}).items():
                        copied = pikepdf.Array(list(target))
                        copied[0] = bundle.pages[pages[target[0].objgen]].obj
                        destinations[name] = copied
            bundle.Root.Dests = destinations
            if "/Lang" in sources[0].Root:
                bundle.Root.Lang = sources[0].Root.Lang
            bundle.Root.PageMode = pikepdf.Name.UseOutlines
            bundle.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
            save_pdf(bundle, dest, min_version=sources[0].pdf_version)
    finally:
        for source in sources:
            source.close()
    finalize_pdf(dest, properties, revision)


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
