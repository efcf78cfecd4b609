"""Control of a roadmap's execution on a date: each activity's term, what it has produced
by then, and whether it is done, due or overdue; and the campaign's answers by school."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from . import ru
from .deadlines import Term, term
from .model import (
    Activity,
    Candidate,
    Control,
    Dispatched,
    OrderBundle,
    Organization,
    Project,
    RoadmapAnnex,
)
from .references import short_names


class Status(StrEnum):
    """Where an activity stands on the report's date."""

    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    ONGOING = "ongoing"

    @property
    def label(self) -> str:
        """The status as the справка says it."""
        return {"done": "исполнено", "due": "срок не истёк", "overdue": "просрочено",
                "ongoing": "исполняется"}[self.value]


@dataclass(frozen=True)
class Evidence:
    """Documents of one kind an activity produced, as of the report's date."""

    kind: str
    count: int
    last: dt.date
    titles: list[str]


@dataclass(frozen=True)
class Row:
    """One activity of the roadmap on the report's date."""

    number: str
    activity: Activity
    term: Term
    status: Status
    done: dt.date | None
    evidence: list[Evidence]
    note: str | None

    @property
    def documents(self) -> str:
        """The documents column: «Письмо от 01.09.2022 № 01-15/612 (6)»."""
        lines = []
        for item in self.evidence:
            if len(item.titles) == 1:
                lines.append(item.titles[0] + (f" ({item.count} экз.)" if item.count > 1 else ""))
                continue
            lines += item.titles
            if item.count > len(item.titles):
                lines.append(f"… всего {item.count}")
        return "\n".join(lines)

    @property
    def status_text(self) -> str:
        """«исполнено 01.09.2022», «просрочено (срок — 30.09.2022)»."""
        if self.status == Status.DONE and self.done is not None:
            return f"{self.status.label} {ru.date_numeric(self.done)}"
        if self.status == Status.OVERDUE and self.term.end is not None:
            return f"{self.status.label} (срок — {ru.date_numeric(self.term.end)})"
        return self.status.label


@dataclass(frozen=True)
class Direction:
    """A direction of the roadmap with its activities' rows."""

    number: int
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class SchoolAnswer:
    """A school in the campaign: when its request went out, and its answer."""

    school: Organization
    sent: dt.date | None
    answered: dt.date | None
    nominees: int
    deadline: dt.date
    on: dt.date

    @property
    def overdue(self) -> bool:
        """No answer though the deadline has passed."""
        return self.nominees == 0 and self.on > self.deadline

    @property
    def state(self) -> str:
        """«ответ получен 12.09.2022, кандидатов: 2», «ответа нет, срок истёк 16.09.2022»."""
        if self.nominees:
            when = f" {ru.date_numeric(self.answered)}" if self.answered else ""
            return f"ответ получен{when}, кандидатов: {self.nominees}"
        if self.overdue:
            return f"ответа нет, срок истёк {ru.date_numeric(self.deadline)}"
        return f"ответ ожидается до {ru.date_numeric(self.deadline)}"


@dataclass(frozen=True)
class Produced:
    """A document the build makes, as the control report sees it."""

    kind: str
    document: str
    title: str
    date: dt.date | None
    recipient: str | None = None


@dataclass(frozen=True)
class ControlState:
    """The roadmap of an act on a date."""

    bundle: OrderBundle
    roadmap: RoadmapAnnex
    on: dt.date
    directions: list[Direction]
    schools: list[SchoolAnswer] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        """Every activity's row, in the roadmap's order."""
        return [row for direction in self.directions for row in direction.rows]

    def count(self, status: Status) -> int:
        """How many activities stand so."""
        return sum(1 for row in self.rows if row.status == status)

    @property
    def summary(self) -> str:
        """«Мероприятий в плане — 13: исполнено — 1, …, просрочено — 0.»"""
        parts = ", ".join(f"{status.label} — {self.count(status)}" for status in
                          (Status.DONE, Status.DUE, Status.ONGOING, Status.OVERDUE))
        return f"Мероприятий в плане — {len(self.rows)}: {parts}."


def roadmap_of(bundle: OrderBundle, control: Control) -> RoadmapAnnex:
    """The roadmap the control file is about."""
    roadmaps = bundle.roadmaps()
    return next((annex for annex in roadmaps if annex.id == control.roadmap), roadmaps[0])


def _evidence(activity: Activity, produced: list[Produced], on: dt.date) -> list[Evidence]:
    """What the activity's kinds of documents amount to on the date; titles said once."""
    found = []
    for kind in activity.produces:
        dated = [p for p in produced if p.kind == kind and p.date is not None and p.date <= on]
        if not dated:
            continue
        dates = [p.date for p in dated if p.date is not None]
        titles = list(dict.fromkeys(p.title for p in dated))
        found.append(Evidence(kind, len(dated), max(dates), titles[:3]))
    return found


def _row(number: str, activity: Activity, bundle: OrderBundle, control: Control,
         produced: list[Produced], on: dt.date) -> Row:
    """The activity's status: the clerk's record first, then its documents, then its term."""
    allowed = term(activity.deadline, bundle.order.date)
    evidence = _evidence(activity, produced, on)
    recorded = control.activities.get(activity.id or "")
    note = recorded.note if recorded else None
    if recorded is not None and recorded.done is not None and recorded.done <= on:
        return Row(number, activity, allowed, Status.DONE, recorded.done, evidence, note)
    if not allowed.dated:
        return Row(number, activity, allowed, Status.ONGOING, None, evidence, note)
    if activity.produces and len(evidence) == len(activity.produces):
        done = max(item.last for item in evidence)
        return Row(number, activity, allowed, Status.DONE, done, evidence, note)
    assert allowed.end is not None
    status = Status.OVERDUE if on > allowed.end else Status.DUE
    return Row(number, activity, allowed, status, None, evidence, note)


def _schools(bundle: OrderBundle, project: Project, produced: list[Produced],
             on: dt.date) -> list[SchoolAnswer]:
    """For a campaign's request: each school's dispatch and answer as of the date."""
    campaign = bundle.campaign
    if campaign is None or campaign.nomination_request.date > on:
        return []
    request = campaign.nomination_request
    sent = _sent_on(project.dispatch, [p for p in produced if p.kind == "nomination-request"],
                    on)
    nominated: dict[str, list[Candidate]] = defaultdict(list)  # by school, once: a region
    for candidate in project.reserve.candidates.values() if project.reserve else []:
        if candidate.received is None or candidate.received <= on:
            nominated[candidate.school.id].append(candidate)
    answers = []
    for school in project.registry.schools():
        own = nominated[school.id]
        received = [c.received for c in own if c.received is not None]
        answers.append(SchoolAnswer(school, sent.get(school.id), max(received, default=None),
                                    len(own), request.deadline, on))
    return answers


def _sent_on(dispatch: list[Dispatched], letters: list[Produced],
             on: dt.date) -> dict[str, dt.date]:
    """The day each recipient's letter first went out, by recipient."""
    ids = {letter.document: letter.recipient for letter in letters}
    sent: dict[str, dt.date] = {}
    for entry in dispatch:
        recipient = ids.get(entry.document)
        if recipient is not None and entry.sent_on <= on:
            sent.setdefault(recipient, entry.sent_on)
    return sent


def state(bundle: OrderBundle, control: Control, project: Project,
          produced: list[Produced], on: dt.date) -> ControlState:
    """The act's roadmap as it stands on `on`."""
    roadmap = roadmap_of(bundle, control)
    directions = [
        Direction(d, direction.title,
                  [_row(f"{d}.{a}", activity, bundle, control, produced, on)
                   for a, activity in enumerate(direction.activities, 1)])
        for d, direction in enumerate(roadmap.directions, 1)]
    return ControlState(bundle, roadmap, on, directions, _schools(bundle, project, produced, on))


def view(report: ControlState) -> dict[str, Any]:
    """The report as plain text for templates: a document made from it depends on exactly
    what it shows (see dependencies.py), and a page shows the same."""
    campaign = report.bundle.campaign
    request = campaign.nomination_request if campaign is not None and report.schools else None
    return {
        "on": ru.date_numeric(report.on),
        "summary": report.summary,
        "directions": [{
            "number": direction.number, "title": ru.typograph(direction.title),
            "rows": [{"number": row.number, "text": ru.typograph(row.activity.text),
                      "deadline": ru.deadline(row.activity.deadline),
                      "responsible": short_names(row.activity.responsible),
                      "documents": [ru.typograph(line) for line in row.documents.split("\n")
                                    if line],
                      "status": row.status.value, "status_text": row.status_text,
                      "note": ru.typograph(row.note) if row.note else ""}
                     for row in direction.rows]}
            for direction in report.directions],
        "request": {"date": ru.date_numeric(request.date), "number": request.number,
                    "deadline": ru.date_numeric(request.deadline)} if request else None,
        "schools": [{"name": ru.typograph(answer.school.short_name),
                     "sent": ru.date_numeric(answer.sent) if answer.sent else "—",
                     "state": answer.state, "overdue": answer.overdue}
                    for answer in report.schools],
    }
