"""Roadmap control: word deadlines, statuses on a date, the campaign's answers, the справка."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import replace_once, run_check
from docx_text import normalise, paragraphs

from docgen.content import load_project
from docgen.control import ControlState, Status, state
from docgen.deadlines import Term, term
from docgen.plan import plan, produced

ACT = dt.date(2022, 8, 30)
CONTROL = Path("content/orders/2022-685/control.yaml")


@pytest.mark.parametrize(("words", "expected"), [
    ("Сентябрь", Term(dt.date(2022, 9, 1), dt.date(2022, 9, 30))),
    ("сентябрь 2023", Term(dt.date(2023, 9, 1), dt.date(2023, 9, 30))),
    ("Май", Term(dt.date(2023, 5, 1), dt.date(2023, 5, 31))),  # the school year runs on
    ("в течение октября", Term(dt.date(2022, 10, 1), dt.date(2022, 10, 31))),
    ("до 15 сентября", Term(None, dt.date(2022, 9, 15))),
    ("15 сентября 2022 года", Term(None, dt.date(2022, 9, 15))),
    ("до 15.09.2022", Term(None, dt.date(2022, 9, 15))),
    ("Октябрь – декабрь 2022", Term(dt.date(2022, 10, 1), dt.date(2022, 12, 31))),
    ("Постоянно", Term(None, None)),
    ("Согласно графику", Term(None, None)),
    ("31 февраля", Term(None, None)),  # no such day: no end is claimed
    ("до 31.02.2022", Term(None, None)),
])
def test_word_deadlines_are_understood_relative_to_the_act(words: str, expected: Term) -> None:
    assert term(words, ACT) == expected


def test_a_date_deadline_is_its_own_end() -> None:
    assert term(dt.date(2022, 9, 16), ACT) == Term(None, dt.date(2022, 9, 16))


def _state(root: Path, on: dt.date) -> ControlState:
    project, _ = load_project(root)
    bundle = next(b for b in project.orders if b.slug == "2022-685")
    assert bundle.control is not None
    return state(bundle, bundle.control, project, produced(plan(project)), on)


def _statuses(report: ControlState) -> dict[str, Status]:
    return {row.number: row.status for row in report.rows}


def test_the_shipped_roadmap_on_15_september(project: Path) -> None:
    report = _state(project, dt.date(2022, 9, 15))
    statuses = _statuses(report)
    assert len(statuses) == 13 and len(report.directions) == 4
    assert statuses["1.1"] == Status.DONE  # the request went out on 01.09.2022
    assert report.rows[0].done == dt.date(2022, 9, 1)
    assert statuses["1.2"] == Status.DUE and statuses["1.3"] == Status.DUE  # September runs
    assert {statuses[n] for n in statuses if n[0] in "234"} == {Status.ONGOING}
    assert report.count(Status.OVERDUE) == 0
    answers = {a.school.id: a for a in report.schools}
    assert answers["lyceum-1"].nominees == 1
    assert answers["lyceum-1"].answered == dt.date(2022, 9, 14)
    assert answers["school-6"].nominees == 0 and not answers["school-6"].overdue
    assert answers["school-6"].state == "ответ ожидается до 16.09.2022"


def test_the_shipped_roadmap_on_31_october(project: Path) -> None:
    report = _state(project, dt.date(2022, 10, 31))
    statuses = _statuses(report)
    assert [statuses[n] for n in ("1.1", "1.2", "1.3")] == [Status.DONE] * 3
    assert report.rows[1].done == dt.date(2022, 9, 30)  # the reserve list's date
    assert report.rows[2].done == dt.date(2022, 9, 28)  # the last interview
    assert "(3 экз.)" in report.rows[3].documents  # the individual plans
    assert report.summary == ("Мероприятий в плане — 13: исполнено — 3, срок не истёк — 0, "
                              "исполняется — 10, просрочено — 0.")
    assert all(a.nominees for a in report.schools)


def test_an_activity_past_its_month_without_its_documents_is_overdue(project: Path) -> None:
    replace_once(project, Path("content/orders/2022-685/campaign.yaml"),
                 "  date: 2022-09-30\n", "  date: 2022-11-07\n")  # the reserve list, late
    report = _state(project, dt.date(2022, 10, 31))
    row = report.rows[1]
    assert row.status == Status.OVERDUE
    assert row.status_text == "просрочено (срок — 30.09.2022)"
    assert report.count(Status.OVERDUE) == 1


def test_the_clerks_record_of_done_wins_and_its_note_is_kept(project: Path) -> None:
    (project / CONTROL).write_text(
        "reports: [2022-10-31]\nexecutor: nechaeva\nactivities:\n"
        "  reserve-list: {done: 2022-09-20, note: список согласован}\n", encoding="utf-8")
    report = _state(project, dt.date(2022, 10, 31))
    assert report.rows[1].done == dt.date(2022, 9, 20)
    assert report.rows[1].note == "список согласован"
    early = _state(project, dt.date(2022, 9, 19))  # not done yet on the day before
    assert early.rows[1].status == Status.DUE


def test_a_school_silent_past_the_deadline_is_overdue(project: Path) -> None:
    replace_once(project, Path("content/reserve/candidates.yaml"),
                 "received: 2022-09-20", "received: 2022-09-25")
    answers = {a.school.id: a for a in _state(project, dt.date(2022, 9, 21)).schools}
    assert answers["school-6"].overdue
    assert answers["school-6"].state == "ответа нет, срок истёк 16.09.2022"


def test_sent_dates_come_from_the_dispatch_journal(project: Path) -> None:
    (project / "content/dispatch.yaml").write_text(
        "sent:\n- to: lyceum-1\n  address: lyceum1@example.org\n"
        "  document: outbox/lyceum-1/nomination-request\n  sha256: " + "a" * 64 + "\n"
        "  message_id: <1@example.org>\n  sent: 2022-09-02 09:00:00 UTC\n", encoding="utf-8")
    answers = {a.school.id: a for a in _state(project, dt.date(2022, 9, 15)).schools}
    assert answers["lyceum-1"].sent == dt.date(2022, 9, 2)
    assert answers["school-4"].sent is None
    before = {a.school.id: a for a in _state(project, dt.date(2022, 9, 1)).schools}
    assert before["lyceum-1"].sent is None


@pytest.mark.parametrize(("text", "message"), [
    ("executor: nechaeva\nactivities:\n  reserv-list: {note: x}\n",
     "control.yaml:3:3: поле «activities.reserv-list»: в «дорожной карте» нет мероприятия "
     "«reserv-list»; возможно, имелось в виду «reserve-list»\n"),
    ("executor: nechaeva\nactivities:\n  seminar: {note: x}\n",
     "control.yaml:3:3: поле «activities.seminar»: в «дорожной карте» нет мероприятия "
     "«seminar»; есть: nomination-request, reserve-list, interviews, individual-plans\n"),
    ("executor: nechaeva\nroadmap: plan\n",
     "control.yaml:2:1: поле «roadmap»: у акта нет «дорожной карты» «plan»\n"),
    ("executor: nechaeva\nreports: [2022-09-15, 2022-09-31]\n",
     "control.yaml:2:23: поле «reports[2]»: даты «2022-09-31» нет в календаре"),
    ("executor: nobody\n",
     "control.yaml:1:1: поле «executor»: неизвестный идентификатор человека «nobody»"),
])
def test_control_file_mistakes_are_located(project: Path, capsys: pytest.CaptureFixture[str],
                                           text: str, message: str) -> None:
    (project / CONTROL).write_text(text, encoding="utf-8")
    code, output = run_check(project, capsys)
    assert code == 1 and message in output, output


def test_the_report_is_a_landscape_document_with_the_roadmap_and_answers(built_root: Path) -> None:
    text = normalise("\n".join(paragraphs(built_root / "control/2022-685/report-2022-09-15.docx")))
    for expected in ("СПРАВКА", "по состоянию на 15.09.2022",
                     "утверждённого приказом от 30.08.2022 № 685",
                     "Мероприятий в плане — 13: исполнено — 1, срок не истёк — 2",
                     "1.1 Запрос в образовательные организации",
                     "Письмо от 01.09.2022 № 01-15/612 (6 экз.) исполнено 01.09.2022",
                     "МБОУ СОШ № 6 — ответ ожидается до 16.09.2022"):
        assert normalise(expected) in text, expected
    assert (built_root / "control/2022-685/report-2022-10-31.pdf").is_file()
