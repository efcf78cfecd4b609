"""Stamping outputs with their identity and making them reproducible byte for byte."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zipfile
from pathlib import Path

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject

from .plan import Properties
from .vcs import Revision

DRAFT_MARK = "ПРОЕКТ"
EPOCH = dt.date(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def stamp_docx(document: Document, properties: Properties, revision: Revision) -> None:
    """Put the document's identity and commit into its core properties; mark drafts."""
    core = document.core_properties
    core.title = properties.title
    core.subject = properties.subject
    core.author = properties.author
    core.keywords = "; ".join(properties.keywords)
    core.category = properties.category
    core.comments = ""
    core.last_modified_by = "docgen"
    core.language = "ru-RU"
    core.identifier = properties.document
    core.revision = properties.edition
    core.version = revision.commit or ""
    core.content_status = DRAFT_MARK.capitalize() if revision.draft else (
        f"Редакция {properties.edition}")
    moment = dt.datetime.combine(properties.date or EPOCH, dt.time())
    core.created = core.modified = core.last_printed = moment
    if revision.draft:
        _mark_draft(document)


def _mark_draft(document: Document) -> None:
    """«ПРОЕКТ» at the top right of every page, so a draft is never taken for the original.

    docxtpl replaces header parts behind python-docx's back, so the mark goes into
    whatever part each header relationship points to now.
    """
    first = document.sections[0]
    if first.different_first_page_header_footer and first.first_page_header.is_linked_to_previous:
        first.first_page_header.is_linked_to_previous = False
    for relationship in document.part.rels.values():
        if relationship.reltype == RT.HEADER:
            relationship.target_part.element.insert(0, parse_xml(_MARK_XML))


_MARK_XML = (f'<w:p {nsdecls("w")}><w:pPr><w:jc w:val="right"/></w:pPr>'
             f'<w:r><w:rPr><w:b/></w:rPr><w:t>{DRAFT_MARK}</w:t></w:r></w:p>')


def normalize_docx(path: Path) -> None:
    """Rewrite the DOCX zip with fixed timestamps and attributes, entries in their order."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    temporary = path.with_suffix(".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    os.replace(temporary, path)


def pdf_date(day: dt.date | None) -> str:
    """A PDF date string for the document's own date."""
    return (day or EPOCH).strftime("D:%Y%m%d000000Z")


def finalize_pdf(pdf: Path, properties: Properties, revision: Revision, identity: bytes) -> None:
    """Set the PDF's information, dates and file id from the document, not from the clock."""
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.metadata = None
    writer.add_metadata({
        "/Title": properties.title,
        "/Author": properties.author,
        "/Subject": properties.subject,
        "/Keywords": "; ".join(properties.keywords),
        "/Creator": "docgen",
        "/Producer": "LibreOffice; docgen",
        "/CreationDate": pdf_date(properties.date),
        "/ModDate": pdf_date(properties.date),
        "/DocgenDocument": properties.document,
        "/DocgenEdition": str(properties.edition),
        "/DocgenCommit": revision.commit or "",
        "/DocgenDraft": "true" if revision.draft else "false",
    })
    digest = hashlib.sha256(identity).digest()[:16]
    # pypdf has no public setter for the file identifier; it would draw a random one
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    temporary = pdf.with_suffix(".tmp")
    with temporary.open("wb") as stream:
        writer.write(stream)
    os.replace(temporary, pdf)
