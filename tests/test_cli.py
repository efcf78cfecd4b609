"""The command line speaks Russian: its help, its headings and its usage errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docgen import cli
from docgen.cli import main

COMMANDS = ["build", "check", "issue", "verify", "sign", "stamp", "diff", "history", "new",
            "docx2txt", "send", "intake", "publish", "status", "serve"]
ENGLISH = re.compile(r"usage:|options:|positional arguments|show this help|show program|"
                     r"invalid choice|required:|unrecognized|error:")


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_of_every_command_is_in_russian(command: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"] if command else ["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("Использование: docgen")
    assert "параметры:" in text and "показать эту справку и выйти" in text
    assert not ENGLISH.search(text), text
    # every argument is described: no line of the help is a bare argument name
    body = text.split("\n\n", 1)[1]  # past the usage, whose lines wrap as they may
    lines = [line.strip() for line in body.splitlines()]
    bare = [line for line in lines if re.fullmatch(r"[А-ЯЁ]+|-\S+( [А-ЯЁN]+)?", line)]
    assert not [line for line in bare if not line.startswith("-")], bare


@pytest.mark.parametrize(("argv", "expected"), [
    (["biuld"], "docgen: ошибка: аргумент команда: недопустимое значение 'biuld' (возможны: "),
    (["issue"], "docgen issue: ошибка: не указаны обязательные аргументы: ДОКУМЕНТ"),
    (["issue", "x", "--date", "2022-13-01"],
     "docgen issue: ошибка: аргумент --date: недопустимое значение '2022-13-01'"),
    (["build", "--frce"], "docgen: ошибка: непонятные аргументы: --frce"),
])
def test_usage_errors_are_in_russian(argv: list[str], expected: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and err.startswith("Использование: ")
    assert not ENGLISH.search(err.replace("ошибка:", "")), err


@pytest.mark.libreoffice
def test_a_build_logged_to_a_file_says_how_far_its_conversion_is(
        project: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "PROGRESS_EVERY", 0.0)  # every document, not every ten seconds
    assert cli.main(["-C", str(project), "build"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines()
             if line.startswith("Преобразовано в PDF:")]
    assert len(lines) == 26
    assert lines[-1].startswith("Преобразовано в PDF: 26 из 26 (")
