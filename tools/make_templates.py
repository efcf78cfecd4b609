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
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
TEXT_WIDTH = Mm(210 - 30 - 10)
TABLE_STYLE = "Текст таблицы"


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
    _add(normal.element.rPr, "w:lang", val="ru-RU", eastAsia="ru-RU", bidi="ar-SA")
    layout = normal.paragraph_format
    layout.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    layout.first_line_indent = Cm(1.25)
    layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
    layout.space_before = layout.space_after = Pt(0)
    layout.widow_control = True
    table_text = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(12)
    table_text.paragraph_format.first_line_indent = Cm(0)
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _add(table_text.element.get_or_add_pPr(), "w:suppressAutoHyphens")
    _hyphenate(document)
    header_style = document.styles["Header"]
    header_style.font.size = Pt(12)


_SUCCESSORS = {
    # What may follow each element we add, in the order of the WordprocessingML schema,
    # so that Word accepts the file as well as LibreOffice does.
    "w:autoHyphenation": ("w:consecutiveHyphenLimit", "w:hyphenationZone",
                          "w:doNotHyphenateCaps", "w:evenAndOddHeaders",
                          "w:characterSpacingControl", "w:compat", "w:rsids", "m:mathPr",
                          "w:themeFontLang", "w:clrSchemeMapping", "w:shapeDefaults",
                          "w:decimalSymbol", "w:listSeparator"),
    "w:tblBorders": ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"),
    "w:tblCellMar": ("w:tblLook",),
    "w:spacing": ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
                  "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
                  "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath"),
    "w:lang": ("w:eastAsianLayout", "w:specVanish", "w:oMath"),
    "w:suppressAutoHyphens": ("w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
                              "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                              "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
                              "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                              "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
}


def _add(parent, tag: str, **attributes: str):
    """Add a child element where the schema wants it; return it."""
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    parent.insert_element_before(element, *_SUCCESSORS[tag])
    return element


def _hyphenate(document: Document) -> None:
    """Turn on automatic hyphenation, as justified Russian text needs."""
    _add(document.settings.element, "w:autoHyphenation")


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
    borders = _add(table._tbl.tblPr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(OxmlElement(f"w:{edge}", {qn("w:val"): "nil"}))


def _no_cell_margins(table: Table) -> None:
    """Let a layout table's text start exactly at the page margin."""
    margins = _add(table._tbl.tblPr, "w:tblCellMar")
    for edge in ("left", "right"):
        margins.append(OxmlElement(f"w:{edge}", {qn("w:w"): "0", qn("w:type"): "dxa"}))


def _fixed_widths(table: Table, widths: list[Cm]) -> None:
    """Fix the table layout and every column's width."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table._tbl.tblPr.get_or_add_tblLayout().set(qn("w:type"), "fixed")
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width


def _cell_text(cell, text: str, *, align: str = "left", bold: bool = False,
               style: str | None = None) -> Paragraph:
    """Put one run of text into a table cell's paragraph."""
    paragraph = cell.paragraphs[0]
    if style:
        paragraph.style = style
    paragraph.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                           "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    paragraph.paragraph_format.first_line_indent = Cm(0)
    run = paragraph.add_run(text)
    run.bold = bold or None
    return paragraph


def signature_block(document: Document, person: str) -> None:
    """Position on the left, initials and surname on the right, level with its last line."""
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _no_cell_margins(table)
    _fixed_widths(table, [Cm(12.7), Cm(4.3)])
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
    _add(kind.runs[0]._r.get_or_add_rPr(), "w:spacing", val="60")
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
    widths = [Cm(4.3), Cm(6.1), Cm(2.7), Cm(3.9)]
    table = document.add_table(rows=6, cols=4)
    table.style = document.styles["Table Grid"]
    _fixed_widths(table, widths)
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, title in zip(header.cells, ("Направления деятельности", "Мероприятия",
                                          "Сроки", "Ответственные"), strict=True):
        _cell_text(cell, title, align="center", bold=True, style=TABLE_STYLE)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _cell_text(table.rows[1].cells[0], "{%tr for direction in annex.directions %}", style=TABLE_STYLE)
    _cell_text(table.rows[2].cells[0], "{%tr for activity in direction.activities %}", style=TABLE_STYLE)
    body = table.rows[3].cells
    _cell_text(body[0], "{% vm %}{{ direction.title|typo }}", style=TABLE_STYLE)
    _cell_text(body[1], "{{ activity.text|typo }}", style=TABLE_STYLE)
    _cell_text(body[2], "{{ activity.deadline|deadline }}", align="center", style=TABLE_STYLE)
    _cell_text(body[3], "{{r activity.responsible|names_column }}", style=TABLE_STYLE)
    no_split = OxmlElement("w:cantSplit")
    table.rows[3]._tr.get_or_add_trPr().append(no_split)
    _cell_text(table.rows[4].cells[0], "{%tr endfor %}", style=TABLE_STYLE)
    _cell_text(table.rows[5].cells[0], "{%tr endfor %}", style=TABLE_STYLE)


def main() -> None:
    """Write every template into the given folder (templates/ by default)."""
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "templates")
    target.mkdir(parents=True, exist_ok=True)
    make_order(target / "order.docx")
    make_roadmap_annex(target / "annex-roadmap.docx")


if __name__ == "__main__":
    main()
