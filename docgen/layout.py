"""Acts and annexes laid out for templates: numbered items and clauses, marks, tables."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docxtpl import RichText
from markupsafe import Markup

from . import ru, tables
from .annexes import Clause, FormAnnex, Group, PeopleAnnex, TableAnnex, TextAnnex, cells_of, total_of
from .model import Annex, Order, Registry, Resolution
from .references import addressee, full_name, position, surname
from .tables import Cell

if TYPE_CHECKING:
    from .kinds import ActKind

LIST_MARK = "– "
LETTER_MARKS = "абвгдежзиклмнопрстуфхцчшщэюя"  # а), б) …: no ё, й, ъ, ы, ь
_TRAILING_PUNCTUATION = re.compile(r"[.;:,]+$")


def rich(text: str, prefix: str = "") -> RichText:
    """Typeset text whose **marked** parts are bold, as runs inheriting the paragraph style."""
    result = RichText()
    for index, part in enumerate((prefix + ru.typograph(str(text))).split("**")):
        if part:
            result.add(part, bold=index % 2 == 1)
    return result


def with_reference(text: str, reference: str) -> str:
    """The text with a reference put before its own closing punctuation: «…округа (…);»."""
    stripped = text.rstrip()
    bold_end = "**" if stripped.endswith("**") else ""
    body = stripped.removesuffix("**") if bold_end else stripped
    found = _TRAILING_PUNCTUATION.search(body)
    if found is None:
        return f"{stripped} {reference}"
    return f"{body[:found.start()]} {reference}{bold_end}{found[0]}"


def annex_reference(annex_id: str, annexes: list[Annex]) -> str:
    """«(Приложение)» for an act's only annex, «(приложение № 2)» for one of several."""
    ids = [annex.id for annex in annexes]
    if len(ids) == 1:
        return "(Приложение)"
    return f"(приложение № {ids.index(annex_id) + 1})"


def _executors(item: Resolution) -> str:
    return ru.capfirst(", ".join(addressee(entry, "dative") for entry in item.to))


def item_lines(order: Order, annexes: list[Annex]) -> list[tuple[str, str]]:
    """The act's items as (mark, text): «1. », «1.1. », «1.1.1. », «– » for dash lists."""
    lines: list[tuple[str, str]] = []

    def walk(items: list[Resolution], prefix: str) -> None:
        for index, item in enumerate(items, 1):
            number = f"{prefix}{index}."
            text = _executors(item) + (":" if item.actions or item.items else "") \
                if item.to else (item.text or "")
            if item.annex is not None:
                text = with_reference(text, annex_reference(item.annex, annexes))
            lines.append((f"{number} ", text))
            lines.extend((LIST_MARK, action) for action in item.actions)
            walk(item.items, number)

    walk(order.resolutions, "")
    return lines


def numbered_items(order: Order, annexes: list[Annex]) -> list[RichText]:
    """The act's items as Word paragraphs (see item_lines)."""
    return [rich(text, mark) for mark, text in item_lines(order, annexes)]


def grif(document: str | None) -> str:
    """«УТВЕРЖДЕНО» agreeing with the approved document: Порядок → УТВЕРЖДЕН, Правила → …Ы."""
    ending = {"masc": "", "femn": "А", "neut": "О", "plur": "Ы"}
    return "УТВЕРЖДЕН" + ending[ru.grammatical_number_and_gender(document or "Положение")]


def annex_mark(annex: Annex, order: Any, number: int | None, act: ActKind) -> list[str]:
    """The annex's mark, top right: «Приложение № 1 / к приказу … / от … № …», or the grif
    «УТВЕРЖДЕНО / приказом … / от … № …» of an approved document; «Приложение» alone is
    the only annex of a letter (`number` None)."""
    issuer = ru.inflect_phrase(order.issuer.short_name, "genitive")
    dated = ru.dated(order.date, order.number)
    if annex.approved:
        lines = [grif(annex.document), f"{act.noun_in('instrumental')} {issuer}", dated]
    else:
        lines = ["Приложение" if number is None else f"Приложение № {number}",
                 f"к {act.noun_in('dative')} {issuer}", dated]
    return [ru.typograph(line) for line in lines]


def annex_heading(annex: Annex) -> list[str]:
    """The annex's title lines: «ПОЛОЖЕНИЕ» then what it is about, or the title alone."""
    lines = [annex.document.upper()] if annex.document else []
    return [ru.typograph(line) for line in [*lines, annex.title]]


def clause_lines(annex: TextAnnex) -> list[tuple[bool, str, str]]:
    """A text annex as (is a section, mark, text): sections «1. », clauses «1.1. » and
    «1.1.1. », dash and lettered lists."""
    lines: list[tuple[bool, str, str]] = []

    def clause(entry: Clause, number: str) -> None:
        lines.append((False, f"{number} ", entry.text))
        lines.extend((False, LIST_MARK, item) for item in entry.dashes)
        lines.extend((False, f"{LETTER_MARKS[index]}) ", item)
                     for index, item in enumerate(entry.letters))
        for index, sub in enumerate(entry.clauses, 1):
            clause(sub, f"{number}{index}.")

    for section_number, section in enumerate(annex.sections, 1):
        lines.append((True, f"{section_number}. ", section.title))
        for index, entry in enumerate(section.clauses, 1):
            clause(entry, f"{section_number}.{index}.")
    return lines


def text_lines(annex: TextAnnex) -> list[dict[str, Any]]:
    """A text annex as Word paragraphs (see clause_lines)."""
    return [{"section": section, "text": rich(text, mark)}
            for section, mark, text in clause_lines(annex)]


@dataclass(frozen=True)
class Grid:
    """A table's cells as content declares them, for Word and for the web alike."""

    header: list[Cell]
    rows: list[list[Cell]]
    widths: list[float]


def table_cells(annex: TableAnnex) -> Grid:
    """A table annex's header, rows (a group is one cell across), totals and widths."""
    columns = annex.columns
    declared = [column.width for column in columns]
    header = [Cell(column.title, "center", bold=True) for column in columns]
    aligns = [column.align for column in columns]
    if annex.numbered:
        declared = [1.0, *declared]
        header = [Cell("№ п/п", "center", bold=True), *header]
        aligns = ["center", *aligns]
    rows: list[list[Cell]] = []
    number = 0
    for row in annex.rows:
        if isinstance(row, Group):
            rows.append([Cell(row.group, bold=True, span=len(header))])
            members = row.rows
        else:
            members = [row]
        for member in members:
            number += 1
            cells = cells_of(annex, member)
            if annex.numbered:
                cells = [f"{number}.", *cells]
            rows.append([Cell(text, align) for text, align in zip(cells, aligns, strict=True)])
    if annex.total is not None:
        offset = 1 if annex.numbered else 0
        first_total = next(index for index, column in enumerate(columns) if column.total)
        label_span = first_total + offset
        totals = [Cell(annex.total, "left", bold=True, span=label_span)] if label_span else []
        for index, column in enumerate(columns[first_total:], first_total):
            totals.append(Cell(total_of(annex, index) if column.total else "", column.align,
                               bold=True))
        rows.append(totals)
    return Grid(header, rows, tables.widths(declared))


def grid(annex: TableAnnex) -> Markup:
    """A table annex as a Word table: header repeated, groups merged across, totals."""
    cells = table_cells(annex)
    return tables.table(cells.header, cells.rows, cells.widths)


def members(annex: PeopleAnnex, registry: Registry) -> dict[str, Any]:
    """The template value «members»: a composition as rows, a role heading («Председатель
    комиссии:») and under it each person, «Фамилия Имя Отчество» and «— должность»."""
    rows: list[dict[str, Any]] = []
    for role in annex.roles:
        rows.append({"role": ru.typograph(role.role.rstrip(":") + ":"), "name": "",
                     "position": ""})
        for member in role.people:
            person = member.person
            name = full_name(person) if annex.names == "full" else \
                f"{surname(person, 'nominative')}{ru.NBSP}{person.initials}"
            text = member.position or position(person, "nominative", registry)
            rows.append({"role": "", "name": ru.typograph(name),
                         "position": ru.typograph(f"— {text}")})
    return {"members": rows}


def form_table(annex: FormAnnex) -> Markup:
    """A blank form's table: its columns, and blank rows tall enough to write in."""
    assert annex.table is not None
    columns = annex.table.columns
    declared = [column.width for column in columns]
    header = [Cell(column.title, "center", bold=True) for column in columns]
    if annex.table.numbered:
        declared = [1.0, *declared]
        header = [Cell("№ п/п", "center", bold=True), *header]
    rows = [[Cell(f"{index}." if annex.table.numbered and column == 0 else "\n", "center")
             for column in range(len(header))] for index in range(1, annex.table.rows + 1)]
    return tables.table(header, rows, tables.widths(declared))


FILTERS: dict[str, Callable[..., Any]] = {
    "numbered_items": numbered_items,
    "annex_mark": annex_mark,
    "annex_heading": annex_heading,
    "text_lines": text_lines,
    "grid": grid,
    "form_table": form_table,
}
