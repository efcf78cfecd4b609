"""Commands given what they cannot use — missing files, a broken key, a busy port, a name
that escapes its folder, an edition that is not there: each answers with a Russian message
that names the thing, exit code 1 (2 for a bad argument), no traceback, nothing written."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import git_project

from docgen.cli import main

LATIN_WORDS = re.compile(r"\b[A-Za-z]{4,}\b")
NAMES = re.compile(r"\S*[/._-]\S*")  # paths, document ids, options: names, not prose
ALLOWED = {"docgen", "PKCS", "make", "documents", "DOCGEN",  # and the names of things:
           "text", "table", "people", "form", "roadmap", "build", "check", "issue", "verify",
           "sign", "stamp", "diff", "history", "send", "intake", "publish", "status", "serve"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content in a git repository of its own, nothing built or issued."""
    return git_project(tmp_path_factory.mktemp("misuse"))


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program listens on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def _garbage(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(b"\x00\x01 not what it claims to be \xff" * 10)
        return path
    return make


# (name, arguments with {file} for a made file, what makes the file, expected, exit code)
CASES: list[tuple[str, list[str], Callable[[Path], Path] | None, str, int]] = [
    ("diff of an edition that is not there", ["diff", "orders/2022-685/order", "1", "7"],
     None, "у документа orders/2022-685/order нет редакции «1»", 1),
    ("diff of no edition at all", ["diff", "orders/2022-685/order"], None,
     "нет изданных редакций; укажите, с чем сравнивать", 1),
    ("issue of a document that is not there", ["issue", "orders/2022-685/ordr"], None,
     "нет документа «orders/2022-685/ordr»; возможно, имелось в виду: orders/2022-685/order",
     1),
    ("history of a document that is not there", ["history", "orders/2022-68/order"], None,
     "нет документа «orders/2022-68/order»", 1),
    ("verify of a file that is not there", ["verify", "/nonexistent/order.pdf"], None,
     "/nonexistent/order.pdf: файла нет", 1),
    ("verify with a trust root that is not there",
     ["verify", "{file}", "--trust", "/nonexistent/ca.pem"], _garbage("order.pdf"),
     "/nonexistent/ca.pem: файла нет (сертификат из --trust)", 1),
    ("verify of a folder", ["verify", "/tmp"], None,
     "/tmp: это не обычный файл или он больше 512 МБ; такой файл docgen не проверяет", 1),
    ("sign without the key's password", ["sign", "{file}", "--p12", "/nonexistent/key.p12"],
     _garbage("order.pdf"), "задайте пароль ключа в переменной окружения DOCGEN_P12_PASSWORD",
     1),
    ("sign with a key that is not there", ["sign", "{file}", "--p12", "/nonexistent/key.p12"],
     _garbage("order.pdf"), "не удаётся прочитать /nonexistent/key.p12: файла нет", 1),
    ("sign with a key that is not PKCS#12", ["sign", "/nonexistent.pdf", "--p12", "{file}"],
     _garbage("key.p12"), "неверный пароль или файл не PKCS#12", 1),
    ("stamp with a certificate that is not there",
     ["stamp", "{file}", "--cert", "/nonexistent/signer.pem"], _garbage("order.pdf"),
     "/nonexistent/signer.pem: не удаётся прочитать сертификат PEM", 1),
    ("stamp with a GOST signature that is not there",
     ["stamp", "{file}", "--sig", "/nonexistent/order.pdf.sig"], _garbage("order.pdf"),
     "/nonexistent/order.pdf.sig", 1),
    ("intake from a folder that is not there", ["intake", "/nonexistent/inbox"], None,
     "нет папки /nonexistent/inbox", 1),
    ("a new act over an existing one", ["new", "act", "2022-685"], None,
     "content/orders/2022-685/order.yaml уже есть и не перезаписывается", 1),
    ("a new act named out of its folder", ["new", "act", "../../etc"], None,
     "имя «../../etc» не подходит", 1),
    ("an annex of an act that is not there", ["new", "annex", "2022-999", "--kind", "text"],
     None, "нет ни акта content/orders/2022-999/order.yaml", 1),
    ("an annex of an unknown kind", ["new", "annex", "2022-685", "--kind", "poem"], None,
     "нет вида приложения «poem»; допустимы: text, table, people, form, roadmap", 1),
    ("send before anything is built", ["send", "--dry-run"], None,
     "нечего отправлять: сначала соберите документы", 1),
    ("text of a file that is not a DOCX", ["docx2txt", "{file}"], _garbage("form.docx"),
     "нет такого файла или это не документ DOCX", 1),
    ("status on a day that is not in the calendar", ["status", "--on", "2022-02-30"], None,
     "аргумент --on: ожидалась дата ГГГГ-ММ-ДД, получено «2022-02-30»", 2),
    ("an unknown command", ["publsh"], None, "недопустимое значение 'publsh' (возможны:", 2),
]


@pytest.mark.parametrize(("args", "make", "expected", "code"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_command_given_what_it_cannot_use_says_so(
        repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, args: list[str],
        make: Callable[[Path], Path] | None, expected: str, code: int) -> None:
    if "задайте пароль" in expected:
        monkeypatch.delenv("DOCGEN_P12_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("DOCGEN_P12_PASSWORD", "пароль")
    made = make(tmp_path) if make else None
    argv = [arg.replace("{file}", str(made)) for arg in args]
    before = sorted(p.relative_to(repo) for p in repo.rglob("*") if ".git" not in p.parts)
    try:
        exit_code = main(["-C", str(repo), *argv])
    except SystemExit as exc:  # argparse's own refusals
        exit_code = int(exc.code or 0)
    said = capsys.readouterr()
    output = said.out + said.err
    assert exit_code == code, output
    assert expected in output, output
    assert "Traceback" not in output
    words = set(LATIN_WORDS.findall(NAMES.sub(" ", output))) - ALLOWED
    assert not words - set(argv), words  # no English in the message
    after = sorted(p.relative_to(repo) for p in repo.rglob("*") if ".git" not in p.parts)
    assert after == before  # nothing written


def test_serve_on_a_busy_port_says_so(repo: Path, busy_port: int,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(repo), "serve", "--port", str(busy_port)]) == 1
    err = capsys.readouterr().err
    assert f"порт {busy_port} на 127.0.0.1: адрес уже занят другой программой; укажите другой " \
           "(--port 0 выберет свободный)" in err
    assert "Traceback" not in err
