"""The reserve campaign: per-school packets, per-candidate packets, the reserve list."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx_text import normalise, paragraphs

from docgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHOOLS = ["gymnasium-7", "lyceum-1", "school-4", "school-5", "school-6", "school-divnoe"]
NB = "\u00a0"


def _registry(name: str) -> dict:
    return yaml.safe_load((ROOT / "content" / name).read_text(encoding="utf-8"))


def _candidates() -> dict[str, dict]:
    return _registry("reserve/candidates.yaml")["candidates"]


def _add_school(project: Path, number: int, head: str, efficiency: str) -> None:
    """A new school in the registry, «МБОУ СОШ № N», headed by `head`."""
    organizations = project / "content/registry/organizations.yaml"
    organizations.write_text(organizations.read_text(encoding="utf-8") + f"""
  school-{number}:
    kind: school
    name: Муниципальное бюджетное общеобразовательное учреждение средняя общеобразовательная школа № {number}
    short_name: МБОУ СОШ № {number}
    head: {head}
    email: school{number}@example.org
    efficiency: {efficiency}
    sample: true
""", encoding="utf-8")


def _text(path: Path) -> str:
    return "\n".join(paragraphs(path))


def _folder_text(folder: Path) -> str:
    return "\n".join(_text(p) for p in sorted(folder.glob("*.docx")))


def test_one_request_per_school_as_docx_and_pdf(built_root: Path) -> None:
    outbox = built_root / "outbox"
    assert sorted(p.name for p in outbox.iterdir()) == SCHOOLS
    for school in SCHOOLS:
        names = {p.name for p in (outbox / school).iterdir()}
        assert {"nomination-request.docx", "nomination-request.pdf", "manifest.json"} <= names


def test_best_practice_requests_go_to_high_and_above_average_schools(built_root: Path) -> None:
    receiving = sorted(p.parent.name for p in built_root.glob("outbox/*/best-practice-request.pdf"))
    assert receiving == ["gymnasium-7", "lyceum-1", "school-5"]
    document = Document(str(built_root / "outbox/lyceum-1/best-practice-request.docx"))
    bold = ["".join(r.text for r in p.runs if r.bold) for p in document.paragraphs]
    assert f"15 сентября 2022{NB}г." in bold


@pytest.mark.parametrize(("school", "addressee", "salutation"), [
    ("school-5", ["Директору", "МБОУ СОШ № 5", f"А.В.{NB}Черных"], "Уважаемый Андрей Викторович!"),
    ("gymnasium-7", ["Директору", "МБОУ гимназия № 7", f"Е.С.{NB}Кох"],
     "Уважаемая Елена Сергеевна!"),
    ("school-divnoe", ["Директору", "МБОУ СОШ пос. Дивное", f"И.Н.{NB}Лебедевой"],
     "Уважаемая Ирина Николаевна!"),
    ("lyceum-1", ["Директору", "МБОУ лицей № 1", f"О.П.{NB}Шевченко"],
     "Уважаемая Ольга Петровна!"),
    ("school-6", ["Директору", "МБОУ СОШ № 6", f"В.И.{NB}Гончаренко"],
     "Уважаемый Виктор Иванович!"),
    ("school-4", ["Директору", "МБОУ СОШ № 4", f"С.А.{NB}Мельник"],
     "Уважаемая Светлана Аркадьевна!"),
])
def test_letter_is_addressed_in_the_dative(built_root: Path, school: str, addressee: list[str],
                                           salutation: str) -> None:
    lines = paragraphs(built_root / "outbox" / school / "nomination-request.docx")
    start = lines.index("Директору")
    assert lines[start:start + 3] == addressee
    assert salutation in lines


def test_request_refers_to_the_order_and_its_activity_with_deadline_in_bold(
        built_root: Path) -> None:
    path = built_root / "outbox/school-5/nomination-request.docx"
    text = normalise(_text(path))
    assert ('Во исполнение приказа Управления образования администрации БГО от 30.08.2022 № 685 '
            '"Утверждение плана мероприятий "Дорожной карты"') in text
    assert 'мероприятие "Запрос в образовательные организации о наличии педагогов' in text
    assert "01.09.2022 № 01-15/612" in text
    assert "Исп. Нечаева И.А." in text and "тел. 8 (40145) 3-00-01" in text
    bold = ["".join(r.text for r in p.runs if r.bold) for p in Document(str(path)).paragraphs]
    assert f"16 сентября 2022{NB}г." in bold
    assert "г.." not in text


def test_response_form_holds_the_schools_own_nominees_and_blank_rows(built_root: Path) -> None:
    table = Document(str(built_root / "outbox/school-5/nomination-request.docx")).tables[-1]
    header = [cell.text.replace("\u00ad", "") for cell in table.rows[0].cells]
    assert header == ["№", "ФИО", "Должность", "Педагогический стаж", "Управленческий стаж",
                      "Образование", "Повышение квалификации", "Основание для выдвижения"]
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows[0][:3] == ["1", "Зайцева Марина Викторовна",
                           "заместитель директора по учебно-воспитательной работе"]
    assert all(cell == "" for cell in rows[0][3:])
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    assert all(cell == "" for row in rows[1:] for cell in row[1:])


def test_no_packet_holds_anothers_personal_data(built_root: Path) -> None:
    candidates = _candidates()
    for school in SCHOOLS:
        text = _folder_text(built_root / "outbox" / school)
        for key, candidate in candidates.items():
            if candidate["school"] != school:
                assert candidate["surname"] not in text, (school, key)
            else:
                assert candidate["education"] not in text
                assert candidate.get("training", "\0") not in text
    for folder in (built_root / "candidates").iterdir():
        text = _folder_text(folder)
        for key, candidate in candidates.items():
            assert (candidate["surname"] in text) == (key == folder.name), (folder.name, key)


def test_protocols_and_plans_only_in_their_candidates_packets(built_root: Path) -> None:
    interviews = _registry("reserve/interviews.yaml")["interviews"]
    included = sorted(k for k, c in _candidates().items() if c["status"] == "included")
    protocols = sorted(p.parent.name for p in built_root.rglob("interview-protocol*.docx"))
    plans = sorted(p.parent.name for p in built_root.rglob("individual-plan*.docx"))
    nominated = sorted(k for k, c in _candidates().items() if c["status"] == "nominated")
    assert nominated == ["k-05"]
    assert protocols == sorted([i["candidate"] for i in interviews] + nominated)
    assert plans == included
    assert {p.parent.parent.name for p in built_root.rglob("interview-protocol*")} == {"candidates"}
    assert {p.parent.parent.name for p in built_root.rglob("individual-plan*")} == {"candidates"}
    # nominated, not yet interviewed: the protocol is a blank for the commission
    assert sorted(p.name for p in (built_root / "candidates/k-05").iterdir()) == [
        "interview-protocol.docx", "interview-protocol.pdf", "manifest.json"]
    blank = normalise(_text(built_root / "candidates/k-05/interview-protocol.docx"))
    assert "ПРОТОКОЛ № ______" in blank and "Претендент: Ильин Дмитрий Сергеевич" in blank


def test_protocol_scores_total_and_decision(built_root: Path) -> None:
    text = normalise(_text(built_root / "candidates/k-04/interview-protocol.docx"))
    assert "ПРОТОКОЛ № 3" in text and "27.09.2022" in text
    assert "Претендент: Блок Юлия Сергеевна" in text
    assert "педагогический - 14 лет, управленческий - 2 года" in text
    assert "Итого 25 14" in text
    assert "Решение: не включать в резерв управленческих кадров." in text
    assert "С протоколом ознакомлена" in text and "Ю.С. Блок" in text
    pending = normalise(_text(built_root / "candidates/k-03/interview-protocol.docx"))
    assert "Решение: решение не принято." in pending


def test_individual_plan_follows_the_roadmap_directions(built_root: Path) -> None:
    text = normalise(_text(built_root / "candidates/k-06/individual-plan.docx"))
    for section in ("1. Обучение", "2. Стажировка", "3. Наставничество", "4. Диагностика"):
        assert section in text
    assert "Кандидат: Цой Артём Игоревич" in text
    assert "Наставник: Черных Андрей Викторович, директор МБОУ СОШ № 5." in text
    assert "2.3. Стажировка по вопросам управления малокомплектной сельской школой" in text
    assert "малокомплектной" not in _text(built_root / "candidates/k-01/individual-plan.docx")
    assert "УТВЕРЖДАЮ" in text and "03.10.2022" in text


def test_reserve_list_groups_included_candidates_by_school(built: Path) -> None:
    lines = [normalise(p) for p in paragraphs(built / "reserve-list.docx") if p.strip()]
    assert lines[0] == "УТВЕРЖДАЮ"
    table = Document(str(built / "reserve-list.docx")).tables[0]
    rows = [[normalise(c.text) for c in row.cells] for row in table.rows[1:]]
    assert [row[0] for row in rows] == ["МБОУ СОШ № 5", "1", "МБОУ лицей № 1", "2",
                                        "МБОУ СОШ пос. Дивное", "3"]
    names = [row[1] for row in rows if row[0].isdigit()]
    assert names == ["Зайцева Марина Викторовна", "Гурченко Павел Андреевич",
                     "Цой Артём Игоревич"]
    assert rows[1][3] == "16 лет / 4 года" and rows[1][4] == "протокол от 26.09.2022 № 1"


def test_logs_carry_no_personal_data(project: Path, capsys: pytest.CaptureFixture[str],
                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    output = capsys.readouterr()
    logged = output.out + output.err + caplog.text
    assert "собрано 26" in logged
    for candidate in _candidates().values():
        for part in (candidate["surname"], candidate["first_name"], candidate["patronymic"]):
            assert part not in logged


def test_a_new_school_gets_its_packet_and_a_removed_candidate_loses_theirs(
        project: Path) -> None:
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    assert (project / "build/candidates/k-04/interview-protocol.docx").exists()

    _add_school(project, 3, "nechaeva", "high")
    candidates = project / "content/reserve/candidates.yaml"
    text = candidates.read_text(encoding="utf-8")
    candidates.write_text(re.sub(r"\n  k-04:\n(    .*\n)+", "\n", text), encoding="utf-8")
    interviews = project / "content/reserve/interviews.yaml"
    text = interviews.read_text(encoding="utf-8")
    interviews.write_text(re.sub(r"  - number: 3\n    candidate: k-04\n(    .*\n|      .*\n)+\n",
                                 "", text), encoding="utf-8")

    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    new = project / "build/outbox/school-3"
    assert sorted(p.name for p in new.iterdir()) == [
        "best-practice-request.docx", "manifest.json", "nomination-request.docx"]
    assert "МБОУ СОШ № 3" in _text(new / "nomination-request.docx")
    assert not (project / "build/candidates/k-04").exists()
    recorded = json.loads((project / "build/.state.json").read_text(encoding="utf-8"))
    assert "candidates/k-04/interview-protocol" not in recorded["documents"]  # forgotten
    assert "outbox/school-3/nomination-request" in recorded["documents"]
    assert "Блок" not in "".join(_folder_text(f) for f in (project / "build").rglob("*")
                                 if f.is_dir())


def test_filled_form_survives_a_round_trip_through_libreoffice(built_root: Path,
                                                               tmp_path: Path) -> None:
    source = tmp_path / "school" / "nomination-request.docx"
    source.parent.mkdir()
    shutil.copyfile(built_root / "outbox/school-5/nomination-request.docx", source)
    document = Document(str(source))
    table = document.tables[-1]
    table.rows[1].cells[3].text = "16 лет"
    table.rows[2].cells[1].text = "Новикова Ольга Павловна"
    table.rows[2].cells[7].text = "Победитель конкурса «Учитель года — 2021»"
    document.save(str(source))
    saved = tmp_path / "saved"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--norestore", "--convert-to", "docx:MS Word 2007 XML",
                    "--outdir", str(saved), str(source)], check=True, capture_output=True,
                   timeout=180)
    table = Document(str(saved / "nomination-request.docx")).tables[-1]
    assert len(table.columns) == 8 and len(table.rows) == 5
    assert table.rows[1].cells[1].text == "Зайцева Марина Викторовна"
    assert table.rows[1].cells[3].text == "16 лет"
    assert table.rows[2].cells[1].text == "Новикова Ольга Павловна"
    assert table.rows[2].cells[7].text == "Победитель конкурса «Учитель года — 2021»"


def test_a_reminder_goes_to_the_schools_that_nominated_nobody(project: Path,
                                                              tmp_path: Path) -> None:
    campaign = project / "content/orders/2022-685/campaign.yaml"
    campaign.write_text(campaign.read_text(encoding="utf-8") + """
nomination_reminder:
  number: 01-15/640
  date: 2022-09-19
  deadline: 2022-09-23
  title: О представлении сведений о кандидатах в резерв
  text:
    - Просим представить сведения по форме, направленной ранее.
  deadline_text: Сведения просим направить в срок до {deadline}.
  signatory: matasova
  executor: nechaeva
""", encoding="utf-8")
    people = project / "content/registry/people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("\ngroups:", """
  belova-tn:
    surname: Белова
    first_name: Татьяна
    patronymic: Николаевна
    gender: female
    position: директор
    sample: true

groups:""", 1), encoding="utf-8")
    _add_school(project, 9, "belova-tn", "average")
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    reminded = sorted(p.parent.name for p in (out / "outbox").glob("*/nomination-reminder.docx"))
    nominated = {line.split(":")[1].strip() for line in (
        project / "content/reserve/candidates.yaml").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("school:")}
    schools = sorted(p.name for p in (out / "outbox").iterdir())
    assert reminded == [school for school in schools if school not in nominated]
    assert reminded == ["school-9"]  # every shipped school has nominated someone
    text = "\n".join(paragraphs(out / "outbox" / reminded[0] / "nomination-reminder.docx"))
    assert ("Напоминаем, что письмом от 01.09.2022 №\u00a001\u201115/612 «О выдвижении кандидатов в "
            "резерв управленческих кадров» у Вашей образовательной организации запрошены "
            "сведения в срок до 16 сентября 2022\u00a0г.; ответ от Вашей организации не "
            "поступил.") in text
    assert "01-15/640" in text and "23 сентября 2022\u00a0г." in text
