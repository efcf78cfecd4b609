"""Writing a build into its output folder: staged folders renamed into place, unchanged
files linked, bundles and manifests, folders no content plans any more removed."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .decisions import Work
from .incremental import Action
from .places import owned, remove_abandoned, scratch_root

if TYPE_CHECKING:
    from .documents import FolderPlan


STAGING = ".staging-"  # in the output folder: a build's folders before they are renamed in


# what docgen's runs keep in scratch space while they last
SCRATCH = ("docgen-build-", "docgen-lo-", "docgen-batch-", "docgen-head-", "docgen-issue-",
           "docgen-diff-", "docgen-gost-")


@contextlib.contextmanager
def work_folders(out: Path, documents: int) -> Iterator[tuple[Path, Path]]:
    """A staging folder in `out`, whose folders are renamed into place, and a scratch
    folder for the files copied into them; both removed at the end, also on failure."""
    remove_abandoned(out, (STAGING,))
    for folder in {scratch_root(documents), scratch_root(), Path(tempfile.gettempdir())}:
        remove_abandoned(folder, SCRATCH)
    with contextlib.ExitStack() as folders:
        staging = folders.enter_context(tempfile.TemporaryDirectory(
            prefix=owned(STAGING), dir=out, ignore_cleanup_errors=True))
        scratch = folders.enter_context(tempfile.TemporaryDirectory(
            prefix=owned("docgen-build-"), dir=scratch_root(documents),
            ignore_cleanup_errors=True))
        yield Path(staging), Path(scratch)


def assemble(folder: FolderPlan, out: Path, work: dict[str, Work], rendered: dict[str, Path],
              pdfs: dict[str, Path], unconverted: set[str], target: Path, *,
              bundle: bool) -> None:
    """Make the folder's new version in `target`: unchanged files linked, the rest new.

    A document whose conversion failed keeps its earlier files, never a new DOCX
    without its PDF.
    """
    from .bundle import Part, merge, write_manifest
    from .stamp import finalize_pdf, restamp_docx

    target.mkdir(parents=True)
    previous = out / folder.folder
    parts: list[Part] = []
    for document in folder.documents:
        item = work[document.document_id]
        docx, pdf = target / f"{document.name}.docx", target / f"{document.name}.pdf"
        if item.action == Action.BUILD and document.key not in unconverted:
            shutil.copyfile(rendered[document.key], docx)
            if document.key in pdfs:
                shutil.copyfile(pdfs[document.key], pdf)
        else:
            for name in (docx.name, pdf.name):
                if (previous / name).exists():
                    os.link(previous / name, target / name)
            if item.action == Action.RESTAMP and docx.exists():
                restamp_docx(docx, document.properties, item.revision)
                if pdf.exists():
                    finalize_pdf(pdf, document.properties, item.revision)
        if document.bookmark is not None and pdf.exists():
            parts.append(Part(pdf, document.bookmark))
    bundled = [d for d in folder.documents if d.bookmark is not None]
    if bundle and folder.bundle is not None and parts and len(parts) == len(bundled):
        revisions = [work[d.document_id].revision for d in bundled]
        merge(parts, target / "bundle.pdf", folder.bundle,
              next((r for r in revisions if r.draft), revisions[0]))
    write_manifest(target)


class EarlyAssembly:
    """The build's folders, each assembled as soon as the last of its new PDFs is made, on
    the thread that stamps PDFs, while LibreOffice converts the rest; the others (nothing
    to convert, a failed document, an assembly that failed early) after the conversion."""

    def __init__(self, folders: list[FolderPlan], out: Path, work: dict[str, Work],
                 rendered: dict[str, Path], staging: Path, *, bundle: bool):
        self.folders, self.out, self.work, self.rendered = folders, out, work, rendered
        self.staging, self.bundle = staging, bundle
        self.folder_of: dict[str, FolderPlan] = {}  # a document's key → its folder
        self.left: dict[Path, int] = {}  # a folder → how many of its PDFs are still to come
        for folder in folders:
            keys = [d.key for d in folder.documents
                    if work[d.document_id].action == Action.BUILD]
            for key in keys:
                self.folder_of[key] = folder
            self.left[folder.folder] = len(keys)
        self.pdfs: dict[str, Path] = {}
        self.done: set[Path] = set()

    def converted(self, key: str, pdf: Path) -> None:
        """`key`'s PDF is made: assemble its folder if it was the last one to come."""
        folder = self.folder_of.get(key)
        if folder is None:
            return
        self.pdfs[key] = pdf
        self.left[folder.folder] -= 1
        if self.left[folder.folder]:
            return
        try:
            self._assemble(folder, self.pdfs, set())
        except Exception:  # noqa: BLE001 — assemble_rest makes it again and says why
            shutil.rmtree(self.staging / folder.folder, ignore_errors=True)
            return
        self.done.add(folder.folder)

    def assemble_rest(self, pdfs: dict[str, Path], unconverted: set[str]) -> None:
        """After the conversion: every folder not assembled yet, with the PDFs made and
        the documents that failed."""
        for folder in self.folders:
            if folder.folder not in self.done:
                self._assemble(folder, pdfs, unconverted)

    def _assemble(self, folder: FolderPlan, pdfs: dict[str, Path],
                  unconverted: set[str]) -> None:
        assemble(folder, self.out, self.work, self.rendered, pdfs, unconverted,
                 self.staging / folder.folder, bundle=self.bundle)


def remove_unplanned(out: Path, planned: set[Path]) -> list[Path]:
    """Delete output folders whose school, candidate or order is gone from the content."""
    from .plan import OUTPUT_ROOTS

    removed = []
    for root in OUTPUT_ROOTS:
        for folder in sorted((out / root).glob("*")) if (out / root).is_dir() else []:
            relative = folder.relative_to(out)
            if folder.is_dir() and not folder.name.startswith(".") and relative not in planned:
                shutil.rmtree(folder)
                removed.append(relative)
    return removed
