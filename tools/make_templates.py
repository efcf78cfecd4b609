"""Create the Word templates in templates/ from scratch, laid out per GOST R 7.0.97.

The build reads templates/*.docx, which a clerk may edit in Word or LibreOffice; this
script is only the way the first versions were made. Running it overwrites them.

    python tools/make_templates.py [TEMPLATES_DIR]
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from docgen.stamp import save_docx

FONT = "Times New Roman"
TEXT_WIDTH = Mm(210 - 30 - 10)
TABLE_STYLE = "Текст таблицы"
FORM_STYLE = "Текст формы"
REQUISITE_STYLE = "Реквизит"
BLOCK_INDENT = Cm(9.5)
SIGNATURE_BOOKMARK = "signature"
TITLE_STYLE = "Заголовок документа"
EDITION_STYLE = "Отметка о редакции"


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
    # the document's own language, which LibreOffice writes into the PDF (/Lang)
    for default in document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        default.set(qn("w:val"), "ru-RU")
        default.set(qn("w:eastAsia"), "ru-RU")
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
    form_text = document.styles.add_style(FORM_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    form_text.base_style = table_text
    form_text.font.size = Pt(11)
    requisite = document.styles.add_style(REQUISITE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    requisite.base_style = normal
    requisite.paragraph_format.first_line_indent = Cm(0)
    requisite.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _add(requisite.element.get_or_add_pPr(), "w:suppressAutoHyphens")
    edition = document.styles.add_style(EDITION_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    edition.base_style = requisite
    title = document.styles.add_style(TITLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = requisite
    title.font.bold = True
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.keep_with_next = True
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
    "w:cantSplit": ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden"),
    "w:tblHeader": ("w:tblCellSpacing", "w:jc", "w:hidden"),
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
         size: int | None = None, style: str | None = None) -> Paragraph:
    """Add a paragraph of one run."""
    paragraph = document.add_paragraph(style=style)
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


def heading(document: Document, text: str, size: int | None = None) -> Paragraph:
    """A centred bold heading that is never hyphenated and stays with what follows."""
    return para(document, text, style=TITLE_STYLE, align="center", indent=False, size=size)


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


def grid_table(document: Document, widths: list[Cm], header: list[str],
               style: str = TABLE_STYLE) -> Table:
    """A bordered table whose bold header row repeats on every page."""
    table = document.add_table(rows=1, cols=len(widths))
    table.style = document.styles["Table Grid"]
    row = table.rows[0]
    _add(row._tr.get_or_add_trPr(), "w:tblHeader")
    for cell, title in zip(row.cells, header, strict=True):
        _cell_text(cell, title, align="center", bold=True, style=style)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return table


def add_row(table: Table, texts: list[str], *, style: str = TABLE_STYLE,
            align: list[str] | None = None, merged: bool = False, bold: bool = False,
            keep_together: bool = False) -> None:
    """Append a row; a merged row is one cell spanning the table with the first text."""
    row = table.add_row()
    cells = row.cells
    if merged:
        cells[0].merge(cells[-1])
        cells = row.cells[:1]
    for index, (cell, text) in enumerate(zip(cells, texts, strict=False)):
        _cell_text(cell, text, style=style, bold=bold,
                   align=(align[index] if align else "left"))
    if keep_together:
        _add(row._tr.get_or_add_trPr(), "w:cantSplit")


def loop_row(table: Table, tag: str, style: str = TABLE_STYLE) -> None:
    """A row holding only a docxtpl row tag such as «{%tr for … %}»."""
    add_row(table, [tag], style=style)


def right_block(document: Document, lines: list[str], left: Cm = BLOCK_INDENT,
                style: str = REQUISITE_STYLE) -> None:
    """A single-spaced, left-aligned block in the right part of the page."""
    for line in lines:
        para(document, line, align="left", indent=False, left=left, style=style)


def signature_rows(document: Document, rows: list[tuple[str, str]]) -> Table:
    """Label on the left, a line to sign on, and initials and surname on the right."""
    table = document.add_table(rows=0, cols=3)
    _no_borders(table)
    _no_cell_margins(table)
    for label, name in rows:
        row = table.add_row()
        _cell_text(row.cells[0], label, style=REQUISITE_STYLE)
        _cell_text(row.cells[1], "" if label.startswith("{%tr") else "______________",
                   align="center", style=REQUISITE_STYLE)
        _cell_text(row.cells[2], name, align="right", style=REQUISITE_STYLE)
        _add(row._tr.get_or_add_trPr(), "w:cantSplit")
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    _fixed_widths(table, [Cm(7.0), Cm(4.5), Cm(5.5)])
    return table


def signature_block(document: Document, person: str) -> None:
    """Position on the left, room to sign in the middle, initials and surname on the right.

    The middle cell holds the Word bookmark «signature»: the PDF keeps it as a named
    destination, and an electronic signature's mark is put there.
    """
    table = document.add_table(rows=1, cols=3)
    _no_borders(table)
    _no_cell_margins(table)
    _fixed_widths(table, [Cm(8.2), Cm(5.6), Cm(3.2)])
    left, middle, right = table.rows[0].cells
    _cell_text(left, f"{{{{ {person}|signature_position }}}}", style=REQUISITE_STYLE)
    place = _cell_text(middle, "", style=REQUISITE_STYLE)
    start = OxmlElement("w:bookmarkStart", {qn("w:id"): "0", qn("w:name"): SIGNATURE_BOOKMARK})
    place._p.append(start)
    place._p.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): "0"}))
    _cell_text(right, f"{{{{ {person}|initials_surname }}}}", align="right",
               style=REQUISITE_STYLE)
    for cell in (middle, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM


def _trim_styles(document: Document) -> None:
    """Keep only the styles the template uses, and drop Word 2010's duplicate style part.

    python-docx's default document carries 169 styles and 300 KB of them twice over;
    LibreOffice reads all of them for every document, which doubles its loading time.
    """
    part = document.part
    xml = "".join(p.blob.decode("utf-8", "ignore") for p in part.package.parts
                  if p.partname.endswith(".xml") and "styles" not in p.partname)
    styles = document.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    needed = set(re.findall(r'w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"',
                            xml))
    ours = {TABLE_STYLE, FORM_STYLE, REQUISITE_STYLE, TITLE_STYLE, EDITION_STYLE, "header"}
    needed |= {key for key, style in by_id.items()
               if style.get(qn("w:default")) == "1"
               or style.find(qn("w:name")).get(qn("w:val")) in ours}
    while True:
        linked = {element.get(qn("w:val")) for key in needed if key in by_id
                  for element in by_id[key] if element.tag in (
                      qn("w:basedOn"), qn("w:link"), qn("w:next"))}
        if linked <= needed:
            break
        needed |= linked
    for key, style in by_id.items():
        if key not in needed:
            styles.remove(style)
    for latent in styles.findall(qn("w:latentStyles")):
        styles.remove(latent)
    for rel_id, relationship in list(part.rels.items()):
        if relationship.reltype.endswith("/stylesWithEffects"):
            part.drop_rel(rel_id)


def _drop_leftovers(document: Document) -> None:
    """Drop what python-docx's default document brings along: a thumbnail of another
    document (shown as the file's preview) and an empty bibliography part."""
    package = document.part.package
    for rel_id, relationship in list(package.rels.items()):
        if relationship.reltype.endswith("/thumbnail"):
            package.rels.pop(rel_id)
    for rel_id, relationship in list(document.part.rels.items()):
        if relationship.reltype.endswith("/customXml"):
            document.part.drop_rel(rel_id)


def save(document: Document, path: Path, title: str) -> None:
    """Save with fixed properties and zip entries, so that regenerating changes nothing."""
    _trim_styles(document)
    _drop_leftovers(document)
    properties = document.core_properties
    properties.title = title
    properties.author = "docgen"
    properties.last_modified_by = "docgen"
    properties.comments = "Шаблон docgen: теги в фигурных скобках заполняются при сборке."
    properties.created = properties.modified = dt.datetime(2022, 8, 30)
    properties.revision = 1
    save_docx(document, path)


def make_order(path: Path) -> None:
    """templates/order.docx: an act (приказ, распоряжение, постановление) in GOST order."""
    document = new_document()
    heading(document, "{{ order.issuer.name|upper }}")
    para(document, indent=False)
    kind = heading(document, "{{ act.word }}", size=16)
    _add(kind.runs[0]._r.get_or_add_rPr(), "w:spacing", val="60")
    para(document, indent=False)
    date_line = para(document, "{{ order.date|date_numeric }}\t№ {{ order.number }}",
                     align="left", indent=False)
    date_line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    para(document, "{{ order.place }}", align="center", indent=False)
    para(document, indent=False)
    heading(document, "{{ order.title|typo }}")
    para(document, indent=False)
    para(document, "{%p for text in order.preamble|paragraphs %}")
    para(document, "{{r text|rich }}")
    para(document, "{%p endfor %}")
    para(document, "{%p if act.operative %}")
    para(document, "{{ act.operative }}", align="left", indent=False)
    para(document, "{%p endif %}")
    para(document, "{%p for line in order|numbered_items(annexes) %}")
    para(document, "{{r line }}")
    para(document, "{%p endfor %}")
    para(document, indent=False)
    para(document, indent=False)
    signature_block(document, "order.signatory")
    save(document, path, "Шаблон акта: приказ, распоряжение, постановление")


def _annex_mark(document: Document) -> None:
    """«Приложение № N к приказу …» or the grif «УТВЕРЖДЕНО приказом …», top right, with
    the edition under it for an annex set out anew."""
    para(document, "{%p for line in annex|annex_mark(order, number, act) %}")
    right_block(document, ["{{ line }}"])
    para(document, "{%p endfor %}")
    para(document, "{%p if amendments %}")
    right_block(document, ["(в редакции {{ amendments|edition_reference }})"],
                style=EDITION_STYLE)
    para(document, "{%p endif %}")
    para(document, indent=False)


def _annex_heading(document: Document) -> None:
    """«ПОЛОЖЕНИЕ» and what it is about, centred and bold; a blank line under it."""
    para(document, "{%p for line in annex|annex_heading %}")
    heading(document, "{{ line }}")
    para(document, "{%p endfor %}")
    para(document, indent=False)


def _intro(document: Document, field: str = "annex.intro") -> None:
    para(document, f"{{%p for text in {field}|paragraphs %}}")
    para(document, "{{r text|rich }}")
    para(document, "{%p endfor %}")


def make_roadmap_annex(path: Path) -> None:
    """templates/annex-roadmap.docx: an annex holding a roadmap table."""
    document = new_document()
    _annex_mark(document)
    heading(document, "{{ annex.title|typo }}")
    para(document, indent=False)
    _intro(document)
    para(document, "{%p if annex.directions_heading %}")
    para(document, "{{r annex.directions_heading|rich }}")
    para(document, "{%p for text in annex|direction_list %}")
    para(document, "{{r text|rich('– ') }}")
    para(document, "{%p endfor %}")
    para(document, "{%p endif %}")
    para(document, indent=False)
    heading(document, "{{ annex.table_title|typo }}")
    para(document, indent=False, keep_with_next=True)
    _roadmap_table(document)
    save(document, path, "Шаблон приложения: дорожная карта")


def make_text_annex(path: Path) -> None:
    """templates/annex-text.docx: a Положение, Порядок or Регламент of numbered clauses."""
    document = new_document()
    _annex_mark(document)
    _annex_heading(document)
    _intro(document)
    para(document, "{%p for line in annex|text_lines %}")
    para(document, "{%p if line.section %}")
    section = heading(document, "{{r line.text }}")
    section.paragraph_format.space_before = Pt(12)
    section.paragraph_format.space_after = Pt(6)
    para(document, "{%p else %}")
    para(document, "{{r line.text }}")
    para(document, "{%p endif %}")
    para(document, "{%p endfor %}")
    save(document, path, "Шаблон приложения: текст с разделами и пунктами")


def make_table_annex(path: Path) -> None:
    """templates/annex-table.docx: a table whose columns the content declares."""
    document = new_document()
    _annex_mark(document)
    _annex_heading(document)
    _intro(document)
    para(document, "{%p if annex.intro %}")
    para(document, indent=False)
    para(document, "{%p endif %}")
    para(document, "{{p annex|grid }}")
    para(document, "{%p if annex.notes %}")
    para(document, indent=False)
    para(document, "{%p endif %}")
    _intro(document, "annex.notes")
    save(document, path, "Шаблон приложения: таблица")


def make_people_annex(path: Path) -> None:
    """templates/annex-people.docx: the composition of a commission, name and position."""
    document = new_document()
    _annex_mark(document)
    _annex_heading(document)
    widths = [Cm(7.6), Cm(9.4)]
    table = document.add_table(rows=0, cols=2)
    _no_borders(table)
    _no_cell_margins(table)
    loop_row(table, "{%tr for row in members %}", REQUISITE_STYLE)
    loop_row(table, "{%tr if row.role %}", REQUISITE_STYLE)
    add_row(table, ["{{ row.role }}"], merged=True, style=REQUISITE_STYLE, keep_together=True)
    role = table.rows[-1].cells[0].paragraphs[0]
    role.paragraph_format.space_before = Pt(6)
    role.paragraph_format.keep_with_next = True
    loop_row(table, "{%tr else %}", REQUISITE_STYLE)
    add_row(table, ["{{ row.name }}", "{{ row.position }}"], style=REQUISITE_STYLE,
            keep_together=True)
    loop_row(table, "{%tr endif %}", REQUISITE_STYLE)
    loop_row(table, "{%tr endfor %}", REQUISITE_STYLE)
    _fixed_widths(table, widths)
    save(document, path, "Шаблон приложения: состав комиссии")


def make_form_annex(path: Path) -> None:
    """templates/annex-form.docx: a blank form with lines to write on and signature lines."""
    document = new_document()
    _annex_mark(document)
    heading(document, "{{ annex.title|upper }}")
    para(document, "{%p if annex.subtitle %}")
    heading(document, "{{ annex.subtitle|typo }}")
    para(document, "{%p endif %}")
    para(document, indent=False)
    _intro(document)
    para(document, "{%p for field in annex.fields %}")
    line = para(document, "{{ field.label|typo }}\t", align="left", indent=False)
    line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT,
                                                 WD_TAB_LEADER.LINES)
    line.paragraph_format.space_before = Pt(6)
    para(document, "{%p for extra in range(field.lines - 1) %}")
    blank = para(document, "\t", align="left", indent=False)
    blank.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT,
                                                  WD_TAB_LEADER.LINES)
    blank.paragraph_format.space_before = Pt(6)
    para(document, "{%p endfor %}")
    para(document, "{%p endfor %}")
    para(document, "{%p if annex.table %}")
    para(document, indent=False)
    para(document, "{{p annex|form_table }}")
    para(document, "{%p endif %}")
    para(document, indent=False)
    para(document, "{%p for who in annex.signature %}")
    para(document, indent=False, keep_with_next=True)
    para(document, "{{ who|typo }}  ________________  / ______________________ /",
         align="left", indent=False, keep_with_next=True)
    hint = para(document, "\t(подпись)\t(расшифровка подписи)", align="left", indent=False,
                size=10)
    hint.paragraph_format.tab_stops.add_tab_stop(Cm(7.2), WD_TAB_ALIGNMENT.CENTER)
    hint.paragraph_format.tab_stops.add_tab_stop(Cm(12.6), WD_TAB_ALIGNMENT.CENTER)
    para(document, "{%p endfor %}")
    para(document, "{%p if annex.date_line %}")
    para(document, indent=False)
    para(document, "«____» ______________ 20___ г.", align="left", indent=False)
    para(document, "{%p endif %}")
    save(document, path, "Шаблон приложения: бланк формы")


def _roadmap_table(document: Document) -> None:
    """Header repeated on every page; one merged cell per direction."""
    widths = [Cm(4.3), Cm(6.1), Cm(2.7), Cm(3.9)]
    table = grid_table(document, widths, ["Направления деятельности", "Мероприятия", "Сроки",
                                          "Ответственные"])
    loop_row(table, "{%tr for direction in annex.directions %}")
    loop_row(table, "{%tr for activity in direction.activities %}")
    add_row(table, ["{% vm %}{{ direction.title|typo }}", "{{ activity.text|typo }}",
                    "{{ activity.deadline|deadline }}",
                    "{{r activity.responsible|names_column }}"],
            align=["left", "left", "center", "left"], keep_together=True)
    loop_row(table, "{%tr endfor %}")
    loop_row(table, "{%tr endfor %}")
    _fixed_widths(table, widths)


RECIPIENT_LINES = ("{%p for line in recipient.lines %}", "{{ line }}", "{%p endfor %}")


def _letterhead(document: Document, addressee: tuple[str, ...] = RECIPIENT_LINES) -> None:
    """The administration's letterhead on the left, the addressee on the right."""
    table = document.add_table(rows=1, cols=3)
    _no_borders(table)
    _no_cell_margins(table)
    _fixed_widths(table, [Cm(8.0), Cm(1.5), Cm(7.5)])
    left, _, right = table.rows[0].cells
    lines = [("{{ issuer.name|upper }}", 12, True), ("{{ issuer.address }}", 10, False),
             ("тел. {{ issuer.phone }}", 10, False), ("e-mail: {{ issuer.email }}", 10, False),
             ("", 10, False),
             ("{{ letter.date|date_numeric }} № {{ letter.number }}", 12, False),
             ("На № ____________ от ____________", 12, False)]
    for index, (text, size, bold) in enumerate(lines):
        paragraph = left.paragraphs[0] if index == 0 else left.add_paragraph()
        paragraph.style = REQUISITE_STYLE
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Cm(0)
        if text:
            run = paragraph.add_run(text)
            run.bold = bold or None
            run.font.size = Pt(size)
    for index, text in enumerate(addressee):
        paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
        paragraph.style = REQUISITE_STYLE
        paragraph.paragraph_format.first_line_indent = Cm(0)
        paragraph.add_run(text)


def _landscape_section(document: Document) -> None:
    """Start a landscape section, as wide forms need; margins stay as GOST sets them."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(30), Mm(10)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.different_first_page_header_footer = False


def _letter_body(document: Document) -> None:
    """Title, salutation, the act the letter carries out, the text and the deadline."""
    para(document, indent=False)
    title = para(document, "{{ letter.title|typo }}", align="left", indent=False,
                 style=REQUISITE_STYLE)
    title.paragraph_format.right_indent = Cm(8.0)
    para(document, indent=False)
    para(document, "{%p if recipient.salutation %}")
    para(document, "{{ recipient.salutation }}", align="center", indent=False)
    para(document, indent=False)
    para(document, "{%p endif %}")
    para(document, "{%p if basis %}")
    para(document, "{{ basis }}")
    para(document, "{%p endif %}")
    para(document, "{%p for text in letter.text|paragraphs %}")
    para(document, "{{r text|rich }}")
    para(document, "{%p endfor %}")
    para(document, "{%p if letter.deadline %}")
    para(document, "{{r letter|deadline_sentence }}")
    para(document, "{%p endif %}")


def _executor(document: Document) -> None:
    """The executor's name and phone at the bottom left, in 10 pt."""
    for text in ("Исп. {{ letter.executor|surname_initials }}", "тел. {{ letter.executor.phone }}"):
        para(document, text, align="left", indent=False, size=10)


def make_nomination_letter(path: Path) -> None:
    """templates/letter-nomination.docx: a letter (as letter.docx) with the school's
    response form after it, its nominees filled in."""
    document = new_document()
    _letterhead(document)
    _letter_body(document)
    para(document, indent=False)
    para(document, "Приложение: форма на 1 л. в 1 экз.", align="left", indent=False)
    para(document, indent=False)
    signature_block(document, "letter.signatory")
    para(document, indent=False)
    para(document, indent=False)
    _executor(document)
    _landscape_section(document)
    right_block(document, ["Приложение", "к письму {{ issuer.short_name|genitive }}",
                           "{{ letter|dated }}"],
                left=Cm(17.5))
    para(document, indent=False)
    heading(document, "{{ letter.form_title|typo }}")
    heading(document, "{{ school.short_name }}")
    para(document, indent=False)
    widths = [Cm(1.0), Cm(4.2), Cm(4.2), Cm(3.2), Cm(3.2), Cm(3.6), Cm(3.4), Cm(2.9)]
    table = grid_table(document, widths,
                       ["№", "ФИО", "Должность", "Педагоги\u00adческий стаж", "Управлен\u00adческий стаж",
                        "Образование", "Повышение квалификации", "Основание для выдвижения"],
                       style=FORM_STYLE)
    loop_row(table, "{%tr for nominee in nominees %}", FORM_STYLE)
    add_row(table, ["{{ loop.index }}", "{{ nominee.full_name }}", "{{ nominee.position }}",
                    "", "", "", "", ""], style=FORM_STYLE)
    loop_row(table, "{%tr endfor %}", FORM_STYLE)
    loop_row(table, "{%tr for row in blank_rows %}", FORM_STYLE)
    add_row(table, ["{{ nominees|length + loop.index }}", "", "", "", "", "", "", ""],
            style=FORM_STYLE)
    table.rows[-1].height = Cm(1.2)
    loop_row(table, "{%tr endfor %}", FORM_STYLE)
    _fixed_widths(table, widths)
    para(document, indent=False)
    para(document, "Руководитель ОО  ________________  / ______________________ /", align="left",
         indent=False)
    para(document, "«____» ______________ 20___ г.", align="left", indent=False)
    save(document, path, "Шаблон запроса в ОО о кандидатах в резерв")


def make_letter(path: Path) -> None:
    """templates/letter.docx: a letter to one recipient (merged) or to several."""
    document = new_document()
    _letterhead(document)
    _letter_body(document)
    para(document, indent=False)
    para(document, "{%p if annexes %}")
    para(document, "Приложение: {{ annexes|join('; ') }}.", align="left", indent=False)
    para(document, indent=False)
    para(document, "{%p endif %}")
    para(document, indent=False)
    signature_block(document, "letter.signatory")
    para(document, "{%p if letter.executor %}")
    para(document, indent=False)
    para(document, indent=False)
    _executor(document)
    para(document, "{%p endif %}")
    save(document, path, "Шаблон письма")


def _approval_grif(document: Document, approver: str, date: str) -> None:
    """«УТВЕРЖДАЮ» with the approver's position, signature line and date, top right."""
    right_block(document, ["УТВЕРЖДАЮ", f"{{{{ {approver}.position|capfirst|typo }}}}",
                           f"______________ {{{{ {approver}|initials_surname }}}}",
                           f"{{{{ {date}|date_numeric }}}}"])
    para(document, indent=False)


def make_reserve_list(path: Path) -> None:
    """templates/reserve-list.docx: included candidates by school, with an approval grif."""
    document = new_document()
    _approval_grif(document, "reserve_list.approver", "reserve_list.date")
    heading(document, "{{ reserve_list.title|typo }}")
    para(document, indent=False)
    widths = [Cm(0.9), Cm(4.3), Cm(4.9), Cm(3.5), Cm(3.4)]
    table = grid_table(document, widths, ["№", "Фамилия, имя, отчество", "Должность",
                                          "Стаж педагоги\u00adческий / управлен\u00adческий",
                                          "Собеседование"])
    loop_row(table, "{%tr for group in groups %}")
    add_row(table, ["{{ group.school.short_name }}"], merged=True, bold=True)
    loop_row(table, "{%tr for row in group.rows %}")
    add_row(table, ["{{ row.number }}", "{{ row.candidate.full_name }}",
                    "{{ row.candidate.position|typo }}",
                    ("{{ row.candidate.teaching_experience|years }} / "
                     "{{ row.candidate.management_experience|years }}"),
                    "протокол {{ row.interview|dated }}"],
            align=["center", "left", "left", "center", "left"], keep_together=True)
    loop_row(table, "{%tr endfor %}")
    loop_row(table, "{%tr endfor %}")
    _fixed_widths(table, widths)
    save(document, path, "Шаблон списка резерва управленческих кадров")


def make_interview_protocol(path: Path) -> None:
    """templates/interview-protocol.docx: one interview, its scores and the decision."""
    document = new_document()
    heading(document, "{{ order.issuer.name|upper }}")
    para(document, indent=False)
    heading(document, "ПРОТОКОЛ № {{ interview.number or '______' }}")
    heading(document, "собеседования с лицом, претендующим на замещение должности руководителя "
            "образовательной организации")
    para(document, indent=False)
    date_line = para(document, "{% if interview.date %}{{ interview.date|date_numeric }}"
                     "{% else %}«___» ____________ 20___ г.{% endif %}	{{ order.place }}",
                     align="left", indent=False)
    date_line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    para(document, indent=False)
    para(document, "Основание: приказ {{ order.issuer.short_name|genitive }} "
         "{{ order|dated }} {{ order.title|in_quotes }}.")
    para(document, "Место проведения: {{ place|typo }}.")
    para(document, "Комиссия: председатель{{ '\u00a0' }}— {{ commission.chair|addressee('nominative') }}; "
         "секретарь{{ '\u00a0' }}— {{ commission.secretary|addressee('nominative') }}"
         "{% for member in commission.members %}; член комиссии{{ '\u00a0' }}— "
         "{{ member|addressee('nominative') }}{% endfor %}.")
    para(document, "Претендент: {{ candidate.full_name }}, {{ candidate.position|typo }} "
         "{{ candidate.school.short_name }}.")
    para(document, "Образование: {{ candidate.education|typo }}.")
    para(document, "Стаж: педагогический{{ '\u00a0' }}— {{ candidate.teaching_experience|years }}, "
         "управленческий{{ '\u00a0' }}— {{ candidate.management_experience|years }}.")
    para(document, "{%p if candidate.training %}")
    para(document, "Повышение квалификации: {{ candidate.training|typo }}.")
    para(document, "{%p endif %}")
    para(document, indent=False)
    heading(document, "Результаты собеседования")
    widths = [Cm(0.9), Cm(10.6), Cm(3.0), Cm(2.5)]
    table = grid_table(document, widths, ["№", "Критерий", "Наибольший балл", "Оценка"])
    loop_row(table, "{%tr for criterion in criteria %}")
    add_row(table, ["{{ loop.index }}", "{{ criterion.name|typo }}", "{{ criterion.max }}",
                    "{{ interview.scores.get(criterion.id, '') }}"],
            align=["center", "left", "center", "center"], keep_together=True)
    loop_row(table, "{%tr endfor %}")
    total = table.add_row()
    first = total.cells[0].merge(total.cells[1])
    _cell_text(first, "Итого", align="right", bold=True, style=TABLE_STYLE)
    _cell_text(total.cells[2], "{{ maximum }}", align="center", bold=True, style=TABLE_STYLE)
    _cell_text(total.cells[3], "{{ total if interview.scores else '' }}", align="center",
               bold=True, style=TABLE_STYLE)
    _fixed_widths(table, widths)
    para(document, indent=False)
    para(document, "Рекомендация комиссии: {% if interview.recommendation %}"
         "{{ interview.recommendation|typo }}.{% else %}"
         "_____________________________________{% endif %}",
         keep_with_next=True)
    para(document, "Решение: {% if interview.decision == 'included' %}включить в резерв "
         "управленческих кадров на замещение должности руководителя образовательной "
         "организации{% elif interview.decision == 'declined' %}не включать в резерв "
         "управленческих кадров{% elif interview.date %}решение не принято{% else %}"
         "______________________________________________________{% endif %}.",
         keep_with_next=True)
    para(document, indent=False, keep_with_next=True)
    signature_rows(document, [
        ("Председатель комиссии", "{{ commission.chair|initials_surname }}"),
        ("Секретарь комиссии", "{{ commission.secretary|initials_surname }}"),
        ("{%tr for member in commission.members %}", ""),
        ("Член комиссии", "{{ member|initials_surname }}"),
        ("{%tr endfor %}", ""),
        ("С протоколом ознакомлен{% if candidate.gender == 'female' %}а{% endif %}",
         "{{ candidate|initials_surname }}"),
    ])
    save(document, path, "Шаблон протокола собеседования")


def make_individual_plan(path: Path) -> None:
    """templates/individual-plan.docx: the plan with sections following the roadmap."""
    document = new_document()
    _approval_grif(document, "plans.approver", "plans.date")
    heading(document, "{{ plans.title|typo }}")
    heading(document, "{{ plans.period|typo }}")
    para(document, indent=False)
    para(document, "Кандидат: {{ candidate.full_name }}, {{ candidate.position|typo }} "
         "{{ candidate.school.short_name }}.", indent=False)
    para(document, "Наставник: {{ mentor.full_name }}, {{ mentor.position|typo }}"
         "{% if mentor_school %} {{ mentor_school.short_name }}{% endif %}.", indent=False)
    para(document, indent=False)
    widths = [Cm(1.2), Cm(6.4), Cm(3.0), Cm(3.4), Cm(3.0)]
    table = grid_table(document, widths, ["№", "Мероприятие", "Срок", "Форма отчётности",
                                          "Отметка о выполнении"])
    loop_row(table, "{%tr for section in sections %}")
    add_row(table, ["{{ section.number }}. {{ section.title|typo }}"], merged=True, bold=True)
    loop_row(table, "{%tr for item in section.activities %}")
    add_row(table, ["{{ item.number }}.", "{{ item.activity.text|typo }}",
                    "{{ item.activity.deadline|deadline }}", "{{ item.activity.report|typo }}", ""],
            align=["center", "left", "center", "left", "left"], keep_together=True)
    loop_row(table, "{%tr endfor %}")
    loop_row(table, "{%tr endfor %}")
    _fixed_widths(table, widths)
    para(document, indent=False)
    signature_rows(document, [("Кандидат", "{{ candidate|initials_surname }}"),
                              ("Наставник", "{{ mentor|initials_surname }}")])
    save(document, path, "Шаблон индивидуального плана подготовки")


def make_control_report(path: Path) -> None:
    """templates/control-report.docx: the справка on a roadmap's execution, landscape."""
    document = new_document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    heading(document, "{{ order.issuer.name|upper }}")
    para(document, indent=False)
    heading(document, "СПРАВКА")
    heading(document, ("о ходе исполнения {{ roadmap.title|genitive|lowerfirst|typo }}, "
                       "утверждённого {{ act.noun_in('instrumental') }} "
                       "{{ order|dated }}, по состоянию на "
                       "{{ report.on }}"))
    para(document, indent=False)
    para(document, "{{ report.summary }}")
    para(document, indent=False, keep_with_next=True)
    widths = [Cm(1.2), Cm(7.4), Cm(2.6), Cm(3.9), Cm(5.6), Cm(5.0)]
    table = grid_table(document, widths, ["№ п/п", "Мероприятие", "Срок", "Ответственные",
                                          "Документы", "Состояние"])
    loop_row(table, "{%tr for direction in report.directions %}")
    add_row(table, ["{{ direction.number }}. {{ direction.title }}"], merged=True, bold=True)
    loop_row(table, "{%tr for row in direction.rows %}")
    add_row(table, ["{{ row.number }}", "{{ row.text }}", "{{ row.deadline }}",
                    "{{r row.responsible|join('\\n')|rich }}",
                    "{{r row.documents|join('\\n')|rich }}",
                    "{{ row.status_text }}{% if row.note %}; {{ row.note }}{% endif %}"],
            align=["center", "left", "center", "left", "left", "left"], keep_together=True)
    loop_row(table, "{%tr endfor %}")
    loop_row(table, "{%tr endfor %}")
    _fixed_widths(table, widths)
    para(document, "{%p if report.request %}")
    para(document, indent=False)
    heading(document, ("Ответы образовательных организаций на запрос от "
                       "{{ report.request.date }} № {{ report.request.number }} (срок — "
                       "{{ report.request.deadline }})"))
    para(document, indent=False, keep_with_next=True)
    widths = [Cm(1.2), Cm(9.8), Cm(5.0), Cm(9.7)]
    table = grid_table(document, widths, ["№ п/п", "Образовательная организация",
                                          "Запрос отправлен (журнал отправки)", "Ответ"])
    loop_row(table, "{%tr for answer in report.schools %}")
    add_row(table, ["{{ loop.index }}", "{{ answer.name }}", "{{ answer.sent }}",
                    "{{ answer.state }}"],
            align=["center", "left", "center", "left"], keep_together=True)
    loop_row(table, "{%tr endfor %}")
    _fixed_widths(table, widths)
    para(document, "{%p endif %}")
    para(document, indent=False)
    para(document, indent=False)
    signature_block(document, "executor")
    save(document, path, "Шаблон справки о ходе исполнения плана мероприятий")


def main() -> None:
    """Write every template into the given folder (templates/ by default)."""
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "templates")
    target.mkdir(parents=True, exist_ok=True)
    make_order(target / "order.docx")
    make_roadmap_annex(target / "annex-roadmap.docx")
    make_text_annex(target / "annex-text.docx")
    make_table_annex(target / "annex-table.docx")
    make_people_annex(target / "annex-people.docx")
    make_form_annex(target / "annex-form.docx")
    make_nomination_letter(target / "letter-nomination.docx")
    make_letter(target / "letter.docx")
    make_reserve_list(target / "reserve-list.docx")
    make_interview_protocol(target / "interview-protocol.docx")
    make_individual_plan(target / "individual-plan.docx")
    make_control_report(target / "control-report.docx")


if __name__ == "__main__":
    main()
