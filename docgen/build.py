"""The build: load → validate → plan → render → convert → assemble, written atomically."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ru
from .bundle import Metadata, Part, merge, write_manifest
from .content import load_project
from .convert import convert_to_pdf, find_soffice
from .errors import ContentError, LibreOfficeMissing, Problem, Severity
from .model import OrderBundle, Project
from .render import Properties, Renderer

log = logging.getLogger(__name__)

TEMPLATES = Path("templates")


@dataclass(frozen=True)
class Planned:
    """One DOCX (and PDF) to produce."""

    folder: Path
    name: str
    template: str
    context: dict[str, Any]
    properties: Properties
    bookmark: str

    @property
    def key(self) -> str:
        """A name unique within the run, for the shared conversion folder."""
        return "--".join((*self.folder.parts, self.name))


@dataclass(frozen=True)
class FolderPlan:
    """An output folder: its documents and, when several, their bundle."""

    folder: Path
    documents: list[Planned]
    bundle: Metadata | None = None


@dataclass
class BuildReport:
    """What a build produced and what it could not."""

    folders: list[Path] = field(default_factory=list)
    documents: int = 0
    pdfs: int = 0
    warnings: list[Problem] = field(default_factory=list)
    pdf_skipped: str | None = None


def _plan_order(bundle: OrderBundle) -> FolderPlan:
    order = bundle.order
    folder = Path("orders") / bundle.slug
    label = f"Приказ № {order.number} от {ru.date_numeric(order.date)}"
    author = order.issuer.name
    keywords = ["приказ", f"№ {order.number}", *order.keywords]
    documents = [Planned(
        folder, "order", "order.docx", {"order": order, "annexes": bundle.annexes},
        Properties(label, order.title, author, keywords, "Приказ", order.date), label)]
    for number, annex in enumerate(bundle.annexes, 1):
        annex_label = f"Приложение № {number}"
        documents.append(Planned(
            folder, f"annex-{number}", f"annex-{annex.kind}.docx",
            {"order": order, "annex": annex, "number": number},
            Properties(f"{annex_label} к приказу № {order.number} от "
                       f"{ru.date_numeric(order.date)}", annex.title, author, keywords,
                       "Приложение к приказу", order.date),
            annex_label))
    return FolderPlan(folder, documents, Metadata(label, author, order.title, keywords))


def plan(project: Project) -> list[FolderPlan]:
    """Every output folder of the project with the documents it holds."""
    return [_plan_order(bundle) for bundle in project.orders]


def _load(root: Path, strict: bool) -> tuple[Project, list[Problem]]:
    project, warnings = load_project(root)
    if strict and warnings:
        raise ContentError([Problem(w.path, w.line, w.column, w.field, w.message, Severity.ERROR)
                            for w in warnings])
    return project, warnings


def check(root: Path, strict: bool = False) -> list[Problem]:
    """Validate content and templates without writing anything; return the warnings."""
    project, warnings = _load(root, strict)
    renderer = Renderer(root / TEMPLATES, TEMPLATES)
    problems = [problem for folder in plan(project) for document in folder.documents
                for problem in renderer.check(document.template, document.context)]
    if problems:
        raise ContentError(problems)
    return warnings


def build(root: Path, out: Path, *, strict: bool = False, pdf: bool = True,
          soffice: str | None = None) -> BuildReport:
    """Build every document of the project under `out`; earlier outputs survive a failure."""
    project, warnings = _load(root, strict)
    report = BuildReport(warnings=warnings)
    folders = plan(project)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        rendered = _render_all(root, folders, staging / "render")
        pdfs: dict[str, Path] = {}
        if pdf:
            try:
                pdfs = _convert_all(rendered, staging / "pdf", soffice)
            except LibreOfficeMissing as exc:
                report.pdf_skipped = str(exc)
        for folder in folders:
            _assemble(folder, rendered, pdfs, staging / "out" / folder.folder)
        for folder in folders:
            _publish(staging / "out" / folder.folder, out / folder.folder)
            report.folders.append(folder.folder)
        report.documents = len(rendered)
        report.pdfs = len(pdfs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("собрано документов: %d, PDF: %d, папок: %d",
             report.documents, report.pdfs, len(report.folders))
    return report


def _render_all(root: Path, folders: list[FolderPlan], target: Path) -> dict[str, Path]:
    """Render every planned DOCX into `target`; all template problems are reported together."""
    target.mkdir(parents=True)
    renderer = Renderer(root / TEMPLATES, TEMPLATES)
    rendered: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in folders:
        for document in folder.documents:
            dest = target / f"{document.key}.docx"
            try:
                renderer.render(document.template, document.context, dest, document.properties)
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
              target: Path) -> None:
    """Put a folder's DOCX, PDF, bundle and manifest together in `target`."""
    target.mkdir(parents=True)
    parts: list[Part] = []
    for document in folder.documents:
        shutil.copyfile(rendered[document.key], target / f"{document.name}.docx")
        if document.key in pdfs:
            pdf = target / f"{document.name}.pdf"
            shutil.copyfile(pdfs[document.key], pdf)
            parts.append(Part(pdf, document.bookmark))
    if folder.bundle is not None and parts and len(parts) == len(folder.documents):
        merge(parts, target / "bundle.pdf", folder.bundle)
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
