"""The built-in kinds of annexes beyond the roadmap: text, table, people and form."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainValidator
from pydantic_core import PydanticCustomError

from .model import Annex, Block, Id, PersonRef, Strict, Text, Title, text_shorthand

Align = Literal["left", "center", "right"]
TEXT_WIDTH_CM = 17.0  # A4 less GOST margins of 30 and 10 mm
MIN_FREE_WIDTH_CM = 1.5  # the least a column without a declared width gets


class Clause(Strict):
    """A clause of a text annex, numbered «1.1.» by the pipeline, with what hangs from it."""

    text: Text
    dashes: list[Text] = Field(default_factory=list, alias="list")  # a dash list under it
    letters: list[Text] = Field(default_factory=list, max_length=28)  # а), б) … э), ю), я)
    clauses: list[ClauseEntry] = Field(default_factory=list)  # sub-clauses «1.1.1.»


ClauseEntry = Annotated[Clause, BeforeValidator(text_shorthand)]


class Section(Strict):
    """A section of a text annex: «1. Общие положения» and its clauses."""

    title: Title
    clauses: list[ClauseEntry] = Field(min_length=1)


class TextAnnex(Annex):
    """A Положение, Порядок, Регламент or Правила: sections of numbered clauses."""

    kind: Literal["text"]
    intro: list[Block] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)


class Column(Strict):
    """A column of a table annex: its heading, and how its cells are laid out."""

    title: Text
    key: Id | None = None  # the row field this column shows, when rows are written as fields
    width: float | None = Field(default=None, gt=0.3, le=30)  # centimetres
    align: Align = "left"
    total: bool = False  # summed in the totals row


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        raise PydanticCustomError("cell", "ожидался текст или число в ячейке")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise PydanticCustomError("cell", "ожидался текст или число в ячейке")


Cell = Annotated[str, PlainValidator(_cell)]


class Group(Strict):
    """A group of rows under a heading that spans the whole table."""

    group: Text
    rows: list[list[Cell] | dict[Id, Cell]] = Field(min_length=1)


Row = Group | list[Cell] | dict[Id, Cell]


class TableAnnex(Annex):
    """A table declared in the content: columns, rows, groups, row numbers and totals."""

    kind: Literal["table"]
    intro: list[Block] = Field(default_factory=list)
    columns: list[Column] = Field(min_length=1)
    numbered: bool = False  # a «№ п/п» column numbered by the pipeline
    rows: list[Row] = Field(min_length=1)
    total: Text | None = None  # the label of a totals row, such as «Итого»
    notes: list[Block] = Field(default_factory=list)


class Member(Strict):
    """A person of a composition, with their position as the registry gives it or as written."""

    person: PersonRef
    position: Text | None = None


def _member_shorthand(value: Any) -> Any:
    return {"person": value} if isinstance(value, str) else value


class Role(Strict):
    """A role in a composition («Председатель комиссии») and who holds it."""

    role: Text
    people: list[Annotated[Member, BeforeValidator(_member_shorthand)]] = Field(min_length=1)


class PeopleAnnex(Annex):
    """A composition of a commission, jury or working group."""

    kind: Literal["people"]
    names: Literal["full", "initials"] = "full"
    roles: list[Role] = Field(min_length=1)


class FormField(Strict):
    """A labelled line of a blank form, with room to write."""

    label: Text
    lines: int = Field(default=1, ge=1, le=10)


class FormTable(Strict):
    """A table of a blank form with blank rows to fill in."""

    columns: list[Annotated[Column, BeforeValidator(lambda v: {"title": v} if isinstance(
        v, str) else v)]] = Field(min_length=1)
    rows: int = Field(default=3, ge=1, le=50)
    numbered: bool = True


class FormAnnex(Annex):
    """A blank form: labelled lines, a table of blank rows, signature and date lines."""

    kind: Literal["form"]
    subtitle: Text | None = None
    intro: list[Block] = Field(default_factory=list)
    fields: list[Annotated[FormField, BeforeValidator(lambda v: {"label": v} if isinstance(
        v, str) else v)]] = Field(default_factory=list)
    table: FormTable | None = None
    signature: list[Text] = Field(default_factory=lambda: ["Руководитель"])
    date_line: bool = True


def _table_problems(annex: TableAnnex) -> list[tuple[tuple[str | int, ...], str]]:
    """Rows whose cells do not match the declared columns."""
    width = len(annex.columns)
    keys = {column.key for column in annex.columns if column.key}
    problems: list[tuple[tuple[str | int, ...], str]] = []

    def check(row: Any, loc: tuple[str | int, ...]) -> None:
        if isinstance(row, list) and len(row) != width:
            problems.append((loc, f"в строке {len(row)} ячеек, а столбцов {width}"))
        elif isinstance(row, dict):
            unknown = sorted(set(row) - keys)
            if unknown:
                problems.append((loc, "нет столбца с key: " + ", ".join(
                    f"«{key}»" for key in unknown)))

    for index, row in enumerate(annex.rows):
        if isinstance(row, Group):
            for inner, member in enumerate(row.rows):
                check(member, ("rows", index, "rows", inner))
        else:
            check(row, ("rows", index))
    problems += _width_problems(annex.columns, annex.numbered, ("columns",))
    if annex.total is not None and not any(column.total for column in annex.columns):
        problems.append((("total",), "строка итогов задана, но ни у одного столбца нет "
                                     "total: true"))
    for index, column in enumerate(annex.columns):
        if column.total:
            for value in _column_values(annex, index):
                if value and _number(value) is None:
                    problems.append((("columns", index, "total"),
                                     f"в столбце «{column.title}» есть не число: «{value}»"))
                    break
    return problems


def _width_problems(columns: list[Column], numbered: bool,
                    loc: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    """Columns that do not fit the page between its margins."""
    needed = sum(column.width or MIN_FREE_WIDTH_CM for column in columns) + (
        1 if numbered else 0)
    if needed <= TEXT_WIDTH_CM:
        return []
    return [(loc, f"столбцы шире страницы: {needed:g} см при ширине текста {TEXT_WIDTH_CM:g} "
                  f"см (столбцу без width — не меньше {MIN_FREE_WIDTH_CM:g} см)")]


def _column_values(annex: TableAnnex, index: int) -> list[str]:
    """Every cell of the index-th column."""
    return [cells[index] if index < len(cells) else "" for cells in row_cells(annex)]


def row_cells(annex: TableAnnex) -> list[list[str]]:
    """The cells of every data row, in column order."""
    rows: list[list[str]] = []
    for row in annex.rows:
        for member in (row.rows if isinstance(row, Group) else [row]):
            rows.append(cells_of(annex, member))
    return rows


def cells_of(annex: TableAnnex, row: list[str] | dict[str, str]) -> list[str]:
    """A row's cells in column order; a row written as fields leaves missing ones empty."""
    if isinstance(row, dict):
        return [row.get(column.key or "", "") for column in annex.columns]
    return list(row)


def _number(text: str) -> float | None:
    try:
        return float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except ValueError:
        return None


def total_of(annex: TableAnnex, index: int) -> str:
    """The sum of the index-th column, written as its cells are («1,5» or «3»)."""
    values = [_number(value) for value in _column_values(annex, index) if value]
    total = sum(value for value in values if value is not None)
    text = f"{total:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def problems_of(annex: Annex) -> list[tuple[tuple[str | int, ...], str]]:
    """What the model alone cannot say about an annex: located messages."""
    if isinstance(annex, TableAnnex):
        return _table_problems(annex)
    if isinstance(annex, FormAnnex) and annex.table is not None:
        return _width_problems(annex.table.columns, annex.table.numbered, ("table", "columns"))
    return []
