"""The build's outputs are all or nothing; without LibreOffice the DOCX files still come."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import copy_project, git_project, replace_once

from docgen import places
from docgen.build import build
from docgen.cli import main
from docgen.convert import BatchConverter, Job
from docgen.documents import BuildOptions
from docgen.errors import ConversionError
from docgen.office_names import PIPES

OUT = Path("build/orders/2022-685")


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).parts[0].startswith(".")}


def _script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.mark.libreoffice
def test_failed_runs_leave_earlier_outputs_as_they_were(
        project: Path, tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "build"]) == 0
    before = _snapshot(project / "build")
    assert "orders/2022-685/bundle.pdf" in before

    order = project / "content/orders/2022-685/order.yaml"
    template = project / "templates/annex-roadmap.docx"
    good_order, good_template = order.read_text(encoding="utf-8"), template.read_bytes()
    order.write_text(good_order.replace("Контроль исполнения", "Надзор за исполнением"),
                     encoding="utf-8")
    template.write_bytes(b"not a docx")
    assert main(["-C", str(project), "build"]) == 1
    assert _snapshot(project / "build") == before

    template.unlink()
    assert main(["-C", str(project), "build"]) == 1
    assert _snapshot(project / "build") == before

    failing = _script(tmp_path_factory.mktemp("bin"), "soffice", "echo broken >&2; exit 3")
    order.write_text(good_order, encoding="utf-8")
    template.write_bytes(good_template)
    capsys.readouterr()
    assert main(["-C", str(project), "build", "--force", "--converter", "batch",
                 "--soffice", str(failing)]) == 1
    err = capsys.readouterr().err
    assert "Не удалось преобразовать в PDF: orders/2022-685/order: LibreOffice не создал PDF" in err
    assert err.count("Не удалось преобразовать в PDF") == 26
    assert _snapshot(project / "build") == before
    assert sorted(p.name for p in (project / "build").iterdir() if not p.name.startswith(".")) \
        == ["candidates", "control", "orders", "outbox"]


@pytest.mark.libreoffice
def test_without_libreoffice_the_docx_files_are_built(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "build", "--soffice", "/nonexistent/soffice"]) == 0
    err = capsys.readouterr().err
    assert "PDF не созданы: LibreOffice не найден" in err
    assert "sudo apt-get install libreoffice-writer-nogui" in err
    folder = project / OUT
    assert sorted(p.name for p in folder.iterdir()) == [
        "annex-1.docx", "manifest.json", "order.docx", "reserve-list.docx"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["annex-1.docx", "order.docx", "reserve-list.docx"]
    assert not list((project / "build").rglob("*.pdf"))
    assert main(["-C", str(project), "build"]) == 0  # LibreOffice is back: PDFs follow
    assert len(list((project / "build").rglob("*.pdf"))) == 28


def test_a_hanging_batch_is_killed_at_its_timeout(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    own = f"300.{os.getpid()}{time.monotonic_ns() % 100000}"  # this test's sleep, no other's
    hanging = _script(tmp_path, "soffice", f"touch {marker}; sleep {own} & wait")
    document = tmp_path / "a.docx"
    document.write_bytes(b"")
    started = time.monotonic()
    converter = BatchConverter(str(hanging), timeout=1)
    with pytest.raises(ConversionError, match="не завершил преобразование в PDF за 1 с; если "
                       "документы просто велики, увеличьте время: docgen build --timeout 120"):
        converter.convert([Job("a", document, tmp_path / "a.pdf")], lambda job: None)
    assert time.monotonic() - started < 10
    assert marker.exists()
    leftovers = subprocess.run(["pgrep", "-f", f"sleep {own}"], capture_output=True,
                               text=True, check=False)
    assert leftovers.stdout.strip() == ""


def test_a_batch_is_one_process_with_its_own_profile(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    recorder = _script(tmp_path, "soffice", f'echo "$@" >> {log}; exit 0')
    documents = [tmp_path / "a.docx", tmp_path / "b.docx"]
    jobs = [Job(d.stem, d, tmp_path / f"{d.stem}.pdf") for d in documents]
    failures = BatchConverter(str(recorder), timeout=10).convert(jobs, lambda job: None)
    assert [(f.key, f.reason) for f in failures] == [("a", "LibreOffice не создал PDF"),
                                                     ("b", "LibreOffice не создал PDF")]
    calls = log.read_text(encoding="utf-8").splitlines()
    assert len(calls) == 1
    assert "-env:UserInstallation=file:///" in calls[0] and "--headless" in calls[0]
    assert calls[0].endswith(f"{documents[0]} {documents[1]}")


def test_build_writes_nothing_outside_its_folder(project: Path) -> None:
    before = sorted(os.listdir(project))
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    assert sorted(os.listdir(project)) == sorted([*before, "build"])
    assert sorted(p.name for p in (project / "build").iterdir()) == [
        ".cache", ".state.json", "candidates", "control", "orders", "outbox"]
    assert [p.name for p in (project / "build/.cache").iterdir()] == ["parsed"]


def _listened_on() -> set[str]:
    """The Unix sockets some process listens on now."""
    lines = Path("/proc/net/unix").read_text(encoding="utf-8").splitlines()[1:]
    return {fields[7] for line in lines if len(fields := line.split()) > 7}


@pytest.mark.libreoffice
def test_a_build_leaves_no_temporary_files_or_sockets(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's own temporary folder (TMPDIR: LibreOffice's temporary files, docgen's
    scratch) is left empty, and no LibreOffice socket that appeared during the build is
    left with nobody listening on it (those of other runs on the machine still listen)."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    project = git_project(tmp_path / "repo")
    before = set(PIPES.glob("OSL_PIPE_*"))
    assert main(["-C", str(project), "build"]) == 0
    assert list(scratch.iterdir()) == []
    new = set(PIPES.glob("OSL_PIPE_*")) - before
    assert {path for path in new if str(path) not in _listened_on()} == set()


def test_scratch_goes_to_memory_when_it_has_room(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(places, "MEMORY", memory)
    free = os.statvfs(memory).f_bavail * os.statvfs(memory).f_frsize
    assert places.scratch_root((free - places.RESERVE) // places.PER_DOCUMENT // 2) == memory
    assert places.scratch_root(2 * free // places.PER_DOCUMENT) == Path(tempfile.gettempdir())
    assert places.scratch_folder("docgen-test-").parent == memory
    monkeypatch.setattr(places, "MEMORY", tmp_path / "none")
    assert places.scratch_root() == Path(tempfile.gettempdir())


def test_tmpdir_chooses_the_scratch_folder(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read $TMPDIR again
    assert places.scratch_root() == tmp_path


def test_the_collector_pauses_while_content_loads_and_is_left_as_found(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen import content
    from docgen.render import Renderer

    seen: dict[str, object] = {}
    load_project, render = content.load_project, Renderer.render

    def loading(*args: object, **kwargs: object) -> object:
        seen["collecting while loading"] = gc.isenabled()
        return load_project(*args, **kwargs)

    def rendering(self: Renderer, *args: object, **kwargs: object) -> object:
        seen["collecting while rendering"] = gc.isenabled()
        seen["loaded objects left out of its scans"] = gc.get_freeze_count() > 0
        return render(self, *args, **kwargs)

    monkeypatch.setattr(content, "load_project", loading)
    monkeypatch.setattr(Renderer, "render", rendering)
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    assert seen == {"collecting while loading": False, "collecting while rendering": True,
                    "loaded objects left out of its scans": True}
    assert gc.isenabled() and gc.get_freeze_count() == 0

    replace_once(project, Path("content/registry/people.yaml"), "\n", "\n  - [\n")
    assert main(["-C", str(project), "build", "--no-pdf"]) == 1
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_user_cache_is_the_sessions_own(isolated_cache: Path) -> None:
    """Tests never touch the developer's ~/.cache/docgen: docgen's cache is the session's."""
    from docgen.places import user_cache

    assert user_cache().is_relative_to(isolated_cache)
    assert not user_cache().is_relative_to(Path.home() / ".cache")


def test_the_next_build_removes_what_a_killed_build_left_and_nothing_in_use(
        tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    out = project / "build"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    alive = str(os.getpid())
    scratch = places.scratch_root()
    left = [out / f".staging-{gone}-x1", scratch / f"docgen-lo-{gone}-x2",
            Path(tempfile.gettempdir()) / f"docgen-diff-{gone}-x3"]
    in_use = [out / f".staging-{alive}-y1", scratch / f"docgen-lo-{alive}-y2"]
    for folder in left + in_use:
        (folder / "profile").mkdir(parents=True)
    try:
        assert main(["-C", str(project), "build", "--no-pdf"]) == 0
        assert [folder for folder in left if folder.exists()] == []
        assert all(folder.exists() for folder in in_use)
    finally:
        for folder in left + in_use:
            shutil.rmtree(folder, ignore_errors=True)


def test_an_output_changed_in_place_is_rebuilt_even_at_the_same_size(tmp_path: Path) -> None:
    """A no-change build trusts the outputs only as they were written: a file edited with
    its size kept (a changed byte), or replaced by one of another size, is made anew."""
    project = git_project(tmp_path / "repo")
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    letter = project / "build/outbox/school-5/nomination-request.docx"
    original = letter.read_bytes()
    assert build(project, project / "build", BuildOptions(pdf=False)).built == 0
    letter.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # same size, new mtime
    again = build(project, project / "build", BuildOptions(pdf=False))
    assert (again.built, letter.read_bytes()) == (1, original)
    written = letter.stat()
    letter.write_bytes(original + b"\0")
    os.utime(letter, ns=(written.st_atime_ns, written.st_mtime_ns))  # only the size tells
    assert build(project, project / "build", BuildOptions(pdf=False)).built == 1
    assert letter.read_bytes() == original
