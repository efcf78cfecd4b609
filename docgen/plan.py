"""What a build produces: every output folder with its documents, templates and contexts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from . import ru
from .control import Produced, roadmap_of, state, view
from .documents import FolderPlan, Planned, Properties
from .errors import DocgenError
from .kinds import ACTS, CAMPAIGN, LETTERS, REPORTS, ActKind, Kind
from .letters import (
    LetterBundle,
    basis_sentence,
    recipient_of_school,
    recipients,
    reminder_sentence,
)
from .model import (
    AmendmentBundle,
    Annex,
    Candidate,
    CandidateStatus,
    DocumentBundle,
    Order,
    OrderBundle,
    Organization,
    Project,
    Registry,
    Reserve,
    Resolution,
)

OUTPUT_ROOTS = ("orders", "outbox", "candidates", "documents", "letters", "control")


def plan(project: Project) -> list[FolderPlan]:
    """Every output folder of the project with the documents it holds."""
    folders: list[FolderPlan] = []
    campaign_order = next((b for b in project.orders if b.campaign is not None), None)
    for bundle in project.orders:
        folders.append(_order_folder(bundle, project.reserve, project))
    by_slug = {bundle.slug: bundle for bundle in project.orders}
    for amending in project.amendments:
        folders.append(_order_folder(_amending_order(amending, by_slug), None, project))
    if campaign_order is not None:
        folders += _school_folders(campaign_order, project.registry, project.reserve)
        if project.reserve is not None:
            folders += _candidate_folders(campaign_order, project.registry, project.reserve)
    folders += [_document_folder(bundle, project) for bundle in project.documents]
    for letter in project.letters:
        folders += _letter_folders(letter, project)
    folders += _control_folders(project, folders)
    return _one_plan_per_folder(folders)


def produced(folders: list[FolderPlan]) -> list[Produced]:
    """Every planned document as a control report counts it."""
    return [Produced(document.kind, document.document_id, document.properties.title,
                     document.properties.date,
                     folder.folder.name if folder.folder.parts[0] == "outbox" else None)
            for folder in folders for document in folder.documents]


def _control_folders(project: Project, folders: list[FolderPlan]) -> list[FolderPlan]:
    """For each act under control, its справки on the dates content asks for."""
    made = produced(folders)
    result = []
    for bundle in project.orders:
        control = bundle.control
        if control is None or not control.reports:
            continue
        act = ACTS[bundle.order.kind]
        roadmap = roadmap_of(bundle, control)
        folder = Path("control") / bundle.slug
        documents = [_planned(
            folder, f"report-{on.isoformat()}", REPORTS["control-report"],
            {"report": view(state(bundle, control, project, made, on)), "order": bundle.order,
             "act": act, "roadmap": roadmap, "executor": control.executor, "on": on},
            Properties(f"Справка о ходе исполнения плана мероприятий на {ru.date_numeric(on)}",
                       roadmap.title, bundle.order.issuer.name,
                       ["контроль исполнения", f"№ {bundle.order.number}"], date=on))
            for on in sorted(set(control.reports))]
        result.append(FolderPlan(folder, documents))
    return result


class OutputClash(DocgenError):
    """Two documents would be written to the same file."""


def _one_plan_per_folder(folders: list[FolderPlan]) -> list[FolderPlan]:
    """Plans of one folder joined (a school's outbox gets letters of several sources);
    two documents of one name are refused, never written one over the other."""
    joined: dict[Path, FolderPlan] = {}
    seen: set[str] = set()
    for folder in folders:
        for document in folder.documents:
            if document.document_id in seen:
                raise OutputClash(
                    f"два документа получились бы одним файлом build/{document.document_id}"
                    ".docx; переименуйте папку письма или документа в content/")
            seen.add(document.document_id)
        if folder.folder in joined:
            earlier = joined[folder.folder]
            joined[folder.folder] = FolderPlan(folder.folder, earlier.documents + folder.documents,
                                               earlier.bundle or folder.bundle)
        else:
            joined[folder.folder] = folder
    return list(joined.values())


def _letter_folders(bundle: LetterBundle, project: Project) -> list[FolderPlan]:
    """A merged letter in each recipient's outbox/<id>/, or one letter in letters/<slug>/;
    each with its annexes beside it."""
    letter = bundle.letter
    issuer = letter.issuer or project.registry.administration()
    parent = letter.model_copy(update={"issuer": issuer})
    kind = LETTERS["letter"]
    acts = {act.slug: act for act in project.orders}
    basis = ""
    if letter.basis is not None:
        act = acts[letter.basis.act]
        basis = basis_sentence(act.order, act.activities().get(letter.basis.activity or ""))
    everyone = recipients(letter.to, project.registry)
    if not letter.salutation:
        everyone = [dataclasses.replace(r, salutation="") for r in everyone]
    if letter.merge:
        copies = [(Path("outbox") / r.id, bundle.slug, r.view()) for r in everyone]
    else:
        lines = [line for r in everyone for line in (*r.lines, "")][:-1]
        copies = [(Path("letters") / bundle.slug, "letter",
                   {"id": bundle.slug, "lines": lines,
                    "salutation": everyone[0].salutation if len(everyone) == 1 else ""})]
    label = f"Письмо {ru.dated(letter.date, letter.number)}"
    titles = [ru.typograph(ru.lowerfirst(annex.title)) for annex in bundle.annexes]
    folders = []
    for folder, name, recipient in copies:
        properties = Properties(label, letter.title, issuer.name, [recipient["id"]],
                                date=letter.date)
        documents = [_planned(folder, name, kind,
                              {"letter": parent, "issuer": issuer, "recipient": recipient,
                               "basis": basis, "annexes": titles}, properties)]
        shown = len(bundle.annexes) > 1  # a letter's only annex is «Приложение», unnumbered
        documents += [_annex(folder, f"{name}-annex-{number}", annex, number if shown else None,
                             parent, kind, project, [recipient["id"]])
                      for number, annex in enumerate(bundle.annexes, 1)]
        folders.append(FolderPlan(folder, documents))
    return folders


def _annex(folder: Path, name: str, annex: Annex, number: int | None, parent: Any,
           act: ActKind, project: Project, keywords: list[str],
           amendments: list[AmendmentBundle] | None = None) -> Planned:
    """An annex of an act or letter (`parent`), rendered by the template of its kind; the
    amending orders that set it out anew give its edition."""
    kind: Kind = project.kinds[annex.kind]
    amendments = amendments or []
    label = "Приложение" if number is None else f"Приложение № {number}"
    return Planned.of(
        folder, name, "annex", kind.template,
        {**kind.values(annex, project.registry), "order": parent, "annex": annex,
         "number": number, "annex_number": number, "amendments": amendments, "act": act},
        Properties(f"{label} к {act.noun_in('dative')} {ru.dated(parent.date, parent.number)}",
                   annex.title, parent.issuer.name, keywords,
                   f"Приложение к {act.noun_in('dative')}", parent.date,
                   edition=1 + len(amendments)),
        label if number is not None else None)


def _planned(folder: Path, name: str, kind: Kind, context: dict[str, Any],
             properties: Properties, bookmark: str | None = None) -> Planned:
    """A document of a kind from the table of kinds: its template and category are the kind's."""
    return Planned.of(folder, name, kind.name, kind.template, context,
                   dataclasses.replace(properties, category=kind.category), bookmark)


def act_label(bundle: OrderBundle) -> str:
    """«Приказ от 30.08.2022 № 685»: how the act is named in lists and bookmarks."""
    act = ACTS[bundle.order.kind]
    return f"{ru.capfirst(act.title)} {ru.dated(bundle.order.date, bundle.order.number)}"


def _document_folder(bundle: DocumentBundle, project: Project) -> FolderPlan:
    """A document of a custom kind in documents/<slug>/, named after its kind."""
    kind: Kind = project.kinds[bundle.document.kind]
    folder = Path("documents") / bundle.slug
    issuer = project.registry.administration()
    values = kind.values(bundle.document, project.registry)
    date = next((value for value in values.values() if isinstance(value, dt.date)), None)
    properties = Properties(ru.capfirst(kind.title), ru.capfirst(kind.title),
                            issuer.name, [kind.title], date=date)
    return FolderPlan(folder, [_planned(folder, kind.name, kind,
                                        {**values, "document": bundle.document}, properties,
                                        ru.capfirst(kind.title))])


def _amending_order(amending: AmendmentBundle, orders: dict[str, OrderBundle]) -> OrderBundle:
    """The amending order as an order of its own: generated title and items, new annexes."""
    amendment = amending.amendment
    target = orders[amendment.amends]
    original = target.order
    reference = (f"приказ {ru.inflect_phrase(original.issuer.short_name, 'genitive')} от "
                 f"{ru.date_numeric(original.date)} № {original.number}")
    annexes = [annex for annex in target.annexes if annex.id in amendment.annexes]
    numbers = {annex.id: index for index, annex in enumerate(target.annexes, 1)}
    items = [Resolution(text=f"Внести изменения в {reference} «{original.title}», изложив "
                             f"приложение № {numbers[annex.id]} к нему в новой редакции;",
                        annex=annex.id) for annex in annexes]
    items.append(Resolution(text="Контроль исполнения приказа оставляю за собой."))
    order = Order.model_construct(
        kind=amendment.kind, number=amendment.number, date=amendment.date, place=amendment.place,
        issuer=amendment.issuer, title=f"О внесении изменений в {reference}",
        keywords=amendment.keywords, preamble=[amendment.reason], resolutions=items,
        signatory=amendment.signatory, annexes=[])
    return OrderBundle(slug=amending.slug, order=order, annexes=annexes)


def _order_folder(bundle: OrderBundle, reserve: Reserve | None, project: Project) -> FolderPlan:
    order = bundle.order
    act = ACTS[order.kind]
    folder = Path("orders") / bundle.slug
    label = act_label(bundle)
    author = order.issuer.name
    keywords = [act.title, f"№ {order.number}", *order.keywords]
    documents = [_planned(
        folder, "order", act, {"order": order, "annexes": bundle.annexes, "act": act},
        Properties(label, order.title, author, keywords, date=order.date), label)]
    for number, annex in enumerate(bundle.annexes, 1):
        amendments = project.amendments_of(bundle.slug, annex.id)
        documents.append(_annex(folder, f"annex-{number}", annex, number, order, act, project,
                                keywords, amendments))
    campaign = bundle.campaign
    if campaign is not None and campaign.reserve_list is not None and reserve is not None \
            and reserve.included():
        reserve_list = campaign.reserve_list
        documents.append(_planned(
            folder, "reserve-list", CAMPAIGN["reserve-list"],
            {"order": order, "reserve_list": reserve_list,
             "groups": _reserve_groups(reserve)},
            Properties("Список резерва управленческих кадров", reserve_list.title, author,
                       ["кадровый резерв"], date=reserve_list.date)))
    return FolderPlan(folder, documents, Properties(label, order.title, author, keywords,
                                                    act.category, order.date,
                                                    document=f"{folder.as_posix()}/bundle"))


def _reserve_groups(reserve: Reserve) -> list[dict[str, Any]]:
    """Included candidates by school, numbered through the list, with their interviews."""
    groups: dict[str, dict[str, Any]] = {}
    for candidate in reserve.included():
        group = groups.setdefault(candidate.school.id,
                                  {"school": candidate.school, "rows": []})
        group["rows"].append({"candidate": candidate,
                              "interview": reserve.interviews_of(candidate)[-1]})
    number = 0
    for group in groups.values():
        for row in group["rows"]:
            number += 1
            row["number"] = number
    return list(groups.values())


def _letter_properties(letter: Any, issuer: Organization, school: Organization) -> Properties:
    return Properties(f"Письмо {ru.dated(letter.date, letter.number)}",
                      letter.title, issuer.name, ["запрос", "кадровый резерв", school.short_name],
                      date=letter.date)


def _school_folders(bundle: OrderBundle, registry: Registry,
                    reserve: Reserve | None) -> list[FolderPlan]:
    """For each school its request with the response form, and the best-practice request."""
    campaign = bundle.campaign
    assert campaign is not None
    issuer = bundle.order.issuer
    activities = bundle.activities()
    by_school: dict[str, list[Candidate]] = {}
    for candidate in reserve.candidates.values() if reserve else []:
        by_school.setdefault(candidate.school.id, []).append(candidate)
    folders = []
    for school in registry.schools():
        folder = Path("outbox") / school.id
        nomination = campaign.nomination_request
        own = by_school.get(school.id, [])
        documents = [_planned(
            folder, "nomination-request", CAMPAIGN["nomination-request"],
            {"letter": nomination, "school": school, "issuer": issuer,
             "recipient": recipient_of_school(school, registry).view(),
             "basis": basis_sentence(bundle.order, activities.get(nomination.activity or "")),
             "nominees": own, "blank_rows": list(range(nomination.blank_rows))},
            _letter_properties(nomination, issuer, school))]
        reminder = campaign.nomination_reminder
        if reminder is not None and not own:
            documents.append(_planned(
                folder, "nomination-reminder", CAMPAIGN["nomination-reminder"],
                {"letter": reminder, "issuer": issuer, "annexes": [],
                 "recipient": recipient_of_school(school, registry).view(),
                 "basis": reminder_sentence(nomination)},
                _letter_properties(reminder, issuer, school)))
        practice = campaign.best_practice_request
        if practice is not None and school.efficiency in practice.efficiency:
            documents.append(_planned(
                folder, "best-practice-request", CAMPAIGN["best-practice-request"],
                {"letter": practice, "issuer": issuer, "annexes": [],
                 "recipient": recipient_of_school(school, registry).view(),
                 "basis": basis_sentence(bundle.order, activities.get(practice.activity or ""))},
                _letter_properties(practice, issuer, school)))
        folders.append(FolderPlan(folder, documents))
    return folders


def _candidate_folders(bundle: OrderBundle, registry: Registry,
                       reserve: Reserve) -> list[FolderPlan]:
    """For each candidate their interview protocols and, once included, their plan."""
    folders = []
    issuer = bundle.order.issuer
    for candidate in reserve.candidates.values():
        folder = Path("candidates") / candidate.id
        interviews = reserve.interviews_of(candidate)
        documents = [_planned(
            folder, "interview-protocol" + (f"-{index}" if len(interviews) > 1 else ""),
            CAMPAIGN["interview-protocol"],
            {"interview": interview, "candidate": candidate, "order": bundle.order,
             "commission": reserve.interviews.commission,
             "criteria": reserve.interviews.criteria, "place": reserve.interviews.place,
             "total": reserve.interviews.total(interview),
             "maximum": reserve.interviews.maximum()},
            Properties(f"Протокол собеседования {ru.dated(interview.date, interview.number)}",
                       "Собеседование с претендентом на "
                       "замещение должности руководителя образовательной организации",
                       issuer.name, ["кадровый резерв", "собеседование"],
                       date=interview.date))
            for index, interview in enumerate(interviews, 1)]
        if not interviews and candidate.status == CandidateStatus.NOMINATED:
            documents.append(_blank_protocol(folder, candidate, bundle, reserve))
        if candidate.status == CandidateStatus.INCLUDED:
            documents.append(_individual_plan(folder, candidate, bundle, registry, reserve))
        if documents:
            folders.append(FolderPlan(folder, documents))
    return folders


def _blank_protocol(folder: Path, candidate: Candidate, bundle: OrderBundle,
                    reserve: Reserve) -> Planned:
    """The protocol of a nominee's coming interview: the candidate's data filled in, number,
    date, scores and decision left for the commission to write."""
    blank: dict[str, Any] = {"number": None, "date": None, "scores": {}, "recommendation": None,
             "decision": None}
    return _planned(
        folder, "interview-protocol", CAMPAIGN["interview-protocol"],
        {"interview": blank, "candidate": candidate, "order": bundle.order,
         "commission": reserve.interviews.commission, "criteria": reserve.interviews.criteria,
         "place": reserve.interviews.place, "total": 0,
         "maximum": reserve.interviews.maximum()},
        Properties("Протокол собеседования (бланк)", "Собеседование с претендентом на "
                   "замещение должности руководителя образовательной организации",
                   bundle.order.issuer.name, ["кадровый резерв", "собеседование"]))


def _individual_plan(folder: Path, candidate: Candidate, bundle: OrderBundle,
                     registry: Registry, reserve: Reserve) -> Planned:
    plans = reserve.plans
    sections = [{"number": number, "title": section.title,
                 "activities": [{"number": f"{number}.{index}", "activity": activity}
                                for index, activity in enumerate(section.activities, 1)]}
                for number, section in enumerate(reserve.sections_for(candidate), 1)]
    mentor = candidate.mentor
    mentor_school = next((s for s in registry.organizations.values()
                          if s.head is not None and mentor is not None and s.head.id == mentor.id),
                         None)
    return _planned(
        folder, "individual-plan", CAMPAIGN["individual-plan"],
        {"plans": plans, "candidate": candidate, "mentor": mentor, "mentor_school": mentor_school,
         "sections": sections, "order": bundle.order},
        Properties(plans.title, plans.period, bundle.order.issuer.name,
                   ["кадровый резерв", "индивидуальный план"], date=plans.date))
