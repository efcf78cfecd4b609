"""The issue register without LibreOffice: verify, the original of a signed copy, history,
redlines against an edition, tagging and its undoing, re-stamping a new commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pikepdf
import pytest
from certificates import GostAuthority, gost_sign
from conftest import amendment, commit_all, git, git_project, replace_once
from docx import Document
from docx.oxml.ns import qn
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from docgen import editions
from docgen.build import build
from docgen.content import load_register, save_register
from docgen.documents import BuildOptions, Revision
from docgen.editions import EditionError, Issued
from docgen.loading import plan_project
from docgen.model import Edition, Register
from docgen.stamp import finalize_pdf

ANNEX = "orders/2022-685/annex-1"
ORDER = "orders/2022-685/order"
ANNEX_YAML = Path("content/orders/2022-685/annex-1-roadmap.yaml")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def committed(tmp_path: Path) -> Path:
    """The shipped project in a git repository of its own."""
    return git_project(tmp_path / "repo")


def _head(project: Path) -> str:
    return git(project, "rev-parse", "HEAD").strip()


def _docx(project: Path, document: str, out: Path) -> Path:
    """The document built without PDF into `out`, stamped with the project's HEAD."""
    build(project, out, BuildOptions(pdf=False, select=frozenset({document}),
                                     revision=Revision(_head(project), False)))
    return out / f"{document}.docx"


def _pdf(project: Path, document: str, path: Path) -> Path:
    """A one-page PDF carrying the document's identity, as docgen stamps every PDF."""
    planned = next(d for folder in plan_project(project) for d in folder.documents
                   if d.document_id == document)
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(path)
    finalize_pdf(path, planned.properties, Revision(_head(project), False))
    return path


def _append_update(path: Path) -> None:
    """Append an incremental update to the PDF, as a signature or a mark drawn on it does."""
    with path.open("rb+") as stream:
        writer = IncrementalPdfFileWriter(stream, strict=False)
        writer.root["/PageMode"] = generic.NameObject("/UseNone")
        writer.update_root()
        writer.write_in_place()


def _edition(document: str, number: int, commit: str, docx: str, pdf: str) -> Edition:
    return Edition(document=document, edition=number, issued=dt.date(2022, 8, 30),
                   commit=commit, tag=f"edition/{document}/{number}", docx_sha256=docx,
                   pdf_sha256=pdf)


def test_verify_names_a_registered_docx_and_what_a_changed_copy_claims(
        committed: Path, tmp_path: Path) -> None:
    docx = _docx(committed, ANNEX, tmp_path / "out")
    other = "0" * 64
    save_register(committed, Register(editions=[
        _edition(ORDER, 1, _head(committed), other, other),
        _edition(ANNEX, 1, _head(committed), _sha(docx), other)]))
    found = editions.verify(committed, docx)
    assert (found.match, found.kind, found.ok) == (load_register(committed).editions[1], "docx",
                                                    True)
    changed = tmp_path / "changed.docx"
    document = Document(str(docx))
    document.add_paragraph("Приписка.")
    document.save(str(changed))
    unknown = editions.verify(committed, changed)
    assert unknown.match is None and not unknown.ok and unknown.kind == "docx"
    assert unknown.claimed == {"document": ANNEX, "edition": "1", "commit": _head(committed),
                               "draft": "false"}


def test_verify_finds_the_edition_a_pdf_with_appended_bytes_was_made_from(
        committed: Path, tmp_path: Path) -> None:
    made = _pdf(committed, ORDER, tmp_path / "made.pdf").read_bytes().rstrip(b"\r\n")
    for ending in (b"\n", b"\r\n", b""):
        pdf = tmp_path / "order.pdf"
        pdf.write_bytes(made + ending)
        save_register(committed, Register(editions=[
            _edition(ANNEX, 1, _head(committed), "0" * 64, "0" * 64),
            _edition(ORDER, 1, _head(committed), "1" * 64, _sha(pdf))]))
        registered = load_register(committed).editions[1]
        direct = editions.verify(committed, pdf)
        assert (direct.match, direct.kind, direct.amended_copy) == (registered, "pdf", False)
        copy = tmp_path / "copy.pdf"
        copy.write_bytes(pdf.read_bytes())
        _append_update(copy)
        found = editions.verify(committed, copy)
        # bytes no signature vouches for follow the registered ones: named, never ok
        assert (found.match, found.amended_copy, found.ok) == (registered, True, False), ending
        assert found.claimed["document"] == ORDER and found.claimed["draft"] == "false"
    stranger = tmp_path / "stranger.pdf"
    _pdf(committed, ANNEX, stranger)
    alone = editions.verify(committed, stranger)
    assert (alone.match, alone.amended_copy, alone.claimed["document"]) == (None, False, ANNEX)
    text = tmp_path / "письмо.pdf"
    text.write_bytes(b"not a PDF at all")
    assert editions.verify(committed, text) == editions.Verification(None, "pdf", {})


def test_verify_refuses_what_is_not_a_file_or_too_large(
        committed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(EditionError, match="это не обычный файл или он больше 512 МБ"):
        editions.verify(committed, tmp_path)
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as file:  # sparse: refused by its size, never read
        file.truncate((512 << 20) + 1)
    with pytest.raises(EditionError, match="это не обычный файл или он больше 512 МБ"):
        editions.verify(committed, huge)
    monkeypatch.setattr(editions, "MAX_VERIFIED", 2 << 20)  # the edge, without reading 512 MB
    exact = tmp_path / "exact.pdf"
    exact.write_bytes(bytes(2 << 20))
    assert editions.verify(committed, exact).match is None
    exact.write_bytes(bytes((2 << 20) + 1))
    with pytest.raises(EditionError, match="больше 2 МБ"):
        editions.verify(committed, exact)
    with pytest.raises(EditionError, match="не удаётся прочитать .*нет.pdf: файла нет"):
        editions.verify(committed, tmp_path / "нет.pdf")


def test_history_lists_a_commit_that_changed_only_the_template(committed: Path) -> None:
    template = committed / "templates/annex-roadmap.docx"
    document = Document(str(template))
    document.add_paragraph("Примечание.")
    document.save(str(template))
    commit_all(committed, "Шаблон «дорожной карты»: примечание")
    replace_once(committed, Path("content/orders/2022-702/order.yaml"), "number: 702",
                 "number: 703")
    commit_all(committed, "Другой приказ")
    found = editions.history(committed, ANNEX)
    messages = [message for _, _, message in found.commits]
    assert messages[0] == "Шаблон «дорожной карты»: примечание"  # newest first
    assert "Другой приказ" not in messages and found.editions == []
    with pytest.raises(EditionError, match="нет документа «orders/2022-685/anex-1»; возможно, "
                                           "имелось в виду: orders/2022-685/annex-1"):
        editions.history(committed, "orders/2022-685/anex-1")


def test_each_document_is_made_from_its_own_sources(committed: Path) -> None:
    (committed / "content/orders/2022-712").mkdir()
    (committed / "content/orders/2022-712/amendment.yaml").write_text(
        amendment(), encoding="utf-8")
    folders = plan_project(committed)
    paths = {document: [str(p) for p in editions._sources(folders, document)]
             for document in (ANNEX, "outbox/school-5/nomination-request",
                              "reserve/reserve-list", "orders/2022-702/order")}
    assert paths[ANNEX] == ["content/orders/2022-685", "content/registry", "templates",
                            "content/orders/2022-712/amendment.yaml"]
    assert paths["orders/2022-702/order"] == ["content/orders/2022-702", "content/registry",
                                              "templates"]
    assert paths["outbox/school-5/nomination-request"] == [
        "content/orders", "content/letters", "content/reserve", "content/dispatch.yaml",
        "content/registry", "templates"]
    assert paths["reserve/reserve-list"] == ["content/reserve", "content/registry", "templates"]


def test_a_new_edition_of_an_annex_is_issued_with_its_amending_order(committed: Path) -> None:
    (committed / "content/orders/2022-712").mkdir()
    (committed / "content/orders/2022-712/amendment.yaml").write_text(
        amendment(), encoding="utf-8")
    folders = plan_project(committed)
    annex = editions._find(folders, ANNEX)
    assert annex.properties.edition == 2
    ids = [d.document_id for d in editions._to_issue(folders, annex, Register())]
    assert ids == [ANNEX, "orders/2022-712/order", "orders/2022-712/annex-1"]
    issued = Register(editions=[_edition("orders/2022-712/order", 1, _head(committed),
                                         "0" * 64, "1" * 64)])
    assert [d.document_id for d in editions._to_issue(folders, annex, issued)] == [
        ANNEX, "orders/2022-712/annex-1"]
    order = editions._find(folders, ORDER)
    assert editions._to_issue(folders, order, Register()) == [order]


def test_issue_refuses_to_overwrite_an_edition_and_says_whether_content_changed(
        committed: Path) -> None:
    head = _head(committed)
    save_register(committed, Register(editions=[_edition(ORDER, 1, head, "0" * 64, "1" * 64)]))
    commit_all(committed, "Журнал")
    with pytest.raises(EditionError) as same:
        editions.issue(committed, ORDER, today=dt.date(2022, 9, 1))
    assert str(same.value) == (f"редакция 1 документа {ORDER} уже издана 30.08.2022 (коммит "
                               f"{head[:10]}) и не перезаписывается")
    replace_once(committed, Path("content/orders/2022-685/order.yaml"), "город Балтийск",
                 "г. Балтийск")
    commit_all(committed, "Место издания")
    with pytest.raises(EditionError, match="и не перезаписывается; с тех пор содержимое "
                                           "изменилось: оформите изменения приказом"):
        editions.issue(committed, ORDER, today=dt.date(2022, 9, 1))


def _issued(committed: Path, document: str, number: int) -> Issued:
    return Issued(_edition(document, number, _head(committed), "0" * 64, "1" * 64), [])


def test_registering_tags_each_edition_and_commits_the_register(committed: Path) -> None:
    head = _head(committed)
    editions._register(committed, Register(), [_issued(committed, ORDER, 1),
                                               _issued(committed, ANNEX, 1)],
                       head, dt.date(2022, 8, 30))
    assert git(committed, "tag").split() == [f"edition/{ANNEX}/1", f"edition/{ORDER}/1"]
    assert git(committed, "rev-parse", f"edition/{ORDER}/1^{{commit}}").strip() == head
    assert "издана 30.08.2022" in git(committed, "tag", "-n1", f"edition/{ANNEX}/1")
    assert git(committed, "status", "--porcelain") == ""
    assert git(committed, "log", "-1", "--format=%s").strip() == (
        f"Журнал регистрации: {ORDER} (редакция 1), {ANNEX} (редакция 1)")
    assert [e.document for e in load_register(committed).editions] == [ORDER, ANNEX]


@pytest.mark.parametrize("with_register", [False, True])
def test_a_failed_registration_leaves_no_tag_and_the_register_as_it_was(
        committed: Path, with_register: bool) -> None:
    head = _head(committed)
    if with_register:
        save_register(committed, Register(editions=[_edition(ORDER, 1, head, "0" * 64,
                                                             "1" * 64)]))
        commit_all(committed, "Журнал")
    before = (committed / "content/register.yaml").read_bytes() if with_register else None
    git(committed, "tag", f"edition/{ANNEX}/2", head)  # already there: the second tag fails
    with pytest.raises(editions.DocgenError):
        editions._register(committed, load_register(committed),
                           [_issued(committed, ANNEX, 1), _issued(committed, ANNEX, 2)],
                           _head(committed), dt.date(2022, 10, 14))
    assert git(committed, "tag").split() == [f"edition/{ANNEX}/2"]
    register = committed / "content/register.yaml"
    assert (register.read_bytes() if register.exists() else None) == before


def test_recording_copies_both_files_and_hashes_them(committed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "orders/2022-685").mkdir(parents=True)
    (out / f"{ORDER}.docx").write_bytes(b"docx bytes")
    (out / f"{ORDER}.pdf").write_bytes(b"pdf bytes")
    document = editions._find(plan_project(committed), ORDER)
    head = _head(committed)
    recorded = editions._record(committed, out, document, head, dt.date(2022, 8, 30))
    target = committed / "build/editions" / ORDER / "1"
    assert recorded.files == [target / "order.docx", target / "order.pdf"]
    assert [f.read_bytes() for f in recorded.files] == [b"docx bytes", b"pdf bytes"]
    assert recorded.edition == _edition(ORDER, 1, head, hashlib.sha256(b"docx bytes").hexdigest(),
                                        hashlib.sha256(b"pdf bytes").hexdigest())


def test_a_redline_against_the_issued_edition_shows_the_edit(committed: Path) -> None:
    head = _head(committed)
    with pytest.raises(EditionError, match=f"у документа {ANNEX} нет изданных редакций"):
        editions.compare(committed, ANNEX)
    save_register(committed, Register(editions=[_edition(ANNEX, 1, head, "0" * 64, "1" * 64)]))
    commit_all(committed, "Журнал")
    replace_once(committed, ANNEX_YAML, "deadline: Сентябрь", "deadline: Сентябрь – октябрь")
    result = editions.compare(committed, ANNEX)
    assert (result.older, result.newer) == ("1", editions.WORKTREE)
    marks = Document(str(result.path)).element.body.xpath(".//w:ins | .//w:del")
    assert marks and {(m.get(qn("w:author")), m.get(qn("w:date"))) for m in marks} == {
        ("docgen", "2000-01-01T00:00:00Z")}  # fixed: the same redline, the same bytes
    assert result.path == committed / "build/diff" / (
        "orders--2022-685--annex-1--1--рабочая-копия.docx")
    typeset = "Сентябрь\xa0— октябрь"
    assert [(c.old, c.new) for c in result.changes] == [("Сентябрь", typeset)]
    against_commit = editions.compare(committed, ANNEX, head[:12], "1")
    assert against_commit.changes == [] and against_commit.path.is_file()
    with pytest.raises(EditionError, match="нет редакции «7», и это не коммит и не метка git; "
                                           "изданные редакции: 1"):
        editions.compare(committed, ANNEX, "7")


def test_a_new_commit_restamps_the_docx_without_rebuilding_it(committed: Path) -> None:
    out = committed / "build"
    assert build(committed, out, BuildOptions(pdf=False)).built > 0
    first = _head(committed)
    text = [p.text for p in Document(str(out / f"{ANNEX}.docx")).paragraphs]
    (committed / "заметка.txt").write_text("не содержимое\n", encoding="utf-8")
    commit_all(committed, "Заметка")
    report = build(committed, out, BuildOptions(pdf=False))
    assert report.built == 0
    core = Document(str(out / f"{ANNEX}.docx")).core_properties
    assert core.version == _head(committed) != first
    assert core.identifier == ANNEX and os.stat(out / f"{ANNEX}.docx").st_nlink == 1
    assert [p.text for p in Document(str(out / f"{ANNEX}.docx")).paragraphs] == text


def test_a_detached_gost_signature_beside_a_registered_file_is_reported(
        committed: Path, tmp_path: Path) -> None:
    docx = _docx(committed, ANNEX, tmp_path / "out")
    save_register(committed, Register(editions=[_edition(ANNEX, 1, _head(committed), _sha(docx),
                                                         "0" * 64)]))
    authority = GostAuthority(tmp_path / "pki")
    key, certificate = authority.issue("matasova")
    signature = gost_sign(docx, key, certificate)
    found = editions.verify(committed, docx, [authority.pem])
    assert found.ok and found.trust_checked and found.match is not None
    [report] = found.signatures
    assert (report.signer, report.intact, report.valid, report.trusted, report.covers_whole_file,
            report.changed_after, report.timestamped, report.detached) == (
        "Матасова Ольга Ивановна", True, True, True, True, False, False, signature.name)
    assert report.signing_time is not None
    other = GostAuthority(tmp_path / "other-pki")
    untrusted = editions.verify(committed, docx, [other.pem])
    assert not untrusted.ok and not untrusted.signatures[0].trusted
    docx.write_bytes(docx.read_bytes() + b"\0")
    broken = editions.verify(committed, docx, [authority.pem])
    assert broken.match is None and not broken.ok
    assert (broken.signatures[0].intact, broken.signatures[0].changed_after) == (False, True)


LETTER = """\
number: 01-15/640
date: 2022-09-20
to: [soldatova]
title: О проведении семинара
basis: {act: 2022-685}
text: [Просим провести семинар.]
signatory: matasova
executor: nechaeva
"""


def test_sources_of_a_control_report_and_of_a_letter(committed: Path) -> None:
    letter = committed / "content/letters/2022-seminar/letter.yaml"
    letter.parent.mkdir(parents=True)
    letter.write_text(LETTER, encoding="utf-8")
    folders = plan_project(committed)
    assert [str(p) for p in editions._sources(folders, "control/2022-685/report-2022-09-15")] \
        == ["content/orders", "content/letters", "content/reserve", "content/dispatch.yaml",
            "content/registry", "templates"]
    assert [str(p) for p in editions._sources(folders, "letters/2022-seminar/letter")] == [
        "content/letters/2022-seminar", "content/orders", "content/registry", "templates"]


def test_an_unknown_document_suggests_up_to_three(committed: Path) -> None:
    with pytest.raises(EditionError) as unknown:
        editions.history(committed, "orders/2022-685/annex")
    assert str(unknown.value) == (
        "нет документа «orders/2022-685/annex»; возможно, имелось в виду: "
        "orders/2022-685/annex-1, orders/2022-702/annex-2, orders/2022-702/annex-1")
    with pytest.raises(EditionError) as far:
        editions.history(committed, "совсем/другое")
    assert str(far.value) == "нет документа «совсем/другое»"


def test_the_register_is_written_readably_in_the_order_of_issue(committed: Path) -> None:
    head = _head(committed)
    later = _edition(ANNEX, 2, head, "2" * 64, "3" * 64)
    earlier = _edition(ANNEX, 1, head, "0" * 64, "1" * 64)
    save_register(committed, Register(editions=[later, earlier]))
    text = (committed / "content/register.yaml").read_text(encoding="utf-8")
    assert text.index("edition: 2") < text.index("edition: 1")  # as issued, not sorted
    assert "issued: '2022-08-30'" in text and "\\u" not in text
    assert text.index("document:") < text.index("edition:") < text.index("issued:") \
        < text.index("commit:") < text.index("tag:")  # fields in the model's order
    register = load_register(committed)
    assert register.editions == [later, earlier]
    assert register.of(ANNEX) == [earlier, later] and register.of(ORDER) == []
    history = editions.history(committed, ANNEX)
    assert history.editions == [later, earlier]  # newest first


def test_a_russian_document_id_is_written_as_it_is(committed: Path) -> None:
    save_register(committed, Register(editions=[_edition("документы/положение", 1,
                                                         _head(committed), "0" * 64, "1" * 64)]))
    assert "document: документы/положение" in \
        (committed / "content/register.yaml").read_text(encoding="utf-8")


def test_recording_again_into_an_existing_folder(committed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "orders/2022-685").mkdir(parents=True)
    for suffix in ("docx", "pdf"):
        (out / f"{ORDER}.{suffix}").write_bytes(suffix.encode())
    document = editions._find(plan_project(committed), ORDER)
    (committed / "build/editions" / ORDER / "1").mkdir(parents=True)
    recorded = editions._record(committed, out, document, _head(committed), dt.date(2022, 8, 30))
    assert [f.read_bytes() for f in recorded.files] == [b"docx", b"pdf"]


def test_the_original_of_a_copy_updated_twice(committed: Path, tmp_path: Path) -> None:
    pdf = _pdf(committed, ORDER, tmp_path / "order.pdf")
    _append_update(pdf)  # the registered file already has an update of its own
    save_register(committed, Register(editions=[_edition(ORDER, 1, _head(committed), "0" * 64,
                                                         _sha(pdf))]))
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(pdf.read_bytes())
    _append_update(copy)
    _append_update(copy)
    found = editions.verify(committed, copy)
    assert found.match is not None and found.amended_copy


def test_a_first_edition_of_an_annex_is_issued_alone(committed: Path) -> None:
    folders = plan_project(committed)
    annex = editions._find(folders, ANNEX)
    assert annex.properties.edition == 1
    assert editions._to_issue(folders, annex, Register()) == [annex]
