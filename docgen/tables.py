"""Tables declared in content, written as WordprocessingML for a «{{p … }}» template tag.

A table's columns come from the content, so its template cannot hold it row by row; the
template places it, and the table takes the paragraph style «Текст таблицы» of the
template it lands in. Borders are the table's own: it needs no table style.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

from . import ru
from .annexes import MIN_FREE_WIDTH_CM, TEXT_WIDTH_CM

TABLE_STYLE_ID = "Тексттаблицы"  # «Текст таблицы», the style of every template's tables
_TWIPS_PER_CM = 567
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@dataclass(frozen=True)
class Cell:
    """One cell: its text, and how it spans and stands."""

    text: str
    align: str = "left"
    bold: bool = False
    span: int = 1


def _paragraph(cell: Cell) -> str:
    jc = {"left": "left", "center": "center", "right": "right"}[cell.align]
    runs = []
    for index, part in enumerate(ru.typograph(cell.text).split("\n")):
        if index:
            runs.append("<w:r><w:br/></w:r>")
        if part:
            bold = "<w:rPr><w:b/></w:rPr>" if cell.bold else ""
            runs.append(f'<w:r>{bold}<w:t xml:space="preserve">{escape(part)}</w:t></w:r>')
    return (f'<w:p><w:pPr><w:pStyle w:val="{TABLE_STYLE_ID}"/><w:jc w:val="{jc}"/></w:pPr>'
            + "".join(runs) + "</w:p>")


def _borders(visible: bool) -> str:
    value = 'w:val="single" w:sz="4" w:space="0" w:color="000000"' if visible else 'w:val="nil"'
    edges = "".join(f"<w:{edge} {value}/>" for edge in
                    ("top", "left", "bottom", "right", "insideH", "insideV"))
    return f"<w:tblBorders>{edges}</w:tblBorders>"


def widths(declared: list[float | None], total: float = TEXT_WIDTH_CM) -> list[float]:
    """Column widths in cm: the declared ones as given, the rest sharing what is left."""
    fixed = sum(width for width in declared if width)
    free = [width for width in declared if not width]
    share = max(total - fixed, MIN_FREE_WIDTH_CM * len(free)) / len(free) if free else 0.0
    return [width or share for width in declared]


def table(header: list[Cell] | None, rows: list[list[Cell]], column_widths: list[float], *,
          borders: bool = True) -> Markup:
    """A whole table: the header row repeats on every page, rows never split across pages."""
    twips = [round(width * _TWIPS_PER_CM) for width in column_widths]
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in twips)
    margins = "" if borders else (
        '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
        "</w:tblCellMar>")
    parts = [f"<w:tbl {_W}><w:tblPr><w:tblW w:w=\"{sum(twips)}\" w:type=\"dxa\"/>"
             f"{_borders(borders)}<w:tblLayout w:type=\"fixed\"/>{margins}"
             f"<w:tblLook w:val=\"04A0\"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"]
    if header is not None:
        parts.append(_row(header, twips, header=True))
    parts += [_row(row, twips) for row in rows]
    parts.append("</w:tbl>")
    return Markup("".join(parts))


def _row(cells: list[Cell], twips: list[int], *, header: bool = False) -> str:
    flags = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
    xml = [f"<w:tr><w:trPr>{flags}</w:trPr>"]
    column = 0
    for cell in cells:
        width = sum(twips[column:column + cell.span])
        span = f'<w:gridSpan w:val="{cell.span}"/>' if cell.span > 1 else ""
        vertical = '<w:vAlign w:val="center"/>' if header else ""
        xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}{vertical}'
                   f"</w:tcPr>{_paragraph(cell)}</w:tc>")
        column += cell.span
    xml.append("</w:tr>")
    return "".join(xml)
