"""Reading the text of rendered documents the way a reader meets it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph


def paragraphs(path: Path) -> list[str]:
    """Texts of all body paragraphs, table cells included, in document order."""
    document = Document(str(path))
    return [Paragraph(element, None).text for element in document.element.body.iter(qn("w:p"))]


def normalise(text: str) -> str:
    """Text with white space, quotes, dashes and «№» spacing made uniform."""
    text = unicodedata.normalize("NFC", text).replace("**", "")
    text = re.sub(r"[«»“”„\"]", '"', text)
    text = re.sub(r"[\u2010-\u2015\u2212-]", "-", text)
    text = re.sub(r"№\s*", "№ ", text)
    return re.sub(r"\s+", " ", text).strip()
