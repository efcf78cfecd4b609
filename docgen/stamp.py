"""Stamping outputs with their identity and making them reproducible byte for byte."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import struct
import zipfile
import zlib
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from lxml import etree

from .documents import Properties, Revision
from .docx_package import write_package

if TYPE_CHECKING:
    import pikepdf

DRAFT_MARK = "ПРОЕКТ"
CREATOR = "docgen"
PRODUCER = "LibreOffice; docgen"
LANGUAGE = "ru-RU"  # of every document: DOCX core properties, PDF /Lang and XMP
NAMESPACE = "urn:docgen:identity:1.0#"
IDENTITY_FIELDS = {
    "document": "Document id: its path in the build without extension",
    "edition": "Edition number of the document",
    "commit": "Git commit of the content the document was built from",
    "draft": "true when built from uncommitted content",
}
EPOCH = dt.date(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def restamp_docx(path: Path, properties: Properties, revision: Revision) -> None:
    """Put a new commit into an existing DOCX whose content has not changed."""
    document = docx.Document(str(path))
    _core_properties(document, properties, revision)
    save_docx(document, path)


def stamp_docx(document: Document, properties: Properties, revision: Revision) -> None:
    """Put the document's identity and commit into its core properties; mark drafts."""
    _core_properties(document, properties, revision)
    if revision.draft:
        _mark_draft(document)


def _core_properties(document: Document, properties: Properties, revision: Revision) -> None:
    core = document.core_properties
    core.title = properties.title
    core.subject = properties.subject
    core.author = properties.author
    core.keywords = "; ".join(properties.keywords)
    core.category = properties.category
    core.comments = ""
    core.last_modified_by = "docgen"
    core.language = LANGUAGE
    core.identifier = properties.document
    core.revision = properties.edition
    core.version = revision.commit or ""
    core.content_status = DRAFT_MARK.capitalize() if revision.draft else (
        f"Редакция {properties.edition}")
    moment = dt.datetime.combine(properties.date or EPOCH, dt.time())
    core.created = core.modified = core.last_printed = moment


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


class _FixedZip:
    """A zip writer for python-docx's package writer: fixed entry times and attributes."""

    def __init__(self, path: Path):
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, blob)

    def close(self) -> None:
        self._zip.close()


def save_docx(document: Document, path: Path) -> None:
    """Save a DOCX reproducibly in one pass (what python-docx's save does, with fixed times)."""
    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    writer = _FixedZip(path)
    try:
        write_package(package, writer)
    finally:
        writer.close()


def pdf_date(day: dt.date | None) -> str:
    """A PDF date string for the document's own date."""
    return (day or EPOCH).strftime("D:%Y%m%d000000Z")


def finalize_pdf(pdf: Path, properties: Properties, revision: Revision) -> None:
    """Make the PDF's information, XMP, dates and file id come from the document itself.

    The information dictionary and the XMP packet say the same, as PDF/A-2b requires, and
    the file identifier is derived from the content, so the same document gives the same
    bytes.
    """
    import pikepdf  # here: a DOCX is rendered before pikepdf's import (0.1 s) is needed

    temporary = pdf.with_suffix(".tmp")
    with pikepdf.open(pdf) as document:
        finish_pdf(document, temporary, properties, revision)
    os.replace(temporary, pdf)


def finish_pdf(document: pikepdf.Pdf, path: Path, properties: Properties, revision: Revision,
               min_version: str = "") -> None:
    """Write `document` to `path` with its information, XMP, dates and file id made from
    the document itself (see finalize_pdf)."""
    import pikepdf

    for intent in document.Root.get("/OutputIntents", []):
        _fix_profile_date(cast("pikepdf.Stream", intent.DestOutputProfile), properties.date)
    keywords = "; ".join(properties.keywords)
    info = document.make_indirect(pikepdf.Dictionary(
        Title=properties.title, Author=properties.author, Subject=properties.subject,
        Keywords=keywords, Creator=CREATOR, Producer=PRODUCER,
        CreationDate=pdf_date(properties.date), ModDate=pdf_date(properties.date)))
    document.trailer.Info = info
    for random_key in ("/DocChecksum", "/ID"):  # LibreOffice's, different at every run
        if random_key in document.trailer:
            del document.trailer[random_key]
    document.Root.Metadata = document.make_stream(
        _xmp(properties, revision, keywords).encode("utf-8"),
        Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    # objects packed into compressed object streams, as PDF/A-2 allows: LibreOffice's
    # tagged PDF has thousands of small structure objects (a 44-page list: 2.8 → 0.5 MB);
    # the XMP written as made above (pikepdf would parse and rewrite it to update a
    # pdf:PDFVersion it does not hold: 0.3 ms a letter)
    save_pdf(document, path, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate,
             min_version=min_version, fix_metadata_version=False)


def save_pdf(document: pikepdf.Pdf, path: Path, **options: Any) -> None:
    """Save a PDF through memory: qpdf writing straight to a file that the disk refuses
    (full, read-only) aborts the whole process; Python's own write raises OSError."""
    buffer = io.BytesIO()
    document.save(buffer, **options)
    try:
        path.write_bytes(buffer.getbuffer())
    except OSError as exc:  # a failed write names no file: name it
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def _fix_profile_date(profile: pikepdf.Stream, day: dt.date | None) -> None:
    """Give the ICC colour profile LibreOffice makes at each run a fixed date and no ID."""
    import pikepdf

    fixed = _fixed_profile(profile.read_bytes(), day)
    if fixed is not None:
        profile.write(fixed, filter=pikepdf.Name.FlateDecode)


@functools.lru_cache(maxsize=8)
def _fixed_profile(data: bytes, day: dt.date | None) -> bytes | None:
    """The profile with the day as its date and no ID, compressed; None if it is not an
    ICC profile. Kept: every letter of a batch carries the same profile and date."""
    if data[36:40] != b"acsp":
        return None
    fixed = bytearray(data)
    moment = day or EPOCH
    fixed[24:36] = struct.pack(">6H", moment.year, moment.month, moment.day, 0, 0, 0)
    fixed[84:100] = bytes(16)  # profile ID: «not computed»
    return zlib.compress(bytes(fixed), 9)


def read_identity(pdf: Path) -> dict[str, str]:
    """The document id, edition, commit and draft flag that a docgen PDF's XMP carries."""
    import pikepdf

    with pikepdf.open(pdf) as document:
        metadata = document.Root.get("/Metadata")
        if metadata is None:
            return {}
        tree = etree.fromstring(metadata.read_bytes())
    identity = {}
    for name in IDENTITY_FIELDS:
        key = f"{{{NAMESPACE}}}{name}"
        # XMP allows a simple property as an element or as an attribute (pyHanko's form)
        holders = [node.get(key) for node in tree.iter() if node.get(key) is not None]
        identity[name] = tree.findtext(f".//{key}") or (holders[0] if holders else "")
    return identity


def _xmp(properties: Properties, revision: Revision, keywords: str) -> str:
    """An XMP packet matching the information dictionary, with docgen's identity schema."""
    moment = (properties.date or EPOCH).strftime("%Y-%m-%dT00:00:00Z")
    identity = {"document": properties.document, "edition": str(properties.edition),
                "commit": revision.commit or "", "draft": "true" if revision.draft else "false"}
    described = "".join(
        f'<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name>'
        f"<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        f"<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{escape(text)}</pdfaProperty:description></rdf:li>"
        for name, text in IDENTITY_FIELDS.items())
    values = "".join(f"<docgen:{name}>{escape(value)}</docgen:{name}>"
                     for name, value in identity.items())
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
        ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
        ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"'
        f' xmlns:docgen="{NAMESPACE}">'
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
        "<dc:format>application/pdf</dc:format>"
        f"<dc:language><rdf:Bag><rdf:li>{LANGUAGE}</rdf:li></rdf:Bag></dc:language>"
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(properties.title)}'
        "</rdf:li></rdf:Alt></dc:title>"
        f"<dc:creator><rdf:Seq><rdf:li>{escape(properties.author)}</rdf:li></rdf:Seq>"
        "</dc:creator>"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(properties.subject)}'
        "</rdf:li></rdf:Alt></dc:description>"
        f"<pdf:Keywords>{escape(keywords)}</pdf:Keywords>"
        f"<pdf:Producer>{PRODUCER}</pdf:Producer>"
        f"<xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>"
        f"<xmp:CreateDate>{moment}</xmp:CreateDate><xmp:ModifyDate>{moment}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{moment}</xmp:MetadataDate>"
        f"{values}"
        "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">"
        "<pdfaSchema:schema>docgen: document identity</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{NAMESPACE}</pdfaSchema:namespaceURI>"
        "<pdfaSchema:prefix>docgen</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{described}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
