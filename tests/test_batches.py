"""Letters of one template converted in batches: each recipient's PDF reads and looks as a
separate conversion would make it, numbered from page 1, with its signature's place; a
member that cannot be converted costs only itself."""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from docgen.batches import MAX_MEMBERS, Member, NotJoinable, join, sizes, split
from docgen.convert import Failure, Job, open_converter
from docgen.decisions import Work
from docgen.documents import Planned, Properties, Revision
from docgen.incremental import ALL, Action
from docgen.pipeline import convert_all

pytestmark = pytest.mark.libreoffice
LETTERS = "outbox/*/nomination-request.docx"
HEADER_PICTURE = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                  b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                  b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                  b'image" Target="media/emblem.png"/></Relationships>')


def _text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.parametrize(("count", "workers", "expected"), [
    (1, 2, [1]), (2, 2, [2]), (3, 2, [3]), (6, 2, [3, 3]), (7, 2, [4, 3]),
    (63, 2, [32, 31]), (64, 2, [8, 8, 24, 24]), (100, 2, [8, 8, 21, 21, 21, 21]),
    (200, 2, [8, 8, 31, 31, 31, 31, 30, 30]), (200, 4, [8] * 4 + [21] * 8),
    (0, 2, [])])
def test_batch_sizes_keep_every_worker_busy_and_stay_bounded(count: int, workers: int,
                                                              expected: list[int]) -> None:
    assert sizes(count, workers) == expected
    assert sum(expected) == count and all(size <= MAX_MEMBERS for size in expected)


def test_the_built_letters_equal_separate_conversions(built_root: Path, tmp_path: Path) -> None:
    letters = sorted(built_root.glob(LETTERS))
    assert len(letters) == 6  # the build converted them in batches (two workers: 3 + 3)
    converter = open_converter(None, workers=1)
    jobs = [Job(str(index), docx, tmp_path / f"{index}.pdf") for index, docx in
            enumerate(letters)]
    try:
        assert converter.convert(jobs, lambda job: None, len(jobs)) == []
    finally:
        converter.close()
    for job in jobs:
        built = job.source.with_suffix(".pdf")
        assert _text(built) == _text(job.target), job.source
        with pikepdf.open(built) as ours, pikepdf.open(job.target) as alone:
            assert len(ours.pages) == len(alone.pages) == 2
            assert list(ours.Root.Dests.keys()) == list(alone.Root.Dests.keys()) == [
                "/signature"]
        first_line = next(line for line in _text(built, 2).splitlines() if line.strip())
        assert first_line.strip() == "2"  # each letter's page 2 is numbered «2»


def _work(key: str) -> Work:
    """A letter of this run, as the build hands it to conversion."""
    document = Planned.of(Path("outbox") / key, "nomination-request", "nomination-request",
                          "letter-nomination.docx", {}, Properties(key, "запрос", "docgen"))
    return Work(document, ALL, "", "", Revision(None, True), Action.BUILD)


def _convert_all(renders: list[tuple[str, Path]], target: Path) -> tuple[dict[str, Path],
                                                                         list[Failure]]:
    """Letters rendered earlier, converted as a build converts them, on one LibreOffice."""
    converter = open_converter(None, workers=1)
    try:
        return convert_all(iter(renders), {key: _work(key) for key, _ in renders}, target,
                           converter, None, 1)
    finally:
        converter.close()


def test_a_member_that_cannot_be_converted_costs_only_itself(built_root: Path,
                                                             tmp_path: Path) -> None:
    letters = sorted(built_root.glob(LETTERS))[:3]
    poisoned = tmp_path / "poisoned.docx"
    poisoned.write_bytes(b"PK\x03\x04 not a document at all" * 50)
    renders = [(f"letter-{index}", path) for index, path in enumerate(letters)]
    renders.insert(1, ("poisoned", poisoned))
    pdfs, failures = _convert_all(renders, tmp_path / "pdf")
    assert [failure.key for failure in failures] == ["poisoned"]
    assert sorted(pdfs) == ["letter-0", "letter-1", "letter-2"]
    for key, path in renders:
        if key != "poisoned":
            assert _text(pdfs[key]) == _text(path.with_suffix(".pdf"))
            with pikepdf.open(pdfs[key]) as pdf:  # stamped with its own identity
                assert str(pdf.docinfo["/Title"]) == key


def test_a_joined_batch_gives_each_member_its_own_identity(built_root: Path,
                                                           tmp_path: Path) -> None:
    letters = sorted(built_root.glob(LETTERS))[:4]
    renders = [(f"letter-{index}", path) for index, path in enumerate(letters)]
    pdfs, failures = _convert_all(renders, tmp_path / "pdf")
    assert failures == [] and (tmp_path / "pdf/batch-1.pdf").is_file()  # converted as one
    for key, path in renders:
        assert _text(pdfs[key]) == _text(path.with_suffix(".pdf"))
        with pikepdf.open(pdfs[key]) as pdf:
            assert str(pdf.docinfo["/Title"]) == key
            assert f"<docgen:document>outbox/{key}/nomination-request</docgen:document>" in \
                pdf.Root.Metadata.read_bytes().decode()
            assert pdf.pdf_version == "1.6" and list(pdf.Root.Dests.keys()) == ["/signature"]


def _with(source: Path, target: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of `source` with `part` changed, or added when it is not there."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as changed:
        names = original.namelist()
        for name in names:
            data = original.read(name)
            changed.writestr(name, change(data) if name == part else data)
        if part not in names:
            changed.writestr(part, change(b""))
    return target


@pytest.mark.parametrize(("part", "change"), [
    ("word/document.xml", lambda xml: xml.replace(b"</w:body>", (
        b'<w:p><w:r><w:instrText xml:space="preserve"> NUMPAGES </w:instrText></w:r></w:p>'
        b"</w:body>"))),  # «of N pages» would count the whole batch
    ("word/styles.xml", lambda xml: xml.replace(b"Times New Roman", b"Arial")),
], ids=["page count of the document", "other styles"])
def test_joining_refuses_what_would_change_a_member(built_root: Path, tmp_path: Path,
                                                    part: str,
                                                    change: Callable[[bytes], bytes]) -> None:
    letter = sorted(built_root.glob(LETTERS))[0]
    other = _with(letter, tmp_path / "other.docx", part, change)
    assert zipfile.ZipFile(other).read(part) != zipfile.ZipFile(letter).read(part)
    with pytest.raises(NotJoinable):
        join([Member("a", letter, tmp_path / "a.pdf"), Member("b", other, tmp_path / "b.pdf")],
             tmp_path / "joined.docx")
    assert not (tmp_path / "joined.docx").exists()


def test_a_pdf_without_the_members_starts_is_not_split(built_root: Path,
                                                       tmp_path: Path) -> None:
    letter = sorted(built_root.glob(LETTERS))[0].with_suffix(".pdf")
    with pytest.raises(NotJoinable):
        split(letter, [Member("a", letter, tmp_path / "a.pdf")])
    assert not (tmp_path / "a.pdf").exists()


def test_a_header_with_a_picture_is_not_joined_even_to_its_twin(built_root: Path,
                                                               tmp_path: Path) -> None:
    letter = sorted(built_root.glob(LETTERS))[0]
    pictured = _with(letter, tmp_path / "pictured.docx", "word/_rels/header1.xml.rels",
                     lambda _: HEADER_PICTURE)
    with pytest.raises(NotJoinable, match="в колонтитуле"):  # the joined header would lose it
        join([Member("a", pictured, tmp_path / "a.pdf"), Member("b", pictured, tmp_path / "b.pdf")],
             tmp_path / "joined.docx")
