"""Checks across content files: links between the campaign, the roadmap and the reserve."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import Problem, suggestion
from .folders import AMENDMENT, CAMPAIGN, CANDIDATES, INTERVIEWS, LETTER, LETTERS, ORDER, ORDERS, PLANS
from .kinds import ACTS, OPERATIVE_WORDS
from .model import AmendmentBundle, CandidateStatus, OrderBundle, Reserve
from .yamlfile import YamlFile

_OPERATIVE = re.compile(r"(?<![А-ЯЁа-яё])(" + "|".join(OPERATIVE_WORDS) + r")(?![А-ЯЁа-яё])",
                        re.IGNORECASE)

_STATUS_NAMES = {
    CandidateStatus.NOMINATED: "выдвинут",
    CandidateStatus.INTERVIEWED: "прошёл собеседование",
    CandidateStatus.INCLUDED: "включён в резерв",
    CandidateStatus.DECLINED: "не включён в резерв",
}


def check_links(orders: list[OrderBundle], reserve: Reserve | None,
                sources: dict[Path, YamlFile], kinds: dict[str, Any]) -> list[Problem]:
    """Problems with references between files that the model alone cannot see."""
    problems: list[Problem] = []
    for bundle in orders:
        problems += _campaign_activities(bundle, sources)
        problems += _produced_kinds(bundle, sources, kinds)
    if reserve is not None:
        directions = {d for bundle in orders for d in bundle.directions()}
        problems += _plans(reserve, directions, sources[PLANS])
        problems += _scores(reserve, sources[INTERVIEWS])
        problems += _statuses(reserve, sources[CANDIDATES])
    return problems


def _campaign_activities(bundle: OrderBundle, sources: dict[Path, YamlFile]) -> list[Problem]:
    campaign = bundle.campaign
    if campaign is None:
        return []
    source = sources[ORDERS / bundle.slug / CAMPAIGN]
    known = bundle.activities()
    letters = {"nomination_request": campaign.nomination_request,
               "best_practice_request": campaign.best_practice_request}
    return [source.problem((name, "activity"),
                           f"в «дорожной карте» приказа нет мероприятия «{letter.activity}»"
                           + suggestion(letter.activity, known, listing=True))
            for name, letter in letters.items()
            if letter is not None and letter.activity is not None
            and letter.activity not in known]


def _produced_kinds(bundle: OrderBundle, sources: dict[Path, YamlFile],
                    kinds: dict[str, Any]) -> list[Problem]:
    """Each kind a roadmap activity produces is a kind of document docgen knows."""
    problems = []
    for annex in bundle.roadmaps():
        file_name = bundle.order.annexes[bundle.annexes.index(annex)]
        source = sources[ORDERS / bundle.slug / file_name]
        for d, direction in enumerate(annex.directions):
            for a, activity in enumerate(direction.activities):
                for k, kind in enumerate(activity.produces):
                    if kind not in kinds:
                        problems.append(source.problem(
                            ("directions", d, "activities", a, "produces", k),
                            f"нет вида документов «{kind}»{suggestion(kind, kinds)}"))
    return problems


def check_acts(orders: list[OrderBundle], amendments: list[AmendmentBundle],
               sources: dict[Path, YamlFile]) -> list[Problem]:
    """A number used twice for acts of one kind in one year; an operative word in a preamble."""
    problems: list[Problem] = []
    acts = [(ORDERS / b.slug / ORDER, b.order.kind, b.order.number, b.order.date)
            for b in orders]
    acts += [(ORDERS / b.slug / AMENDMENT, b.amendment.kind, b.amendment.number,
              b.amendment.date) for b in amendments]
    seen: dict[tuple[str, str, int], Path] = {}
    for path, kind, number, date in sorted(acts, key=lambda act: (act[3], str(act[0]))):
        key = (kind, number, date.year)
        if key in seen:
            problems.append(sources[path].problem(
                ("number",), f"{ACTS[kind].title} № {number} за {date.year} год уже есть: "
                f"{seen[key]}; номер акта одного вида в году не повторяется"))
        else:
            seen[key] = path
    for bundle in orders:
        source = sources[ORDERS / bundle.slug / ORDER]
        operative = ACTS[bundle.order.kind].operative
        for index, block in enumerate(bundle.order.preamble):
            for line, text in enumerate(block if isinstance(block, list) else [block]):
                found = _OPERATIVE.search(text)
                if found:
                    loc = ("preamble", index, line) if isinstance(block, list) else (
                        "preamble", index)
                    problems.append(source.problem(loc, (
                        f"«{found[1]}» в преамбуле не пишется: "
                        + (f"«{operative}» ставит шаблон после преамбулы"
                           if operative else
                           f"у вида «{ACTS[bundle.order.kind].title}» распорядительного "
                           "слова нет, пункты следуют сразу за преамбулой"))))
    return problems


def check_letters(letters: list[Any], orders: list[OrderBundle],
                  sources: dict[Path, YamlFile]) -> list[Problem]:
    """A letter's basis names an act there is, and an activity of that act's roadmap."""
    by_slug = {bundle.slug: bundle for bundle in orders}
    problems: list[Problem] = []
    for bundle in letters:
        basis = bundle.letter.basis
        if basis is None:
            continue
        source = sources[LETTERS / bundle.slug / LETTER]
        act = by_slug.get(basis.act)
        if act is None:
            problems.append(source.problem(("basis", "act"), f"нет акта «{basis.act}» в "
                                           f"{ORDERS}{suggestion(basis.act, by_slug)}"))
        elif basis.activity is not None and basis.activity not in act.activities():
            problems.append(source.problem(("basis", "activity"), (
                f"в «дорожной карте» акта «{basis.act}» нет мероприятия «{basis.activity}»"
                + suggestion(basis.activity, act.activities(), listing=True))))
    return problems


def _plans(reserve: Reserve, directions: set[str], source: YamlFile) -> list[Problem]:
    plans = reserve.plans
    problems = [source.problem(("sections", index, "direction"),
                               f"в «дорожной карте» нет направления «{section.direction}»")
                for index, section in enumerate(plans.sections)
                if section.direction not in directions]
    sections = {section.id for section in plans.sections}
    for candidate_id, additions in plans.additions.items():
        candidate = reserve.candidates.get(candidate_id)
        if candidate is None or candidate.status != CandidateStatus.INCLUDED:
            problems.append(source.problem(
                ("additions", candidate_id),
                f"кандидат «{candidate_id}» не включён в резерв, плана у него нет"))
        problems += [source.problem(("additions", candidate_id, index, "section"),
                                    f"в плане нет раздела «{addition.section}»")
                     for index, addition in enumerate(additions)
                     if addition.section not in sections]
    return problems


def _scores(reserve: Reserve, source: YamlFile) -> list[Problem]:
    criteria = {criterion.id: criterion for criterion in reserve.interviews.criteria}
    problems: list[Problem] = []
    numbers: dict[str, int] = {}
    for index, interview in enumerate(reserve.interviews.interviews):
        where = ("interviews", index)
        if interview.number in numbers:
            problems.append(source.problem(
                (*where, "number"), f"протокол № {interview.number} уже есть "
                f"(собеседование {numbers[interview.number] + 1})"))
        numbers.setdefault(interview.number, index)
        missing = [c for c in criteria if c not in interview.scores]
        if missing:
            problems.append(source.problem(
                (*where, "scores"), "нет оценки по критериям: " + ", ".join(missing)))
        for key, score in interview.scores.items():
            if key not in criteria:
                problems.append(source.problem((*where, "scores", key), "неизвестный критерий"))
            elif score > criteria[key].max:
                problems.append(source.problem(
                    (*where, "scores", key),
                    f"балл {score} больше наибольшего ({criteria[key].max})"))
    return problems


def _statuses(reserve: Reserve, source: YamlFile) -> list[Problem]:
    problems = []
    for candidate in reserve.candidates.values():
        interviews = reserve.interviews_of(candidate)
        decision = interviews[-1].decision if interviews else None
        expected = (CandidateStatus.NOMINATED if not interviews
                    else CandidateStatus(decision) if decision else CandidateStatus.INTERVIEWED)
        if candidate.status != expected:
            problems.append(source.problem(
                ("candidates", candidate.id, "status"),
                f"по протоколам собеседований кандидат {_STATUS_NAMES[expected]} "
                f"(status: {expected.value}), а указано {candidate.status.value}"))
    return problems


def check_amendments(orders: list[OrderBundle], amendments: list[AmendmentBundle],
                     sources: dict[Path, YamlFile]) -> list[Problem]:
    """Each amendment names an existing order and annexes that order has."""
    by_slug = {bundle.slug: bundle for bundle in orders}
    problems: list[Problem] = []
    for bundle in amendments:
        amendment = bundle.amendment
        source = sources[ORDERS / bundle.slug / AMENDMENT]
        target = by_slug.get(amendment.amends)
        if target is None:
            problems.append(source.problem(("amends",), f"нет приказа «{amendment.amends}»"))
            continue
        known = [annex.id for annex in target.annexes]
        problems += [source.problem(("annexes", index),
                                    f"у приказа «{amendment.amends}» нет приложения «{annex}»")
                     for index, annex in enumerate(amendment.annexes) if annex not in known]
    return problems
