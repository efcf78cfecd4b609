"""Deadlines as a roadmap writes them — a date, «Сентябрь», «до 15 сентября», «Постоянно» —
understood as the last day they allow, relative to the act that set them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from babel.dates import get_month_names


@dataclass(frozen=True)
class Term:
    """What a deadline allows: from its start to its last day; both None when it has no
    end (Постоянно, Согласно графику, В течение года)."""

    start: dt.date | None
    end: dt.date | None

    @property
    def dated(self) -> bool:
        """True when the deadline has a last day a report can compare with."""
        return self.end is not None


@lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    """Month names in the nominative and the genitive, lower case: «сентябрь», «сентября»."""
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for number, name in get_month_names("wide", context=context, locale="ru").items():
            names[str(name).lower()] = int(number)
    return names


_DAY_MONTH = re.compile(r"(?:до\s+)?(\d{1,2})\s+([а-яё]+)(?:\s+(\d{4}))?(?:\s*г(?:ода|\.)?)?")
_NUMERIC = re.compile(r"(?:до\s+)?(\d{2})\.(\d{2})\.(\d{4})(?:\s*г(?:ода|\.)?)?")
_MONTH = re.compile(r"(?:в\s+течение\s+|до\s+конца\s+)?([а-яё]+)(?:\s+(\d{4}))?(?:\s*г(?:ода|\.)?)?")
_MONTH_RANGE = re.compile(r"([а-яё]+)\s*[-–—]\s*([а-яё]+)(?:\s+(\d{4}))?(?:\s*г(?:ода|\.)?)?")


def _month_after(month: int, since: dt.date, year: int | None) -> tuple[int, int]:
    """The year and month meant: the given year, or the first such month from `since` on."""
    if year is not None:
        return year, month
    return (since.year if month >= since.month else since.year + 1), month


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def term(deadline: dt.date | str, since: dt.date) -> Term:
    """The term a deadline allows, for an act dated `since`; words it does not know as a
    date («Постоянно», «Согласно графику») have no end."""
    if isinstance(deadline, dt.date):
        return Term(None, deadline)
    text = " ".join(deadline.lower().replace("\u00a0", " ").split())
    months = _months()
    if found := _NUMERIC.fullmatch(text):
        try:
            return Term(None, dt.date(int(found[3]), int(found[2]), int(found[1])))
        except ValueError:
            return Term(None, None)
    if (found := _DAY_MONTH.fullmatch(text)) and found[2] in months:
        year, month = _month_after(months[found[2]], since, int(found[3]) if found[3] else None)
        if int(found[1]) > calendar.monthrange(year, month)[1]:
            return Term(None, None)
        return Term(None, dt.date(year, month, int(found[1])))
    if (found := _MONTH_RANGE.fullmatch(text)) and found[1] in months and found[2] in months:
        given = int(found[3]) if found[3] else None
        first_year, first = _month_after(months[found[1]], since, None)
        last_year, last = _month_after(months[found[2]], since, given)
        if given is not None and first > last:
            first_year = last_year - 1
        elif given is not None:
            first_year = last_year
        return Term(dt.date(first_year, first, 1), _month_end(last_year, last))
    if (found := _MONTH.fullmatch(text)) and found[1] in months:
        year, month = _month_after(months[found[1]], since, int(found[2]) if found[2] else None)
        return Term(dt.date(year, month, 1), _month_end(year, month))
    return Term(None, None)
