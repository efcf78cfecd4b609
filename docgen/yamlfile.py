"""Reading one YAML file into plain data while remembering where every value stands."""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from . import __version__
from .errors import ContentError, Problem, Severity, shown

Loc = tuple[str | int, ...]
# libyaml's parser where PyYAML was built with it: ten times faster, same nodes and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TEMPLATE_LOOKING = re.compile(r"\{\{|\{%|\{#|%\}|\}\}")

MAX_BYTES = 10 << 20  # the largest content file read: a region's registry is far smaller
MAX_VALUES = 500_000  # values of one file
MAX_REPEATED = 50_000  # values that aliases («*name») repeat: a few in real content
# what YAML does not allow in a file: control characters but tab and line breaks
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")

_YAML_PATTERNS = [  # PyYAML's words for problems without a fixed text
    (re.compile(r"found character '(.*)' that cannot start any token"),
     "символ «{0}» не может начинать значение; возьмите значение в кавычки"),
    (re.compile(r"found unknown escape character '?(.*?)'?$"),
     "неизвестная последовательность «\\{0}» в кавычках; удвойте «\\» или возьмите "
     "значение в одинарные кавычки"),
]

_YAML_PROBLEMS = {
    "mapping values are not allowed here": "двоеточие здесь недопустимо; возьмите значение в кавычки",
    "could not find expected ':'": "ожидалось двоеточие после ключа",
    "did not find expected key": "ожидался ключ; проверьте отступы",
    "did not find expected '-' indicator": "ожидался элемент списка «- »; проверьте отступы",
    "found character '\\t' that cannot start any token": "символ табуляции недопустим; используйте пробелы",
    "found unexpected end of stream": "файл закончился внутри значения; закройте кавычку или скобку",
    "found undefined alias": "ссылка на неопределённую метку (*)",
    "but found another document": "в файле больше одного документа (строка «---»); оставьте один",
    "did not find expected node content": "ожидалось значение; проверьте отступы и кавычки",
    "found unexpected ':'": "двоеточие здесь недопустимо; возьмите значение в кавычки",
    "found duplicate anchor": "метка (&) повторяется",
    "did not find expected comment or line break": "после значения ожидался конец строки; "
                                                   "возьмите значение в кавычки",
    "found unexpected document separator": "разделитель документов «---» внутри значения",
    "found a tab character that violates indentation": "символ табуляции в отступе; "
                                                       "используйте пробелы",
    "found a tab character where an indentation space is expected": "символ табуляции в "
                                                                    "отступе; используйте "
                                                                    "пробелы",
    "did not find expected ',' or ']'": "список в квадратных скобках не закрыт «]»",
    "did not find expected ',' or '}'": "набор в фигурных скобках не закрыт «}»",
    "found unexpected end of stream while scanning a quoted scalar": "кавычка не закрыта",
}


@dataclass
class YamlFile:
    """A YAML file's data and the line and column of each value in it."""

    path: Path
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def position(self, loc: Loc) -> tuple[int, int]:
        """Line and column of the value at `loc`, or of its nearest located parent."""
        loc = tuple(part for part in loc if part != "[key]")
        while loc not in self.positions and loc:
            loc = loc[:-1]
        return self.positions.get(loc, (1, 1))

    def problem(self, loc: Loc, message: str, severity: Severity = Severity.ERROR) -> Problem:
        """A problem located at the value at `loc`."""
        line, column = self.position(loc)
        return Problem(self.path, line, column, field_name(loc), message, severity)


def field_name(loc: Loc) -> str | None:
    """Field path as the clerk sees it: list items numbered from 1."""
    text = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + str(part)
    return text or None


class ParsedCache:
    """Parsed files kept by their bytes, so that a build after an edit parses only the
    edited file; entries no longer used are dropped by `prune`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()

    def read(self, shown_as: Path, raw: bytes) -> tuple[str, YamlFile | None]:
        """The key of these bytes at this place, and the file parsed from them if kept."""
        key = hashlib.sha256(f"{__version__}\0{shown_as}\0".encode() + raw).hexdigest()
        self.used.add(key)
        try:
            kept = pickle.loads((self.folder / f"{key}.pickle").read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return key, None
        return key, kept if isinstance(kept, YamlFile) else None

    def keep(self, key: str, parsed: YamlFile) -> None:
        """Keep a parsed file (best effort: a full disk only means parsing next time)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp",
                                             delete=False) as handle:
                pickle.dump(parsed, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, self.folder / f"{key}.pickle")
        except OSError:
            pass

    def prune(self) -> None:
        """Drop the kept files this load did not use."""
        for kept in self.folder.glob("*.pickle") if self.folder.is_dir() else []:
            if kept.stem not in self.used:
                kept.unlink(missing_ok=True)


def read_yaml(path: Path, shown_as: Path, cache: ParsedCache | None = None) -> YamlFile:
    """Parse `path`, named `shown_as` in messages; OSError if it cannot be read at all.

    Only a regular file of at most MAX_BYTES is read: a device, a pipe or a huge file is
    refused before it is opened.
    """
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):
        raise ContentError([Problem(shown_as, None, None, None, "это не обычный файл (папка, "
                                    "устройство или канал); content/ хранит только файлы YAML")])
    if status.st_size > MAX_BYTES:
        raise ContentError([Problem(shown_as, None, None, None, (
            f"файл слишком велик: {status.st_size // (1 << 20)} МБ при пределе "
            f"{MAX_BYTES >> 20} МБ"))])
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if cache is not None:
        key, kept = cache.read(shown_as, raw)
        if kept is not None:
            return kept
    result = _parse(raw, shown_as)
    if cache is not None:
        cache.keep(key, result)
    return result


def _parse(raw: bytes, shown_as: Path) -> YamlFile:
    """The data and positions of a file's bytes; ContentError if they are not valid YAML."""
    text = _decode(raw, shown_as)
    forbidden = _FORBIDDEN.search(text)
    if forbidden:
        line = text.count("\n", 0, forbidden.start()) + 1
        column = forbidden.start() - (text.rfind("\n", 0, forbidden.start()) + 1) + 1
        raise ContentError([Problem(shown_as, line, column, None, (
            f"управляющий символ {shown(forbidden[0])} недопустим (бывает, попадает при "
            "копировании из Word); удалите его"))])
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        _syntax_error(text, shown_as)
    result = YamlFile(shown_as, None, {(): (1, 1)})
    if root is not None:
        result.positions[()] = (root.start_mark.line + 1, root.start_mark.column + 1)
        problems: list[Problem] = []
        try:
            result.data = _Builder(result, problems).build(root, ())
        except _TooManyValues as exc:
            raise ContentError([exc.problem]) from None
        if problems:
            raise ContentError(problems)
    return result


def _syntax_error(text: str, shown_as: Path) -> NoReturn:
    """Raise the syntax error as PyYAML's own parser words it, which we translate."""
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise ContentError([Problem(shown_as, None, None, None, (
            f"вложенность глубже {MAX_DEPTH} уровней; упростите структуру"))]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _russian(exc.problem or "")
        raise ContentError([Problem(shown_as, mark.line + 1 if mark else None,
                                    mark.column + 1 if mark else None, None,
                                    f"ошибка синтаксиса YAML: {message}")]) from None
    raise ContentError([Problem(shown_as, None, None, None, "ошибка синтаксиса YAML")])


def _russian(problem: str) -> str:
    """PyYAML's problem in Russian; one it words otherwise is named only by its place."""
    problem = problem.strip()
    for known, russian in _YAML_PROBLEMS.items():
        if problem.startswith(known):
            return russian
    for pattern, russian in _YAML_PATTERNS:
        found = pattern.search(problem)
        if found:
            return russian.format(shown(found[1]))
    return "здесь текст не читается как YAML; проверьте отступы, двоеточия и кавычки"


def _decode(raw: bytes, shown_as: Path) -> str:
    """UTF-8 text of the file, or a problem naming the first bad byte's place."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError([Problem(
            shown_as, line, column, None,
            f"файл не в кодировке UTF-8 (байт 0x{raw[exc.start]:02x}); "
            "сохраните его в кодировке UTF-8",
        )]) from None


_STRING = "tag:yaml.org,2002:str"
# Content nests a dozen levels at most (a clause of a clause of a section …); deeper is
# refused where it starts, before anything walks it recursively.
MAX_DEPTH = 40


class _TooManyValues(Exception):
    """A file holds more values than any content does; building it stops at once."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class _Builder:
    """Turns a composed YAML node tree into Python data, recording positions."""

    def __init__(self, target: YamlFile, problems: list[Problem]):
        self.target = target
        self.problems = problems
        self.constructor = yaml.SafeLoader("")
        self.values = 0
        self.repeated = 0  # values built again because an alias names them
        self.built: set[int] = set()
        self.in_alias = 0

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        """Python value of `node`, which stands at `loc`."""
        again = id(node) in self.built
        self.built.add(id(node))
        self.values += 1
        self.repeated += bool(again or self.in_alias)
        if self.values > MAX_VALUES or self.repeated > MAX_REPEATED:
            raise _TooManyValues(self._at(node, loc, (
                f"в файле больше {MAX_VALUES:,} значений или метки «*» повторяют больше "
                f"{MAX_REPEATED:,} (метка разворачивается при каждом использовании); это не "
                "похоже на содержимое docgen").replace(",", " ")))
        if again:
            self.in_alias += 1
            try:
                return self._build(node, loc)
            finally:
                self.in_alias -= 1
        return self._build(node, loc)

    def _build(self, node: yaml.Node, loc: Loc) -> Any:
        if len(loc) > MAX_DEPTH and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self.problems.append(self._at(node, loc, f"вложенность глубже {MAX_DEPTH} уровней; "
                                                     "упростите структуру"))
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self._remember(loc + (index,), item)
                items.append(self.build(item, loc + (index,)))
            return items
        return self._scalar(node, loc)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node, loc) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)):
                self.problems.append(self._at(key_node, loc, "ключом может быть только строка"))
                continue
            key = str(key)
            if key in result:
                self.problems.append(self._at(
                    key_node, loc + (key,),
                    f"ключ «{key}» повторяется (впервые — в строке {first_line[key]})"))
                continue
            first_line[key] = key_node.start_mark.line + 1
            self._remember(loc + (key,), key_node)
            result[key] = self.build(value_node, loc + (key,))
        return result

    def _scalar(self, node: yaml.Node, loc: Loc) -> Any:
        if node.tag == _STRING:  # most of the content: no constructor needed
            value = node.value
        else:
            try:
                value = self.constructor.construct_object(node, deep=True)
            except (ValueError, yaml.constructor.ConstructorError):
                value = node.value
        if isinstance(value, str) and "{" in value and _TEMPLATE_LOOKING.search(value):
            self.target.warnings.append(self._at(
                node, loc,
                "текст похож на разметку шаблона ({{ }} или {% %}); "
                "он будет выведен буквально, как написан",
                Severity.WARNING))
        return value

    def _remember(self, loc: Loc, node: yaml.Node) -> None:
        self.target.positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)

    def _at(self, node: yaml.Node, loc: Loc, message: str,
            severity: Severity = Severity.ERROR) -> Problem:
        return Problem(self.target.path, node.start_mark.line + 1, node.start_mark.column + 1,
                       field_name(loc), message, severity)
