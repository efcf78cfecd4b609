"""The table of kinds: what each document is, which template renders it, how it is named.

A built-in kind is one entry here plus its template in templates/; a custom kind is a
template with a declaration of its fields beside it (see declared.py), and no Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from . import ru
from .annexes import FormAnnex, PeopleAnnex, TableAnnex, TextAnnex
from .layout import members
from .model import Registry, RoadmapAnnex


@dataclass(frozen=True)
class Kind:
    """A kind of document: its name in content, Russian name, template, metadata category."""

    name: str
    title: str  # in messages, and where a roadmap activity names what it produces
    template: str
    category: str  # the DOCX category and PDF metadata group
    schema: type[BaseModel] | None = None  # the content model of an annex or document
    declared: tuple[str, ...] | None = None  # a custom kind's fields, each a template value
    annex: bool = False  # a kind of annexes of acts
    # template values that need the registry, computed when the build is planned
    view: Callable[[Any, Registry], dict[str, Any]] | None = None

    def values(self, document: BaseModel, registry: Registry) -> dict[str, Any]:
        """Template values beside the document itself: a custom kind's declared fields
        (unfilled ones as None) and what the kind's view computes."""
        values = {name: getattr(document, name) for name in self.declared or ()}
        return {**values, **(self.view(document, registry) if self.view else {})}


@dataclass(frozen=True)
class ActKind(Kind):
    """An administrative act: the word that names it, and the operative word, if any."""

    word: str = ""  # «ПРИКАЗ», as the requisite under the issuer's name
    noun: str = ""  # «приказ», declined in annex marks: «к приказу», «приказом»
    operative: str | None = None  # «ПРИКАЗЫВАЮ:»; none for a распоряжение

    def noun_in(self, case: str) -> str:
        """The act's name in a case: «приказу», «распоряжением»."""
        return ru.inflect_phrase(self.noun, case)


ACTS: dict[str, ActKind] = {kind.name: kind for kind in (
    ActKind("order", "приказ", "order.docx", "Приказ", word="ПРИКАЗ", noun="приказ",
            operative="ПРИКАЗЫВАЮ:"),
    ActKind("directive", "распоряжение", "order.docx", "Распоряжение", word="РАСПОРЯЖЕНИЕ",
            noun="распоряжение"),
    ActKind("decree", "постановление", "order.docx", "Постановление", word="ПОСТАНОВЛЕНИЕ",
            noun="постановление", operative="ПОСТАНОВЛЯЮ:"),
)}

# A letter is a parent of annexes too: «Приложение к письму …».
LETTERS: dict[str, ActKind] = {"letter": ActKind("letter", "письмо", "letter.docx", "Письмо",
                                                 noun="письмо")}

# Written in a preamble, any of these would stand twice: the template writes the kind's own.
OPERATIVE_WORDS = ("ПРИКАЗЫВАЮ", "ПОСТАНОВЛЯЮ", "ПОСТАНОВЛЯЕТ", "РАСПОРЯЖАЮСЬ", "ПРЕДЛАГАЮ")

ANNEXES: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("roadmap", "план мероприятий («дорожная карта»)", "annex-roadmap.docx",
         "Приложение", RoadmapAnnex, annex=True),
    Kind("text", "текст с разделами и пунктами (положение, порядок)", "annex-text.docx",
         "Приложение", TextAnnex, annex=True),
    Kind("table", "таблица", "annex-table.docx", "Приложение", TableAnnex, annex=True),
    Kind("people", "состав (комиссии, рабочей группы)", "annex-people.docx", "Приложение",
         PeopleAnnex, annex=True, view=members),
    Kind("form", "бланк формы", "annex-form.docx", "Приложение", FormAnnex, annex=True),
)}

CAMPAIGN: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("nomination-request", "запрос в ОО о кандидатах в резерв", "letter-nomination.docx",
         "Письмо"),
    Kind("nomination-reminder", "напоминание о кандидатах в резерв", "letter.docx", "Письмо"),
    Kind("best-practice-request", "запрос плана обмена лучшими практиками", "letter.docx",
         "Письмо"),
    Kind("reserve-list", "список резерва управленческих кадров", "reserve-list.docx", "Список"),
    Kind("interview-protocol", "протокол собеседования", "interview-protocol.docx", "Протокол"),
    Kind("individual-plan", "индивидуальный план подготовки", "individual-plan.docx", "План"),
)}

# Reports on an act's execution, built from content/orders/<act>/control.yaml.
REPORTS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("control-report", "справка о ходе исполнения плана мероприятий", "control-report.docx",
         "Справка"),
)}

BUILT_IN: dict[str, Kind] = {**ACTS, **LETTERS, **ANNEXES, **CAMPAIGN, **REPORTS}
