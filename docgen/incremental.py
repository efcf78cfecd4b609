"""What each output was made from, so that a build redoes only what changed."""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import Problem, Severity
from .places import write_whole

if TYPE_CHECKING:
    from .documents import Planned

Selection = Any  # what a document was made from: see dependencies.py

STATE = ".state.json"


class Action(enum.Enum):
    """What a build does with one document."""

    SKIP = "skip"
    RESTAMP = "restamp"
    BUILD = "build"


@dataclass(frozen=True)
class Record:
    """What an output was made from and what its files were when written."""

    render: str
    commit: str | None
    files: dict[str, list[int]]
    selection: str | None = None  # the key of what it was made from in State.selections

    def files_intact(self, folder: Path) -> bool:
        """Whether every recorded file is still there, as it was written."""
        for name, (size, mtime) in self.files.items():
            try:
                status = (folder / name).stat()
            except OSError:
                return False
            if status.st_size != size or status.st_mtime_ns != mtime:
                return False
        return True


def selection_key(selection: Selection) -> str:
    """A short stable name of a selection, to store it once for many documents."""
    text = json.dumps(selection, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


ALL = "*"  # the selection of a whole context
ALL_KEY = selection_key(ALL)


def inputs_digest(root: Path, folders: tuple[Path, ...], commit: str | None,
                  settings: dict[str, Any]) -> str:
    """A digest of every input file's path and bytes, the commit and the settings."""
    digest = hashlib.sha256(json.dumps([__version__, commit, settings]).encode())
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class State:
    """The record of every output of a build folder, kept in build/.state.json."""

    def __init__(self, out: Path):
        self.path = out / STATE
        self.records: dict[str, Record] = {}
        self.selections: dict[str, Selection] = {}
        self.inputs: str | None = None
        self.warnings: list[Problem] = []
        self.drafts = 0
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        if raw.get("version") == __version__:
            self.records = {key: Record(**value) for key, value in raw["documents"].items()}
            self.selections = raw.get("selections", {})
            self.inputs = raw.get("inputs")
            self.drafts = raw.get("drafts", 0)
            self.warnings = [Problem(Path(w["path"]), w["line"], w["column"], w["field"],
                                     w["message"], Severity(w["severity"]))
                             for w in raw.get("warnings", [])]

    def all_intact(self, out: Path) -> bool:
        """Whether every recorded output is still there as it was written."""
        return all(record.files_intact(out / Path(key).parent)
                   for key, record in self.records.items())

    def decide(self, document: Planned, render: str, commit: str | None, out: Path, *,
               force: bool, pdf: bool) -> Action:
        """Skip an output that is as it would be made, restamp one whose commit alone moved."""
        record = self.records.get(document.document_id)
        if force or record is None or record.render != render or \
                not record.files_intact(out / document.folder) or \
                (pdf and f"{document.name}.pdf" not in record.files):
            return Action.BUILD
        return Action.SKIP if record.commit == commit else Action.RESTAMP

    def selection(self, document_id: str) -> tuple[str, Selection]:
        """The part of the content the document was last made from, with its key: all of
        it when that is not known."""
        record = self.records.get(document_id)
        if record is not None and record.selection in self.selections:
            return record.selection, self.selections[record.selection]
        return ALL_KEY, ALL

    def remember(self, document: Planned, render: str, commit: str | None, folder: Path,
                 selection: Selection) -> None:
        """Record the files just written for `document`, and what it was made from."""
        files = {}
        for suffix in ("docx", "pdf"):
            path = folder / f"{document.name}.{suffix}"
            if path.exists():
                status = path.stat()
                files[path.name] = [status.st_size, status.st_mtime_ns]
        name = selection_key(selection)
        self.selections[name] = selection
        self.records[document.document_id] = Record(render, commit, files, name)

    def forget(self, document_id: str) -> None:
        """Drop the record of an output that failed or is gone."""
        self.records.pop(document_id, None)

    def save(self) -> None:
        """Write the state atomically."""
        used = {record.selection for record in self.records.values()}
        data = {"version": __version__, "inputs": self.inputs, "drafts": self.drafts,
                "warnings": [{"path": str(w.path), "line": w.line, "column": w.column,
                              "field": w.field, "message": w.message,
                              "severity": w.severity.value} for w in self.warnings],
                "documents": {key: record.__dict__ for key, record in sorted(self.records.items())},
                "selections": {key: value for key, value in sorted(self.selections.items())
                               if key in used}}
        write_whole(self.path, json.dumps(data, ensure_ascii=False))
