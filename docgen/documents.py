"""The types every stage shares: a document to make and its properties, the revision it
is stamped with, and the options of a build."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Revision:
    """The commit a build's content comes from, and whether the tree differs from it."""

    commit: str | None
    dirty: bool

    @property
    def draft(self) -> bool:
        """A build from uncommitted content (or from outside git) is a draft."""
        return self.commit is None or self.dirty


@dataclass(frozen=True)
class Properties:
    """A document's title, author, subject and keywords, for DOCX and PDF alike."""

    title: str
    subject: str
    author: str
    keywords: list[str] = field(default_factory=list)
    category: str = ""
    date: dt.date | None = None
    document: str = ""
    edition: int = 1


@dataclass(frozen=True)
class Planned:
    """One DOCX (and its PDF) to produce."""

    folder: Path
    name: str
    kind: str
    template: str
    context: dict[str, Any]
    properties: Properties
    bookmark: str | None = None

    @property
    def key(self) -> str:
        """A name unique within the run, for the shared conversion folder."""
        return "--".join((*self.folder.parts, self.name))

    @property
    def document_id(self) -> str:
        """The document's id, its output path without extension: «orders/2022-685/annex-1»."""
        return "/".join((*self.folder.parts, self.name))

    @classmethod
    def of(cls, folder: Path, name: str, kind: str, template: str, context: dict[str, Any],
           properties: Properties, bookmark: str | None = None) -> Planned:
        """A document to make, its properties naming it by its id."""
        document_id = "/".join((*folder.parts, name))
        return cls(folder, name, kind, template, context,
                   dataclasses.replace(properties, document=document_id), bookmark)


@dataclass(frozen=True)
class FolderPlan:
    """An output folder: its documents and, for an order, the bundle of those with bookmarks."""

    folder: Path
    documents: list[Planned]
    bundle: Properties | None = None




@dataclass(frozen=True)
class BuildOptions:
    """How a build runs: what it makes, with which LibreOffice, stamped how."""

    strict: bool = False  # warnings are errors
    pdf: bool = True
    soffice: str | None = None
    revision: Revision | None = None  # by default the git state of the project
    select: frozenset[str] | None = None  # only these documents, without bundles
    force: bool = False
    jobs: int = 0  # LibreOffice processes; 0: one per core
    converter: str | None = None  # pool, batch or unoserver://…
    timeout: float = 60.0  # seconds for one document's conversion
    progress: ProgressCallback | None = None
