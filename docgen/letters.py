"""Letters in general: to people, organisations, groups or a filter of schools, one per
recipient when merged, with annexes of any annex kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import ru
from .kinds import ACTS
from .model import (
    Activity,
    Annex,
    Block,
    Efficiency,
    Group,
    Id,
    Order,
    Organization,
    OrganizationRef,
    OutgoingNumber,
    Person,
    PersonRef,
    Registry,
    Strict,
    Text,
    Title,
    look_up,
)
from .references import group_name, position, surname

AnnexFile = Annotated[str, StringConstraints(pattern=r"^[\w.-]+\.yaml$")]


class SchoolFilter(Strict):
    """Schools chosen by what the registry says of them; empty means every school."""

    efficiency: list[Efficiency] = Field(default_factory=list)


class RecipientFilter(Strict):
    """A filter in place of named recipients: «schools: {efficiency: [high]}»."""

    schools: SchoolFilter


def _recipient(value: Any, info: ValidationInfo) -> Any:
    """A registry id (person, organisation, group) or a filter such as «schools: {…}»."""
    if isinstance(value, dict):
        try:
            return RecipientFilter.model_validate(value, context=info.context)
        except ValidationError:
            raise PydanticCustomError(
                "recipient_filter", "ожидался фильтр вида «schools: {efficiency: [high, "
                "above-average]}»; уровни: high, above-average, average, below-average, "
                "low") from None
    return look_up("people|organizations|groups", "адресата", value, info)


# RecipientFilter, Person, Organization or Group; serialized as whatever it turned out to be
RecipientEntry = Annotated[Any, PlainValidator(_recipient)]


class Basis(Strict):
    """The act a letter is written to carry out, and the roadmap activity, if any."""

    act: Annotated[str, StringConstraints(pattern=r"^[0-9a-z][0-9a-z-]*$")]
    activity: Id | None = None


class GeneralLetter(Strict):
    """content/letters/<slug>/letter.yaml: an outgoing letter."""

    kind: Literal["letter"] = "letter"
    number: OutgoingNumber
    date: dt.date
    issuer: OrganizationRef | None = None  # the administration when not named
    to: list[RecipientEntry] = Field(min_length=1)
    merge: bool = True  # a letter for each recipient; false: one letter to all of them
    title: Title
    basis: Basis | None = None
    salutation: bool = True
    text: list[Block] = Field(min_length=1)
    deadline: dt.date | None = None
    deadline_text: Text | None = None  # the sentence with the place of the date: {deadline}
    annexes: list[AnnexFile] = Field(default_factory=list)
    signatory: PersonRef
    executor: PersonRef | None = None

    @model_validator(mode="after")
    def _deadline_sentence(self) -> GeneralLetter:
        if self.deadline is not None and self.deadline_text is None:
            raise PydanticCustomError("deadline_text", "у срока (deadline) должно быть "
                                      "предложение deadline_text с местом срока {deadline}")
        if self.deadline_text is not None and self.deadline_text.count("{deadline}") != 1:
            raise PydanticCustomError("deadline_mark", "укажите место срока в deadline_text "
                                      "ровно один раз: {deadline}")
        return self


class LetterBundle(BaseModel):
    """A letter and its annexes, numbered in the order they are listed."""

    slug: str
    letter: GeneralLetter
    annexes: list[Annex]


@dataclass(frozen=True)
class Recipient:
    """Whom one copy of a letter goes to: an id naming its folder, the addressee lines
    top right, and the salutation."""

    id: str
    lines: tuple[str, ...]
    salutation: str = ""

    def view(self) -> dict[str, Any]:
        """The template's «recipient»."""
        return {"id": self.id, "lines": list(self.lines), "salutation": self.salutation}


def salutation(person: Person) -> str:
    """«Уважаемая Ольга Петровна!», or nothing when the given names are unknown."""
    if not (person.first_name and person.patronymic):
        return ""
    dear = "Уважаемая" if person.gender == "female" else "Уважаемый"
    return f"{dear} {person.first_name} {person.patronymic}!"


def _person_lines(person: Person, registry: Registry) -> tuple[str, ...]:
    organization = registry.organization_of(person)
    own = ru.capfirst(position(person, "dative"))
    name = f"{person.initials}{ru.NBSP}{surname(person, 'dative')}"
    if organization is not None and organization.short_name not in person.position:
        return (own, organization.short_name, name)
    return (own, name)


def recipient_of_school(school: Organization, registry: Registry) -> Recipient:
    """A school as its head sees it: «Директору / МБОУ СОШ № 5 / А.В. Черных»."""
    assert school.head is not None
    return Recipient(school.id, _person_lines(school.head, registry), salutation(school.head))


def recipients(entries: list[Any], registry: Registry) -> list[Recipient]:
    """Every recipient the entries name, each once, in the order given."""
    found: dict[str, Recipient] = {}
    for entry in entries:
        if isinstance(entry, RecipientFilter):
            wanted = set(entry.schools.efficiency)
            for school in registry.schools():
                if not wanted or school.efficiency in wanted:
                    found.setdefault(school.id, recipient_of_school(school, registry))
        elif isinstance(entry, Organization) and entry.head is not None:
            found.setdefault(entry.id, recipient_of_school(entry, registry))
        elif isinstance(entry, Organization):
            found.setdefault(entry.id, Recipient(entry.id, (ru.capfirst(
                ru.inflect_phrase(entry.name, "dative")),)))
        elif isinstance(entry, Group):
            found.setdefault(entry.id, Recipient(entry.id, (ru.capfirst(
                group_name(entry, "dative")),)))
        else:
            found.setdefault(entry.id, Recipient(entry.id, _person_lines(entry, registry),
                                                 salutation(entry)))
    return list(found.values())


def basis_sentence(act: Order, activity: Activity | None) -> str:
    """«Во исполнение приказа … от … № … «…» (план мероприятий …) сообщаем следующее.»"""
    noun = ACTS[act.kind].noun_in("genitive")
    issuer = ru.inflect_phrase(act.issuer.short_name, "genitive")
    text = f"Во исполнение {noun} {issuer} {ru.dated(act.date, act.number)} «{act.title}»"
    if activity is not None:
        text += f" (план мероприятий «дорожная карта», мероприятие «{activity.text}»)"
    return ru.typograph(text + " сообщаем следующее.")


def reminder_sentence(letter: Any) -> str:
    """«Напоминаем, что письмом от … № … «…» запрошены сведения …»: what a reminder is about."""
    return ru.typograph(
        f"Напоминаем, что письмом {ru.dated(letter.date, letter.number)} "
        f"«{letter.title}» у Вашей образовательной организации запрошены сведения в срок до "
        f"{ru.date_long(letter.deadline)}; ответ от Вашей организации не поступил.")
