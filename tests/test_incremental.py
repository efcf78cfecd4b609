"""Incremental builds: nothing, one school, one deleted file, everything, a new commit."""

from __future__ import annotations

import contextlib
import hashlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import commit_all, git, git_project
from pypdf import PdfReader

ORGANIZATIONS = Path("content/registry/organizations.yaml")
PEOPLE = Path("content/registry/people.yaml")


def _build(project: Path, *args: str) -> dict[str, int]:
    result = subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), "build", *args],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    match = re.search(r"собрано (\d+), обновлена отметка коммита (\d+), без изменений (\d+), "
                      r"с ошибкой (\d+)", result.stdout)
    assert match, result.stdout
    assert "\x1b[" not in result.stdout + result.stderr  # no progress bar outside a terminal
    return dict(zip(("built", "restamped", "skipped", "failed"), map(int, match.groups()),
                    strict=True))


def _files(project: Path) -> dict[str, tuple[str, int]]:
    build = project / "build"
    return {str(p.relative_to(build)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                        p.stat().st_mtime_ns)
            for p in sorted(build.rglob("*")) if p.is_file() and not
            p.relative_to(build).parts[0].startswith(".")}


@contextlib.contextmanager
def _edited(path: Path, old: str, new: str) -> Iterator[None]:
    """`old` replaced by `new` in the file for the block, and the file restored after it."""
    original = path.read_text(encoding="utf-8")
    assert old in original, old
    path.write_text(original.replace(old, new), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(original, encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project in git, built once."""
    project = git_project(tmp_path_factory.mktemp("incremental"))
    assert _build(project) == {"built": 26, "restamped": 0, "skipped": 0, "failed": 0}
    return project


def test_a_second_build_does_nothing(repo: Path) -> None:
    before = _files(repo)
    assert _build(repo) == {"built": 0, "restamped": 0, "skipped": 26, "failed": 0}
    assert _files(repo) == before


def test_an_edit_no_document_shows_rebuilds_nothing(repo: Path) -> None:
    before = _files(repo)
    with _edited(repo / ORGANIZATIONS, "email: school6-baltiysk@example.org",
                 "email: school-six@example.org"):
        # a school's e-mail is in no document: nothing is rebuilt, nothing becomes a draft
        assert _build(repo) == {"built": 0, "restamped": 0, "skipped": 26, "failed": 0}
        assert _files(repo) == before
    assert _build(repo)["built"] == 0


def test_an_edit_to_one_school_rebuilds_its_documents_only(repo: Path) -> None:
    before = _files(repo)
    with _edited(repo / PEOPLE, "surname: Гончаренко\n    first_name: Виктор",  # greeted by
                 "surname: Гончаренко\n    first_name: Вадим"):  # name in school 6's letter
        assert _build(repo) == {"built": 1, "restamped": 0, "skipped": 25, "failed": 0}
        after = _files(repo)
        changed = sorted(name for name in after if after[name] != before.get(name))
        assert changed == ["outbox/school-6/manifest.json",
                           "outbox/school-6/nomination-request.docx",
                           "outbox/school-6/nomination-request.pdf"]
        pages = [p.extract_text() for p in
                 PdfReader(repo / "build/outbox/school-6/nomination-request.pdf").pages]
        assert all("ПРОЕКТ" in page for page in pages)        # its own input is uncommitted
        other = PdfReader(repo / "build/outbox/school-5/nomination-request.pdf").pages[0]
        assert "ПРОЕКТ" not in other.extract_text()            # the others are not drafts
    assert _build(repo)["built"] == 1                          # back as it was committed


def test_an_edit_shown_in_a_list_rebuilds_the_list_too(repo: Path) -> None:
    before = _files(repo)
    with _edited(repo / ORGANIZATIONS, "short_name: МБОУ СОШ пос. Дивное",
                 "short_name: МБОУ СОШ посёлка Дивное"):
        assert _build(repo)["built"] == 6
        after = _files(repo)
        changed = sorted(name for name in after if name.endswith(".docx")
                         and after[name][0] != before[name][0])
        assert changed == ["candidates/k-06/individual-plan.docx",
                           "candidates/k-06/interview-protocol.docx",
                           "control/2022-685/report-2022-09-15.docx",  # the answers by school
                           "control/2022-685/report-2022-10-31.docx",
                           "orders/2022-685/reserve-list.docx",
                           "outbox/school-divnoe/nomination-request.docx"]
        assert after["orders/2022-685/order.pdf"] == before["orders/2022-685/order.pdf"]
    assert _build(repo)["built"] == 6


def test_a_deleted_output_is_rebuilt_alone(repo: Path) -> None:
    (repo / "build/candidates/k-02/individual-plan.pdf").unlink()
    assert _build(repo) == {"built": 1, "restamped": 0, "skipped": 25, "failed": 0}
    assert (repo / "build/candidates/k-02/individual-plan.pdf").exists()


def test_a_new_commit_only_restamps(repo: Path) -> None:
    (repo / "notes.txt").write_text("заметка\n", encoding="utf-8")
    commit = commit_all(repo, "Заметка")
    assert _build(repo) == {"built": 0, "restamped": 26, "skipped": 0, "failed": 0}
    xmp = PdfReader(repo / "build/orders/2022-685/order.pdf").trailer["/Root"]["/Metadata"]
    assert f"<docgen:commit>{commit}</docgen:commit>" in xmp.get_object().get_data().decode()
    assert _build(repo)["skipped"] == 26
    assert git(repo, "status", "--porcelain") == ""


def test_force_rebuilds_everything(repo: Path) -> None:
    assert _build(repo, "--force") == {"built": 26, "restamped": 0, "skipped": 0, "failed": 0}


def test_parsed_files_are_kept_and_still_locate_errors(tmp_path: Path) -> None:
    project = git_project(tmp_path / "repo")
    _build(project, "--no-pdf")
    kept = sorted((project / "build/.cache/parsed").glob("*.pickle"))
    assert len(kept) == len(list((project / "content").rglob("*.yaml")))
    organizations = project / ORGANIZATIONS
    original = organizations.read_text(encoding="utf-8")
    start = original.index("  school-6:")
    organizations.write_text(original[:start] + original[original.index("  gymnasium-7:"):],
                             encoding="utf-8")
    candidates = Path("content/reserve/candidates.yaml")  # unchanged: read back as kept
    text = (project / candidates).read_text(encoding="utf-8")
    line = text[:text.index("school: school-6")].count("\n") + 1
    result = subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), "build",
                             "--no-pdf"], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert f"{candidates}:{line}:5: поле «candidates.k-05.school»: неизвестный идентификатор " \
        "организации «school-6»" in result.stderr
    organizations.write_text(original, encoding="utf-8")
    for path in kept:  # a damaged kept file is parsed again
        path.write_bytes(b"not a pickle")
    assert _build(project, "--no-pdf", "--force")["failed"] == 0
    kept = sorted((project / "build/.cache/parsed").glob("*.pickle"))
    assert kept and all(path.read_bytes() != b"not a pickle" for path in kept)


def test_a_template_only_edit_rebuilds_the_documents_made_from_it(repo: Path) -> None:
    from docx import Document

    from docgen.loading import plan_project

    template = repo / "templates/letter.docx"
    made_from_it = sorted(d.document_id for f in plan_project(repo) for d in f.documents
                          if d.template == "letter.docx")
    assert made_from_it  # the best-practice requests
    before = template.read_bytes()
    document = Document(str(template))
    document.paragraphs[-1].add_run(" ")  # an edit a clerk makes in Word
    document.save(str(template))
    try:
        assert _build(repo) == {"built": len(made_from_it), "restamped": 0,
                                "skipped": 26 - len(made_from_it), "failed": 0}
    finally:
        template.write_bytes(before)
    assert _build(repo)["built"] == len(made_from_it)  # and back as committed


def test_a_duplicate_protocol_number_is_named(tmp_path: Path) -> None:
    from conftest import copy_project, run_docgen

    project = copy_project(tmp_path / "project")
    interviews = project / "content/reserve/interviews.yaml"
    text = interviews.read_text(encoding="utf-8")
    interviews.write_text(text.replace("  - number: 2\n", "  - number: 1\n", 1),
                          encoding="utf-8")
    line = text[:text.index("  - number: 2\n")].count("\n") + 1
    result = run_docgen(project, "check")
    assert result.returncode == 1
    assert f"interviews.yaml:{line}:5: поле «interviews[2].number»: протокол № 1 уже есть " \
           "(собеседование 1)" in result.stderr, result.stderr
