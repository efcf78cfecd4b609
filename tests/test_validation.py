"""Validation messages with no test elsewhere, one case each: an edit of the shipped content,
the located message it must give, exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import amendment, replace_once, run_check

ORDER_685 = Path("content/orders/2022-685/order.yaml")
AMENDMENT = Path("content/orders/2022-712/amendment.yaml")


def _amendment(amends: str, annex: str) -> tuple[Path, str, str]:
    return AMENDMENT, "", amendment(amends, annex)


# (name, file, text to replace ("" writes the file whole), new text, expected message)
CASES = [
    ("an amendment of an order that is not there", *_amendment("2022-999", "roadmap"),
     "2022-712/amendment.yaml:5:1: поле «amends»: нет приказа «2022-999»"),
    ("an amendment of an annex the order does not have", *_amendment("2022-685", "plan"),
     "2022-712/amendment.yaml:6:11: поле «annexes[1]»: у приказа «2022-685» нет приложения "
     "«plan»"),
    ("a plan addition for a candidate not in the reserve", Path("content/reserve/plans.yaml"),
     "additions:\n  k-06:", "additions:\n  k-05:",
     "plans.yaml:67:3: поле «additions.k-05»: кандидат «k-05» не включён в резерв, плана у "
     "него нет"),
    ("a plan addition for a section the plan does not have",
     Path("content/reserve/plans.yaml"), "    - section: internship\n      text: Стажировка",
     "    - section: practice\n      text: Стажировка",
     "поле «additions.k-06[1].section»: в плане нет раздела «practice»"),
    ("a letter's executor without a phone", Path("content/registry/people.yaml"),
     "    phone: 8 (40145) 3-00-01  # образец\n", "",
     "campaign.yaml:6:1: поле «nomination_request»: у исполнителя письма должен быть "
     "телефон (phone) в реестре"),
    ("a school without its e-mail", Path("content/registry/organizations.yaml"),
     "    email: school4-baltiysk@example.org\n", "",
     "organizations.yaml:25:3: поле «organizations.school-4»: у школы должны быть указаны "
     "head и email"),
    ("a school without its head", Path("content/registry/organizations.yaml"),
     "    head: melnik-sa\n", "",
     "поле «organizations.school-4»: у школы должны быть указаны head и email"),
    ("initials not of the form «И.Н.»", Path("content/registry/people.yaml"),
     "    initials: О.И.", "    initials: ОИ",
     "people.yaml:12:5: поле «people.matasova.initials»: значение «ОИ» не подходит: "
     "ожидается инициалы вида «И.Н.»"),
    ("an efficiency level that is not one of the five", Path(
        "content/registry/organizations.yaml"), "    efficiency: average",
     "    efficiency: middle",
     "поле «organizations.school-4.efficiency»: значение «middle» не подходит: допустимы "
     "high, above-average, average, below-average, low"),
    ("years of experience beyond a working life", Path("content/reserve/candidates.yaml"),
     "    teaching_experience: 16", "    teaching_experience: 61",
     "candidates.yaml:18:5: поле «candidates.k-01.teaching_experience»: должно быть не больше "
     "60"),
    ("a number where an id of the registry is expected", ORDER_685, "signatory: matasova",
     "signatory: 12", "order.yaml:147:1: поле «signatory»: ожидался идентификатор из реестра"),
    ("a roadmap activity with nobody responsible", Path(
        "content/orders/2022-685/annex-1-roadmap.yaml"),
     "responsible: [soldatova, nechaeva, school-heads]", "responsible: []",
     "поле «directions[1].activities[1].responsible»: список не может быть пустым"),
]


@pytest.mark.parametrize(("relative", "old", "new", "expected"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_a_validation_message_names_the_place(project: Path, capsys: pytest.CaptureFixture[str],
                                              relative: Path, old: str, new: str,
                                              expected: str) -> None:
    if old:
        replace_once(project, relative, old, new)
    else:
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(new, encoding="utf-8")
    code, err = run_check(project, capsys)
    assert code == 1, err
    assert expected in err, err
    assert "Traceback" not in err


def test_an_item_with_executors_needs_actions(project: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER_685, "  - to: [school-heads]\n    actions:",
                        "  - to: [school-heads]\n    items:")  # sub-items, no actions
    code, err = run_check(project, capsys)
    assert code == 1
    assert f"order.yaml:{line}:5: поле «resolutions[3]»: пункт с исполнителями (to) должен " \
           "содержать actions" in err, err


def test_check_reads_the_issue_register_too(project: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    register = project / "content/register.yaml"
    register.write_text(
        "editions:\n  - document: orders/2022-685/order\n    edition: 1\n"
        "    issued: 2022-08-30\n    commit: abc\n    tag: edition/orders/2022-685/order/1\n"
        f"    docx_sha256: '{'a' * 64}'\n    pdf_sha256: '{'g' * 64}'\n", encoding="utf-8")
    code, err = run_check(project, capsys)
    assert code == 1
    assert ("content/register.yaml:5:5: поле «editions[1].commit»: значение «abc» не подходит: "
            "ожидается полный хеш коммита git: 40 знаков 0–9, a–f") in err
    assert ("content/register.yaml:8:5: поле «editions[1].pdf_sha256»: значение «" + "g" * 64
            + "» не подходит: ожидается сумма SHA-256: 64 знака 0–9, a–f") in err
    assert "Найдено ошибок: 2." in err
    register.write_text("", encoding="utf-8")
    code, err = run_check(project, capsys)
    assert (code, err.splitlines()[0]) == (
        1, "content/register.yaml:1:1: ожидался набор полей «ключ: значение»")


def test_a_project_without_a_dispatch_journal_or_register_checks(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "content/dispatch.yaml").unlink(missing_ok=True)
    (project / "content/register.yaml").unlink(missing_ok=True)
    code, err = run_check(project, capsys)
    assert (code, err) == (0, "")
