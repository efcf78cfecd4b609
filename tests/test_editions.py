"""Editions from git: stamps, drafts, issue register, re-issue, redline, verify, history."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import amendment, commit_all, git, git_project, run_docgen
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from docgen.cli import main

ANNEX = "orders/2022-685/annex-1"
ANNEX_YAML = Path("content/orders/2022-685/annex-1-roadmap.yaml")
AMENDMENT = amendment()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _outputs(build: Path) -> dict[Path, str]:
    """Hashes of the documents, bundles and manifests in a build folder."""
    return {p.relative_to(build): _sha(p) for p in sorted(build.rglob("*"))
            if p.is_file() and not p.relative_to(build).parts[0].startswith(".")}


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def _identity(pdf: Path) -> dict[str, str]:
    """docgen's identity fields from the PDF's XMP packet."""
    xmp = PdfReader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    return dict(re.findall(r"<docgen:(\w+)>([^<]*)</docgen:\1>", xmp))


def _edit_interview_row(project: Path) -> None:
    """Change the deadline of the roadmap's interview activity."""
    path = project / ANNEX_YAML
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: interviews")
    at = text.index("deadline: Сентябрь", start)
    path.write_text(text[:at] + "deadline: Сентябрь – октябрь"
                    + text[at + len("deadline: Сентябрь"):], encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Edition 1 issued, a row edited and committed with its amending order, edition 2 issued."""
    project = git_project(tmp_path_factory.mktemp("editions"))
    state: dict[str, object] = {"project": project}
    assert main(["-C", str(project), "build"]) == 0
    state["clean_build"] = _outputs(project / "build")
    first = run_docgen(project, "issue", ANNEX, "--date", "2022-08-30")
    assert first.returncode == 0, first.stderr
    state["first_commit"] = git(project, "rev-parse", "HEAD~1").strip()

    _edit_interview_row(project)
    draft = run_docgen(project, "build")
    assert draft.returncode == 0
    state["draft_message"] = draft.stderr
    state["draft_pages"] = _pages(project / "build/orders/2022-685/annex-1.pdf")
    state["draft_letter_pages"] = _pages(project / "build/outbox/school-5/nomination-request.pdf")
    state["draft_identity"] = _identity(project / "build/orders/2022-685/annex-1.pdf")
    (project / "content/orders/2022-712").mkdir()
    (project / "content/orders/2022-712/amendment.yaml").write_text(AMENDMENT, encoding="utf-8")
    tags_before = git(project, "tag")
    refused = run_docgen(project, "issue", ANNEX)
    state["refused"] = refused
    state["unchanged"] = (tags_before == git(project, "tag")
                          and "2022-712" not in (project / "content/register.yaml").read_text())
    commit_all(project, "Сроки собеседований: сентябрь – октябрь; приказ № 712")
    second = run_docgen(project, "issue", ANNEX, "--date", "2022-10-14")
    assert second.returncode == 0, second.stderr
    state["second"] = second.stdout
    return state


def test_a_clean_build_is_stamped_with_its_commit(history: dict) -> None:
    project: Path = history["project"]
    first = history["first_commit"]
    docx = Document(str(project / "build/editions" / ANNEX / "1/annex-1.docx")).core_properties
    assert (docx.identifier, docx.version, docx.content_status) == (ANNEX, first, "Редакция 1")
    identity = _identity(project / "build/editions" / ANNEX / "1/annex-1.pdf")
    assert identity == {"document": ANNEX, "edition": "1", "commit": first, "draft": "false"}
    assert all("ПРОЕКТ" not in page
               for page in _pages(project / "build/editions" / ANNEX / "1/annex-1.pdf"))


def test_a_build_with_uncommitted_content_is_a_draft_on_every_page(history: dict) -> None:
    assert "содержимое не зафиксировано в git; документов со статусом ПРОЕКТ:" in \
        history["draft_message"]
    pages = history["draft_pages"]
    assert len(pages) >= 2 and all("ПРОЕКТ" in page for page in pages)
    assert history["draft_identity"]["draft"] == "true"
    letter = history["draft_letter_pages"]  # its own content is committed: not a draft
    assert len(letter) >= 2 and not any("ПРОЕКТ" in page for page in letter)


def test_issue_refuses_uncommitted_changes_and_changes_nothing(history: dict) -> None:
    refused = history["refused"]
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "есть незафиксированные изменения" in refused.stderr
    assert "сначала выполните git commit" in refused.stderr
    assert history["unchanged"]


def test_register_tags_and_editions(history: dict) -> None:
    project: Path = history["project"]
    register = yaml.safe_load((project / "content/register.yaml").read_text(encoding="utf-8"))
    entries = [(e["document"], e["edition"]) for e in register["editions"]]
    assert entries == [(ANNEX, 1), (ANNEX, 2), ("orders/2022-712/order", 1),
                       ("orders/2022-712/annex-1", 1)]
    for entry in register["editions"]:
        assert git(project, "cat-file", "-t", entry["tag"]).strip() == "tag"
        assert git(project, "rev-list", "-n", "1", entry["tag"]).strip() == entry["commit"]
        folder = project / "build/editions" / entry["document"] / str(entry["edition"])
        name = entry["document"].rsplit("/", 1)[1]
        assert _sha(folder / f"{name}.docx") == entry["docx_sha256"]
        assert _sha(folder / f"{name}.pdf") == entry["pdf_sha256"]
    assert git(project, "status", "--porcelain") == ""


def test_edition_two_carries_its_edition_mark_and_the_amending_order(history: dict) -> None:
    project: Path = history["project"]
    second = project / "build/editions" / ANNEX / "2/annex-1.pdf"
    text = " ".join(_pages(second)[0].split())
    assert ("(в редакции приказа Управления образования администрации БГО от 14.10.2022 № 712)"
            in text)
    order = " ".join(" ".join(_pages(project / "build/editions/orders/2022-712/order/1/order.pdf"))
                     .split())
    assert ("О внесении изменений в приказ Управления образования администрации БГО от "
            "30.08.2022 № 685") in order
    assert "изложив приложение № 1 к нему в новой редакции" in order
    first = " ".join(_pages(project / "build/editions" / ANNEX / "1/annex-1.pdf")[0].split())
    assert "в редакции" not in first


def test_issued_editions_are_never_overwritten(history: dict) -> None:
    project: Path = history["project"]
    register = (project / "content/register.yaml").read_bytes()
    again = run_docgen(project, "issue", ANNEX)
    assert again.returncode == 1
    assert "редакция 2 документа orders/2022-685/annex-1 уже издана 14.10.2022" in again.stderr
    assert "не перезаписывается" in again.stderr
    assert (project / "content/register.yaml").read_bytes() == register


def test_redline_of_edition_1_against_2_holds_exactly_the_edited_row(history: dict) -> None:
    project: Path = history["project"]
    result = run_docgen(project, "diff", ANNEX, "1", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "  таблица 1, строка 4, «Сроки»: «Сентябрь» → «Сентябрь\u00a0— октябрь»"]
    redline = project / "build/diff/orders--2022-685--annex-1--1--2.docx"
    body = Document(str(redline)).element.body
    marks = [node for node in body.iter(qn("w:ins"), qn("w:del"))]
    assert marks and all(node.get(qn("w:author")) == "docgen" for node in marks)
    rows = {next(node.iterancestors(qn("w:tr"))) for node in marks}
    assert len(rows) == 1
    table_rows = next(body.iter(qn("w:tbl"))).findall(qn("w:tr"))
    assert table_rows.index(rows.pop()) == 3
    inserted = "".join(t.text for n in body.iter(qn("w:ins")) for t in n.iter(qn("w:t")))
    assert inserted == "\u00a0— октябрь"


def test_redline_is_understood_by_libreoffice(history: dict, tmp_path: Path) -> None:
    project: Path = history["project"]
    redline = project / "build/diff/orders--2022-685--annex-1--1--2.docx"
    for target in ("pdf", "docx:MS Word 2007 XML"):
        subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                        "--headless", "--norestore", "--convert-to", target, "--outdir",
                        str(tmp_path / "out"), str(redline)], check=True, capture_output=True,
                       timeout=180)
    resaved = Document(str(tmp_path / "out" / redline.name)).element.body
    assert [n.get(qn("w:author")) for n in resaved.iter(qn("w:ins"))] == ["docgen"]
    assert "октябрь" in " ".join(_pages(tmp_path / "out" / redline.with_suffix(".pdf").name))


def test_verify_names_both_editions_and_rejects_a_changed_copy(history: dict,
                                                              tmp_path: Path) -> None:
    project: Path = history["project"]
    for edition in ("1", "2"):
        pdf = project / "build/editions" / ANNEX / edition / "annex-1.pdf"
        result = run_docgen(project, "verify", str(pdf))
        assert result.returncode == 0
        assert f"{ANNEX}, редакция {edition} (PDF)" in result.stdout
    tampered = tmp_path / "annex-1.pdf"
    data = bytearray((project / "build/editions" / ANNEX / "2/annex-1.pdf").read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    result = run_docgen(project, "verify", str(tampered))
    assert result.returncode == 1
    assert "не совпадает ни с одной изданной редакцией" in result.stderr
    assert f"по свойствам файла: {ANNEX}, редакция 2" in result.stderr


def test_rebuilding_edition_1_from_its_tag_gives_the_same_bytes(history: dict,
                                                                tmp_path: Path) -> None:
    project: Path = history["project"]
    checkout = tmp_path / "edition-1"
    git(project, "worktree", "add", "--detach", str(checkout), f"edition/{ANNEX}/1")
    assert main(["-C", str(checkout), "build"]) == 0
    register = yaml.safe_load((project / "content/register.yaml").read_text(encoding="utf-8"))
    first = register["editions"][0]
    assert _sha(checkout / "build" / f"{ANNEX}.docx") == first["docx_sha256"]
    assert _sha(checkout / "build" / f"{ANNEX}.pdf") == first["pdf_sha256"]


def test_builds_are_reproducible(history: dict) -> None:
    project: Path = history["project"]
    checkout = project.parent / "rebuild"
    git(project, "worktree", "add", "--detach", str(checkout), history["first_commit"])
    assert main(["-C", str(checkout), "build"]) == 0
    again = _outputs(checkout / "build")
    assert again == history["clean_build"]
    assert len(again) > 40


def test_history_lists_editions_and_commits_newest_first(history: dict) -> None:
    result = run_docgen(history["project"], "history", ANNEX)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == ANNEX and lines[1] == "Изданные редакции:"
    assert lines[2].startswith("  редакция 2, 14.10.2022, коммит ")
    assert lines[3].startswith("  редакция 1, 30.08.2022, коммит ")
    commits = lines[lines.index("Изменения содержимого:") + 1:]
    assert "Сроки собеседований" in commits[0] and "Содержимое приказа № 685" in commits[-1]


def test_git_diff_shows_the_text_of_templates(tmp_path: Path) -> None:
    project = git_project(tmp_path / "repo")
    shutil.copyfile(Path(__file__).resolve().parents[1] / ".gitattributes",
                    project / ".gitattributes")
    git(project, "config", "diff.docx.textconv", f"{sys.executable} -m docgen docx2txt")
    commit_all(project, "textconv")
    template = project / "templates/order.docx"
    document = Document(str(template))
    for paragraph in document.paragraphs:
        if paragraph.text == "{{ order.place }}":
            paragraph.runs[0].text = "г. {{ order.place }}"
    document.save(str(template))
    diff = git(project, "diff", "--", "templates/order.docx")
    assert "-{{ order.place }}" in diff and "+г. {{ order.place }}" in diff


def test_issue_looks_only_at_the_documents_own_inputs(tmp_path: Path) -> None:
    project = git_project(tmp_path / "repo")
    (project / "ключ подписи.p12").write_bytes(b"not content")  # a key beside the project
    (project / "content/заметка.yaml").write_text("a: 1\n", encoding="utf-8")  # not its input
    issued = run_docgen(project, "issue", "orders/2022-702/annex-2", "--date", "2022-09-12")
    assert issued.returncode == 0, issued.stderr
    (project / "content/orders/2022-702/черновик.yaml").write_text("a: 1\n", encoding="utf-8")
    refused = run_docgen(project, "issue", "orders/2022-702/order", "--date", "2022-09-12")
    assert refused.returncode == 1
    assert "в файлах, из которых собирается документ, есть незафиксированные изменения " \
           "(content/orders/2022-702/черновик.yaml); сначала выполните git commit" \
        in refused.stderr


def _status(project: Path, document: str) -> str:
    return Document(str(project / "build" / f"{document}.docx")).core_properties.content_status


def test_a_committed_change_to_an_issued_edition_is_a_draft_until_issued(tmp_path: Path) -> None:
    project = git_project(tmp_path / "repo")
    assert run_docgen(project, "issue", ANNEX, "--date", "2022-08-30").returncode == 0
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    assert _status(project, ANNEX) == "Редакция 1"
    _edit_interview_row(project)
    commit_all(project, "Сроки собеседований, без приказа об изменениях")
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    assert _status(project, ANNEX) == "Проект"  # not edition 1 any more, not issued either
    assert _status(project, "orders/2022-685/order") == "Редакция 1"  # unchanged: as it was
    (project / "content/orders/2022-712").mkdir()
    (project / "content/orders/2022-712/amendment.yaml").write_text(AMENDMENT, encoding="utf-8")
    commit_all(project, "Приказ № 712")
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    assert _status(project, ANNEX) == "Проект"  # edition 2, until it is issued
    assert run_docgen(project, "issue", ANNEX, "--date", "2022-10-14").returncode == 0
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    assert _status(project, ANNEX) == "Редакция 2"


def test_diff_names_a_missing_edition_and_keeps_a_tag_in_one_file(history: dict) -> None:
    project: Path = history["project"]
    missing = run_docgen(project, "diff", ANNEX, "1", "7")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert (f"у документа {ANNEX} нет редакции «7», и это не коммит и не метка git; изданные "
            "редакции: 1, 2") in missing.stderr
    assert "fatal" not in missing.stderr
    tagged = run_docgen(project, "diff", ANNEX, f"edition/{ANNEX}/1", "2")
    assert tagged.returncode == 0, tagged.stderr
    flat = ANNEX.replace("/", "--")
    assert (project / "build/diff" / f"{flat}--edition--{flat}--1--2.docx").is_file()
    assert all(path.is_file() for path in (project / "build/diff").iterdir())
