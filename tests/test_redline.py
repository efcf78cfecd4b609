"""The redline: what was deleted stands where it stood, in its order, listed first to last."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from docgen.redline import redline


def paragraphs(path: Path) -> list[str]:
    """Each paragraph's text, deleted text (w:delText) included."""
    body = Document(str(path)).element.body
    return ["".join(node.text or "" for node in paragraph.iter(qn("w:t"), qn("w:delText")))
            for paragraph in body.iter(qn("w:p"))]


def _document(path: Path, texts: list[str]) -> Path:
    document = Document()
    for text in texts:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_paragraphs_deleted_at_the_start_keep_their_order(tmp_path: Path) -> None:
    old = _document(tmp_path / "old.docx", ["Б", "В", "Г", "Д"])
    new = _document(tmp_path / "new.docx", ["Д"])
    changes = redline(old, new, tmp_path / "diff.docx", author="docgen",
                      when=dt.datetime(2000, 1, 1))
    assert [change.old for change in changes] == ["Б", "В", "Г"]
    assert paragraphs(tmp_path / "diff.docx") == ["Б", "В", "Г", "Д"]


def test_paragraphs_deleted_in_the_middle_keep_their_order(tmp_path: Path) -> None:
    old = _document(tmp_path / "old.docx", ["А", "Б", "В", "Г", "Д"])
    new = _document(tmp_path / "new.docx", ["А", "Д"])
    changes = redline(old, new, tmp_path / "diff.docx", author="docgen",
                      when=dt.datetime(2000, 1, 1))
    assert [change.old for change in changes] == ["Б", "В", "Г"]
    assert paragraphs(tmp_path / "diff.docx") == ["А", "Б", "В", "Г", "Д"]
