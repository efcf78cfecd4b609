"""A roadmap's deadlines as an iCalendar file: one all-day event per activity with a date,
so the responsible people see them in their calendars."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from . import ru
from .control import ControlState
from .references import short_names


def calendar(report: ControlState) -> bytes:
    """The calendar of the act's dated activities, with their state on the report's date."""
    order = report.bundle.order
    administration = order.issuer
    domain = (administration.email or "docgen.invalid").rpartition("@")[2]
    result = Calendar()
    result.add("prodid", "-//docgen//Контроль исполнения//RU")
    result.add("version", "2.0")
    result.add("x-wr-calname", f"Приказ № {order.number}: сроки плана мероприятий")
    stamp = dt.datetime.combine(report.on, dt.time(), tzinfo=dt.timezone.utc)
    for row in report.rows:
        if row.term.end is None:
            continue
        event = Event()
        event.add("uid", f"{report.bundle.slug}-{row.number}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", row.term.start or row.term.end)
        event.add("dtend", row.term.end + dt.timedelta(days=1))
        event.add("summary", f"{row.number}. {ru.typograph(row.activity.text)}")
        responsible = ", ".join(short_names(row.activity.responsible))
        event.add("description", f"Срок: {ru.deadline(row.activity.deadline)}. "
                                 f"Ответственные: {responsible}. "
                                 f"На {ru.date_numeric(report.on)}: {row.status_text}.")
        event.add("categories", ["Контроль исполнения"])
        result.add_component(event)
    return result.to_ical()
