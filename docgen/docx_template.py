"""docxtpl's template with three of its inner steps replaced: the only place that does.
tests/test_internals.py fails if docxtpl stops calling them or renders differently."""

from __future__ import annotations

import copy
import re
from typing import Any

from docx.document import Document as WordDocument
from docxtpl import DocxTemplate

LISTING_MARKS = ("\t", "\a", "\n", "\f")  # what docxtpl's resolve_listing turns into elements
PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as resolve_listing finds them


class PreparedTemplate(DocxTemplate):
    """A docxtpl template that starts from a parsed copy and patches each XML source once.

    Parsing the DOCX and docxtpl's tag clean-up (a dozen regular expressions over the
    whole body) give the same result for every document made from a template, so they
    are done once per template and process; each document gets a deep copy. docxtpl's
    pass that turns tabs, line and page breaks in text into Word's elements (three
    nested regular expressions over every paragraph, run and text) runs only over the
    paragraphs that hold one of those characters: it gives the others back unchanged.
    """

    docx: Any
    is_rendered: bool

    def __init__(self, pristine: WordDocument, patched: dict[str, str]):
        super().__init__(template_file="")
        self._pristine = pristine
        self._patched = patched

    def init_docx(self, reload: bool = True) -> None:
        if not self.docx or (self.is_rendered and reload):
            self.docx = copy.deepcopy(self._pristine)
            self.is_rendered = False

    def resolve_listing(self, xml: str) -> str:
        if not _marked(xml):
            return xml
        resolve = super().resolve_listing
        return PARAGRAPH.sub(lambda found: str(resolve(found[0])) if _marked(found[0])
                             else found[0], xml)

    def patch_xml(self, src_xml: str) -> str:
        if src_xml not in self._patched:
            self._patched[src_xml] = super().patch_xml(src_xml)
        return self._patched[src_xml]


def _marked(xml: str) -> bool:
    """Whether `xml` holds a tab, a line or page break, or a paragraph mark in its text."""
    return any(mark in xml for mark in LISTING_MARKS)
