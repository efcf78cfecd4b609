"""Forms filled by schools come back into candidates.yaml: the right school, the right
letter, every row read or named with why not; hostile files refused."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import copy_project
from docx import Document

from docgen.cli import main

FORM = "nomination-request.docx"
CANDIDATES = Path("content/reserve/candidates.yaml")


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The forms docgen sends, as DOCX (no PDF needed), in a build folder."""
    project = copy_project(tmp_path_factory.mktemp("sent"))
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    return project / "build" / "outbox"


def _fill(form: Path, dest: Path, rows: list[list[str]]) -> Path:
    """The form as a school returns it: blank rows filled in Word."""
    document = Document(str(form))
    table = document.tables[-1]
    blank = [row for row in table.rows[1:] if not row.cells[1].text.strip()]
    for row, values in zip(blank, rows, strict=False):
        for cell, value in zip(row.cells[1:], values, strict=True):
            cell.paragraphs[0].add_run(value)
    dest.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(dest))
    return dest


ROW = ["Орлова Анна Сергеевна", "заместитель директора по УВР", "12 лет", "3",
       "высшее, БФУ им. И. Канта", "«Управление ОО», 2022", "победитель конкурса"]


def test_a_filled_form_adds_its_nominees_and_keeps_the_file_readable(
        forms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(tmp_path / "project")
    inbox = tmp_path / "inbox"
    _fill(forms / "school-4" / FORM, inbox / "school-4" / "ответ.docx",
          [ROW, ["Ким Павел Олегович", "учитель информатики", "7", "0", "", "", ""]])
    before = (project / CANDIDATES).read_text(encoding="utf-8")
    assert main(["-C", str(project), "intake", str(inbox)]) == 0
    said = capsys.readouterr()
    assert "Добавлен кандидат k-07: Орлова Анна Сергеевна, заместитель директора по УВР " \
           "(school-4)" in said.out
    assert "Добавлен кандидат k-08: Ким Павел Олегович" in said.out
    after = (project / CANDIDATES).read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # comments, order, quotes: as they were
    new = after[after.index("  k-07:"):]
    assert "surname: Орлова" in new and "gender: female" in new and "status: nominated" in new
    assert "teaching_experience: 12" in new and "reason: победитель конкурса" in new
    assert f"school: school-4\n    received: {dt.date.today().isoformat()}\n" in new
    assert main(["-C", str(project), "check"]) == 0
    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    table = Document(str(out / "outbox/school-4" / FORM)).tables[-1]
    assert "Орлова Анна Сергеевна" in [row.cells[1].text for row in table.rows]  # prefilled
    # each nominee gets the protocol of the coming interview, left blank for the commission
    protocol = "\n".join(p.text for p in Document(
        str(out / "candidates/k-07/interview-protocol.docx")).paragraphs)
    assert "ПРОТОКОЛ № ______" in protocol and "Орлова Анна Сергеевна" in protocol
    assert "«___» ____________ 20___ г." in protocol and "Решение: ____" in protocol
    assert (out / "candidates/k-08/interview-protocol.docx").is_file()
    capsys.readouterr()
    assert main(["-C", str(project), "intake", str(inbox)]) == 0  # the same forms again
    said = capsys.readouterr()
    assert "Принято кандидатов: 0" in said.out
    assert "Орлова Анна Сергеевна — уже есть" in said.err


def _bomb(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"a" * (120 << 20))


def test_forms_that_cannot_be_taken_are_named_with_why(
        forms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(tmp_path / "project")
    inbox = tmp_path / "inbox"
    _fill(forms / "school-4" / FORM, inbox / "school-6" / "чужая.docx", [ROW])
    _fill(forms / "school-6" / FORM, inbox / "school-6" / "плохая.docx",
          [["Орлов Анна", "учитель", "5", "0", "", "", ""],
           ["Иванов Иван Иванович", "учитель", "много", "0", "", "", ""]])
    shutil.copyfile(forms / "school-6" / FORM, inbox / "school-6" / "макрос.docm")
    (inbox / "случайный.docx").write_bytes(b"not a zip at all")
    _bomb(inbox / "бомба.docx")
    old = _fill(forms / "school-4" / FORM, inbox / "старое.docx", [ROW])
    document = Document(str(old))
    document.core_properties.title = "Письмо от 01.09.2021 № 01-15/100"
    document.save(str(old))
    before = (project / CANDIDATES).read_bytes()
    assert main(["-C", str(project), "intake", str(inbox)]) == 0
    said = capsys.readouterr()
    assert "Принято кандидатов: 0, обновлено: 0, пропущено: 8." in said.out, said.err
    err = said.err
    assert "school-6/чужая.docx: форма школы «school-4» лежит в папке школы «school-6»" in err
    assert "плохая.docx: строка 3 таблицы, столбец «ФИО»: ожидались фамилия, имя и отчество, " \
           "а написано «Орлов Анна»" in err
    assert "плохая.docx: строка 4 таблицы, столбец «Педагогический стаж»: не число лет " \
           "(«много»)" in err
    assert "макрос.docm: не форма DOCX (принимаются только файлы .docx; .docm с макросами" in err
    assert "случайный.docx: файл повреждён или не является документом DOCX" in err
    assert "бомба.docx: DOCX распаковывается в 120 МБ — больше 100 МБ; файл не открыт" in err
    assert "старое.docx: форма к другому письму (Письмо от 01.09.2021 № 01-15/100), а нужна к " \
           "письму № 01-15/612" in err
    assert "Traceback" not in err
    assert (project / CANDIDATES).read_bytes() == before


@pytest.mark.libreoffice
def test_a_form_resaved_by_libreoffice_is_taken_in(forms: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    project = copy_project(tmp_path / "project")
    filled = _fill(forms / "school-4" / FORM, tmp_path / "filled" / "ответ.docx", [ROW])
    inbox = tmp_path / "inbox" / "school-4"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir",
                    str(inbox), str(filled)], capture_output=True, check=True, timeout=120)
    assert (inbox / "ответ.docx").is_file()
    assert main(["-C", str(project), "intake", str(inbox.parent)]) == 0
    assert "Добавлен кандидат k-07: Орлова Анна Сергеевна" in capsys.readouterr().out


def test_update_changes_a_known_candidate_only_when_asked(
        forms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(tmp_path / "project")
    inbox = tmp_path / "inbox"
    document = Document(str(forms / "school-5" / FORM))
    row = next(row for row in document.tables[-1].rows[1:] if row.cells[1].text.strip())
    assert row.cells[1].text == "Зайцева Марина Викторовна"  # listed on the school's form
    for cell, value in zip(row.cells[3:5], ["17", "5"], strict=True):
        cell.paragraphs[0].add_run(value)
    inbox.mkdir()
    document.save(str(inbox / "ответ.docx"))
    before = (project / CANDIDATES).read_text(encoding="utf-8")
    assert main(["-C", str(project), "intake", str(inbox)]) == 0
    assert (project / CANDIDATES).read_text(encoding="utf-8") == before  # not asked
    capsys.readouterr()
    assert main(["-C", str(project), "intake", str(inbox), "--update"]) == 0
    assert "Обновлён кандидат k-01: Зайцева Марина Викторовна (teaching_experience, " \
           "management_experience)" in capsys.readouterr().out
    after = (project / CANDIDATES).read_text(encoding="utf-8")
    entry = after[after.index("  k-01:"):after.index("  k-02:")]
    assert "teaching_experience: 17" in entry and "management_experience: 5" in entry
    assert "status: included" in entry  # what the form does not say stays


def test_a_form_with_an_external_entity_is_not_followed(
        forms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(tmp_path / "project")
    secret = tmp_path / "secret.txt"
    secret.write_text("Орлова Анна Сергеевна", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    filled = _fill(forms / "school-4" / FORM, tmp_path / "filled.docx",
                   [["&xxe;", "учитель", "5", "1", "", "", ""]])
    with zipfile.ZipFile(filled) as source, \
            zipfile.ZipFile(inbox / "ответ.docx", "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                declaration = f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                data = data.replace(b"?>", b"?>" + declaration.encode(), 1)
                data = data.replace(b"&amp;xxe;", b"&xxe;")
            target.writestr(item, data)
    before = (project / CANDIDATES).read_bytes()
    assert main(["-C", str(project), "intake", str(inbox)]) == 0
    said = capsys.readouterr()
    assert "Орлова" not in said.out + said.err
    assert (project / CANDIDATES).read_bytes() == before
