"""Create the Word templates in templates/ from scratch, laid out per GOST R 7.0.97.

The build reads templates/*.docx, which a clerk may edit in Word or LibreOffice; this
script is only the way the first versions were made. Running it overwrites them.

    python tools/make_templates.py [TEMPLATES_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
TEXT_WIDTH = Mm(210 - 30 - 10)


def new_document() -> Document:
    """An empty A4 document with GOST margins, fonts and page numbers from page 2."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(10)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True
    _style_document(document)
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.first_line_indent = Cm(0)
    _page_field(number)
    return document


def _style_document(document: Document) -> None:
    """Times New Roman 14, single spacing, justified, indent 1.25 cm, Russian language."""
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    fonts = normal.element.rPr.rFonts
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "ru-RU")
    language.set(qn("w:eastAsia"), "ru-RU")
    normal.element.rPr.append(language)
    layout = normal.paragraph_format
    layout.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    layout.first_line_indent = Cm(1.25)
    layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
    layout.space_before = layout.space_after = Pt(0)
    layout.widow_control = True
    header_style = document.styles["Header"]
    header_style.font.name = FONT
    header_style.font.size = Pt(12)


def _page_field(paragraph: Paragraph) -> None:
    """Put a PAGE field into the paragraph."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def para(document: Document, text: str = "", *, align: str = "justify", indent: bool = True,
         bold: bool = False, left: Cm | None = None, keep_with_next: bool = False,
         size: int | None = None) -> Paragraph:
    """Add a paragraph of one run."""
    paragraph = document.add_paragraph()
    paragraph.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    layout = paragraph.paragraph_format
    if not indent:
        layout.first_line_indent = Cm(0)
    if left is not None:
        layout.left_indent = left
    layout.keep_with_next = keep_with_next or None
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
    return paragraph


def _no_borders(table: Table) -> None:
    """Make a layout table invisible."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _fixed_widths(table: Table, widths: list[Cm]) -> None:
    """Fix the table layout and every column's width."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    for column, width in zip(table.columns, widths):
        column.width = width


def _cell_text(cell, text: str, *, align: str = "left", bold: bool = False,
               size: int | None = None) -> Paragraph:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                           "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    paragraph.paragraph_format.first_line_indent = Cm(0)
    run = paragraph.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    return paragraph


def signature_block(document: Document, person: str) -> None:
    """Position on the left, initials and surname on the right, level with its last line."""
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _fixed_widths(table, [Cm(11.5), Cm(5.5)])
    left, right = table.rows[0].cells
    _cell_text(left, f"{{{{ {person}|signature_position }}}}")
    _cell_text(right, f"{{{{ {person}|initials_surname }}}}", align="right")
    right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM


def set_properties(document: Document, title: str) -> None:
    """Core properties the build fills in; fixed here so templates are reproducible."""
    properties = document.core_properties
    properties.title = title
    properties.author = "docgen"
    properties.comments = "Шаблон docgen: теги в фигурных скобках заполняются при сборке."


def make_order(path: Path) -> None:
    """templates/order.docx: the order with its requisites in GOST order."""
    document = new_document()
    para(document, "{{ order.issuer.name|upper }}", align="center", indent=False, bold=True)
    para(document, indent=False)
    kind = para(document, "ПРИКАЗ", align="center", indent=False, bold=True, size=16)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), "60")
    kind.runs[0]._r.get_or_add_rPr().append(spacing)
    para(document, indent=False)
    date_line = para(document, "{{ order.date|date_numeric }}\t№ {{ order.number }}",
                     align="left", indent=False)
    date_line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    para(document, "{{ order.place }}", align="center", indent=False)
    para(document, indent=False)
    para(document, "{{ order.title|typo }}", align="center", indent=False, bold=True)
    para(document, indent=False)
    para(document, "{%p for text in order.preamble|paragraphs %}")
    para(document, "{{r text|rich }}")
    para(document, "{%p endfor %}")
    para(document, "ПРИКАЗЫВАЮ:", align="left", indent=False)
    para(document, "{%p for item in order.resolutions %}")
    para(document, "{{ loop.index }}. {{r item|resolution_head(annexes) }}")
    para(document, "{%p for action in item.actions %}")
    para(document, "{{r action|rich('– ') }}")
    para(document, "{%p endfor %}")
    para(document, "{%p endfor %}")
    para(document, indent=False)
    para(document, indent=False)
    signature_block(document, "order.signatory")
    set_properties(document, "Шаблон приказа")
    document.save(path)


def make_roadmap_annex(path: Path) -> None:
    """templates/annex-roadmap.docx: an annex holding a roadmap table."""
    document = new_document()
    mark_indent = Cm(9.5)
    for line in ("Приложение № {{ number }}",
                 "к приказу {{ order.issuer.short_name|genitive }}",
                 "от {{ order.date|date_numeric }} № {{ order.number }}"):
        para(document, line, align="left", indent=False, left=mark_indent)
    para(document, indent=False)
    para(document, "{{ annex.title|typo }}", align="center", indent=False, bold=True)
    para(document, indent=False)
    para(document, "{%p for text in annex.intro|paragraphs %}")
    para(document, "{{r text|rich }}")
    para(document, "{%p endfor %}")
    para(document, "{%p if annex.directions_heading %}")
    para(document, "{{r annex.directions_heading|rich }}")
    para(document, "{%p for text in annex|direction_list %}")
    para(document, "{{r text|rich('– ') }}")
    para(document, "{%p endfor %}")
    para(document, "{%p endif %}")
    para(document, indent=False)
    para(document, "{{ annex.table_title|typo }}", align="center", indent=False, bold=True,
         keep_with_next=True)
    para(document, indent=False, keep_with_next=True)
    _roadmap_table(document)
    set_properties(document, "Шаблон приложения: дорожная карта")
    document.save(path)


def _roadmap_table(document: Document) -> None:
    """Header repeated on every page; one merged cell per direction."""
    widths = [Cm(4.6), Cm(6.4), Cm(2.6), Cm(3.4)]
    table = document.add_table(rows=6, cols=4)
    table.style = document.styles["Table Grid"]
    _fixed_widths(table, widths)
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, title in zip(header.cells, ("Направления деятельности", "Мероприятия",
                                          "Сроки", "Ответственные")):
        _cell_text(cell, title, align="center", bold=True, size=12)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _cell_text(table.rows[1].cells[0], "{%tr for direction in annex.directions %}", size=12)
    _cell_text(table.rows[2].cells[0], "{%tr for activity in direction.activities %}", size=12)
    body = table.rows[3].cells
    _cell_text(body[0], "{% vm %}{{ direction.title|typo }}", size=12)
    _cell_text(body[1], "{{ activity.text|typo }}", size=12)
    _cell_text(body[2], "{{ activity.deadline|deadline }}", align="center", size=12)
    _cell_text(body[3], "{{r activity.responsible|names_column }}", size=12)
    no_split = OxmlElement("w:cantSplit")
    table.rows[3]._tr.get_or_add_trPr().append(no_split)
    _cell_text(table.rows[4].cells[0], "{%tr endfor %}", size=12)
    _cell_text(table.rows[5].cells[0], "{%tr endfor %}", size=12)


def main() -> None:
    """Write every template into the given folder (templates/ by default)."""
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "templates")
    target.mkdir(parents=True, exist_ok=True)
    make_order(target / "order.docx")
    make_roadmap_annex(target / "annex-roadmap.docx")


if __name__ == "__main__":
    main()
