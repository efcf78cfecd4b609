"""The build: load → validate → plan → render → convert → assemble, written atomically."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import vcs
from .bundle import Part, merge, write_manifest
from .content import load_project
from .convert import convert_to_pdf, find_soffice
from .errors import ContentError, LibreOfficeMissing, Problem, Severity
from .model import DOCUMENT_NAMES, Project
from .plan import OUTPUT_ROOTS, FolderPlan, plan
from .render import Renderer
from .stamp import finalize_pdf
from .vcs import Revision

log = logging.getLogger(__name__)

TEMPLATES = Path("templates")


@dataclass
class BuildReport:
    """What a build produced and what it could not."""

    folders: list[Path] = field(default_factory=list)
    documents: Counter[str] = field(default_factory=Counter)
    pdfs: int = 0
    removed: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pdf_skipped: str | None = None
    draft: bool = False


def _load(root: Path, strict: bool) -> tuple[Project, list[FolderPlan], list[Problem]]:
    """The project, its plan, and the warnings; with `strict`, warnings are errors."""
    project, warnings = load_project(root)
    folders = plan(project)
    warnings = warnings + _unproduced(project, folders)
    if strict and warnings:
        raise ContentError([Problem(w.path, w.line, w.column, w.field, w.message, Severity.ERROR)
                            for w in warnings])
    return project, folders, warnings


def _unproduced(project: Project, folders: list[FolderPlan]) -> list[Problem]:
    """Roadmap activities naming document kinds of which the build makes none."""
    made = {document.kind for folder in folders for document in folder.documents}
    problems = []
    for bundle in project.orders:
        for activity in bundle.activities().values():
            missing = [kind for kind in activity.produces if kind not in made]
            if missing and activity._where is not None:
                path, line, column = activity._where
                names = ", ".join(f"«{DOCUMENT_NAMES[kind]}»" for kind in missing)
                problems.append(Problem(path, line, column, "produces",
                                        f"мероприятие «{activity.id}» порождает {names}, "
                                        "но таких документов нет", Severity.WARNING))
    return problems


def plan_project(root: Path) -> list[FolderPlan]:
    """The plan of every output of the project at `root` (warnings aside)."""
    return _load(root, strict=False)[1]


def check(root: Path, strict: bool = False) -> list[Problem]:
    """Validate content and templates without writing anything; return the warnings."""
    _, folders, warnings = _load(root, strict)
    renderer = Renderer(root / TEMPLATES, TEMPLATES)
    checked: set[str] = set()
    problems: list[Problem] = []
    for folder in folders:
        for document in folder.documents:
            if document.template in checked:
                continue
            checked.add(document.template)
            problems += renderer.check(document.template, document.context)
    if problems:
        raise ContentError(problems)
    return warnings


def build(root: Path, out: Path, *, strict: bool = False, pdf: bool = True,
          soffice: str | None = None, revision: Revision | None = None,
          select: set[str] | None = None) -> BuildReport:
    """Build every document of the project under `out`; earlier outputs survive a failure.

    Documents are stamped with `revision`, by default the git state of `root`. With
    `select`, only the documents with those ids are built, without bundles, and other
    folders under `out` are left alone.
    """
    _, folders, warnings = _load(root, strict)
    if select is not None:
        folders = [FolderPlan(f.folder, [d for d in f.documents if d.document_id in select])
                   for f in folders]
        folders = [f for f in folders if f.documents]
    revision = revision or vcs.revision(root)
    report = BuildReport(warnings=warnings, draft=revision.draft)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        rendered = _render_all(root, folders, staging / "render", revision)
        pdfs: dict[str, Path] = {}
        if pdf:
            try:
                pdfs = _convert_all(rendered, staging / "pdf", soffice)
            except LibreOfficeMissing as exc:
                report.pdf_skipped = str(exc)
        for folder in folders:
            _assemble(folder, rendered, pdfs, staging / "out" / folder.folder, revision)
        for folder in folders:
            _publish(staging / "out" / folder.folder, out / folder.folder)
            report.folders.append(folder.folder)
        if select is None:
            report.removed = _remove_unplanned(out, {folder.folder for folder in folders})
        report.documents = Counter(d.kind for folder in folders for d in folder.documents)
        report.pdfs = len(pdfs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("собрано документов: %d, PDF: %d, папок: %d, удалено устаревших папок: %d",
             sum(report.documents.values()), report.pdfs, len(report.folders),
             len(report.removed))
    return report


def _render_all(root: Path, folders: list[FolderPlan], target: Path,
                revision: Revision) -> dict[str, Path]:
    """Render every planned DOCX into `target`; all template problems are reported together."""
    target.mkdir(parents=True)
    renderer = Renderer(root / TEMPLATES, TEMPLATES)
    rendered: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in folders:
        for document in folder.documents:
            dest = target / f"{document.key}.docx"
            try:
                renderer.render(document.template, document.context, dest, document.properties,
                                revision)
            except ContentError as exc:
                problems.extend(p for p in exc.problems if p not in problems)
                continue
            rendered[document.key] = dest
    if problems:
        raise ContentError(problems)
    return rendered


def _convert_all(rendered: dict[str, Path], target: Path, soffice: str | None) -> dict[str, Path]:
    """Convert all rendered DOCX files with one LibreOffice process."""
    target.mkdir(parents=True)
    binary = find_soffice(soffice)
    keys = list(rendered)
    pdfs = convert_to_pdf([rendered[key] for key in keys], target, binary)
    return dict(zip(keys, pdfs, strict=True))


def _assemble(folder: FolderPlan, rendered: dict[str, Path], pdfs: dict[str, Path],
              target: Path, revision: Revision) -> None:
    """Put a folder's DOCX, stamped PDF, bundle and manifest together in `target`."""
    target.mkdir(parents=True)
    parts: list[Part] = []
    for document in folder.documents:
        docx = target / f"{document.name}.docx"
        shutil.copyfile(rendered[document.key], docx)
        if document.key in pdfs:
            pdf = target / f"{document.name}.pdf"
            shutil.copyfile(pdfs[document.key], pdf)
            finalize_pdf(pdf, document.properties, revision)
            if document.bookmark is not None:
                parts.append(Part(pdf, document.bookmark))
    bundled = [d for d in folder.documents if d.bookmark is not None]
    if folder.bundle is not None and parts and len(parts) == len(bundled):
        merge(parts, target / "bundle.pdf", folder.bundle, revision)
    write_manifest(target)


def _publish(staged: Path, final: Path) -> None:
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


def _remove_unplanned(out: Path, planned: set[Path]) -> list[Path]:
    """Delete output folders whose school, candidate or order is gone from the content."""
    removed = []
    for root in OUTPUT_ROOTS:
        for folder in sorted((out / root).glob("*")) if (out / root).is_dir() else []:
            relative = folder.relative_to(out)
            if folder.is_dir() and not folder.name.startswith(".") and relative not in planned:
                shutil.rmtree(folder)
                removed.append(relative)
    return removed
