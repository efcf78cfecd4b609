"""Git: which commit the content is at, whether it has uncommitted changes, tags, history."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from .documents import Revision
from .errors import DocgenError
from .folders import TRACKED


class VcsError(DocgenError):
    """Git refused or the project is not in a git repository."""


def git(root: Path, *args: str, input_bytes: bytes | None = None) -> str:
    """Run git in `root` and return its output; VcsError with git's words if it fails."""
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False,
                                input=input_bytes)
    except FileNotFoundError:
        raise VcsError("git не установлен") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise VcsError(f"git {args[0]}: {message}")
    return result.stdout.decode("utf-8", "replace")


def head(root: Path) -> str | None:
    """The commit checked out in `root`, or None outside git."""
    try:
        return git(root, "rev-parse", "--verify", "HEAD").strip()
    except VcsError:
        return None


def revision(root: Path) -> Revision:
    """The commit of `root` and whether content/ or templates/ have uncommitted changes."""
    commit = head(root)
    if commit is None:
        return Revision(None, True)
    status = git(root, "status", "--porcelain", "--", *(str(path) for path in TRACKED))
    return Revision(commit, bool(status.strip()))


def require_clean(root: Path, paths: list[Path] | None = None) -> str:
    """The HEAD commit, or VcsError if any of `paths` (by default all of content/ and
    templates/) has uncommitted changes; other files of the tree, a key file among them,
    do not count."""
    rev = revision(root)
    if rev.commit is None:
        raise VcsError("папка проекта не в репозитории git или в нём нет коммитов")
    status = git(root, "-c", "core.quotePath=false", "status", "--porcelain", "--",
                 *(str(path) for path in (paths or TRACKED)))
    if status.strip():
        files = ", ".join(line[3:] for line in status.splitlines()[:5])
        raise VcsError(f"в файлах, из которых собирается документ, есть незафиксированные "
                       f"изменения ({files}); сначала выполните git commit")
    return rev.commit


def resolve(root: Path, name: str) -> str:
    """The full hash of a commit, tag or branch name."""
    return git(root, "rev-parse", "--verify", f"{name}^{{commit}}").strip()


def export(root: Path, commit: str, target: Path) -> None:
    """Write content/ and templates/ as they were at `commit` into `target`."""
    archive = subprocess.run(["git", "archive", "--format=tar", commit,
                              *(str(path) for path in TRACKED)], cwd=root,
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise VcsError(f"git archive: {archive.stderr.decode('utf-8', 'replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")


def commit_files(root: Path, paths: list[Path], message: str) -> str:
    """Commit the given files and return the new commit's hash."""
    git(root, "add", "--", *map(str, paths))
    git(root, "commit", "--quiet", "-m", message, "--", *map(str, paths))
    return resolve(root, "HEAD")


def tag(root: Path, name: str, commit: str, message: str) -> None:
    """Create an annotated tag; VcsError if it exists."""
    git(root, "tag", "--annotate", "-m", message, name, commit)


def changed(root: Path, older: str, newer: str, paths: list[Path]) -> bool:
    """Whether any of `paths` differs between two commits."""
    return bool(git(root, "diff", "--name-only", older, newer, "--", *map(str, paths)).strip())


def log(root: Path, paths: list[Path]) -> list[tuple[str, str, str]]:
    """Commits that changed `paths`, newest first: (hash, date, subject)."""
    output = git(root, "log", "--format=%H%x09%ad%x09%s", "--date=short", "--",
                 *map(str, paths))
    return [tuple(line.split("\t", 2)) for line in output.splitlines() if line]  # type: ignore[misc]
