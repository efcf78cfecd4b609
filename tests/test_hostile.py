"""Hostile or broken content: a bounded, located refusal in Russian, never a traceback."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import run_check

ANNEX = Path("content/orders/2022-702/annex-2-commission.yaml")
ORDER = Path("content/orders/2022-702/order.yaml")
LATIN_WORDS = re.compile(r"\b(?!U\+)[A-Za-z]{4,}\b")


def _write(text: str) -> Callable[[Path], None]:
    def make(project: Path) -> None:
        (project / ANNEX).write_bytes(text.encode("utf-8"))
    return make


def _billion_laughs(project: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 9):
        alias = chr(96 + index)
        lines.append(f"{chr(97 + index)}: &{chr(97 + index)} [" + ",".join([f"*{alias}"] * 9)
                     + "]")
    (project / ANNEX).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _symlink_to(target: str) -> Callable[[Path], None]:
    def make(project: Path) -> None:
        (project / ANNEX).unlink()
        (project / ANNEX).symlink_to(target)
    return make


def _fifo(project: Path) -> None:
    (project / ANNEX).unlink()
    os.mkfifo(project / ANNEX)


def _huge(project: Path) -> None:
    with (project / ANNEX).open("wb") as handle:
        handle.truncate(11 << 20)


def _edit(path: Path, old: str, new: str) -> Callable[[Path], None]:
    def make(project: Path) -> None:
        text = (project / path).read_text(encoding="utf-8")
        assert old in text
        (project / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    return make


CASES = [
    ("nul", _write("id: commission\nkind: people\ntitle: a\x00b\n"),
     "annex-2-commission.yaml:3:9: управляющий символ U+0000 недопустим"),
    ("vertical tab from Word", _write('id: commission\nkind: people\ntitle: "a\x0bb"\n'),
     "annex-2-commission.yaml:3:10: управляющий символ U+000B недопустим"),
    ("two documents", _write("id: x\n---\nid: y\n"),
     "annex-2-commission.yaml:2:1: ошибка синтаксиса YAML: в файле больше одного документа"),
    ("at sign", _write("id: x\ntitle: @foo\n"),
     "annex-2-commission.yaml:2:8: ошибка синтаксиса YAML: символ «@» не может начинать"),
    ("unknown escape", _write('id: x\ntitle: "a\\qb"\n'),
     "неизвестная последовательность «\\q» в кавычках"),
    ("deep nesting", _write("a: " + "[" * 5000 + "]" * 5000 + "\n"),
     "annex-2-commission.yaml:1:44: поле «a[1]"),
    ("billion laughs", _billion_laughs, "метки «*» повторяют больше 50 000"),
    ("symlink to a device", _symlink_to("/dev/zero"), "файл ведёт за пределы проекта"),
    ("symlink out of the project", _symlink_to("/etc/hostname"), "за пределы проекта"),
    ("pipe", _fifo, "annex-2-commission.yaml: это не обычный файл"),
    ("eleven megabytes", _huge, "файл слишком велик: 11 МБ при пределе 10 МБ"),
    ("path out of the folder", _edit(ORDER, "annexes: [annex-1-regulation.yaml",
                                     "annexes: [../../../../etc/passwd.yaml, "
                                     "annex-1-regulation.yaml"),
     "поле «annexes[1]»: значение «../../../../etc/passwd.yaml» не подходит"),
    ("not a number", _edit(Path("content/reserve/candidates.yaml"),
                           "teaching_experience: 16", "teaching_experience: много"),
     "поле «candidates.k-01.teaching_experience»: ожидалось целое число"),
    ("a choice", _edit(ANNEX, "\nnames: full", "\nnames: fulll"),
     "поле «names»: значение «fulll» не подходит: допустимы full, initials"),
    ("a long invisible value", _edit(ORDER, "date: 2022-09-12",
                                     'date: "' + "\u200b" * 5000 + '"'),
     "поле «date»: ожидалась дата в виде ГГГГ-ММ-ДД, например 2022-08-30; "
     "«U+200BU+200B"),
    ("a missing file", _edit(ORDER, "annex-2-commission.yaml]", "annex-3-missing.yaml]"),
     "не удаётся прочитать файл content/orders/2022-702/annex-3-missing.yaml: файла нет"),
]


@pytest.mark.parametrize(("make", "expected"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_hostile_content_is_refused_where_it_is(project: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                make: Callable[[Path], None],
                                                expected: str) -> None:
    make(project)
    code, err = run_check(project, capsys)
    assert code == 1
    assert expected in err, err
    assert "Traceback" not in err and len(err) < 2000, err[:2000]
    words = set(LATIN_WORDS.findall(err)) - NAMES
    assert not words, words  # no English in the message


# what a message may name in Latin letters: paths, fields, values, products
NAMES = {"content", "orders", "order", "annex", "annexes", "commission", "yaml", "YAML",
         "reserve", "candidates", "names", "full", "initials", "teaching", "experience",
         "date", "passwd", "missing", "regulation", "docgen", "Word", "fulll"}


# docgen run with its peak memory printed after it: the high-water mark of this process's
# own memory (VmHWM starts anew at exec; ru_maxrss would carry over the parent's)
MEASURED = ("import re, sys\nfrom docgen.cli import main\ncode = main(sys.argv[1:])\n"
            "status = open('/proc/self/status').read()\n"
            "print(code, re.search(r'VmHWM:\\s+(\\d+)', status)[1])")


def test_billion_laughs_stay_within_memory(tmp_path: Path) -> None:
    project = tmp_path / "project"
    from conftest import copy_project

    copy_project(project)
    _billion_laughs(project)
    measured = MEASURED
    result = subprocess.run([sys.executable, "-c", measured, "-C", str(project), "check"],
                            capture_output=True, text=True, timeout=60, check=False)
    code, peak_kb = result.stdout.split()[-2:]
    assert code == "1"
    assert "метки «*» повторяют больше 50 000" in result.stderr
    assert int(peak_kb) / 1024 < 300, peak_kb


def test_a_refused_file_leaves_the_build_as_it_was(project: Path, tmp_path: Path) -> None:
    from docgen.cli import main

    out = tmp_path / "out"
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 0
    def outputs() -> dict[Path, bytes]:  # the documents; build/.cache is docgen's own
        return {path: path.read_bytes() for path in out.rglob("*")
                if path.is_file() and ".cache" not in path.parts}

    before = outputs()
    _billion_laughs(project)
    assert main(["-C", str(project), "build", "--no-pdf", "-o", str(out)]) == 1
    assert outputs() == before


def _template_with(tag: str) -> Callable[[Path], None]:
    def make(project: Path) -> None:
        from docx import Document

        path = project / "templates/annex-people.docx"
        document = Document(str(path))
        document.add_paragraph(tag)
        document.save(str(path))
    return make


def _broken_template(project: Path) -> None:
    import zipfile

    path = project / "templates/annex-people.docx"
    with zipfile.ZipFile(path) as archive:
        parts = {item: archive.read(item) for item in archive.infolist()}
    with zipfile.ZipFile(path, "w") as archive:
        for item, data in parts.items():
            archive.writestr(item, data[:len(data) // 2] if item.filename == "word/document.xml"
                             else data)


TEMPLATE_CASES = [
    ("malformed document.xml", _broken_template,
     "templates/annex-people.docx: файл шаблона повреждён или не является документом DOCX"),
    ("a billion-long range", _template_with("{% for i in range(10**9) %}x{% endfor %}"),
     "templates/annex-people.docx: шаблон просит слишком длинный ряд range()"),
    ("division by zero", _template_with("{{ 1 / 0 }}"),
     "templates/annex-people.docx: в теге шаблона вычисление невозможно"),
]


@pytest.mark.parametrize(("make", "expected"), [case[1:] for case in TEMPLATE_CASES],
                         ids=[case[0] for case in TEMPLATE_CASES])
def test_hostile_templates_are_refused_by_name(project: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               make: Callable[[Path], None],
                                               expected: str) -> None:
    from docgen.cli import main

    make(project)
    code = main(["-C", str(project), "build", "--no-pdf", "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert expected in err, err
    assert "Traceback" not in err and not (tmp_path / "out" / "orders").exists()


def test_verify_refuses_broken_files_and_zip_bombs(project: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    from docgen.cli import main

    empty, noise_pdf, noise_docx, bomb = (tmp_path / name for name in (
        "empty.pdf", "noise.pdf", "noise.docx", "bomb.docx"))
    empty.write_bytes(b"")
    noise_pdf.write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    noise_docx.write_bytes(os.urandom(3000))
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"a" * (120 << 20))
    for path, expected in ((empty, "не совпадает ни с одной изданной редакцией"),
                           (noise_docx, "не совпадает ни с одной изданной редакцией"),
                           (noise_pdf, "подпись проверить не удалось — файл повреждён")):
        assert main(["-C", str(project), "verify", str(path)]) == 1
        said = capsys.readouterr()
        assert expected in said.out + said.err
        assert "Traceback" not in said.err and not LATIN_WORDS.findall(
            (said.out + said.err).replace(str(path), "").replace("PDF", ""))
    assert main(["-C", str(project), "verify", str(bomb)]) == 1
    err = capsys.readouterr().err
    assert "DOCX распаковывается в 120 МБ — больше 100 МБ; файл не открыт" in err


def test_a_file_where_the_build_folder_goes(project: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from docgen.cli import main

    (project / "build").write_text("не папка\n", encoding="utf-8")
    assert main(["-C", str(project), "build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "build: на месте папки уже есть файл с тем же именем" in err
    assert "Traceback" not in err
    assert (project / "build").read_text(encoding="utf-8") == "не папка\n"


@contextlib.contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[Path]:
    """`folder` as a disk of its own of `size` (a tmpfs, mounted as root does)."""
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                   check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True, capture_output=True)


def _outputs(build: Path) -> dict[str, bytes]:
    return {p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*"))
            if p.is_file() and ".cache" not in p.parts}


@pytest.mark.parametrize("pdf", [pytest.param(False, id="docx"),
                                 pytest.param(True, id="pdf", marks=pytest.mark.libreoffice)])
def test_a_full_disk_is_said_and_leaves_the_earlier_build(project: Path, pdf: bool,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    from docgen.cli import main

    only_docx = [] if pdf else ["--no-pdf"]
    with _small_disk(project / "build", "10m") as build:
        assert main(["-C", str(project), "build", *only_docx]) == 0
        before = _outputs(build)
        free = os.statvfs(build).f_bavail * os.statvfs(build).f_frsize
        (build / "filler").write_bytes(b"\0" * (free - (256 << 10)))  # 256 KB left
        capsys.readouterr()
        assert main(["-C", str(project), "build", *only_docx, "--force"]) == 1
        err = capsys.readouterr().err
        assert "на диске нет места. Документы, собранные раньше, не изменены." in err, err
        assert str(build) in err and "Traceback" not in err
        (build / "filler").unlink()
        assert _outputs(build) == before
        assert not [p.name for p in build.iterdir() if p.name.startswith(".staging")]


def test_a_build_folder_protected_from_changes_is_said(project: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    from docgen.cli import main

    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    before = _outputs(project / "build")
    subprocess.run(["chattr", "+i", str(project / "build")], check=True)  # even for root
    try:
        capsys.readouterr()
        assert main(["-C", str(project), "build", "--no-pdf", "--force"]) == 1
        err = capsys.readouterr().err
        assert "действие запрещено (нет прав или файл защищён от изменений). Документы, " \
               "собранные раньше, не изменены." in err, err
        assert "Traceback" not in err
    finally:
        subprocess.run(["chattr", "-i", str(project / "build")], check=True)
    assert _outputs(project / "build") == before


def test_a_zip_bomb_given_to_verify_stays_within_memory(project: Path, tmp_path: Path) -> None:
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("word/document.xml", "w", force_zip64=True) as part:
        for _ in range(512):  # 512 MB unpacked, written a megabyte at a time
            part.write(b"a" * (1 << 20))
    assert bomb.stat().st_size < 1 << 20
    measured = MEASURED
    result = subprocess.run([sys.executable, "-c", measured, "-C", str(project), "verify",
                             str(bomb)], capture_output=True, text=True, timeout=120, check=False)
    code, peak_kb = result.stdout.split()[-2:]
    assert code == "1"
    assert "больше 100 МБ; файл не открыт" in result.stderr
    assert int(peak_kb) / 1024 < 300, peak_kb
