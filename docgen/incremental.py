"""What each output was made from, so that a build redoes only what changed."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import Problem, Severity

if TYPE_CHECKING:
    from .plan import Planned

STATE = ".state.json"


class Action(enum.Enum):
    """What a build does with one document."""

    SKIP = "skip"
    RESTAMP = "restamp"
    BUILD = "build"


class Fingerprints:
    """Digests of documents' inputs: template, the content they show, version."""

    def __init__(self, templates: Path):
        self.templates = templates
        self._template_digests: dict[str, str] = {}
        self._memo: dict[int, str] = {}

    def of(self, document: Planned) -> str:
        """The digest of everything `document`'s bytes depend on, except its stamp."""
        digest = hashlib.sha256()
        for part in (__version__, document.template,
                     self._template(document.template), self._value(document.context),
                     self._value(document.properties.__dict__)):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def _template(self, name: str) -> str:
        if name not in self._template_digests:
            path = self.templates / name
            data = path.read_bytes() if path.is_file() else b""
            self._template_digests[name] = hashlib.sha256(data).hexdigest()
        return self._template_digests[name]

    def _value(self, value: Any) -> str:
        """A digest of a context value; models shared by many documents are dumped once."""
        if hasattr(value, "model_dump_json"):  # a content model, shared by many documents
            key = id(value)
            if key not in self._memo:
                dumped = value.model_dump_json().encode()
                self._memo[key] = hashlib.sha256(dumped).hexdigest()
            return self._memo[key]
        if isinstance(value, dict):
            return "{" + ",".join(f"{k}:{self._value(v)}" for k, v in sorted(value.items())) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(self._value(item) for item in value) + "]"
        if isinstance(value, (dt.date, Path, enum.Enum)):
            return str(value)
        return json.dumps(value, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Record:
    """What an output was made from and what its files were when written."""

    render: str
    commit: str | None
    files: dict[str, list[int]]

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
        self.inputs: str | None = None
        self.warnings: list[Problem] = []
        self.drafts = 0
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        if raw.get("version") == __version__:
            self.records = {key: Record(**value) for key, value in raw["documents"].items()}
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

    def remember(self, document: Planned, render: str, commit: str | None, folder: Path) -> None:
        """Record the files just written for `document`."""
        files = {}
        for suffix in ("docx", "pdf"):
            path = folder / f"{document.name}.{suffix}"
            if path.exists():
                status = path.stat()
                files[path.name] = [status.st_size, status.st_mtime_ns]
        self.records[document.document_id] = Record(render, commit, files)

    def forget(self, document_id: str) -> None:
        """Drop the record of an output that failed or is gone."""
        self.records.pop(document_id, None)

    def save(self) -> None:
        """Write the state atomically."""
        data = {"version": __version__, "inputs": self.inputs, "drafts": self.drafts,
                "warnings": [{"path": str(w.path), "line": w.line, "column": w.column,
                              "field": w.field, "message": w.message,
                              "severity": w.severity.value} for w in self.warnings],
                "documents": {key: record.__dict__ for key, record in sorted(self.records.items())}}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.path)
