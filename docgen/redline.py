"""Redlines: a DOCX whose differences from an older one are native tracked changes."""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from .stamp import save_docx

EDITION_STYLE = "Отметка о редакции"
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Change:
    """One changed, added or removed paragraph or table cell."""

    where: str
    old: str
    new: str

    def __str__(self) -> str:
        if not self.old:
            return f"{self.where}: добавлено «{self.new}»"
        if not self.new:
            return f"{self.where}: удалено «{self.old}»"
        return f"{self.where}: «{self.old}» → «{self.new}»"


class _Marks:
    """Makes w:ins and w:del elements with one author and date and increasing ids."""

    def __init__(self, author: str, when: dt.datetime):
        self.author = author
        self.date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.next_id = 1

    def wrap(self, tag: str, run: etree._Element) -> etree._Element:
        mark = OxmlElement(tag)
        mark.set(qn("w:id"), str(self.next_id))
        mark.set(qn("w:author"), self.author)
        mark.set(qn("w:date"), self.date)
        self.next_id += 1
        mark.append(run)
        return mark


def redline(older: Path, newer: Path, dest: Path, *, author: str,
            when: dt.datetime) -> list[Change]:
    """Write `newer` to `dest` with what differs from `older` as tracked changes."""
    old_document = Document(str(older))
    new_document = Document(str(newer))
    old = _paragraphs(old_document)
    new = _paragraphs(new_document)
    old_texts = [_text(p) for p in old]
    new_texts = [_text(p) for p in new]
    marks = _Marks(author, when)
    changes: list[Change] = []
    matcher = SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(pairs):
            _rewrite(new[j1 + offset], old_texts[i1 + offset], new_texts[j1 + offset], marks)
            changes.append(Change(_where(new[j1 + offset]), old_texts[i1 + offset],
                                  new_texts[j1 + offset]))
        for index in range(j1 + pairs, j2):
            _rewrite(new[index], "", new_texts[index], marks)
            changes.append(Change(_where(new[index]), "", new_texts[index]))
        anchor = new[j2 - 1] if j2 > 0 else None  # deleted text goes after it, in its order
        for index in range(i1 + pairs, i2):
            removed = copy.deepcopy(old[index])
            _rewrite(removed, old_texts[index], "", marks)
            if anchor is not None:
                anchor.addnext(removed)
                anchor = removed
            else:
                new[0].addprevious(removed)
            changes.append(Change(_where(old[index]), old_texts[index], ""))
    save_docx(new_document, dest)
    return changes


def plain_text(path: Path) -> str:
    """The text of a DOCX, a paragraph or table cell a line, as `git diff` should show it."""
    document = Document(str(path))
    return "\n".join(_text(p) for p in document.element.body.iter(qn("w:p"))) + "\n"


def _paragraphs(document: WordDocument) -> list[etree._Element]:
    """Body paragraphs in order, table cells included, without the edition mark."""
    edition_ids = {style.style_id for style in document.styles if style.name == EDITION_STYLE}
    result = []
    for paragraph in document.element.body.iter(qn("w:p")):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")) in edition_ids:
            continue
        result.append(paragraph)
    return result


def _text(paragraph: etree._Element) -> str:
    """The paragraph's visible text, line breaks as «\\n»."""
    parts = []
    for node in paragraph.iter(qn("w:t"), qn("w:br"), qn("w:tab"), qn("w:delText")):
        if node.tag == qn("w:br"):
            parts.append("\n")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        elif node.tag == qn("w:t"):
            parts.append(node.text or "")
    return "".join(parts)


def _rewrite(paragraph: etree._Element, old: str, new: str, marks: _Marks) -> None:
    """Replace the paragraph's runs by the word diff of `old` and `new`."""
    first_run = paragraph.find(f".//{qn('w:r')}")
    properties = first_run.find(qn("w:rPr")) if first_run is not None else None
    for child in list(paragraph):
        if child.tag != qn("w:pPr"):
            paragraph.remove(child)
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        if tag == "equal":
            paragraph.append(_run(added, properties, deleted=False))
            continue
        if removed:
            paragraph.append(marks.wrap("w:del", _run(removed, properties, deleted=True)))
        if added:
            paragraph.append(marks.wrap("w:ins", _run(added, properties, deleted=False)))


def _run(text: str, properties: etree._Element | None, *, deleted: bool) -> etree._Element:
    """A run of text, keeping line breaks, formatted like the paragraph's first run."""
    run = OxmlElement("w:r")
    if properties is not None:
        run.append(copy.deepcopy(properties))
    for index, line in enumerate(text.split("\n")):
        if index:
            run.append(OxmlElement("w:br"))
        if line:
            node = OxmlElement("w:delText" if deleted else "w:t")
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            node.text = line
            run.append(node)
    return run


def _where(paragraph: etree._Element) -> str:
    """«таблица 1, строка 4, «Сроки»» for a cell, «абзац 12» for body text."""
    cell = next((a for a in paragraph.iterancestors(qn("w:tc"))), None)
    body = next(paragraph.iterancestors(qn("w:body")))
    if cell is None:
        paragraphs = [p for p in body.iter(qn("w:p")) if not list(p.iterancestors(qn("w:tc")))]
        return f"абзац {paragraphs.index(paragraph) + 1}" if paragraph in paragraphs else "абзац"
    row = cell.getparent()
    table = row.getparent()
    rows = table.findall(qn("w:tr"))
    cells = row.findall(qn("w:tc"))
    header = rows[0].findall(qn("w:tc"))
    column = cells.index(cell)
    title = _text(header[column].find(qn("w:p"))) if column < len(header) else ""
    tables = list(body.iter(qn("w:tbl")))
    return (f"таблица {tables.index(table) + 1}, строка {rows.index(row) + 1}"
            + (f", «{title}»" if title else ""))
