"""Shared fixtures: a writable copy of the project and one real build of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from docgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
# fixtures that build PDFs, and modules whose every test converts, signs or issues
LIBREOFFICE_FIXTURES = {"built_root", "built", "built_702", "history", "setup", "repo",
                        "unoservers"}
LIBREOFFICE_MODULES = {"test_converters", "test_pdf", "test_signing", "test_editions"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "libreoffice: converts documents with a real LibreOffice "
                                       "(pytest -m 'not libreoffice' is the fast layer)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that need LibreOffice: by the fixtures they use, their module, or an
    explicit mark."""
    for item in items:
        module = item.module.__name__ if isinstance(item, pytest.Function) else ""
        if LIBREOFFICE_FIXTURES & set(getattr(item, "fixturenames", ())) or \
                module in LIBREOFFICE_MODULES:
            item.add_marker(pytest.mark.libreoffice)


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user's cache (LibreOffice's profile, compiled templates, the mark's font) is the
    session's own folder: tests never read or write the developer's ~/.cache/docgen.
    Set in the environment, so that the docgen processes tests start use it too."""
    folder = tmp_path_factory.mktemp("user-cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(autouse=True)
def fresh_results() -> None:
    """Results kept by docgen's caches (typography, declension, month names) are computed
    anew in each test: a test passes on what the code does now, not on what an earlier
    test left in a cache (mutation testing runs tests in processes forked from one that
    has run them all)."""
    from docgen import deadlines, ru, stamp

    for cached in (ru.typograph, ru.inflect_surname, ru.inflect_given, ru.inflect_phrase,
                   ru.agree_with_number, deadlines._months, stamp._fixed_profile):
        cached.cache_clear()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped content and templates that a test may change (not in git)."""
    return copy_project(tmp_path)


def replace_once(project: Path, relative: Path, old: str, new: str) -> int:
    """Replace `old` once in a content file; return the 1-based line where it stood."""
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def amendment(amends: str = "2022-685", annex: str = "roadmap") -> str:
    """The text of order № 712, which sets out an annex of another order anew."""
    return f"""\
number: 712
date: 2022-10-14
place: город Балтийск
issuer: uo-bgo
amends: {amends}
annexes: [{annex}]
reason: >-
  В связи с уточнением сроков проведения собеседований с лицами, претендующими на
  замещение должности руководителя образовательной организации
signatory: matasova
"""


def run_docgen(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`docgen -C project ARGS` as its own process, as the clerk runs it."""
    return subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), *args],
                          capture_output=True, text=True, check=False)


def run_check(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    """`docgen check` on the project: exit code and what it wrote to stderr."""
    code = main(["-C", str(project), "check", *extra])
    return code, capsys.readouterr().err


def copy_project(target: Path) -> Path:
    """Copy the shipped content and templates into `target`."""
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def git(root: Path, *args: str) -> str:
    """Run git in `root`, failing the test if git fails."""
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def commit_all(root: Path, message: str) -> str:
    """Commit everything in the repository at `root`; return the commit."""
    git(root, "add", "-A")
    git(root, "-c", "user.name=Делопроизводитель", "-c", "user.email=clerk@example.org",
        "commit", "--quiet", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def git_project(target: Path) -> Path:
    """A copy of the project in a git repository of its own, all committed."""
    copy_project(target)
    git(target, "init", "--quiet", "--initial-branch=main")
    git(target, "config", "user.name", "Делопроизводитель")
    git(target, "config", "user.email", "clerk@example.org")
    (target / ".gitignore").write_text("build/\n", encoding="utf-8")
    commit_all(target, "Содержимое приказа № 685")
    return target


@pytest.fixture(scope="session")
def built_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content, committed in its own repository, built once: the build folder."""
    project = git_project(tmp_path_factory.mktemp("repo"))
    assert main(["-C", str(project), "build"]) == 0
    return project / "build"


@pytest.fixture(scope="session")
def built(built_root: Path) -> Path:
    """The folder of order № 685 in the shared build."""
    return built_root / "orders" / "2022-685"
