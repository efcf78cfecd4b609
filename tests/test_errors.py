"""Bad content gives a located Russian message, exit code 1 and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import replace_once, run_check

ORDER = Path("content/orders/2022-685/order.yaml")
ANNEX = Path("content/orders/2022-685/annex-1-roadmap.yaml")
PEOPLE = Path("content/registry/people.yaml")






def test_yaml_syntax(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER, "place: город Балтийск", "place: город: Балтийск")
    code, err = run_check(project, capsys)
    assert code == 1
    assert f"{ORDER}:{line}:13: ошибка синтаксиса YAML: двоеточие здесь недопустимо" in err


def test_wrong_type(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ANNEX, "responsible: [soldatova, nechaeva, school-heads]",
                    "responsible: soldatova")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{ANNEX}:{line}:9: поле «directions[1].activities[1].responsible»: "
            "ожидался список") in err


def test_missing_field(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, ORDER, "place: город Балтийск\n", "")
    code, err = run_check(project, capsys)
    assert code == 1
    assert f"{ORDER}:5:1: поле «place»: обязательное поле не заполнено" in err


def test_unknown_id_suggests_the_closest(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER, "signatory: matasova", "signatory: matasva")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{ORDER}:{line}:1: поле «signatory»: неизвестный идентификатор человека «matasva»; "
            "возможно, имелось в виду «matasova»") in err


def test_unknown_id_in_a_list(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER, "to: [soldatova, petropavlovskaya",
                    "to: [soldatova, petropavlovskya")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{ORDER}:{line}:21: поле «resolutions[1].to[2]»: неизвестный идентификатор "
            "адресата «petropavlovskya»; возможно, имелось в виду «petropavlovskaya»") in err


def test_duplicate_id_in_the_registry(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / PEOPLE
    text = path.read_text(encoding="utf-8")
    first = text[:text.index("  soldatova:")].count("\n") + 1
    path.write_text(text.replace("  nechaeva:", "  soldatova:"), encoding="utf-8")
    second = text[:text.index("  nechaeva:")].count("\n") + 1
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{PEOPLE}:{second}:3: поле «people.soldatova»: ключ «soldatova» повторяется "
            f"(впервые — в строке {first})") in err


def test_duplicate_id_in_the_roadmap(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ANNEX, "- id: reserve-list", "- id: nomination-request")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{ANNEX}:{line}:9: поле «directions[1].activities[2].id»: идентификатор "
            "«nomination-request» повторяется") in err


def test_impossible_date(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER, "date: 2022-08-30", "date: 2022-02-30")
    code, err = run_check(project, capsys)
    assert code == 1
    assert f"{ORDER}:{line}:1: поле «date»: даты «2022-02-30» нет в календаре" in err


def test_not_a_date(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER, "date: 2022-08-30", "date: тридцатое")
    code, err = run_check(project, capsys)
    assert code == 1
    assert f"{ORDER}:{line}:1: поле «date»: ожидалась дата в виде ГГГГ-ММ-ДД" in err


def test_empty_title(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ANNEX, "title: >-\n  План", 'title: ""\nold_title: >-\n  План')
    code, err = run_check(project, capsys)
    assert code == 1
    assert f"{ANNEX}:{line}:1: поле «title»: не может быть пустым" in err
    assert f"{ANNEX}:{line + 1}:1: поле «old_title»: неизвестное поле" in err


def test_title_with_full_stop(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, ORDER, "Балтийского городского округа\nkeywords",
             "Балтийского городского округа.\nkeywords")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "поле «title»: заголовок пишется без точки в конце" in err


def test_unknown_field_suggests_the_closest(project: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER, "signatory:", "signatry:")
    code, err = run_check(project, capsys)
    assert code == 1
    assert f"{ORDER}:{line}:1: поле «signatry»: неизвестное поле; возможно, имелось в виду «signatory»" in err


def test_unbalanced_bold(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, ORDER, "сентября 2022 года;**", "сентября 2022 года;")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "поле «resolutions[3].actions[5]»: непарная разметка «**»" in err


def test_template_looking_text_is_a_warning_and_strict_makes_it_an_error(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER, "  - text: Контроль исполнения приказа оставляю за собой.",
                    "  - text: Контроль исполнения {{ order.number }} оставляю за собой.")
    code, err = run_check(project, capsys)
    assert code == 0
    assert (f"{ORDER}:{line}:11: предупреждение: поле «resolutions[4].text»: "
            "текст похож на разметку шаблона") in err
    code, err = run_check(project, capsys, "--strict")
    assert code == 1
    assert f"{ORDER}:{line}:11: поле «resolutions[4].text»: текст похож на разметку шаблона" in err


def test_unreadable_annex_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    annex = project / ANNEX
    annex.unlink()
    annex.symlink_to(project / "nowhere.yaml")
    code, err = run_check(project, capsys)
    assert code == 1
    line = (project / ORDER).read_text(encoding="utf-8").splitlines().index(
        "annexes: [annex-1-roadmap.yaml]") + 1
    assert (f"{ORDER}:{line}:11: поле «annexes[1]»: не удаётся прочитать файл {ANNEX}: "
            "файла нет") in err


def test_a_folder_where_a_file_should_be(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / PEOPLE).unlink()
    (project / PEOPLE).mkdir()
    code, err = run_check(project, capsys)
    assert code == 1
    assert f"{PEOPLE}: это не обычный файл (папка, устройство или канал)" in err


def test_non_utf8_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / PEOPLE
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp1251"))
    code, err = run_check(project, capsys)
    assert code == 1
    first_cyrillic = next(i for i, line in enumerate(text.splitlines(), 1)
                          if any("а" <= c <= "я" for c in line.lower()))
    assert f"{PEOPLE}:{first_cyrillic}:3: файл не в кодировке UTF-8" in err


def test_all_errors_of_a_run_are_shown_together(project: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, ORDER, "date: 2022-08-30", "date: 2022-13-01")
    replace_once(project, ORDER, "issuer: uo-bgo", "issuer: uo-bg")
    replace_once(project, ANNEX, "deadline: Сентябрь", "deadline: [Сентябрь]")
    code, err = run_check(project, capsys)
    assert code == 1
    for field in ("date", "issuer", "directions[1].activities[1].deadline"):
        assert f"поле «{field}»" in err
    assert "Найдено ошибок: 3." in err


@pytest.mark.libreoffice  # a build of everything starts LibreOffice before it reads content
def test_command_line_exits_1_without_traceback(project: Path) -> None:
    replace_once(project, ORDER, "signatory: matasova", "signatory: 12")
    result = subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), "build"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "поле «signatory»: ожидался идентификатор из реестра" in result.stderr
    assert not (project / "build" / "orders").exists()


def test_nesting_too_deep_is_refused_where_it_starts(project: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "content/orders/2022-702/annex-2-commission.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "annex-2-commission.yaml:1:44: поле «a" in err
    assert "вложенность глубже 40 уровней; упростите структуру" in err
    assert "Traceback" not in err and len(err) < 2000


def test_a_registry_without_the_administration(project: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, Path("content/registry/organizations.yaml"), "kind: administration",
                 "kind: school\n    head: matasova")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "content/registry/organizations.yaml:8:1: поле «organizations»: в реестре нет " \
           "организации с kind: administration" in err


CAMPAIGN = Path("content/orders/2022-685/campaign.yaml")
ORGANIZATIONS = Path("content/registry/organizations.yaml")


@pytest.mark.parametrize(("relative", "old", "new", "field", "hint"), [
    # a list of models inside a list of models inside the annex
    (ANNEX, "deadline: Сентябрь", "deadlin: Сентябрь",
     "directions[1].activities[1].deadlin", "deadline"),
    # a model in a dictionary keyed by id
    (ORGANIZATIONS, "    email: school4-baltiysk", "    emial: school4-baltiysk",
     "organizations.school-4.emial", "email"),
    # a model behind a shorthand validator, in a list: an act's item
    (ORDER, "    annex: roadmap", "    anex: roadmap", "resolutions[2].anex", "annex"),
    # a model behind «| None»
    (CAMPAIGN, "  efficiency: [high, above-average]", "  eficiency: [high, above-average]",
     "best_practice_request.eficiency", "efficiency"),
])
def test_a_nested_unknown_field_suggests_its_own_models_field(
        project: Path, capsys: pytest.CaptureFixture[str], relative: Path, old: str, new: str,
        field: str, hint: str) -> None:
    line = replace_once(project, relative, old, new)
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{relative}:{line}:" in err and f"поле «{field}»: неизвестное поле; возможно, "
            f"имелось в виду «{hint}»") in err, err
