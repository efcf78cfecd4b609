"""Rendering Word templates with docxtpl in a sandboxed, strict, autoescaping Jinja."""

from __future__ import annotations

import contextlib
import hashlib
import re
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import (
    FileSystemBytecodeCache,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree
from pydantic import BaseModel

from . import model
from .docx_template import PreparedTemplate
from .errors import ContentError, Problem, suggestion
from .filters import FILTERS

_NOT_A_DOCX = (zipfile.BadZipFile, PackageNotFoundError, KeyError, etree.XMLSyntaxError)
_DAMAGED = "файл шаблона повреждён или не является документом DOCX; восстановите его из git"
_MISSING_ATTRIBUTE = re.compile(r"'(?P<owner>[\w.]+) object' has no attribute '(?P<name>\w+)'")
_MISSING_NAME = re.compile(r"'(?P<name>\w+)' is undefined")
KEPT_SOURCES = 1000  # compiled template sources kept between runs, at most


class _Environment(SandboxedEnvironment):
    """A sandboxed environment that compiles each template source once, and keeps the
    compiled code between runs when given a folder for it.

    docxtpl hands Jinja the same XML for every document made from a template; compiling
    it once per process instead of once per document saves a third of rendering, and
    loading Jinja's compiled code instead of compiling saves 60 ms of a district's build.
    Jinja's bytecode cache checks each source's checksum and Jinja's and Python's
    versions, so an edited template or an upgrade is compiled anew.
    """

    def __init__(self, compiled: Path | None = None) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=True,
                         bytecode_cache=_kept_code(compiled) if compiled else None)
        self.filters.update(FILTERS)
        self._compiled: dict[str, Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            self._compiled[source] = self._template(source)
        return self._compiled[source]

    def _template(self, source: str) -> Template:
        """The template of `source`, its code taken from the bytecode cache if there."""
        if self.bytecode_cache is None:
            return super().from_string(source)
        name = hashlib.sha256(source.encode()).hexdigest()  # XML parts have no names
        bucket = self.bytecode_cache.get_bucket(self, name, None, source)
        if bucket.code is None:
            bucket.code = self.compile(source)
            with contextlib.suppress(OSError):  # a cache that cannot be written is no cache
                self.bytecode_cache.set_bucket(bucket)
        return self.template_class.from_code(self, bucket.code, self.make_globals(None))


def _kept_code(folder: Path) -> FileSystemBytecodeCache | None:
    """Jinja's bytecode cache in `folder`, emptied when it holds more than KEPT_SOURCES
    sources (every edit of a template leaves one behind); None if it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        cache = FileSystemBytecodeCache(str(folder))
        if sum(1 for _ in folder.iterdir()) > KEPT_SOURCES:
            cache.clear()
    except OSError:
        return None
    return cache


def environment(compiled: Path | None = None) -> SandboxedEnvironment:
    """The Jinja environment every template renders in; with `compiled`, the folder that
    keeps compiled templates between runs."""
    return _Environment(compiled)


class Renderer:
    """Renders templates from one folder; problems name the template file."""

    def __init__(self, templates: Path, shown_as: Path, compiled: Path | None = None):
        self.templates = templates
        self.shown_as = shown_as
        self.env = environment(compiled)
        self._parsed: dict[str, WordDocument] = {}
        self._patched: dict[str, str] = {}

    def render(self, template: str, context: dict[str, Any]) -> Any:
        """`template` rendered with `context`: a python-docx document, not yet saved."""
        return self._render(template, context).docx

    def check(self, template: str, context: dict[str, Any],
              declaration: Path | None = None) -> list[Problem]:
        """Problems found by rendering `template` in memory: unknown variables, bad syntax;
        with the `declaration` of a custom kind, unknown variables are named as missing
        from it."""
        path = self.templates / template
        if not path.is_file():
            return [self._problem(template, None, f"шаблон не найден: {self.shown_as / template}")]
        try:
            unknown = DocxTemplate(path).get_undeclared_template_variables(self.env, context)
        except TemplateError as exc:
            return [self._template_problem(template, path, exc)]
        except _NOT_A_DOCX:
            return [self._problem(template, None, _DAMAGED)]
        if unknown:
            return [self._problem(template, name, _missing_message(name, list(context))
                                  if declaration is None else
                                  f"шаблон обращается к значению, которого нет в объявлении "
                                  f"{declaration}; объявите его в fields или уберите тег")
                    for name in sorted(unknown)]
        try:
            self._render(template, context)
        except ContentError as exc:
            return exc.problems
        return []

    def _render(self, template: str, context: dict[str, Any]) -> PreparedTemplate:
        path = self.templates / template
        if not path.is_file():
            raise ContentError([self._problem(
                template, None, f"шаблон не найден: {self.shown_as / template}")])
        try:
            if template not in self._parsed:
                self._parsed[template] = Document(str(path))
            document = PreparedTemplate(self._parsed[template], self._patched)
            document.render(context, jinja_env=self.env, autoescape=True)
        except TemplateError as exc:
            raise ContentError([self._template_problem(template, path, exc)]) from None
        except _NOT_A_DOCX:
            raise ContentError([self._problem(template, None, _DAMAGED)]) from None
        except OverflowError:  # the sandbox's bound on range()
            raise ContentError([self._problem(template, None, (
                "шаблон просит слишком длинный ряд range(): больше 100 000 элементов"))]) from None
        except (ArithmeticError, TypeError) as exc:
            raise ContentError([self._problem(template, None, (
                "в теге шаблона вычисление невозможно (деление на ноль или действие над "
                f"значениями не того типа: {type(exc).__name__})"))]) from None
        return document

    def _template_problem(self, template: str, path: Path, exc: TemplateError) -> Problem:
        message = str(exc.message or exc)
        if isinstance(exc, UndefinedError):
            match = _MISSING_ATTRIBUTE.search(message) or _MISSING_NAME.search(message)
            if match:
                name = match["name"]
                owner = match.groupdict().get("owner")
                known = _fields_of(owner) if owner else []
                return self._problem(template, name, _missing_message(name, known)
                                     + _where(path, name))
        if isinstance(exc, TemplateSyntaxError):
            if message.startswith("Unexpected end of template"):
                return self._problem(template, None, "ошибка в теге шаблона: тег {% if %} или "
                                     "{% for %} не закрыт до конца шаблона"
                                     f" ({message})")
            return self._problem(template, None, f"ошибка в теге шаблона: {message}")
        if isinstance(exc, SecurityError):
            return self._problem(template, None, f"шаблон делает недопустимое: {message}")
        return self._problem(template, None, f"ошибка шаблона: {message}")

    def _problem(self, template: str, name: str | None, message: str) -> Problem:
        return Problem(self.shown_as / template, None, None, name, message)


def _missing_message(name: str, known: list[str]) -> str:
    return "шаблон обращается к значению, которого нет в данных" + suggestion(name, known)


def _fields_of(owner: str) -> list[str]:
    """Field names of the model class named in a Jinja error, if it is one of docgen's."""
    cls = getattr(model, owner.rsplit(".", 1)[-1], None)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return list(cls.model_fields)
    return []


def _where(path: Path, name: str) -> str:
    """« (в абзаце «…»)» naming the template paragraph whose tag uses `name`."""
    pattern = re.compile(r"\{[{%][^}]*\b" + re.escape(name) + r"\b[^}]*[}%]\}")
    body = Document(str(path)).element.body
    for paragraph in body.iter(qn("w:p")):
        text = "".join(node.text or "" for node in paragraph.iter(qn("w:t")))
        if pattern.search(text):
            return f" (в абзаце «{text.strip()}»)"
    return ""
