"""Any act, any annex: order № 702 from content alone, acts of every kind, the clerk's checks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, replace_once, run_check
from docx import Document
from docx.oxml.ns import qn
from docx_text import normalise, paragraphs

from docgen import editions
from docgen.cli import main
from docgen.loading import plan_project

ORDER_702 = Path("content/orders/2022-702")


@pytest.fixture(scope="module")
def built_702(built_root: Path) -> Path:
    """The folder of order № 702 in the shared build."""
    return built_root / "orders" / "2022-702"


def _text(path: Path) -> str:
    return normalise("\n".join(paragraphs(path)))


def test_order_702_items_are_numbered_and_references_keep_their_punctuation(
        built_702: Path) -> None:
    text = _text(built_702 / "order.docx")
    assert "ПРИКАЗЫВАЮ:" in text and text.count("ПРИКАЗЫВАЮ") == 1
    assert "1. Утвердить Положение" in text
    assert "округа (приложение № 1). 2. Утвердить состав" in text
    assert "организации (приложение № 2). 3. Комиссии" in text
    assert "3.1. провести собеседования" in text
    assert "3.2.1. оформить протокол" in text and "3.2.2. представить список" in text
    assert "4. Руководителям общеобразовательных организаций:" in text
    assert ("5. Контроль за исполнением настоящего приказа возложить на заместителя "
            "начальника Управления образования администрации БГО Солдатову И.Н.") in text
    assert "И.Н.." not in text


def test_order_702_regulation_is_text_with_clauses_numbered_by_the_pipeline(
        built_702: Path) -> None:
    document = Document(str(built_702 / "annex-1.docx"))
    assert not document.tables, "a Положение has no table"
    lines = [line.strip() for line in paragraphs(built_702 / "annex-1.docx")]
    assert lines[:4] == ["УТВЕРЖДЕНО", "приказом Управления образования администрации БГО",
                         "от 12.09.2022 №\u00a0702", ""]
    assert "ПОЛОЖЕНИЕ" in lines
    numbers = [m[0] for line in lines for m in [re.match(r"^\d+(\.\d+)*\.", line)] if m]
    assert numbers == ["1.", "1.1.", "1.2.", "1.3.", "2.", "2.1.", "2.2.", "2.3.", "2.3.1.",
                       "2.3.2.", "2.4.", "3.", "3.1.", "3.2.", "3.3."]
    assert any(line.startswith("а) высшее образование") for line in lines)
    assert any(line.startswith("– добровольность") for line in lines)
    sections = [p for p in document.paragraphs if p.text in ("1. Общие положения",
                                                             "2. Порядок формирования резерва")]
    assert len(sections) == 2
    assert all(p.style.name == "Заголовок документа" for p in sections)


def test_order_702_commission_names_people_in_full_with_positions(built_702: Path) -> None:
    lines = [normalise(line) for line in paragraphs(built_702 / "annex-2.docx")]
    assert lines[0] == "УТВЕРЖДЕН"
    assert "СОСТАВ" in lines
    chair = lines.index("Председатель комиссии:")
    assert lines[chair + 1:chair + 3] == [
        "Солдатова Ирина Николаевна",
        "- заместитель начальника Управления образования администрации БГО"]
    assert "Шевченко Ольга Петровна" in lines
    assert "- директор МБОУ лицей № 1" in lines
    assert lines.index("Члены комиссии:") > lines.index("Секретарь комиссии:")


def test_order_702_pdfs_are_built_and_bundled(built_702: Path) -> None:
    for name in ("order", "annex-1", "annex-2", "bundle"):
        assert (built_702 / f"{name}.pdf").stat().st_size > 1000


def _act(project: Path, kind: str) -> Path:
    """Order № 702 turned into an act of another kind."""
    path = project / ORDER_702 / "order.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: order", f"kind: {kind}"),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("kind", "word", "operative", "mark"), [
    ("directive", "РАСПОРЯЖЕНИЕ", None, "распоряжением Управления"),
    ("decree", "ПОСТАНОВЛЕНИЕ", "ПОСТАНОВЛЯЮ:", "постановлением Управления"),
])
def test_each_kind_of_act_has_its_word_and_operative_word(
        project: Path, tmp_path: Path, kind: str, word: str, operative: str | None,
        mark: str) -> None:
    _act(project, kind)
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    order = paragraphs(out / "orders" / "2022-702" / "order.docx")
    assert word in [line.replace(" ", "") for line in order]
    assert "ПРИКАЗЫВАЮ:" not in order
    if operative:
        assert operative in order
    else:
        preamble_end = next(i for i, line in enumerate(order) if "формирования резерва" in line)
        assert order[preamble_end + 1].startswith("1. Утвердить")
    annex = paragraphs(out / "orders" / "2022-702" / "annex-1.docx")
    assert mark in annex[1]


def test_duplicate_number_of_an_act_in_a_year(project: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER_702 / "order.yaml", "number: 702", "number: 685")
    code, err = run_check(project, capsys)
    assert code == 1
    assert f"content/orders/2022-702/order.yaml:{line}:1: поле «number»: приказ № 685 за " \
           "2022 год уже есть: content/orders/2022-685/order.yaml" in err


def test_a_directive_may_share_an_orders_number(project: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, ORDER_702 / "order.yaml", "number: 702", "number: 685")
    _act(project, "directive")
    code, err = run_check(project, capsys)
    assert code == 0, err


def test_operative_word_in_the_preamble(project: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER_702 / "order.yaml", "образовательной организации\n\n",
                        "образовательной организации приказываю:\n\n")
    code, err = run_check(project, capsys)
    assert code == 1
    assert re.search(rf"2022-702/order.yaml:{line - 6}:\d+: поле «preamble\[1\]»: "
                     r"«приказываю» в преамбуле не пишется: «ПРИКАЗЫВАЮ:» ставит шаблон", err)


def test_annex_referenced_by_no_item(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, ORDER_702 / "order.yaml", "    annex: commission\n", "")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "2022-702/order.yaml:55:36: поле «annexes[2]»: на приложение «commission» не " \
        "ссылается ни один пункт" in err


def test_item_referencing_a_missing_annex(project: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER_702 / "order.yaml", "annex: commission",
                        "annex: comission")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"2022-702/order.yaml:{line}:5: поле «resolutions[2].annex»: у акта нет "
            "приложения «comission»; возможно, имелось в виду «commission»") in err


def test_unknown_person_in_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER_702 / "order.yaml", "      [[soldatova, вин",
                        "      [[soldatva, вин")
    code, err = run_check(project, capsys)
    assert code == 1
    assert re.search(rf"2022-702/order.yaml:{line - 2}:5: поле «resolutions\[5\]\.text»: "
                     r"в реестре нет «soldatva» \(ссылка «\[\[soldatva, вин, должность фи\]\]»\)"
                     r"; возможно, имелось в виду «soldatova»", err)


def test_unknown_case_in_a_reference(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, ORDER_702 / "order.yaml", "      [[soldatova, вин",
                 "      [[soldatova, винит")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "непонятно «винит»: ожидался падеж (им, род, дат, вин, твор, пред)" in err


def test_unknown_annex_kind_lists_the_known_ones(project: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ORDER_702 / "annex-2-commission.yaml", "\nkind: people",
                        "\nkind: peple") + 1
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"annex-2-commission.yaml:{line}:1: поле «kind»: неизвестный вид приложения "
            "«peple»; допустимы: form, people, roadmap, table, text; возможно, имелось в виду "
            "«people»") in err


TABLE_ANNEX = """\
id: schedule
kind: table
title: График собеседований
columns:
  - {title: Образовательная организация, key: school, width: 7}
  - {title: Дата, key: date, align: center}
  - {title: Кандидатов, key: count, align: center, total: true}
numbered: true
rows:
  - group: Школы высокого уровня эффективности
    rows:
      - {school: "[[lyceum-1]]", date: 20.09.2022, count: 2}
      - [МБОУ СОШ № 5, 21.09.2022, 1]
  - [МБОУ СОШ № 4, 22.09.2022, 3]
total: Итого
"""

FORM_ANNEX = """\
id: application
kind: form
title: Заявка
subtitle: на участие в собеседовании
fields:
  - Фамилия, имя, отчество
  - {label: Должность и место работы, lines: 2}
table:
  columns: [Курсы повышения квалификации, {title: Год, width: 2}]
  rows: 4
signature: [Руководитель ОО]
"""


def _with_annexes(project: Path, files: dict[str, str]) -> None:
    """Order № 702 with more annexes, each approved by an item of its own."""
    folder = project / ORDER_702
    order = folder / "order.yaml"
    text = order.read_text(encoding="utf-8")
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
        annex_id = body.split("\n", 1)[0].removeprefix("id: ")
        text = text.replace("\n  - text: \"Комиссии", f"\n  - text: Утвердить {annex_id}.\n"
                            f"    annex: {annex_id}\n\n  - text: \"Комиссии", 1)
    text = text.replace("annex-2-commission.yaml]", "annex-2-commission.yaml, "
                        + ", ".join(files) + "]")
    order.write_text(text, encoding="utf-8")


def test_table_annex_declares_columns_groups_numbers_and_totals(project: Path,
                                                                tmp_path: Path) -> None:
    _with_annexes(project, {"annex-3-schedule.yaml": TABLE_ANNEX})
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    path = out / "orders" / "2022-702" / "annex-3.docx"
    assert normalise(paragraphs(path)[0]) == "Приложение № 3"
    (table,) = Document(str(path)).tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["№\u00a0п/п", "Образовательная организация", "Дата", "Кандидатов"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.findall(qn("w:tc"))[0].tcPr.find(qn("w:gridSpan")).get(
        qn("w:val")) == "4"
    assert rows[2] == ["1.", "МБОУ лицей №\u00a01", "20.09.2022", "2"]
    assert rows[4] == ["3.", "МБОУ СОШ №\u00a04", "22.09.2022", "3"]
    assert rows[5][0] == "Итого" and rows[5][-1] == "6"
    order = _text(out / "orders" / "2022-702" / "order.docx")
    assert "Утвердить schedule (приложение № 3)." in order


def test_table_row_with_wrong_number_of_cells_is_located(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _with_annexes(project, {"annex-3-schedule.yaml": TABLE_ANNEX.replace(
        "[МБОУ СОШ № 4, 22.09.2022, 3]", "[МБОУ СОШ № 4, 22.09.2022]")})
    code, err = run_check(project, capsys)
    assert code == 1
    assert "annex-3-schedule.yaml:14:5: поле «rows[2]»: в строке 2 ячеек, а столбцов 3" in err


def test_form_annex_has_lines_a_blank_table_and_signature(project: Path,
                                                          tmp_path: Path) -> None:
    _with_annexes(project, {"annex-3-application.yaml": FORM_ANNEX})
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    path = out / "orders" / "2022-702" / "annex-3.docx"
    lines = paragraphs(path)
    assert "ЗАЯВКА" in lines and "на участие в собеседовании" in lines
    assert "Фамилия, имя, отчество\t" in lines
    assert lines.count("\t") == 1  # the second line of «Должность и место работы»
    (table,) = Document(str(path)).tables
    assert len(table.rows) == 5
    assert [cell.text for cell in table.rows[4].cells][0] == "4."
    assert any(line.startswith("Руководитель ОО") for line in lines)
    assert "«____» ______________ 20___ г." in lines


CERTIFICATE_DECLARATION = """\
title: справка
category: Справка
fields:
  number: {type: text, label: Номер}
  date: {type: date, label: Дата}
  person: {type: person, label: О ком}
  facts: {type: list, label: Сведения}
  note: {type: text, label: Примечание, required: false}
"""

CERTIFICATE = """\
kind: certificate
number: 15
date: 2022-10-03
person: nechaeva
facts:
  - работает в Управлении образования с 2015 года
  - "[[nechaeva, им, фио]] руководит методическим кабинетом"
"""


def _certificate_template(path: Path, extra: str = "") -> None:
    """A Word template a clerk could make: plain paragraphs with tags."""
    document = Document()
    document.add_paragraph("СПРАВКА № {{ number }} от {{ date|date_numeric }}")
    document.add_paragraph("Дана {{ person|person('дат', 'фио') }} в том, что:")
    document.add_paragraph("{%p for fact in facts %}")
    document.add_paragraph("– {{ fact }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{% if note %}{{ note }}{% endif %}" + extra)
    document.save(str(path))


def _custom_kind(project: Path, extra: str = "") -> None:
    _certificate_template(project / "templates" / "certificate.docx", extra)
    (project / "templates" / "certificate.yaml").write_text(CERTIFICATE_DECLARATION,
                                                            encoding="utf-8")
    (project / "content" / "documents").mkdir()
    (project / "content" / "documents" / "nechaeva-2022.yaml").write_text(
        CERTIFICATE, encoding="utf-8")


def test_a_custom_kind_needs_only_a_template_and_its_declaration(project: Path,
                                                                 tmp_path: Path) -> None:
    _custom_kind(project)
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    lines = paragraphs(out / "documents" / "nechaeva-2022" / "certificate.docx")
    assert lines[0] == "СПРАВКА № 15 от 03.10.2022"
    assert lines[1] == "Дана Нечаевой Инне Александровне в том, что:"
    assert lines[3] == "– Нечаева Инна Александровна руководит методическим кабинетом"
    core = Document(str(out / "documents" / "nechaeva-2022" / "certificate.docx")).core_properties
    assert core.category == "Справка"


def test_a_custom_document_is_made_from_its_own_file_the_registry_and_templates(
        project: Path) -> None:
    _custom_kind(project)
    folders = plan_project(project)
    assert [str(p) for p in editions._sources(folders, "documents/nechaeva-2022/certificate")] \
        == ["content/documents/nechaeva-2022.yaml", "content/registry", "templates"]


def test_custom_kind_content_is_validated_with_located_messages(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _custom_kind(project)
    path = project / "content" / "documents" / "nechaeva-2022.yaml"
    path.write_text(CERTIFICATE.replace("date: 2022-10-03", "date: 2022-13-03")
                    .replace("person: nechaeva", "person: nechaev"), encoding="utf-8")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "content/documents/nechaeva-2022.yaml:3:1: поле «date»: даты «2022-13-03» нет " \
           "в календаре" in err
    assert "content/documents/nechaeva-2022.yaml:4:1: поле «person»: неизвестный " \
           "идентификатор человека «nechaev»; возможно, имелось в виду «nechaeva»" in err


def test_check_reports_a_template_tag_the_declaration_does_not_provide(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _custom_kind(project, extra="{{ signer }}")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "templates/certificate.docx: поле «signer»: шаблон обращается к значению, " \
           "которого нет в объявлении templates/certificate.yaml" in err


def test_a_custom_kind_without_its_template(project: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _custom_kind(project)
    (project / "templates" / "certificate.docx").unlink()
    code, err = run_check(project, capsys)
    assert code == 1
    assert "templates/certificate.yaml:1:1: нет шаблона templates/certificate.docx для вида " \
           "«certificate»" in err


def test_shipped_templates_are_what_make_templates_writes(tmp_path: Path) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "tools" / "make_templates.py"), str(tmp_path)],
                   check=True, cwd=ROOT)
    for made in sorted(tmp_path.glob("*.docx")):
        assert made.read_bytes() == (ROOT / "templates" / made.name).read_bytes(), made.name
    shutil.rmtree(tmp_path)


LETTER = """\
number: 01-15/640
date: 2022-09-19
to:
  - schools: {efficiency: [high, above-average]}
  - nechaeva
title: О проведении собеседований с кандидатами в резерв
basis: {act: 2022-702}
text:
  - >-
    Собеседования проводит комиссия под председательством [[soldatova, род, фи]].
deadline: 2022-09-26
deadline_text: Заявку на участие просим направить до {deadline}.
annexes: [annex-application.yaml]
signatory: matasova
executor: nechaeva
"""


def _letter(project: Path, text: str = LETTER) -> Path:
    folder = project / "content" / "letters" / "2022-interviews"
    folder.mkdir(parents=True)
    (folder / "letter.yaml").write_text(text, encoding="utf-8")
    (folder / "annex-application.yaml").write_text(FORM_ANNEX, encoding="utf-8")
    return folder / "letter.yaml"


def test_a_merged_letter_goes_to_each_recipient_with_its_annex(project: Path,
                                                               tmp_path: Path) -> None:
    _letter(project)
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    outbox = out / "outbox"
    got = sorted(p.parent.name for p in outbox.glob("*/2022-interviews.docx"))
    assert got == ["gymnasium-7", "lyceum-1", "nechaeva", "school-5"]  # high, above-average
    lyceum = [normalise(line) for line in paragraphs(outbox / "lyceum-1" / "2022-interviews.docx")]
    assert lyceum[lyceum.index("Директору"):lyceum.index("Директору") + 3] == [
        "Директору", "МБОУ лицей № 1", "О.П. Шевченко"]
    assert "Уважаемая Ольга Петровна!" in lyceum
    assert ("Во исполнение приказа Управления образования администрации БГО от 12.09.2022 "
            "№ 702 \"Об утверждении Положения") in "\n".join(lyceum)
    assert "Собеседования проводит комиссия под председательством Солдатовой И.Н." in lyceum
    assert "Приложение: заявка." in lyceum
    official = [normalise(line) for line in paragraphs(outbox / "nechaeva" / "2022-interviews.docx")]
    assert "И.А. Нечаевой" in official and "Уважаемая Инна Александровна!" in official
    (project / "content/letters/2022-interviews/letter.yaml").write_text(
        LETTER.replace("title:", "salutation: false\ntitle:"), encoding="utf-8")
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    assert not any(line.startswith("Уважаем") for line in paragraphs(
        outbox / "nechaeva" / "2022-interviews.docx"))
    mark = [normalise(line) for line in paragraphs(
        outbox / "school-5" / "2022-interviews-annex-1.docx")][:3]
    assert mark == ["Приложение", "к письму Управления образования администрации БГО",
                    "от 19.09.2022 № 01-15/640"]
    nominations = paragraphs(outbox / "school-5" / "nomination-request.docx")
    assert nominations, "the campaign's letters share the school's folder"


def test_an_unmerged_letter_names_all_its_addressees_once(project: Path, tmp_path: Path) -> None:
    _letter(project, LETTER.replace("  - schools: {efficiency: [high, above-average]}\n"
                                    "  - nechaeva\n", "  - school-heads\n  - soldatova\n")
            .replace("title:", "merge: false\ntitle:"))
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    lines = [normalise(line) for line in paragraphs(
        out / "letters" / "2022-interviews" / "letter.docx")]
    assert "Руководителям общеобразовательных организаций" in lines
    assert "И.Н. Солдатовой" in lines
    assert not any(line.startswith("Уважаем") for line in lines)
    assert (out / "letters" / "2022-interviews" / "letter-annex-1.docx").exists()


def test_a_letters_basis_and_recipients_are_checked(project: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _letter(project, LETTER.replace("basis: {act: 2022-702}", "basis: {act: 2022-720}")
            .replace("  - nechaeva\n", "  - nechayeva\n  - schools: {efficiency: [top]}\n"))
    code, err = run_check(project, capsys)
    assert code == 1
    assert "content/letters/2022-interviews/letter.yaml:5:5: поле «to[2]»: неизвестный " \
           "идентификатор адресата «nechayeva»; возможно, имелось в виду «nechaeva»" in err
    assert "letter.yaml:6:5: поле «to[3]»: ожидался фильтр вида «schools:" in err


def test_a_letters_basis_names_an_act_and_its_activity(project: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _letter(project, LETTER.replace("basis: {act: 2022-702}", "basis: {act: 2022-720}"))
    code, err = run_check(project, capsys)
    assert code == 1
    assert "letter.yaml:7:9: поле «basis.act»: нет акта «2022-720» в content/orders; " \
           "возможно, имелось в виду «2022-702»" in err
    (project / "content/letters/2022-interviews/letter.yaml").write_text(LETTER.replace(
        "basis: {act: 2022-702}", "basis: {act: 2022-685, activity: interview}"),
        encoding="utf-8")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "поле «basis.activity»: в «дорожной карте» акта «2022-685» нет мероприятия " \
           "«interview»" in err


def test_docgen_new_scaffolds_an_act_with_every_kind_of_annex_that_builds(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "new", "act", "2022-710", "--kind", "directive"]) == 0
    code, err = run_check(project, capsys)
    assert code == 0, err  # a new act checks clean before anything is filled in
    for kind in ("text", "table", "people", "form", "roadmap"):
        assert main(["-C", str(project), "new", "annex", "2022-710", "--kind", kind]) == 0
    order = (project / "content/orders/2022-710/order.yaml").read_text(encoding="utf-8")
    assert "annexes: [annex-1-text.yaml, annex-2-table.yaml, annex-3-people.yaml, " \
           "annex-4-form.yaml, annex-5-roadmap.yaml]" in order
    # the first item approves the first annex; the clerk adds items for the others
    text = order.replace("resolutions:\n", "resolutions:\n" + "".join(
        f"  - text: Утвердить приложение {n}.\n    annex: {k}-{n}\n" for n, k in
        ((2, "table"), (3, "people"), (4, "form"), (5, "roadmap"))))
    (project / "content/orders/2022-710/order.yaml").write_text(text, encoding="utf-8")
    code, err = run_check(project, capsys)
    assert code == 0, err
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    assert sorted(p.name for p in (out / "orders/2022-710").glob("*.docx")) == [
        "annex-1.docx", "annex-2.docx", "annex-3.docx", "annex-4.docx", "annex-5.docx",
        "order.docx"]
    assert "РАСПОРЯЖЕНИЕ" in [line.replace(" ", "") for line in
                              paragraphs(out / "orders/2022-710/order.docx")]


def test_docgen_new_letter_and_document_and_never_overwrites(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "new", "letter", "2022-interviews"]) == 0
    assert main(["-C", str(project), "new", "annex", "2022-interviews", "--kind", "form"]) == 0
    code, err = run_check(project, capsys)
    assert code == 0, err
    _custom_kind(project)
    assert main(["-C", str(project), "new", "document", "spravka-16", "--kind",
                 "certificate"]) == 0
    scaffold = (project / "content/documents/spravka-16.yaml").read_text(encoding="utf-8")
    assert "kind: certificate\n" in scaffold
    assert "person:  # О ком (person, обязательно)" in scaffold
    capsys.readouterr()
    assert main(["-C", str(project), "new", "letter", "2022-interviews"]) == 1
    assert "letter.yaml уже есть и не перезаписывается" in capsys.readouterr().err
    assert main(["-C", str(project), "new", "annex", "2022-999", "--kind", "form"]) == 1
    assert main(["-C", str(project), "new", "act", "2022-711", "--kind", "prikaz"]) == 1
    assert "нет вида акта «prikaz»; допустимы: order, directive, decree" in \
        capsys.readouterr().err


def test_a_letter_that_would_overwrite_a_campaign_document_is_refused(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _letter(project).parent
    folder.rename(folder.with_name("nomination-request"))
    code, err = run_check(project, capsys)
    assert code == 1
    assert "два документа получились бы одним файлом build/outbox/lyceum-1/" \
           "nomination-request.docx" in err


def test_a_custom_kind_of_annex_and_a_field_name_the_model_has(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _certificate_template(project / "templates" / "agreement.docx")
    declaration = CERTIFICATE_DECLARATION.replace("title: справка", "title: согласие\nannex: true")
    (project / "templates" / "agreement.yaml").write_text(declaration, encoding="utf-8")
    _with_annexes(project, {"annex-3-agreement.yaml": "id: agreement\nkind: agreement\n"
                            "title: Согласие\n" + CERTIFICATE.removeprefix("kind: certificate\n")})
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    lines = paragraphs(out / "orders" / "2022-702" / "annex-3.docx")
    assert lines[1] == "Дана Нечаевой Инне Александровне в том, что:"
    (project / "templates" / "agreement.yaml").write_text(
        declaration.replace("  note:", "  json:"), encoding="utf-8")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "templates/agreement.yaml:9:3: поле «fields.json»: имя «json» занято" in err


def test_table_wider_than_the_page_is_refused(project: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _with_annexes(project, {"annex-3-schedule.yaml": TABLE_ANNEX.replace("width: 7}",
                                                                         "width: 13}")})
    code, err = run_check(project, capsys)
    assert code == 0, err  # 13 cm, 1 for the numbers and 1.5 for each other: exactly the page
    (project / ORDER_702 / "annex-3-schedule.yaml").write_text(
        TABLE_ANNEX.replace("width: 7}", "width: 13.5}"), encoding="utf-8")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "annex-3-schedule.yaml:4:1: поле «columns»: столбцы шире страницы: 17.5 см при " \
           "ширине текста 17 см" in err


def test_a_persons_organization_must_be_in_the_registry(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, Path("content/registry/people.yaml"),
                        "    position: консультант Управления образования администрации БГО\n",
                        "    position: консультант\n    organization: uo-bg\n") + 1
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"content/registry/people.yaml:{line}:5: поле «people.petropavlovskaya."
            "organization»: неизвестный идентификатор организации «uo-bg»; возможно, имелось "
            "в виду «uo-bgo»") in err
