"""The typed model of the content: registry, orders and their annexes."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import threading
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import suggestion

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
    ACCUSATIVE = "accusative"
    INSTRUMENTAL = "instrumental"
    PREPOSITIONAL = "prepositional"


class ReadLog:
    """The fields of content models read while a document renders (see dependencies.py).

    A log is open in one thread at a time and notes only that thread's reads: another
    thread reading the same models meanwhile (a converter's stamping thread, a preview
    server) neither adds to it nor sees it.
    """

    WHOLE = "*"
    # what reads a model whole: its dictionary, dumps and copies, iteration, comparison
    _WHOLE_READS = frozenset({"__dict__", "model_dump", "model_dump_json", "model_copy",
                              "__getstate__", "__iter__", "__eq__", "model_fields_set"})

    def __init__(self) -> None:
        self.reads: dict[int, set[str]] | None = None  # the open log, if any
        self._owner: int | None = None  # the thread it is open in
        self._fields: dict[type[BaseModel], frozenset[str]] = {}  # each model's field names

    @contextlib.contextmanager
    def open(self) -> Iterator[dict[int, set[str]]]:
        """Log this thread's reads until the block ends; yields ids of models and the
        fields read."""
        if self.reads is not None:
            raise RuntimeError("a read log is already open")
        self._owner = threading.get_ident()
        self.reads = {}
        try:
            yield self.reads
        finally:
            self.reads, self._owner = None, None

    def note(self, model: BaseModel, name: str) -> None:
        """Note that `model`'s `name` was read, if by the thread the log is open in."""
        reads = self.reads
        if reads is None or threading.get_ident() != self._owner:
            return
        kind = type(model)
        fields = self._fields.get(kind)
        if fields is None:  # model_fields is a property: looked up once per model, not per read
            fields = self._fields[kind] = frozenset(kind.model_fields)
        if name in fields:
            reads.setdefault(id(model), set()).add(name)
        elif name in self._WHOLE_READS:
            reads.setdefault(id(model), set()).add(self.WHOLE)


READS = ReadLog()


class Strict(BaseModel):
    """Base of content models: unknown fields are errors, numbers may stand for text.

    While READS is open, each field read is noted in it.
    """

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    def __getattribute__(self, name: str) -> Any:
        if READS.reads is not None:
            READS.note(self, name)
        return object.__getattribute__(self, name)


class CaseForms(Strict):
    """Explicit forms in one case, for what the declension libraries get wrong."""

    surname: Text | None = None
    first_name: Text | None = None
    patronymic: Text | None = None
    position: Text | None = None
    name: Text | None = None


class Named(Strict):
    """Someone with a name: surname, given names or initials, and gender for declension."""

    id: str = ""
    surname: Text
    first_name: Text | None = None
    patronymic: Text | None = None
    initials: Annotated[str, StringConstraints(pattern=r"^([А-ЯЁ]\.){1,2}$")] | None = None
    gender: Literal["male", "female"]
    forms: dict[Case, CaseForms] = Field(default_factory=dict)
    sample: bool = False

    @model_validator(mode="after")
    def _fill_initials(self) -> Named:
        if self.initials is None:
            if self.first_name is None:
                raise PydanticCustomError(
                    "initials_missing", "укажите initials (например, «И.Н.») или first_name")
            self.initials = "".join(f"{part[0]}." for part in (self.first_name, self.patronymic)
                                    if part)
        return self

    @property
    def full_name(self) -> str:
        """«Зайцева Марина Викторовна», or surname and initials when names are unknown."""
        names = [part for part in (self.first_name, self.patronymic) if part]
        return " ".join([self.surname, *names]) if names else f"{self.surname} {self.initials}"


class Person(Named):
    """An official, a school head or a mentor, stored once in the nominative."""

    position: Text
    organization: Id | None = None
    signature_position: Text | None = None
    phone: Text | None = None
    email: Text | None = None


class Group(Strict):
    """A group of addressees named as a whole, such as the heads of schools."""

    id: str = ""
    name: Text
    short_name: Text
    forms: dict[Case, CaseForms] = Field(default_factory=dict)


class Efficiency(StrEnum):
    """A school head's efficiency level by the regional monitoring."""

    HIGH = "high"
    ABOVE_AVERAGE = "above-average"
    AVERAGE = "average"
    BELOW_AVERAGE = "below-average"
    LOW = "low"


class PeopleFile(Strict):
    """content/registry/people.yaml."""

    people: dict[Id, Person]
    groups: dict[Id, Group] = Field(default_factory=dict)


class Registry(BaseModel):
    """Everything that content refers to by id."""

    organizations: dict[str, Organization] = Field(default_factory=dict)
    people: dict[str, Person]
    groups: dict[str, Group]
    candidates: dict[str, Candidate] = Field(default_factory=dict)
    _headed: dict[str, Organization] | None = PrivateAttr(default=None)  # by the head's id

    def schools(self) -> list[Organization]:
        """The schools, in the registry's order."""
        return [org for org in self.organizations.values() if org.kind == "school"]

    def administration(self) -> Organization:
        """The administration that issues acts and letters unless they name another."""
        return next(org for org in self.organizations.values() if org.kind == "administration")

    def organization_of(self, person: Person) -> Organization | None:
        """The organisation the person works in: named in the registry, or the one they head."""
        if person.organization is not None:
            return self.organizations.get(person.organization)
        if self._headed is None:
            self._headed = {org.head.id: org for org in reversed(self.organizations.values())
                            if org.head is not None}
        return self._headed.get(person.id)


def registry_reference(table_name: str, what: str) -> BeforeValidator:
    """A validator that turns an id into the registry entry it names (one of the tables
    `table_name` lists, separated by «|»), naming it as `what` when it is not there."""
    return BeforeValidator(functools.partial(look_up, table_name, what))


def look_up(table_name: str, what: str, value: Any, info: ValidationInfo) -> Any:
    """The registry entry `value` names; a located error if it names none."""
    if not isinstance(value, str):
        raise PydanticCustomError("id_type", "ожидался идентификатор из реестра")
    assert info.context is not None, "validated without the registry in its context"
    registry: Registry = info.context["registry"]
    tables = [getattr(registry, name) for name in table_name.split("|")]
    for table in tables:
        if value in table:
            return table[value]
    known = [key for table in tables for key in table]
    raise PydanticCustomError(
        "unknown_id", "неизвестный идентификатор {what} «{value}»{hint}",
        {"what": what, "value": value, "hint": suggestion(value, known)})


PersonRef = Annotated[Person, registry_reference("people", "человека")]


class Organization(Strict):
    """The administration or a school; schools have a head and an efficiency level."""

    id: str = ""
    kind: Literal["administration", "school"]
    name: Text
    short_name: Text
    head: PersonRef | None = None
    email: Text | None = None
    phone: Text | None = None
    address: Text | None = None
    efficiency: Efficiency | None = None
    sample: bool = False

    @model_validator(mode="after")
    def _school_has_head(self) -> Organization:
        if self.kind == "school" and (self.head is None or self.email is None):
            raise PydanticCustomError("school_head", "у школы должны быть указаны head и email")
        return self


class OrganizationsFile(Strict):
    """content/registry/organizations.yaml."""

    organizations: dict[Id, Organization]



OrganizationRef = Annotated[Organization, registry_reference("organizations", "организации")]
AddresseeRef = Annotated[Person | Group, registry_reference("people|groups", "адресата")]


def text_shorthand(value: Any) -> Any:
    """A plain string stands for an entry with only its text."""
    return {"text": value} if isinstance(value, (str, int, float)) and not isinstance(
        value, bool) else value


class Resolution(Strict):
    """One numbered item of an act; sub-items are numbered 1.1, 1.1.1 by the pipeline."""

    to: list[AddresseeRef] = Field(default_factory=list)
    text: Text | None = None
    actions: list[Text] = Field(default_factory=list)
    items: list[Annotated[Resolution, BeforeValidator(text_shorthand)]] = Field(
        default_factory=list)
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
    """One activity of the roadmap, with the kinds of documents it produces."""

    id: Id | None = None
    text: Text
    deadline: Deadline
    responsible: list[AddresseeRef] = Field(min_length=1)
    produces: list[Id] = Field(default_factory=list)  # kinds of documents, see kinds.py
    _where: tuple[Path, int, int] | None = PrivateAttr(default=None)


class Direction(Strict):
    """A direction of the roadmap spanning several activities."""

    id: Id
    title: Text
    activities: list[Activity] = Field(min_length=1)


class Annex(Strict):
    """What every annex has: an id items refer to, a kind, a title, and how it is marked."""

    id: Id
    kind: Id
    title: Title
    approved: bool = False  # the grif «УТВЕРЖДЕНО приказом …» instead of «Приложение № N к …»
    document: Text | None = None  # «Положение», «Порядок», «Состав»: the word above the title


class RoadmapAnnex(Annex):
    """An annex holding a roadmap: goal, tasks and the table of activities."""

    kind: Literal["roadmap"]
    intro: list[Block] = Field(default_factory=list)
    directions_heading: Text | None = None
    table_title: Title
    directions: list[Direction] = Field(min_length=1)


ActKindName = Literal["order", "directive", "decree"]


class Order(Strict):
    """An administrative act: приказ (order), распоряжение (directive), постановление (decree)."""

    kind: ActKindName = "order"
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
    publish: bool = False  # put on the public website by docgen publish once issued



def _one_deadline_mark(text: str) -> str:
    """Check that the sentence names the place of the deadline once, as «{deadline}»."""
    if text.count("{deadline}") != 1:
        raise PydanticCustomError(
            "deadline_mark", "укажите место срока в тексте ровно один раз: {mark}",
            {"mark": "{deadline}"})
    return text


OutgoingNumber = Annotated[str, StringConstraints(strip_whitespace=True,
                                                 pattern=r"^[0-9А-Яа-яЁё/.-]+$")]


class Letter(Strict):
    """An outgoing letter to schools: one number and date, a copy for each school."""

    number: OutgoingNumber
    date: dt.date
    deadline: dt.date
    title: Title
    text: list[Block] = Field(min_length=1)
    deadline_text: Annotated[Text, AfterValidator(_one_deadline_mark)]
    signatory: PersonRef
    executor: PersonRef
    activity: Id | None = None

    @model_validator(mode="after")
    def _executor_has_phone(self) -> Letter:
        if self.executor.phone is None:
            raise PydanticCustomError(
                "executor_phone", "у исполнителя письма должен быть телефон (phone) в реестре")
        return self


class NominationRequest(Letter):
    """The request to every school for nominees, with its response form."""

    form_title: Title
    blank_rows: int = Field(default=3, ge=0, le=30)


class BestPracticeRequest(Letter):
    """The request for best-practice plans to the schools of the given efficiency levels."""

    efficiency: list[Efficiency] = Field(min_length=1)


class ReserveList(Strict):
    """The reserve list of included candidates, approved by the head of the administration."""

    title: Title
    date: dt.date
    approver: PersonRef


class Campaign(Strict):
    """content/orders/<order>/campaign.yaml: the documents the roadmap sets in motion."""

    nomination_request: NominationRequest
    nomination_reminder: Letter | None = None  # to the schools that nominated nobody
    best_practice_request: BestPracticeRequest | None = None
    reserve_list: ReserveList | None = None


class CandidateStatus(StrEnum):
    """Where a candidate stands in the campaign."""

    NOMINATED = "nominated"
    INTERVIEWED = "interviewed"
    INCLUDED = "included"
    DECLINED = "declined"


Years = Annotated[int, Field(ge=0, le=60)]


class Candidate(Named):
    """A teacher nominated for the reserve of school heads (personal data)."""

    school: OrganizationRef
    position: Text
    education: Text
    teaching_experience: Years
    management_experience: Years
    training: Text | None = None
    reason: Text | None = None  # why the school nominates the candidate
    status: CandidateStatus
    mentor: PersonRef | None = None
    received: dt.date | None = None  # when the school's form naming the candidate came in

    @model_validator(mode="after")
    def _consistent(self) -> Candidate:
        if self.school.kind != "school":
            raise PydanticCustomError("not_a_school", "school должен ссылаться на школу")
        if self.status == CandidateStatus.INCLUDED and self.mentor is None:
            raise PydanticCustomError("mentor_missing",
                                      "у кандидата, включённого в резерв, должен быть mentor")
        return self


class CandidatesFile(Strict):
    """content/reserve/candidates.yaml."""

    candidates: dict[Id, Candidate]


CandidateRef = Annotated[Candidate, registry_reference("candidates", "кандидата")]


class Criterion(Strict):
    """An interview criterion and its highest score."""

    id: Id
    name: Text
    max: int = Field(ge=1, le=100)


class Commission(Strict):
    """The interview commission."""

    chair: PersonRef
    secretary: PersonRef
    members: list[PersonRef] = Field(default_factory=list)


Registry.model_rebuild()


class Interview(Strict):
    """One interview with a candidate, which gets its own protocol."""

    number: OutgoingNumber
    candidate: CandidateRef
    date: dt.date
    scores: dict[Id, Annotated[int, Field(ge=0)]]
    recommendation: Text
    decision: Literal["included", "declined"] | None = None


class InterviewsFile(Strict):
    """content/reserve/interviews.yaml."""

    place: Text
    commission: Commission
    criteria: list[Criterion] = Field(min_length=1)
    interviews: list[Interview] = Field(default_factory=list)

    def total(self, interview: Interview) -> int:
        """The interview's total score."""
        return sum(interview.scores.values())

    def maximum(self) -> int:
        """The highest total score possible."""
        return sum(criterion.max for criterion in self.criteria)


class PlanActivity(Strict):
    """An activity of an individual plan."""

    text: Text
    deadline: Deadline
    report: Text


class PlanSection(Strict):
    """A section of the individual plan, following a direction of the roadmap."""

    id: Id
    direction: Id
    title: Text
    activities: list[PlanActivity] = Field(min_length=1)


class PlanAddition(PlanActivity):
    """An activity one candidate's plan has beyond the common ones."""

    section: Id


class PlansFile(Strict):
    """content/reserve/plans.yaml: the individual plan every included candidate gets."""

    title: Title
    period: Text
    date: dt.date
    approver: PersonRef
    sections: list[PlanSection] = Field(min_length=1)
    additions: dict[Id, list[PlanAddition]] = Field(default_factory=dict)


class Reserve(BaseModel):
    """The personnel reserve: candidates, their interviews and the plan they follow."""

    candidates: dict[str, Candidate]
    interviews: InterviewsFile
    plans: PlansFile
    _by_candidate: dict[str, list[Interview]] | None = PrivateAttr(default=None)

    def interviews_of(self, candidate: Candidate) -> list[Interview]:
        """The candidate's interviews, oldest first."""
        if self._by_candidate is None:
            self._by_candidate = {}
            for interview in sorted(self.interviews.interviews, key=lambda i: i.date):
                self._by_candidate.setdefault(interview.candidate.id, []).append(interview)
        return self._by_candidate.get(candidate.id, [])

    def included(self) -> list[Candidate]:
        """Candidates included in the reserve."""
        return [c for c in self.candidates.values() if c.status == CandidateStatus.INCLUDED]

    def sections_for(self, candidate: Candidate) -> list[PlanSection]:
        """The candidate's plan: the common sections with the candidate's additions."""
        additions = self.plans.additions.get(candidate.id, [])
        return [section.model_copy(update={"activities": section.activities + [
                    PlanActivity(text=a.text, deadline=a.deadline, report=a.report)
                    for a in additions if a.section == section.id]})
                for section in self.plans.sections]


OrderSlug = Annotated[str, StringConstraints(pattern=r"^[0-9a-z][0-9a-z-]*$")]


class Amendment(Strict):
    """content/orders/<order>/amendment.yaml: an order setting out annexes in new wording."""

    kind: ActKindName = "order"
    number: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9А-Яа-яЁё/-]+$")]
    date: dt.date
    place: Text
    issuer: OrganizationRef
    amends: OrderSlug
    annexes: list[Id] = Field(min_length=1)
    reason: Text
    signatory: PersonRef
    keywords: list[Text] = Field(default_factory=list)


class AmendmentBundle(BaseModel):
    """An amending order and the folder it lives in."""

    slug: str
    amendment: Amendment


Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class ActivityControl(Strict):
    """What the clerk records about one activity: when it was done, and a note."""

    done: dt.date | None = None
    note: Text | None = None


class Control(Strict):
    """content/orders/<act>/control.yaml: control of the execution of the act's roadmap."""

    roadmap: Id | None = None  # the roadmap annex's id; may be left out when there is one
    reports: list[dt.date] = Field(default_factory=list)  # dates of the справки to build
    executor: PersonRef
    activities: dict[Id, ActivityControl] = Field(default_factory=dict)


class Dispatched(Strict):
    """One message of the dispatch journal content/dispatch.yaml (written by docgen send)."""

    to: str
    address: str
    document: str
    sha256: Sha256
    message_id: str
    sent: str  # «2022-09-01 10:15:00 UTC»

    @property
    def sent_on(self) -> dt.date:
        """The day the message went out."""
        return dt.date.fromisoformat(self.sent[:10])


class DispatchJournal(Strict):
    """content/dispatch.yaml."""

    sent: list[Dispatched] = Field(default_factory=list)


class OrderBundle(BaseModel):
    """An act with its annexes, numbered in the order they are listed, and its campaign."""

    slug: str
    order: Order
    annexes: list[Annex]
    campaign: Campaign | None = None
    control: Control | None = None

    def roadmaps(self) -> list[RoadmapAnnex]:
        """The annexes that hold a roadmap."""
        return [annex for annex in self.annexes if isinstance(annex, RoadmapAnnex)]

    def activities(self) -> dict[str, Activity]:
        """The roadmap activities that have ids, by id."""
        return {activity.id: activity for annex in self.roadmaps()
                for direction in annex.directions
                for activity in direction.activities if activity.id}

    def directions(self) -> dict[str, Direction]:
        """The roadmap directions, by id."""
        return {direction.id: direction for annex in self.roadmaps()
                for direction in annex.directions}


class DocumentBundle(BaseModel):
    """A document of a custom kind, from content/documents/<slug>.yaml."""

    slug: str
    document: Strict


class Project(BaseModel):
    """All content of a docgen project, with the kinds it is written in (see kinds.py)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    registry: Registry
    orders: list[OrderBundle]
    reserve: Reserve | None = None
    amendments: list[AmendmentBundle] = Field(default_factory=list)
    documents: list[DocumentBundle] = Field(default_factory=list)
    letters: list[Any] = Field(default_factory=list)  # letters.LetterBundle
    dispatch: list[Dispatched] = Field(default_factory=list)
    kinds: dict[str, Any] = Field(default_factory=dict)

    def amendments_of(self, slug: str, annex_id: str) -> list[AmendmentBundle]:
        """The amending orders that set out an annex of an order in new wording, oldest first."""
        return sorted((a for a in self.amendments
                       if a.amendment.amends == slug and annex_id in a.amendment.annexes),
                      key=lambda bundle: (bundle.amendment.date, bundle.amendment.number))



class Edition(Strict):
    """One issued edition of a document, as the issue register records it."""

    document: str
    edition: int = Field(ge=1)
    issued: dt.date
    commit: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
    tag: str
    docx_sha256: Sha256
    pdf_sha256: Sha256


class Register(Strict):
    """content/register.yaml, the issue register (журнал регистрации)."""

    editions: list[Edition] = Field(default_factory=list)

    def of(self, document: str) -> list[Edition]:
        """The document's editions, oldest first."""
        return sorted((e for e in self.editions if e.document == document),
                      key=lambda edition: edition.edition)

    def find(self, sha256: str) -> tuple[Edition, str] | None:
        """The edition whose DOCX or PDF has this hash, and which of the two it is."""
        for edition in self.editions:
            if sha256 == edition.docx_sha256:
                return edition, "docx"
            if sha256 == edition.pdf_sha256:
                return edition, "pdf"
        return None
