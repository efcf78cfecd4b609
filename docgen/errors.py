"""Errors and problems that docgen reports to the clerk, in Russian."""

from __future__ import annotations

import difflib
import errno
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

SHOWN_LENGTH = 80  # characters of a value quoted in a message


def shown(value: object) -> str:
    """A value as a message quotes it: invisible and control characters named (U+200B),
    cut to a readable length."""
    text = "".join(f"U+{ord(char):04X}" if _invisible(char) else char for char in str(value))
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 1] + "…"


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn") or (
        unicodedata.category(char) == "Zs" and char not in " \u00a0")


_OS_REASONS = {
    errno.ENOENT: "файла нет",
    errno.EACCES: "нет прав на доступ к нему",
    errno.EPERM: "действие запрещено (нет прав или файл защищён от изменений)",
    errno.EISDIR: "это папка, а не файл",
    errno.ENOTDIR: "путь проходит через файл, а не папку",
    errno.ELOOP: "символические ссылки ведут по кругу",
    errno.ENAMETOOLONG: "слишком длинное имя",
    errno.EIO: "ошибка ввода-вывода диска",
    errno.EEXIST: "на месте папки уже есть файл с тем же именем",
    errno.EROFS: "диск только для чтения",
    errno.ENOSPC: "на диске нет места",
    errno.EDQUOT: "исчерпана квота диска",
    errno.ECONNREFUSED: "соединение отклонено",
    errno.ETIMEDOUT: "нет ответа",
    errno.EHOSTUNREACH: "узел недоступен",
    errno.EADDRINUSE: "адрес уже занят другой программой",
    errno.EADDRNOTAVAIL: "такого адреса у этого компьютера нет",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Russian."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    return f"ошибка системы (код {exc.errno})" if exc.errno else "ошибка системы"


def suggestion(value: str, known: Iterable[str], *, listing: bool = False) -> str:
    """«; возможно, имелось в виду «…»» naming the known name closest to `value`; with
    `listing`, when none is close, «; есть: …» naming them all; else nothing."""
    names = list(known)
    match = difflib.get_close_matches(str(value), names, n=1, cutoff=0.5)
    if match:
        return f"; возможно, имелось в виду «{match[0]}»"
    return "; есть: " + ", ".join(names) if listing and names else ""


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
