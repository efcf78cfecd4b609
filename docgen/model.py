"""The typed model of the content: registry, orders and their annexes."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


def _balanced_markup(text: str) -> str:
    """Check that every «**» that opens bold text also closes it."""
    if text.count("**") % 2:
        raise PydanticCustomError("unbalanced_bold", "непарная разметка «**»: жирный текст не закрыт")
    return text


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1),
                 AfterValidator(_balanced_markup)]


def _block(value: Any) -> str | list[str]:
    """A paragraph (text) or a dash list (a list of texts)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip():
        return _balanced_markup(value.strip())
    if isinstance(value, list) and value and all(
            isinstance(item, str) and item.strip() for item in value):
        return [_balanced_markup(item.strip()) for item in value]
    raise PydanticCustomError(
        "block", "ожидался абзац (непустой текст) или перечень (список непустых строк)")


Block = Annotated[str | list[str], PlainValidator(_block)]


def _no_full_stop(text: str) -> str:
    """Check that a heading does not end with a full stop, as GOST R 7.0.97 requires."""
    if text.endswith("."):
        raise PydanticCustomError("title_full_stop", "заголовок пишется без точки в конце")
    return text


Title = Annotated[Text, AfterValidator(_no_full_stop)]


class Case(StrEnum):
    """Grammatical cases the documents need."""

    NOMINATIVE = "nominative"
    GENITIVE = "genitive"
    DATIVE = "dative"


class Strict(BaseModel):
    """Base of content models: unknown fields are errors, numbers may stand for text."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class CaseForms(Strict):
    """Explicit forms in one case, for what the declension libraries get wrong."""

    surname: Text | None = None
    position: Text | None = None
    name: Text | None = None


class Person(Strict):
    """An official or a school head, stored once in the nominative."""

    id: str = ""
    surname: Text
    first_name: Text | None = None
    patronymic: Text | None = None
    initials: Annotated[str, StringConstraints(pattern=r"^([А-ЯЁ]\.){1,2}$")] | None = None
    gender: Literal["male", "female"]
    position: Text
    signature_position: Text | None = None
    phone: Text | None = None
    forms: dict[Case, CaseForms] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fill_initials(self) -> Person:
        if self.initials is None:
            if self.first_name is None:
                raise PydanticCustomError(
                    "initials_missing", "укажите initials (например, «И.Н.») или first_name")
            self.initials = "".join(f"{part[0]}." for part in (self.first_name, self.patronymic) if part)
        return self


class Group(Strict):
    """A group of addressees named as a whole, such as the heads of schools."""

    id: str = ""
    name: Text
    short_name: Text
    forms: dict[Case, CaseForms] = Field(default_factory=dict)


class Organization(Strict):
    """The administration or a school."""

    id: str = ""
    kind: Literal["administration", "school"]
    name: Text
    short_name: Text
    sample: bool = False


class OrganizationsFile(Strict):
    """content/registry/organizations.yaml."""

    organizations: dict[Id, Organization]


class PeopleFile(Strict):
    """content/registry/people.yaml."""

    people: dict[Id, Person]
    groups: dict[Id, Group] = Field(default_factory=dict)


class Registry(BaseModel):
    """Everything that content refers to by id."""

    organizations: dict[str, Organization]
    people: dict[str, Person]
    groups: dict[str, Group]


def _closest(value: str, known: list[str]) -> str:
    """A hint naming the known id closest to `value`, if any is close."""
    match = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    return f"; возможно, имелось в виду «{match[0]}»" if match else ""


def _reference(table_name: str, what: str):
    """A validator that turns an id into the registry entry it names."""

    def lookup(value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            raise PydanticCustomError("id_type", "ожидался идентификатор из реестра")
        registry: Registry = info.context["registry"]
        tables = [getattr(registry, name) for name in table_name.split("|")]
        for table in tables:
            if value in table:
                return table[value]
        known = [key for table in tables for key in table]
        raise PydanticCustomError(
            "unknown_id", "неизвестный идентификатор {what} «{value}»{hint}",
            {"what": what, "value": value, "hint": _closest(value, known)})

    return BeforeValidator(lookup)


PersonRef = Annotated[Person, _reference("people", "человека")]
OrganizationRef = Annotated[Organization, _reference("organizations", "организации")]
AddresseeRef = Annotated[Person | Group, _reference("people|groups", "адресата")]


class Resolution(Strict):
    """One numbered item after «ПРИКАЗЫВАЮ:»; numbers are given by the pipeline."""

    to: list[AddresseeRef] = Field(default_factory=list)
    text: Text | None = None
    actions: list[Text] = Field(default_factory=list)
    annex: Id | None = None

    @model_validator(mode="after")
    def _has_content(self) -> Resolution:
        if not self.to and self.text is None:
            raise PydanticCustomError("resolution_empty", "пункт должен содержать text или to")
        if self.to and not self.actions:
            raise PydanticCustomError("resolution_no_actions",
                                      "пункт с исполнителями (to) должен содержать actions")
        return self


def _deadline(value: Any) -> dt.date | str:
    """A deadline: a calendar date, or words such as «Сентябрь» or «Постоянно»."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise PydanticCustomError("impossible_date", "даты «{value}» нет в календаре",
                                      {"value": value})
        return value.strip()
    raise PydanticCustomError(
        "deadline", "ожидалась дата (ГГГГ-ММ-ДД) или срок словами, например «Сентябрь»")


Deadline = Annotated[dt.date | str, PlainValidator(_deadline)]


class Activity(Strict):
    """One activity of the roadmap."""

    id: Id | None = None
    text: Text
    deadline: Deadline
    responsible: list[AddresseeRef] = Field(min_length=1)


class Direction(Strict):
    """A direction of the roadmap spanning several activities."""

    id: Id
    title: Text
    activities: list[Activity] = Field(min_length=1)


class RoadmapAnnex(Strict):
    """An annex holding a roadmap: goal, tasks and the table of activities."""

    id: Id
    kind: Literal["roadmap"]
    title: Title
    intro: list[Block] = Field(default_factory=list)
    directions_heading: Text | None = None
    table_title: Title
    directions: list[Direction] = Field(min_length=1)


class Order(Strict):
    """An order (приказ) of the administration."""

    number: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9А-Яа-яЁё/-]+$")]
    date: dt.date
    place: Text
    issuer: OrganizationRef
    title: Title
    keywords: list[Text] = Field(default_factory=list)
    preamble: list[Block] = Field(default_factory=list)
    resolutions: list[Resolution] = Field(min_length=1)
    signatory: PersonRef
    annexes: list[Annotated[str, StringConstraints(pattern=r"^[\w.-]+\.yaml$")]] = Field(
        default_factory=list)



class OrderBundle(BaseModel):
    """An order with its annexes, numbered in the order they are listed."""

    slug: str
    order: Order
    annexes: list[RoadmapAnnex]

    def annex_number(self, annex_id: str) -> int:
        """Number of the annex with `annex_id`, from 1."""
        return next(i for i, annex in enumerate(self.annexes, 1) if annex.id == annex_id)


class Project(BaseModel):
    """All content of a docgen project."""

    registry: Registry
    orders: list[OrderBundle]
