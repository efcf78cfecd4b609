"""`docgen publish`: the public website of issued acts (build/site/), and the intranet pages
of roadmap control with their calendars (build/intranet/), from HTML templates in
templates/site/. Only acts and their annexes reach the public site: the kinds that carry
personal data (letters to schools, protocols, plans, the reserve list) never do."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from . import filters, ics, ru
from .bundle import sha256
from .content import load_register
from .control import state, view
from .documents import FolderPlan, Planned
from .errors import DocgenError
from .folders import BUILD, EDITIONS, INTRANET, SITE, SITE_TEMPLATES
from .kinds import ACTS
from .layout import annex_heading, annex_mark, clause_lines, item_lines, members, table_cells
from .model import OrderBundle, Project, Register
from .places import owned, replace_folder
from .plan import act_label, produced
from .references import short_names
from .stamp import read_identity

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


class PublishError(DocgenError):
    """The site cannot be written: no templates, nothing built."""


@dataclass(frozen=True)
class Link:
    """A file offered for download: what it is and where it lies, relative to the page."""

    label: str
    href: str
    size: str


@dataclass(frozen=True)
class EditionEntry:
    """One edition of a document in its history: when issued, by which act, its files."""

    edition: int
    issued: dt.date
    basis: str
    files: list[Link]


@dataclass(frozen=True)
class PublishedDocument:
    """An act or an annex on the act's page."""

    planned: Planned
    anchor: str
    mark: list[str]
    heading: list[str]
    annex: Any
    edition: int
    draft: bool
    files: list[Link]
    history: list[EditionEntry]


@dataclass(frozen=True)
class PublishedAct:
    """An act's page: the act, its annexes, and what the index says of it."""

    bundle: OrderBundle
    label: str
    path: str
    documents: list[PublishedDocument]

    @property
    def draft(self) -> bool:
        """True when any of its documents is not an issued edition (only with --drafts)."""
        return any(document.draft for document in self.documents)


@dataclass
class PublishReport:
    """What was published, what was left out and why."""

    site: Path
    intranet: Path
    acts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)


def web_typograph(text: object) -> str:
    """Typography as the documents have it, but a number's hyphen the plain one: a reader
    searching the page for «01-15/612» types that, not the non-breaking hyphen."""
    return ru.typograph(str(text)).replace(ru.NON_BREAKING_HYPHEN, "-")


def html_text(text: str) -> Markup:
    """Text as the documents set it (typography), **bold** parts as <strong>, escaped."""
    escaped = str(escape(web_typograph(text)))
    return Markup(_BOLD.sub(r"<strong>\1</strong>", escaped))


def _environment(root: Path) -> SandboxedEnvironment:
    folder = root / SITE_TEMPLATES
    if not (folder / "act.html").is_file():
        raise PublishError(f"нет шаблонов сайта в {SITE_TEMPLATES}/ (act.html, index.html, "
                           "control.html, site.css)")
    environment = SandboxedEnvironment(loader=FileSystemLoader(folder), autoescape=True,
                                       undefined=StrictUndefined, trim_blocks=True,
                                       lstrip_blocks=True)
    environment.filters.update({
        "text": html_text, "typo": web_typograph, "date_numeric": ru.date_numeric,
        "dated": lambda document: ru.dated(document.date, document.number),
        "date_long": ru.date_long, "names": short_names, "deadline": ru.deadline,
        "paragraphs": filters.paragraphs, "item_lines": item_lines,
        "clause_lines": clause_lines, "table_cells": table_cells,
        "direction_list": filters.direction_list,
        "genitive": lambda text: ru.inflect_phrase(str(text), "genitive"),
        "lowerfirst": ru.lowerfirst})
    return environment


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} КБ" if size < 1 << 20 else f"{size / (1 << 20):.1f} МБ"


def _copy(source: Path, target_folder: Path, name: str, label: str, page: Path) -> Link:
    """Copy a file into the site and link it from the page's folder."""
    target_folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target_folder / name)
    href = (target_folder / name).relative_to(page).as_posix()
    return Link(label, href, _size(source))


def _signatures(pdf: Path) -> list[tuple[Path, str, str]]:
    """The signature files that lie beside a PDF: a signed copy, a detached signature."""
    found = [(pdf.with_name(f"{pdf.stem}-signed.pdf"), f"{pdf.stem}-signed.pdf",
              "PDF с электронной подписью"),
             (pdf.with_name(f"{pdf.name}.sig"), f"{pdf.name}.sig",
              "открепленная электронная подпись (ГОСТ)")]
    return [item for item in found if item[0].is_file()]


def _history(root: Path, document: Planned, register: Register, bundle: OrderBundle,
             project: Project, files: Path, page: Path) -> list[EditionEntry]:
    """Every issued edition of the document with its files, newest first."""
    annex_id = getattr(document.context.get("annex"), "id", None)
    amendments = project.amendments_of(bundle.slug, annex_id) if annex_id else []
    entries = []
    for edition in register.of(document.document_id):
        basis = "первоначальная редакция"
        if edition.edition > 1 and len(amendments) >= edition.edition - 1:
            amending = amendments[edition.edition - 2].amendment
            basis = (f"в редакции {ACTS[amending.kind].noun_in('genitive')} "
                     f"{ru.dated(amending.date, amending.number)}")
        pdf = root / EDITIONS / document.document_id / str(edition.edition) / \
            f"{document.name}.pdf"
        links = []
        if pdf.is_file() and sha256(pdf) == edition.pdf_sha256:
            stem = f"{document.name}-{edition.edition}"
            links.append(_copy(pdf, files, f"{stem}.pdf", "PDF", page))
            links += [_copy(path, files, name.replace(document.name, stem, 1), label, page)
                      for path, name, label in _signatures(pdf)]
        entries.append(EditionEntry(edition.edition, edition.issued, basis, links))
    return entries[::-1]


def _document(root: Path, document: Planned, number: int | None, bundle: OrderBundle,
              register: Register, project: Project, folder: Path, drafts: bool
              ) -> PublishedDocument | str:
    """The document as the page shows it, or why the act cannot be published: only an
    issued edition whose content is what content/ holds now goes on the site."""
    pdf = root / BUILD / document.folder / f"{document.name}.pdf"
    if not pdf.is_file():
        return f"нет файла {pdf.relative_to(root)}: соберите документы (make documents)"
    identity = read_identity(pdf)
    editions = register.of(document.document_id)
    changed = identity.get("draft") != "false"
    if not drafts and not editions:
        return (f"{document.document_id} не издан: издайте его "
                f"(docgen issue {document.document_id})")
    if not drafts and changed:
        return (f"{document.document_id} изменён после издания редакции "
                f"{editions[-1].edition}: оформите изменения и издайте новую редакцию")
    files = folder / "files"
    issued = root / EDITIONS / document.document_id / str(editions[-1].edition) / pdf.name \
        if editions and not changed else None
    source = issued if issued is not None and issued.is_file() and \
        sha256(issued) == editions[-1].pdf_sha256 else pdf
    current = [_copy(source, files, pdf.name, "PDF", folder)]
    current += [_copy(path, files, name, label, folder)
                for path, name, label in _signatures(source)]
    act = ACTS[bundle.order.kind]
    annex = document.context.get("annex")
    mark = annex_mark(annex, bundle.order, number, act) if annex is not None else []
    heading = annex_heading(annex) if annex is not None else []
    return PublishedDocument(document, document.name, mark, heading, annex,
                             int(identity.get("edition") or 1), changed or not editions,
                             current,
                             _history(root, document, register, bundle, project, files, folder))


def _act(root: Path, bundle: OrderBundle, folder_plan: FolderPlan, register: Register,
         project: Project, site: Path, drafts: bool) -> PublishedAct | str:
    """The act's page content, or why it is not published."""
    folder = site / "acts" / bundle.slug
    documents = []
    acts = [d for d in folder_plan.documents if d.kind in ACTS]
    annexes = [d for d in folder_plan.documents if d.kind == "annex"]
    for number, document in [(None, d) for d in acts] + list(enumerate(annexes, 1)):
        made = _document(root, document, number, bundle, register, project, folder, drafts)
        if isinstance(made, str):
            return made
        documents.append(made)
    return PublishedAct(bundle, act_label(bundle), f"acts/{bundle.slug}/", documents)


def _write(environment: SandboxedEnvironment, name: str, target: Path, **values: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(environment.get_template(name).render(**values), encoding="utf-8")


def _site_values(project: Project) -> dict[str, Any]:
    administration = project.registry.administration()
    return {"administration": administration, "members": members, "acts_kinds": ACTS,
            "registry": project.registry}


def publish(root: Path, project: Project, folders: list[FolderPlan], *, drafts: bool = False,
            today: dt.date | None = None) -> PublishReport:
    """Write build/site/ and build/intranet/ whole, from what build/ holds now."""
    environment = _environment(root)
    register = load_register(root)
    today = today or dt.date.today()
    report = PublishReport(root / SITE, root / INTRANET)
    by_folder = {folder.folder: folder for folder in folders}
    (root / BUILD).mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=owned(".publish-"), dir=root / BUILD) as scratch:
        site = Path(scratch) / "site"
        intranet = Path(scratch) / "intranet"
        site.mkdir()
        intranet.mkdir()
        values = _site_values(project)
        published = []
        for bundle in project.orders:
            if not bundle.order.publish:
                continue
            made = _act(root, bundle, by_folder[Path("orders") / bundle.slug], register,
                        project, site, drafts)
            if isinstance(made, str):
                report.skipped.append(made)
                continue
            published.append(made)
            report.acts.append(made.label)
            _write(environment, "act.html", site / made.path / "index.html", act=made,
                   base="../../", **values)
        published.sort(key=lambda item: (item.bundle.order.date, item.bundle.order.number),
                       reverse=True)
        _write(environment, "index.html", site / "index.html", acts=published, base="",
               drafts=drafts, **values)
        shutil.copyfile(root / SITE_TEMPLATES / "site.css", site / "site.css")
        _intranet(root, environment, project, folders, intranet, today, values, report)
        replace_folder(site, root / SITE)
        replace_folder(intranet, root / INTRANET)
    return report


def _intranet(root: Path, environment: SandboxedEnvironment, project: Project,
              folders: list[FolderPlan], intranet: Path, today: dt.date,
              values: dict[str, Any], report: PublishReport) -> None:
    """One control page and one calendar per act under control, as of today."""
    made = produced(folders)
    pages: list[dict[str, str]] = []
    for bundle in project.orders:
        if bundle.control is None:
            continue
        current = state(bundle, bundle.control, project, made, today)
        act = ACTS[bundle.order.kind]
        pages.append({"slug": bundle.slug, "label": act_label(bundle), "summary": current.summary})
        calendar = f"{bundle.slug}.ics"
        (intranet / calendar).write_bytes(ics.calendar(current))
        _write(environment, "control.html", intranet / f"{bundle.slug}.html",
               report=view(current), bundle=bundle, roadmap=current.roadmap,
               calendar=calendar, base="", act=act, **values)
        report.controls.append(bundle.slug)
    _write(environment, "intranet.html", intranet / "index.html", reports=pages, base="",
           today=today, **values)
    shutil.copyfile(root / SITE_TEMPLATES / "site.css", intranet / "site.css")
