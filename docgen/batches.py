"""Documents made from one template for many recipients, converted together.

LibreOffice spends about half of its time on a letter opening and closing the document,
not laying out its pages. So the DOCX files of one template are joined into one, each
member beginning a new section (page numbers restart at 1, each member keeps its own
headers), the joined file is converted once, and its PDF is split back into one PDF per
member at the pages where the members begin: a bookmark at each member's start becomes a
named destination in the PDF. A member's own bookmarks (the signature's place) are kept
under a name of the member's and given back their name in its PDF.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from .stamp import save_pdf

if TYPE_CHECKING:  # pikepdf is imported where a PDF is split: on the stamping thread, so
    import pikepdf  # that Ctrl-C never lands inside its C extension's import

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
DOCUMENT = "word/document.xml"
DOCUMENT_RELATIONSHIPS = "word/_rels/document.xml.rels"
START = "docgen-member-{index}"  # the bookmark at a member's start
OWN = "{name}--member-{index}"  # a member's own bookmark while it is joined
HEADER_OR_FOOTER = ("/header", "/footer")
OWN_PARTS = {DOCUMENT, DOCUMENT_RELATIONSHIPS, "docProps/core.xml", "docProps/app.xml"}
MAX_MEMBERS = 40  # a batch converts well within one document's timeout
FIRST = 8  # the first batch of each worker in a large run: LibreOffice's fixed cost per
#            document is about two letters' pages, so a small batch costs little


class NotJoinable(Exception):
    """The documents cannot be joined: each is converted on its own."""


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class Member:
    """One document of a batch: its key, its DOCX, and where its PDF goes."""

    key: str
    docx: Path
    pdf: Path


def sizes(count: int, workers: int) -> list[int]:
    """How many members each batch of `count` documents has: none larger than MAX_MEMBERS,
    none of one, and as many batches as keep every worker equally busy to the end. In a
    large run each worker's first batch is small (FIRST), so that LibreOffice starts on the
    first documents rendered instead of waiting for a full batch."""
    if count >= 4 * FIRST * workers:
        return [FIRST] * workers + _even(count - FIRST * workers, workers)
    return _even(count, workers)


def _even(count: int, workers: int) -> list[int]:
    """Batches of nearly equal size, a multiple of `workers` of them if there are several."""
    if count < 2:
        return [count] if count else []
    needed = -(-count // MAX_MEMBERS)  # batches that MAX_MEMBERS allows
    batches = min(count // 2, workers * -(-needed // workers))
    base, extra = divmod(count, batches)
    return [base + 1 if index < extra else base for index in range(batches)]


@dataclass(frozen=True)
class _Package:
    """A member's DOCX: the bytes of the parts joining reads, and every part's checksum
    and size, which tell whether it is the first member's part without unpacking it."""

    parts: dict[str, bytes]
    signatures: dict[str, tuple[int, int]]


def _own(name: str) -> bool:
    """A part each member has its own of: its body, headers, footers and properties."""
    return name in OWN_PARTS or name.startswith(("word/header", "word/footer",
                                                  "word/_rels/header", "word/_rels/footer"))


def _package(path: Path, whole: bool) -> _Package:
    """Read a member's DOCX: every part if `whole`, else only its own."""
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        return _Package({entry.filename: archive.read(entry) for entry in entries
                         if whole or _own(entry.filename)},
                        {entry.filename: (entry.CRC, entry.file_size) for entry in entries})


def _check(package: _Package, first: _Package) -> None:
    """Refuse what joining would change: parts other than the body and headers that
    differ from the first member's, links to anything but headers and footers, fields
    that count the pages of the whole document."""
    for name, signature in package.signatures.items():
        if not _own(name) and first.signatures.get(name) != signature:
            raise NotJoinable(f"часть {name} у документов различается")
    if {name for name in set(first.signatures) ^ set(package.signatures) if not _own(name)}:
        raise NotJoinable("у документов разный состав частей")
    parts = package.parts
    body = parts[DOCUMENT]
    if b"r:embed=" in body or b"NUMPAGES" in body or b"r:link=" in body:
        raise NotJoinable("в документе есть рисунок, связь или число страниц документа")
    for name, data in parts.items():
        if name.startswith(("word/_rels/header", "word/_rels/footer")) or (
                name.startswith(("word/header", "word/footer")) and b"NUMPAGES" in data):
            raise NotJoinable("в колонтитуле есть число страниц документа или связь")


def _relationships(data: bytes) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type, target)."""
    root = etree.fromstring(data)
    return {item.get("Id"): (item.get("Type"), item.get("Target")) for item in root}


def _first_paragraph(body: etree._Element) -> etree._Element:
    paragraph = next(body.iter(_w("p")), None)
    if paragraph is None:
        raise NotJoinable("в документе нет ни одного абзаца")
    return paragraph


def _end_section(body: etree._Element, section: etree._Element) -> None:
    """Make `section` (a body's final section properties) end the member's last paragraph,
    so that the next member begins a section of its own."""
    last = body[-1] if len(body) else None
    if last is None or last.tag != _w("p"):
        last = etree.SubElement(body, _w("p"))
    properties = last.find(_w("pPr"))
    if properties is None:
        properties = etree.Element(_w("pPr"))
        last.insert(0, properties)
    change = properties.find(_w("pPrChange"))
    if change is not None:
        change.addprevious(section)
    else:
        properties.append(section)


def _restart_numbering(section: etree._Element) -> None:
    """The section's pages are numbered from 1."""
    numbering = section.find(_w("pgNumType"))
    if numbering is None:
        numbering = etree.Element(_w("pgNumType"))
        anchor = next((child for child in section
                       if child.tag in (_w("cols"), _w("formProt"), _w("vAlign"),
                                        _w("noEndnote"), _w("titlePg"), _w("textDirection"),
                                        _w("bidi"), _w("rtlGutter"), _w("docGrid"),
                                        _w("printerSettings"))), None)
        if anchor is not None:
            anchor.addprevious(numbering)
        else:
            section.append(numbering)
    numbering.set(_w("start"), "1")


def join(members: list[Member], target: Path) -> None:
    """Write the members' DOCX files as one document to `target`; NotJoinable if they
    cannot be joined without changing how any of them looks. Each member's body is
    serialized as soon as it is prepared: one member's tree is in memory at a time."""
    packages = [_package(member.docx, whole=index == 0) for index, member in enumerate(members)]
    first = packages[0]
    for package in packages:
        _check(package, first)
    base = first.parts
    relationships = etree.fromstring(base[DOCUMENT_RELATIONSHIPS])
    for item in list(relationships):
        if item.get("Type").endswith(HEADER_OR_FOOTER):
            relationships.remove(item)
    types = etree.fromstring(base["[Content_Types].xml"])
    for item in list(types):
        if item.get("PartName", "").startswith(("/word/header", "/word/footer")):
            types.remove(item)
    out = {name: data for name, data in base.items()
           if not name.startswith(("word/header", "word/footer"))}
    bodies = []
    for index, package in enumerate(packages):
        renamed = {}
        for old_id, (kind, part) in _relationships(package.parts[DOCUMENT_RELATIONSHIPS]).items():
            if not kind.endswith(HEADER_OR_FOOTER):
                continue
            name = f"word/{Path(part).stem}-member-{index}.xml"
            out[name] = package.parts[f"word/{part}"]
            renamed[old_id] = f"rIdMember{index}{old_id}"
            etree.SubElement(relationships, f"{{{PACKAGE_RELATIONSHIPS}}}Relationship",
                             Id=renamed[old_id], Type=kind, Target=Path(name).name)
            etree.SubElement(types, f"{{{CONTENT_TYPES}}}Override", PartName=f"/{name}",
                             ContentType=_content_type(base, part))
        document = _member_document(package.parts[DOCUMENT], index, renamed,
                                    last=index == len(packages) - 1)
        bodies.append(_body_inside(_xml(document)))
    shell = etree.fromstring(base[DOCUMENT])
    body = shell.find(_w("body"))
    assert body is not None
    body.clear()
    before, after = _xml(shell).split(b"<w:body/>")
    out[DOCUMENT] = before + b"<w:body>" + b"".join(bodies) + b"</w:body>" + after
    out[DOCUMENT_RELATIONSHIPS] = _xml(relationships)
    out["[Content_Types].xml"] = _xml(types)
    # stored, not compressed: LibreOffice reads it once, from scratch space in memory
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for name, data in out.items():
            archive.writestr(name, data)


def _xml(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def _body_inside(document: bytes) -> bytes:
    """What lies between a serialized document's <w:body> and </w:body>: members share the
    template's namespace declarations, so it stands as it is inside the joined body."""
    start, end = document.find(b"<w:body>"), document.rfind(b"</w:body>")
    if start < 0 or end < start:
        raise NotJoinable("тело документа записано не так, как его записывает Word")
    return document[start + len(b"<w:body>"):end]


def _member_document(data: bytes, index: int, renamed: dict[str, str], *,
                     last: bool) -> etree._Element:
    """A member's document.xml made ready to join: its sections refer to its renamed
    headers and footers, its pages are numbered from 1, its bookmarks are its own, a
    bookmark marks its start, and, unless it is the last, its final section ends its
    last paragraph, so that the next member begins a section of its own."""
    document = etree.fromstring(data)
    body = document.find(_w("body"))
    assert body is not None
    sections = list(body.iter(_w("sectPr")))
    for section in sections:
        for reference in section:
            old = reference.get(f"{{{R}}}id")
            if old is not None:
                if old not in renamed:
                    raise NotJoinable("раздел ссылается не на колонтитул")
                reference.set(f"{{{R}}}id", renamed[old])
    _restart_numbering(sections[0])
    offset = 1000 * index
    for mark in body.iter(_w("bookmarkStart")):
        mark.set(_w("name"), OWN.format(name=mark.get(_w("name")), index=index))
    for mark in (*body.iter(_w("bookmarkStart")), *body.iter(_w("bookmarkEnd"))):
        mark.set(_w("id"), str(offset + int(mark.get(_w("id"), "0"))))
    start = _first_paragraph(body)
    at = 1 if start.find(_w("pPr")) is not None else 0
    start.insert(at, etree.Element(_w("bookmarkStart"), {
        _w("id"): str(offset + 999), _w("name"): START.format(index=index)}))
    start.insert(at + 1, etree.Element(_w("bookmarkEnd"), {_w("id"): str(offset + 999)}))
    section = body[-1]
    if section.tag != _w("sectPr"):
        raise NotJoinable("у документа нет свойств последнего раздела")
    if not last:
        body.remove(section)
        _end_section(body, section)
    return document


def _content_type(parts: dict[str, bytes], part: str) -> str:
    """The content type the first member gives the header or footer `part`."""
    types = etree.fromstring(parts["[Content_Types].xml"])
    for item in types:
        if item.get("PartName") == f"/word/{part}":
            return str(item.get("ContentType"))
    raise NotJoinable(f"у части {part} нет типа")


Writer = Callable[[Member, "pikepdf.Pdf", str], None]


def _save(member: Member, own: pikepdf.Pdf, version: str) -> None:
    save_pdf(own, member.pdf, min_version=version)


def split(pdf: Path, members: list[Member], write: Writer = _save) -> None:
    """Give each member's pages of the joined `pdf`, as a PDF of their own with the
    member's named destinations under their own names, to `write` (with the PDF version to
    keep); NotJoinable if a member's start is not found."""
    import pikepdf

    # pikepdf's own inheritance (on opening, or on adding a page of another PDF) resolves
    # every object of the joined PDF, its thousands of tags included: 13 MB for 32
    # letters; each member's pages are given their inherited attributes one by one instead
    with pikepdf.open(pdf, inherit_page_attributes=False) as joined:
        pages = {page.obj.objgen: index for index, page in enumerate(joined.pages)}
        destinations = dict(joined.Root.get("/Dests", {}).items())
        starts = []
        for index in range(len(members)):
            target = destinations.get("/" + START.format(index=index))
            if target is None:
                raise NotJoinable(f"в PDF нет начала документа № {index + 1}")
            starts.append(pages[target[0].objgen])
        if starts != sorted(starts) or starts[0] != 0:
            raise NotJoinable("документы в PDF идут не по порядку")
        ends = starts[1:] + [len(joined.pages)]
        for index, (member, begin, end) in enumerate(zip(members, starts, ends, strict=True)):
            _write_member(joined, destinations, pages, index, begin, end, member, write)


def _write_member(joined: pikepdf.Pdf, destinations: dict[str, pikepdf.Object],
                  pages: dict[tuple[int, int], int], index: int, begin: int, end: int,
                  member: Member, write: Writer) -> None:
    """One member's pages as a PDF of their own."""
    import pikepdf

    suffix = f"--member-{index}"
    with pikepdf.new() as own:
        for page in joined.pages[begin:end]:  # copied without its /Parent, the page tree
            own_page = own.copy_foreign(_with_inherited(page.obj))
            if "/StructParents" in own_page:  # the joined document's tags stay behind
                del own_page["/StructParents"]
            own.pages.append(pikepdf.Page(own_page))
        if "/OutputIntents" in joined.Root:
            own.Root.OutputIntents = _copied(own, joined.Root.OutputIntents)
        if "/Lang" in joined.Root:
            own.Root.Lang = joined.Root.Lang
        named = pikepdf.Dictionary()
        for name, place in destinations.items():
            if not name.endswith(suffix):
                continue
            copied = pikepdf.Array(list(place))
            copied[0] = own.pages[pages[place[0].objgen] - begin].obj
            named[name[:-len(suffix)]] = copied
        if named:
            own.Root.Dests = named
        if "/ViewerPreferences" in joined.Root:
            own.Root.ViewerPreferences = _copied(own, joined.Root.ViewerPreferences)
        write(member, own, joined.pdf_version)


def _copied(own: pikepdf.Pdf, value: Any) -> Any:
    """`value` of another PDF copied into `own`. Not by making it indirect there first:
    qpdf then counts that PDF's objects, which resolves every one of them."""
    import pikepdf

    if not isinstance(value, pikepdf.Object):  # a number or a boolean, as Python has it
        return value
    if value.is_indirect:
        return own.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copied(own, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copied(own, item) for key, item in value.items()})
    return value


INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")  # a page takes from its tree
TREE_DEPTH = 64  # levels of the page tree looked up, at most (LibreOffice writes one)


def _with_inherited(page: pikepdf.Object) -> pikepdf.Object:
    """`page` holding itself every attribute it inherits from the page tree above it."""
    for key in INHERITED:
        if key in page:
            continue
        node = page
        for _ in range(TREE_DEPTH):
            if key in node or "/Parent" not in node:
                break
            node = node.Parent
        if key in node:
            page[key] = node[key]
    return page
