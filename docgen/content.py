"""Loading the content tree into the model, with every problem located and in Russian."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import declared, references
from .annexes import problems_of
from .consistency import (
    check_acts,
    check_amendments,
    check_letters,
    check_links,
)
from .errors import ContentError, Problem, os_reason, shown, suggestion
from .folders import (
    AMENDMENT,
    CAMPAIGN,
    CANDIDATES,
    CONTROL,
    DISPATCH,
    DOCUMENTS,
    INTERVIEWS,
    LETTER,
    LETTERS,
    ORDER,
    ORDERS,
    ORGANIZATIONS,
    PEOPLE,
    PLANS,
    REGISTER,
    RESERVE,
    TEMPLATES,
)
from .kinds import BUILT_IN, Kind
from .letters import GeneralLetter, LetterBundle
from .model import (
    Amendment,
    AmendmentBundle,
    Annex,
    Campaign,
    CandidatesFile,
    Control,
    Dispatched,
    DispatchJournal,
    DocumentBundle,
    InterviewsFile,
    Order,
    OrderBundle,
    OrganizationsFile,
    PeopleFile,
    PlansFile,
    Project,
    Register,
    Registry,
    Reserve,
    Resolution,
    RoadmapAnnex,
)
from .places import write_whole
from .yamlfile import Loc, ParsedCache, YamlFile, read_yaml

REGISTER_HEADER = """\
# Журнал регистрации изданных редакций документов. Ведёт его команда docgen issue;
# записи не правятся вручную: издание никогда не перезаписывается.
"""

ANNEX_FILE = re.compile(r"[\w.-]+\.yaml")  # a file beside the act: no folder, no «..»
_DATE_HINT = "ожидалась дата в виде ГГГГ-ММ-ДД, например 2022-08-30"

_PATTERNS = {
    r"^[a-z0-9][a-z0-9-]*$": "идентификатор из строчных латинских букв, цифр и дефисов",
    r"^([А-ЯЁ]\.){1,2}$": "инициалы вида «И.Н.»",
    r"^[\w.-]+\.yaml$": "имя файла с расширением .yaml",
    r"^[0-9А-Яа-яЁё/-]+$": "номер из цифр и букв, например «685» или «467/1»",
    r"^[0-9a-f]{40}$": "полный хеш коммита git: 40 знаков 0–9, a–f",
    r"^[0-9a-f]{64}$": "сумма SHA-256: 64 знака 0–9, a–f",
}

_BOUNDS = {
    "greater_than_equal": "должно быть не меньше {ge}",
    "greater_than": "должно быть больше {gt}",
    "less_than_equal": "должно быть не больше {le}",
    "less_than": "должно быть меньше {lt}",
    "too_long": "слишком много элементов: не больше {max_length}",
}

_MESSAGES = {
    "int_type": "ожидалось целое число",
    "int_parsing": "ожидалось целое число",
    "int_from_float": "ожидалось целое число",
    "float_type": "ожидалось число",
    "float_parsing": "ожидалось число",
    "union_tag_invalid": "неизвестный вид",
    "missing": "обязательное поле не заполнено",
    "string_type": "ожидался текст",
    "string_too_short": "не может быть пустым",
    "list_type": "ожидался список (строки, начинающиеся с «- »)",
    "too_short": "список не может быть пустым",
    "dict_type": "ожидался набор полей «ключ: значение»",
    "model_type": "ожидался набор полей «ключ: значение»",
    "model_attributes_type": "ожидался набор полей «ключ: значение»",
    "bool_type": "ожидалось true или false",
    "bool_parsing": "ожидалось true или false",
    "date_type": _DATE_HINT,
    "date_parsing": _DATE_HINT,
    "date_from_datetime_inexact": _DATE_HINT,
}


class _Collector:
    """Gathers problems and warnings from all files of a run."""

    def __init__(self, root: Path, cache: ParsedCache | None = None):
        self.root = root
        self.cache = cache
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.sources: dict[Path, YamlFile] = {}

    def read(self, relative: Path, referenced_at: tuple[YamlFile, Loc] | None = None
             ) -> YamlFile | None:
        """The parsed file, or None after recording why it could not be read.

        A file that cannot be opened is reported where it is referenced, if it is.
        """
        try:
            path = self.root / relative
            if not path.resolve().is_relative_to(self.root.resolve()):
                raise ContentError([Problem(relative, None, None, None, (
                    "файл ведёт за пределы проекта (символическая ссылка); docgen читает "
                    "только файлы проекта"))])
            source = read_yaml(path, relative, self.cache)
        except ContentError as exc:
            self.problems.extend(exc.problems)
            return None
        except OSError as exc:
            message = f"не удаётся прочитать файл {relative}: {os_reason(exc)}"
            if referenced_at is None:
                self.problems.append(Problem(relative, None, None, None, message))
            else:
                referrer, loc = referenced_at
                self.problems.append(referrer.problem(loc, message))
            return None
        self.warnings.extend(source.warnings)
        self.sources[relative] = source
        return source

    def validate(self, source: YamlFile, model: type[BaseModel],
                 context: dict[str, Any] | None = None) -> Any:
        """The model built from the file's data, or None after recording its errors.

        With a registry in `context`, references to it in text («[[soldatova, вин]]»)
        are replaced first.
        """
        data = source.data
        if context is not None and "registry" in context:
            data = references.resolve(data, context["registry"], lambda loc, message:
                                      self.problems.append(source.problem(loc, message)))
        try:
            return model.model_validate(data, context=context)
        except ValidationError as exc:
            for error in exc.errors():
                self.problems.append(source.problem(error["loc"], _message(dict(error), model)))
            return None


def load_project(root: Path, cache: Path | None = None) -> tuple[Project, list[Problem]]:
    """Load and validate all content under `root`; return the project and its warnings.

    With `cache`, parsed files are kept there and read back while their bytes are the same.
    """
    parsed = ParsedCache(cache) if cache is not None else None
    collector = _Collector(root, parsed)
    kinds = {**BUILT_IN, **_load_declarations(collector)}
    registry = _load_registry(collector)
    reserve = _load_reserve(collector, registry) if (root / RESERVE).is_dir() else None
    orders = [_load_order(collector, registry, path.relative_to(root), kinds)
              for path in sorted((root / ORDERS).glob(f"*/{ORDER}"))]
    amendments = [_load_amendment(collector, registry, path.relative_to(root))
                  for path in sorted((root / ORDERS).glob(f"*/{AMENDMENT}"))]
    documents = [_load_document(collector, registry, path.relative_to(root), kinds)
                 for path in sorted((root / DOCUMENTS).glob("*.yaml"))]
    letters = [_load_letter(collector, registry, path.relative_to(root), kinds)
               for path in sorted((root / LETTERS).glob(f"*/{LETTER}"))]
    dispatch = _load_dispatch(collector) if (root / DISPATCH).exists() else []
    loaded = [o for o in orders if o]
    if registry is not None and not collector.problems:
        collector.problems += check_links(loaded, reserve, collector.sources, kinds)
        collector.problems += check_amendments(loaded, [a for a in amendments if a],
                                               collector.sources)
        collector.problems += check_acts(loaded, [a for a in amendments if a],
                                         collector.sources)
        collector.problems += check_letters([x for x in letters if x], loaded,
                                            collector.sources)
    if parsed is not None:
        parsed.prune()
    if collector.problems:
        raise ContentError(collector.problems + collector.warnings)
    assert registry is not None
    project = Project(registry=registry, orders=loaded, reserve=reserve,
                      amendments=[a for a in amendments if a],
                      documents=[d for d in documents if d],
                      letters=[x for x in letters if x], kinds=kinds, dispatch=dispatch)
    return project, collector.warnings


def _load_dispatch(collector: _Collector) -> list[Dispatched]:
    """The dispatch journal's entries, for reports on what was sent."""
    source = collector.read(DISPATCH)
    journal = source and collector.validate(source, DispatchJournal)
    return journal.sent if journal else []


def _load_declarations(collector: _Collector) -> dict[str, Kind]:
    """Custom kinds: each templates/<name>.yaml beside its templates/<name>.docx."""
    kinds: dict[str, Kind] = {}
    folder = collector.root / TEMPLATES
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        relative = path.relative_to(collector.root)
        name = path.stem
        source = collector.read(relative)
        if source is None:
            continue
        if name in BUILT_IN:
            collector.problems.append(source.problem(
                (), f"вид «{name}» встроен в docgen; назовите свой вид иначе"))
            continue
        declaration = collector.validate(source, declared.Declaration)
        if declaration is None:
            continue
        problems = declared.reserved_problems(declaration)
        collector.problems += [source.problem(loc, message) for loc, message in problems]
        if not (folder / f"{name}.docx").is_file():
            collector.problems.append(source.problem(
                (), f"нет шаблона {TEMPLATES / (name + '.docx')} для вида «{name}»"))
        elif not problems:
            kinds[name] = declared.kind(name, declaration)
    return kinds


def _load_letter(collector: _Collector, registry: Registry | None, relative: Path,
                 kinds: dict[str, Kind]) -> LetterBundle | None:
    """A letter and its annexes; all files are read even when some fail."""
    source = collector.read(relative)
    if source is None:
        return None
    annex_sources = _read_annexes(collector, source)
    if registry is None:
        return None
    letter = collector.validate(source, GeneralLetter, {"registry": registry})
    annexes = _validate_annexes(collector, registry, annex_sources, kinds)
    if letter is None or annexes is None:
        return None
    return LetterBundle(slug=relative.parent.name, letter=letter, annexes=annexes)


def _read_annexes(collector: _Collector, source: YamlFile) -> list[YamlFile | None]:
    """The annex files an act or letter lists, each read (None where it cannot be)."""
    return [collector.read(source.path.parent / name, (source, ("annexes", index)))
            for index, name in _annex_names(source.data)]


def _validate_annexes(collector: _Collector, registry: Registry,
                      sources: list[YamlFile | None], kinds: dict[str, Kind]
                      ) -> list[Annex] | None:
    """Each annex validated by the model of its kind; None if any is missing or wrong."""
    annexes: list[Annex] = []
    for source in sources:
        model = _kind_model(collector, source, kinds, annex=True) if source else None
        annex = collector.validate(source, model, {"registry": registry}) \
            if source and model else None
        if source is None or annex is None:
            return None
        collector.problems += [source.problem(loc, message)
                               for loc, message in problems_of(annex)]
        annexes.append(annex)
    return annexes


def _load_document(collector: _Collector, registry: Registry | None, relative: Path,
                   kinds: dict[str, Kind]) -> DocumentBundle | None:
    """A document of a custom kind, validated against its kind's declaration."""
    source = collector.read(relative)
    if source is None or registry is None:
        return None
    model = _kind_model(collector, source, kinds, annex=False)
    document = collector.validate(source, model, {"registry": registry}) if model else None
    return DocumentBundle(slug=relative.stem, document=document) if document else None


def _kind_model(collector: _Collector, source: YamlFile, kinds: dict[str, Kind], *,
                annex: bool) -> type[BaseModel] | None:
    """The content model of the kind a file names in its «kind», or None after saying why."""
    wanted = source.data.get("kind") if isinstance(source.data, dict) else None
    fitting = {name: kind for name, kind in kinds.items()
               if kind.schema is not None and kind.annex == annex}
    if isinstance(wanted, str) and wanted in fitting:
        return fitting[wanted].schema
    what = "приложения" if annex else "документа"
    listed = ", ".join(sorted(fitting))
    if wanted is None:
        message = f"укажите вид {what} в поле kind: {listed}"
    else:
        message = (f"неизвестный вид {what} «{wanted}»; допустимы: {listed}"
                   + suggestion(str(wanted), fitting)
                   + ("" if annex else "; свой вид — шаблон templates/<вид>.docx и "
                      "объявление его полей templates/<вид>.yaml"))
    collector.problems.append(source.problem(("kind",), message))
    return None


def _load_amendment(collector: _Collector, registry: Registry | None,
                    relative: Path) -> AmendmentBundle | None:
    """An amending order; what it amends is checked once all orders are loaded."""
    source = collector.read(relative)
    if source is None or registry is None:
        return None
    amendment = collector.validate(source, Amendment, {"registry": registry})
    return amendment and AmendmentBundle(slug=relative.parent.name, amendment=amendment)


def load_register(root: Path) -> Register:
    """The issue register, empty when no edition has been issued yet."""
    if not (root / REGISTER).exists():
        return Register()
    collector = _Collector(root)
    source = collector.read(REGISTER)
    register = collector.validate(source, Register) if source else None
    if collector.problems or not isinstance(register, Register):
        raise ContentError(collector.problems)
    return register


def save_register(root: Path, register: Register) -> Path:
    """Write the issue register back; return its path relative to `root`."""
    data = {"editions": [edition.model_dump(mode="json") for edition in register.editions]}
    text = REGISTER_HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    write_whole(root / REGISTER, text)
    return REGISTER


def _with_ids(table: dict[str, Any]) -> dict[str, Any]:
    """The table with each entry's id set to its key."""
    for key, entry in table.items():
        entry.id = key
    return table


def _load_registry(collector: _Collector) -> Registry | None:
    """People first, then organizations, whose heads are people."""
    people_source = collector.read(PEOPLE)
    orgs_source = collector.read(ORGANIZATIONS)
    people = collector.validate(people_source, PeopleFile) if people_source else None
    if people_source is None or people is None:
        return None
    registry = Registry(people=_with_ids(people.people), groups=_with_ids(people.groups))
    orgs = orgs_source and collector.validate(orgs_source, OrganizationsFile,
                                              {"registry": registry})
    if not orgs:
        return None
    registry.organizations = _with_ids(orgs.organizations)
    if not any(org.kind == "administration" for org in registry.organizations.values()):
        assert orgs_source is not None
        collector.problems.append(orgs_source.problem(
            ("organizations",), "в реестре нет организации с kind: administration — той, от "
            "имени которой пишутся письма и документы"))
    for person in registry.people.values():
        if person.organization is not None and person.organization not in registry.organizations:
            collector.problems.append(people_source.problem(
                ("people", person.id, "organization"),
                f"неизвестный идентификатор организации «{person.organization}»"
                + suggestion(person.organization, registry.organizations)))
    return registry


def _load_reserve(collector: _Collector, registry: Registry | None) -> Reserve | None:
    """Candidates, then the interviews and plans that refer to them."""
    candidates_source, interviews_source, plans_source = [
        collector.read(path) for path in (CANDIDATES, INTERVIEWS, PLANS)]
    if registry is None or not (candidates_source and interviews_source and plans_source):
        return None
    context = {"registry": registry}
    candidates = collector.validate(candidates_source, CandidatesFile, context)
    if candidates is None:
        return None
    registry.candidates = _with_ids(candidates.candidates)
    interviews = collector.validate(interviews_source, InterviewsFile, context)
    plans = collector.validate(plans_source, PlansFile, context)
    if interviews is None or plans is None:
        return None
    return Reserve(candidates=registry.candidates, interviews=interviews, plans=plans)


def _load_order(collector: _Collector, registry: Registry | None,
                relative: Path, kinds: dict[str, Kind]) -> OrderBundle | None:
    """An order, its annexes and its campaign; all files are read even when some fail."""
    source = collector.read(relative)
    if source is None:
        return None
    annex_sources = _read_annexes(collector, source)
    campaign_source = _read_optional(collector, relative.parent / CAMPAIGN)
    control_source = _read_optional(collector, relative.parent / CONTROL)
    if registry is None:
        return None
    context = {"registry": registry}
    order = collector.validate(source, Order, context)
    annexes = _validate_annexes(collector, registry, annex_sources, kinds)
    campaign = campaign_source and collector.validate(campaign_source, Campaign, context)
    control = control_source and collector.validate(control_source, Control, context)
    if order is None or annexes is None or len(annexes) != len(order.annexes):
        return None
    _check_annex_references(collector, source, order, annexes)
    for annex, annex_source in zip(annexes, annex_sources, strict=True):
        assert annex_source is not None
        if isinstance(annex, RoadmapAnnex):
            _check_unique_ids(collector, annex_source, annex)
            _remember_activity_positions(annex_source, annex)
    bundle = OrderBundle(slug=relative.parent.name, order=order, annexes=annexes,
                         campaign=campaign or None, control=control or None)
    if control_source is not None and control:
        _check_control(collector, control_source, bundle)
    return bundle


def _read_optional(collector: _Collector, relative: Path) -> YamlFile | None:
    """A file the folder may have: parsed when it is there."""
    return collector.read(relative) if (collector.root / relative).exists() else None


def _check_control(collector: _Collector, source: YamlFile, bundle: OrderBundle) -> None:
    """The control file names a roadmap of the act and activities of that roadmap."""
    control = bundle.control
    assert control is not None
    roadmaps = {annex.id: annex for annex in bundle.roadmaps()}
    if not roadmaps:
        collector.problems.append(source.problem(
            (), "у акта нет приложения с «дорожной картой» (kind: roadmap): контролировать нечего"))
        return
    if control.roadmap is not None and control.roadmap not in roadmaps:
        collector.problems.append(source.problem(
            ("roadmap",), f"у акта нет «дорожной карты» «{control.roadmap}»"
            + suggestion(control.roadmap, list(roadmaps))))
        return
    if control.roadmap is None and len(roadmaps) > 1:
        collector.problems.append(source.problem(
            (), "у акта несколько «дорожных карт»: укажите roadmap: "
            + " или ".join(roadmaps)))
        return
    roadmap = roadmaps[control.roadmap or next(iter(roadmaps))]
    known = [activity.id for direction in roadmap.directions
             for activity in direction.activities if activity.id]
    for activity_id in control.activities:
        if activity_id not in known:
            collector.problems.append(source.problem(
                ("activities", activity_id), f"в «дорожной карте» нет мероприятия «{activity_id}»"
                + suggestion(activity_id, known, listing=True)))


def _annex_names(data: Any) -> list[tuple[int, str]]:
    """Positions and names of the annex files an order lists, read before validation."""
    names = data.get("annexes") if isinstance(data, dict) else None
    if not isinstance(names, list):
        return []
    return [(index, name) for index, name in enumerate(names)
            if isinstance(name, str) and ANNEX_FILE.fullmatch(name)]  # the rest: not read


def _remember_activity_positions(source: YamlFile, annex: RoadmapAnnex) -> None:
    """Let each activity know where it stands, for messages about it found later."""
    for d, direction in enumerate(annex.directions):
        for a, activity in enumerate(direction.activities):
            line, column = source.position(("directions", d, "activities", a))
            activity._where = (source.path, line, column)


def _check_annex_references(collector: _Collector, source: YamlFile, order: Order,
                            annexes: list[Annex]) -> None:
    """Every item's annex exists, and every annex is approved or named by some item."""
    known = [annex.id for annex in annexes]
    referenced: set[str] = set()
    stack: list[tuple[Loc, Resolution]] = [
        (("resolutions", index), item) for index, item in enumerate(order.resolutions)]
    while stack:
        loc, item = stack.pop()
        stack += [((*loc, "items", index), sub) for index, sub in enumerate(item.items)]
        if item.annex is None:
            continue
        referenced.add(item.annex)
        if item.annex not in known:
            collector.problems.append(source.problem(
                (*loc, "annex"), f"у акта нет приложения «{item.annex}»"
                + suggestion(item.annex, known)))
    for index, annex in enumerate(annexes):
        if annex.id not in referenced:
            collector.problems.append(source.problem(
                ("annexes", index), f"на приложение «{annex.id}» не ссылается ни один пункт; "
                f"укажите annex: {annex.id} у пункта, который его утверждает"))


def _check_unique_ids(collector: _Collector, source: YamlFile, annex: RoadmapAnnex) -> None:
    seen: dict[str, Loc] = {}
    for d, direction in enumerate(annex.directions):
        items: list[tuple[str | None, Loc]] = [(direction.id, ("directions", d, "id"))]
        items += [(activity.id, ("directions", d, "activities", a, "id"))
                  for a, activity in enumerate(direction.activities)]
        for item_id, loc in items:
            if item_id is None:
                continue
            if item_id in seen:
                first_line = source.position(seen[item_id])[0]
                collector.problems.append(source.problem(
                    loc, f"идентификатор «{item_id}» повторяется (впервые — в строке {first_line})"))
            else:
                seen[item_id] = loc


def _message(error: dict[str, Any], model: type[BaseModel]) -> str:
    """Russian text for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        known = _known_fields(model, error["loc"][:-1])
        return "неизвестное поле" + suggestion(str(error["loc"][-1]), known)
    if kind == "date_from_datetime_parsing":
        if "outside expected range" in str(ctx.get("error")):
            return f"даты «{shown(value)}» нет в календаре"
        return f"{_DATE_HINT}; «{shown(value)}» — не дата"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        expected = _PATTERNS.get(pattern, f"вид {pattern}")
        return f"значение «{shown(value)}» не подходит: ожидается {expected}"
    if kind in ("literal_error", "enum"):
        choices = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected"))))
        return f"значение «{shown(value)}» не подходит: допустимы {choices}"
    if kind in _BOUNDS:
        return _BOUNDS[kind].format(**{k: shown(v) for k, v in ctx.items()})
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if "url" not in error:  # raised by docgen's own validators, already in Russian
        return error["msg"]
    return f"значение «{shown(value)}» не подходит"


def _known_fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """Names of the fields of the model that stands at `loc` inside `model`."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            field = current.model_fields.get(part)
            if field is None:
                return []
            current = field.annotation
        else:
            args = typing.get_args(current)
            current = args[-1] if args else None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional from a type annotation."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation
