"""Errors and problems that docgen reports to the clerk, in Russian."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


def suggestion(value: str, known: Iterable[str]) -> str:
    """«; возможно, имелось в виду «…»» naming the known name closest to `value`, or nothing."""
    match = difflib.get_close_matches(str(value), list(known), n=1, cutoff=0.5)
    return f"; возможно, имелось в виду «{match[0]}»" if match else ""


class Severity(Enum):
    """How serious a problem is: errors stop the build, warnings do not (unless strict)."""

    ERROR = "ошибка"
    WARNING = "предупреждение"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content or a template, with where it is."""

    path: Path
    line: int | None
    column: int | None
    field: str | None
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f"поле «{self.field}»: " if self.field else ""
        prefix = "предупреждение: " if self.severity is Severity.WARNING else ""
        return f"{where}: {prefix}{field}{self.message}"


class DocgenError(Exception):
    """Base of every error docgen raises for the command line to report."""


class ContentError(DocgenError):
    """The content or the templates have problems; all of them are listed."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line or 0, p.column or 0))
        super().__init__("\n".join(str(p) for p in self.problems))


class ConversionError(DocgenError):
    """LibreOffice could not turn a DOCX into PDF."""


class LibreOfficeMissing(ConversionError):
    """LibreOffice is not installed; DOCX files can still be built."""
