"""People, groups and organisations named by id inside text: «[[soldatova, вин]]».

A reference is replaced by text before the content is validated, so that documents and
templates only ever see plain text; nothing in it is evaluated. Its parts, separated by
commas, are the registry id, then in any order a case and a form:

- cases: им, род, дат, вин, твор, пред (nominative by default);
- forms of a person: «фи» (Солдатову И.Н., the default), «иф» (И.Н. Солдатову),
  «фио» (Солдатову Ирину Николаевну), «должность» (the position with its organisation),
  «должность фи» (заместителя начальника … Солдатову И.Н.), «фи должность»
  (Солдатовой И.Н., заместителю начальника …);
- forms of an organisation: «кратко» (МБОУ СОШ № 5, the default), «полностью» (the name
  in the case); of a group: its name in the case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from . import ru
from .errors import suggestion
from .model import Case, Group, Named, Organization, Person, Registry

Loc = tuple[str | int, ...]
REFERENCE = re.compile(r"\[\[([^\[\]]*)\]\](\.?)")

CASES = {"им": "nominative", "род": "genitive", "дат": "dative", "вин": "accusative",
         "твор": "instrumental", "пред": "prepositional"}
PERSON_FORMS = ("фи", "иф", "фио", "должность", "должность фи", "фи должность")
ORGANIZATION_FORMS = ("кратко", "полностью")


class ReferenceError(ValueError):
    """A reference that names no one, or asks for a case or form that does not exist."""


def _explicit(entry: Named | Group | Organization, case: str, part: str) -> str | None:
    """A form the registry spells out for this case, if any."""
    forms = getattr(entry, "forms", {}).get(Case(case)) if case != "nominative" else None
    return getattr(forms, part, None) if forms else None


def surname(person: Named, case: str) -> str:
    """The surname in the case, as the registry overrides it or as declined."""
    return _explicit(person, case, "surname") or ru.inflect_surname(
        person.surname, person.gender, case)


def short_names(entries: Iterable[Named | Group]) -> list[str]:
    """«Солдатова И.Н.» for a person, its short name for a group: who is responsible."""
    return [entry.short_name if isinstance(entry, Group) else
            f"{surname(entry, 'nominative')}{ru.NBSP}{entry.initials}" for entry in entries]


def full_name(person: Named, case: str = "nominative") -> str:
    """«Солдатову Ирину Николаевну»; surname and initials when the names are unknown."""
    if not (person.first_name and person.patronymic):
        return f"{surname(person, case)}{ru.NBSP}{person.initials}"
    first = _explicit(person, case, "first_name") or ru.inflect_given(
        person.first_name, person.gender, case, patronymic=False)
    middle = _explicit(person, case, "patronymic") or ru.inflect_given(
        person.patronymic, person.gender, case, patronymic=True)
    return f"{surname(person, case)} {first} {middle}"


def position(person: Person, case: str, registry: Registry | None = None) -> str:
    """The position in the case, with the organisation when the position lacks it."""
    text = _explicit(person, case, "position") or ru.inflect_phrase(person.position, case)
    organization = registry.organization_of(person) if registry is not None else None
    if organization is not None and organization.short_name not in person.position:
        text = f"{text} {organization.short_name}"
    return text


def _person(person: Person, case: str, form: str, registry: Registry | None) -> str:
    name = f"{surname(person, case)}{ru.NBSP}{person.initials}"
    if form == "иф":
        return f"{person.initials}{ru.NBSP}{surname(person, case)}"
    if form == "фио":
        return full_name(person, case)
    if form == "должность":
        return position(person, case, registry)
    if form == "должность фи":
        return f"{position(person, case, registry)} {name}"
    if form == "фи должность":
        return f"{name}, {position(person, case, registry)}"
    return name


def render_person(person: Person, case: str, form: str) -> str:
    """A person in a case («accusative») and form («фио»), for templates."""
    if case not in CASES.values() or form not in PERSON_FORMS:
        raise ReferenceError(f"падеж «{case}» или форма «{form}» не поддерживается")
    return _person(person, case, form, None)


def _organization(organization: Organization, case: str, form: str) -> str:
    if form == "полностью":
        return _explicit(organization, case, "name") or ru.inflect_phrase(organization.name, case)
    return organization.short_name


def group_name(group: Group, case: str) -> str:
    """The group's name in the case, as the registry overrides it or as declined."""
    return _explicit(group, case, "name") or ru.inflect_phrase(group.name, case)


def addressee(entry: Person | Group, case: str) -> str:
    """«Солдатовой И.Н., заместителю начальника …» or «руководителям …», as in act items."""
    if isinstance(entry, Group):
        return group_name(entry, case)
    return _person(entry, case, "фи должность", None)


def render(reference: str, registry: Registry) -> str:
    """The text a reference stands for; ReferenceError says what is wrong with it."""
    parts = [part.strip() for part in reference.split(",")]
    identifier, options = parts[0], [part for part in parts[1:] if part]
    case, form = "nominative", ""
    for option in options:
        normal = " ".join(option.lower().split())
        if normal in CASES:
            case = CASES[normal]
        elif normal in PERSON_FORMS + ORGANIZATION_FORMS and not form:
            form = normal
        else:
            raise ReferenceError(
                f"в ссылке «[[{reference}]]» непонятно «{option}»: ожидался падеж ("
                + ", ".join(CASES) + ") или форма (" + ", ".join(PERSON_FORMS + ORGANIZATION_FORMS)
                + ")")
    if identifier in registry.people:
        if form in ORGANIZATION_FORMS:
            raise ReferenceError(f"форма «{form}» — для организаций; для людей: "
                                 + ", ".join(PERSON_FORMS))
        return _person(registry.people[identifier], case, form or "фи", registry)
    if identifier in registry.organizations:
        if form in PERSON_FORMS:
            raise ReferenceError(f"форма «{form}» — для людей; для организаций: "
                                 + ", ".join(ORGANIZATION_FORMS))
        return _organization(registry.organizations[identifier], case, form or "кратко")
    if identifier in registry.groups:
        return group_name(registry.groups[identifier], case)
    known = [*registry.people, *registry.organizations, *registry.groups]
    raise ReferenceError(f"в реестре нет «{identifier}» (ссылка «[[{reference}]]»)"
                         + suggestion(identifier, known))


def resolve(data: Any, registry: Registry, report: Callable[[Loc, str], None],
            loc: Loc = ()) -> Any:
    """`data` with every reference in its strings replaced; bad ones go to `report`."""
    if isinstance(data, dict):
        return {key: resolve(value, registry, report, (*loc, key)) for key, value in data.items()}
    if isinstance(data, list):
        return [resolve(value, registry, report, (*loc, index))
                for index, value in enumerate(data)]
    if isinstance(data, str) and "[[" in data:
        def replace(match: re.Match[str]) -> str:
            try:
                text = render(match[1], registry)
            except ReferenceError as exc:
                report(loc, str(exc))
                return match[0]
            # initials end a sentence with their own full stop: «… Солдатову И.Н.»
            return text if text.endswith(".") else text + match[2]

        return REFERENCE.sub(replace, data)
    return data
