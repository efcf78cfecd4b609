"""Jinja filters that templates use to put the model into Russian text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from docxtpl import RichText

from . import layout, letters, references, ru
from .layout import LIST_MARK, rich
from .model import (
    AmendmentBundle,
    Group,
    Letter,
    Named,
    Person,
    RoadmapAnnex,
)


def typo(text: str) -> str:
    """Plain text with Russian typography, line breaks kept."""
    return ru.typograph(str(text))


def in_quotes(text: str) -> str:
    """The text in «ёлочки», quotes inside it turned into „лапки“."""
    return ru.typograph(f"«{text}»")


def paragraphs(blocks: Iterable[str | list[str]]) -> list[str]:
    """Blocks as paragraph texts, items of a list starting with a dash."""
    result: list[str] = []
    for block in blocks:
        if isinstance(block, list):
            result.extend(LIST_MARK + item for item in block)
        else:
            result.append(block)
    return result


def _case(case: str) -> str:
    """A case by its name («dative») or its short Russian name («дат»)."""
    return references.CASES.get(case, case)


def surname_initials(person: Named, case: str = "nominative") -> str:
    """«Солдатовой И.Н.» in the given case."""
    return f"{references.surname(person, _case(case))}{ru.NBSP}{person.initials}"


def initials_surname(person: Named, case: str = "nominative") -> str:
    """«О.И. Матасова», as under a signature; «И.О. Фамилии» for an addressee."""
    return f"{person.initials}{ru.NBSP}{references.surname(person, _case(case))}"


def years(count: int) -> str:
    """«16 лет», «4 года», «1 год»."""
    return f"{count}{ru.NBSP}{ru.agree_with_number('год', count)}"


def deadline_sentence(letter: Letter) -> RichText:
    """The letter's deadline sentence with the date in bold («… до **16 сентября 2022 г.**»)."""
    date = ru.date_long(letter.deadline)
    text = letter.deadline_text.replace("{deadline}.", "{deadline}")  # the date ends with «г.»
    return rich(text.replace("{deadline}", f"**{date}**"))


def position(person: Person, case: str = "nominative") -> str:
    """The person's position in the given case, as the registry writes it."""
    return references.position(person, _case(case))


def group_name(group: Group, case: str = "nominative") -> str:
    """The group's full name in the given case."""
    return references.group_name(group, _case(case))


def addressee(entry: Person | Group, case: str = "dative") -> str:
    """«Солдатовой И.Н., заместителю начальника …» or «руководителям …»."""
    return references.addressee(entry, _case(case))


def signature_position(person: Person) -> str:
    """The position as it stands left of the signature, capitalised."""
    return typo(person.signature_position or ru.capfirst(person.position))


def names_column(entries: Iterable[Person | Group]) -> RichText:
    """Responsible people and groups one per line, as in a table cell."""
    return RichText("\n".join(references.short_names(entries)))


def person(entry: Person, case: str = "им", form: str = "фи") -> str:
    """A person as a reference in text would name them: «{{ x|person('вин', 'фио') }}»."""
    return references.render_person(entry, _case(case), form)


def edition_reference(bundles: list[AmendmentBundle]) -> str:
    """«приказа Управления … от 15.10.2022 № 712», the orders that gave the current wording."""
    amendments = [bundle.amendment for bundle in bundles]
    if not amendments:
        return ""
    issuer = ru.inflect_phrase(amendments[-1].issuer.short_name, "genitive")
    dated = ", ".join(ru.dated(a.date, a.number) for a in amendments)
    return typo(f"{'приказов' if len(amendments) > 1 else 'приказа'} {issuer} {dated}")


def direction_list(annex: RoadmapAnnex) -> list[str]:
    """The roadmap's directions as list items: lower case, «;» between, «.» at the end."""
    titles = [ru.lowerfirst(direction.title) for direction in annex.directions]
    return [title + (";" if index < len(titles) - 1 else ".")
            for index, title in enumerate(titles)]


FILTERS: dict[str, Callable[..., Any]] = {
    "typo": typo,
    "in_quotes": in_quotes,
    "rich": rich,
    "paragraphs": paragraphs,
    "surname_initials": surname_initials,
    "initials_surname": initials_surname,
    "salutation": letters.salutation,
    "years": years,
    "deadline_sentence": deadline_sentence,
    "position": position,
    "group_name": group_name,
    "addressee": addressee,
    "signature_position": signature_position,
    "names_column": names_column,
    "deadline": ru.deadline,
    "person": person,
    "full_name": references.full_name,
    "direction_list": direction_list,
    "edition_reference": edition_reference,
    "genitive": lambda text: ru.inflect_phrase(str(text), "genitive"),
    "dative": lambda text: ru.inflect_phrase(str(text), "dative"),
    "capfirst": ru.capfirst,
    "lowerfirst": ru.lowerfirst,
    "date_numeric": ru.date_numeric,
    "dated": lambda document: ru.dated(document.date, document.number),
    "date_long": ru.date_long,
    "date_quoted": ru.date_quoted,
    **layout.FILTERS,
}
