"""`docgen intake`: the nomination forms schools send back, read into
content/reserve/candidates.yaml (comments and order kept) as nominated candidates."""

from __future__ import annotations

import datetime as dt
import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from .archives import UnsafeArchive, check_docx
from .content import load_project
from .errors import DocgenError, shown
from .folders import CANDIDATES
from .model import Project

FORM = "nomination-request"  # the document whose form the schools fill in
MAX_FORM = 10 << 20  # a filled form with a few rows is tens of kilobytes
COLUMNS = ("№", "ФИО", "Должность", "Педагогический стаж", "Управленческий стаж",
           "Образование", "Повышение квалификации", "Основание для выдвижения")
_NUMBER = re.compile(r"\d{1,2}")


class IntakeError(DocgenError):
    """Forms cannot be taken in at all (no such folder, no reserve in the project)."""


@dataclass
class Report:
    """What intake did: the candidates it added, and each thing it skipped, with why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


UPDATED = ("position", "education", "teaching_experience", "management_experience",
           "training", "reason")  # what a form may change of a candidate already there


def intake(root: Path, inbox: Path, *, update: bool = False,
           received: dt.date | None = None) -> Report:
    """Read every form in `inbox` (and its folders) and add its nominees as candidates,
    received on `received` (today by default); with `update`, candidates already there
    take what their school's form now says."""
    if not inbox.is_dir():
        raise IntakeError(f"нет папки {inbox}")
    project, _ = load_project(root)
    if project.reserve is None or not (root / CANDIDATES).is_file():
        raise IntakeError(f"в проекте нет {CANDIDATES}: кандидатов некуда записать")
    report = Report()
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    text = (root / CANDIDATES).read_text(encoding="utf-8")
    data = yaml.load(text)
    table = data.get("candidates") if isinstance(data, CommentedMap) else None
    if not isinstance(table, CommentedMap):  # load_project accepted it: only when empty
        raise IntakeError(f"в {CANDIDATES} нет раздела candidates: с ключами кандидатов")
    known = {(str(entry.get("school")), _full_name(entry)): key for key, entry in table.items()}
    for path in sorted(inbox.rglob("*")):
        if path.is_file():
            for candidate in _read(path, inbox, project, report, known, update):
                name = (candidate["school"], _full_name(candidate))
                if name in known:
                    _update(table[known[name]], candidate, f"{known[name]}: {name[1]}", report)
                    continue
                if "education" not in candidate:  # the model wants it; the clerk will fill it
                    candidate.insert(list(candidate).index("position") + 1, "education",
                                     "не указано")
                candidate.insert(list(candidate).index("school") + 1, "received",
                                 received or dt.date.today())
                identifier = _next_id(table)
                known[name] = identifier
                table[identifier] = candidate
                report.added.append(f"{identifier}: {name[1]}, {candidate['position']} "
                                    f"({candidate['school']})")
    if report.added or report.updated:
        _write(root, yaml, data)
    return report


def _update(entry: CommentedMap, form: CommentedMap, who: str, report: Report) -> None:
    """Take into a candidate already there what the form says anew; status stays."""
    changed = [name for name in UPDATED if name in form and entry.get(name) != form[name]]
    for name in changed:
        entry[name] = form[name]
    if changed:
        report.updated.append(f"{who} ({', '.join(changed)})")


def _full_name(entry: Any) -> str:
    return " ".join(str(entry.get(part, "")) for part in ("surname", "first_name", "patronymic"))


def _next_id(table: CommentedMap) -> str:
    """The next neutral id, «k-07»: ids name folders and logs, never a person."""
    numbers = [int(key[2:]) for key in table if re.fullmatch(r"k-\d+", str(key))]
    return f"k-{max(numbers, default=0) + 1:02d}"


def _read(path: Path, inbox: Path, project: Project, report: Report,
          known: dict[tuple[str, str], str], update: bool) -> list[CommentedMap]:
    """The nominees of one returned form, those `known` already only with `update`; what
    makes a file or row unusable goes to the report."""
    def skip(reason: str) -> list[CommentedMap]:
        report.skipped.append(f"{path.relative_to(inbox)}: {reason}")
        return []

    if path.suffix.lower() != ".docx":
        return skip("не форма DOCX (принимаются только файлы .docx; .docm с макросами и "
                    "другие — нет)")
    status = path.lstat()
    if not stat.S_ISREG(status.st_mode):
        return skip("не обычный файл")
    if status.st_size > MAX_FORM:
        return skip(f"файл больше {MAX_FORM >> 20} МБ — это не заполненная форма")
    try:
        check_docx(path)
        document = Document(io.BytesIO(path.read_bytes()))
    except UnsafeArchive as exc:
        return skip(str(exc).split(": ", 1)[-1])
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError,
            ValueError):
        return skip("файл повреждён или не является документом DOCX")
    identity = document.core_properties.identifier or ""
    match = re.fullmatch(rf"outbox/([a-z0-9-]+)/{FORM}", identity)
    school = match[1] if match else None
    if school is None or school not in project.registry.organizations:
        return skip("это не форма запроса о кандидатах, разосланная docgen")
    folder = path.parent.relative_to(inbox).parts
    if folder and folder[0] in project.registry.organizations and folder[0] != school:
        return skip(f"форма школы «{school}» лежит в папке школы «{folder[0]}»; "
                    "разберитесь, кто её прислал")
    campaign = next((b.campaign for b in project.orders if b.campaign is not None), None)
    expected = campaign.nomination_request.number if campaign else None
    title = document.core_properties.title or ""
    if expected is None or not title.endswith(f"№ {expected}"):
        return skip(f"форма к другому письму ({shown(title) or 'без номера'}), а нужна к "
                    f"письму № {expected}; пришлите школе новую форму")
    table = next((t for t in document.tables if _header(t) == list(COLUMNS)), None)
    if table is None:
        return skip("в файле нет таблицы формы (её столбцы изменены или удалены)")
    nominees = []
    for number, row in enumerate(table.rows[1:], 2):
        cells = [" ".join(cell.text.split()) for cell in row.cells]
        if not any(cells[1:]):
            continue
        if (school, cells[1]) in known and not update:  # listed by the school already
            report.skipped.append(f"{path.name}: {cells[1]} — уже есть в {CANDIDATES}")
            continue
        nominee = _nominee(cells, school, f"{path.name}: строка {number} таблицы", report)
        if nominee is not None:
            nominees.append(nominee)
    return nominees


def _header(table: Any) -> list[str]:
    return [cell.text.replace("\u00ad", "").strip() for cell in table.rows[0].cells]


def _nominee(cells: list[str], school: str, where: str,
             report: Report) -> CommentedMap | None:
    """A candidate from one filled row, or None after saying what is wrong in it."""
    names = cells[1].split()
    if len(names) != 3:
        report.skipped.append(f"{where}, столбец «ФИО»: ожидались фамилия, имя и отчество, "
                              f"а написано «{shown(cells[1])}»")
        return None
    if not cells[2]:
        report.skipped.append(f"{where}, столбец «Должность»: не заполнен")
        return None
    years = []
    for column in (3, 4):
        found = _NUMBER.search(cells[column])
        if found is None:
            report.skipped.append(f"{where}, столбец «{COLUMNS[column]}»: не число лет "
                                  f"(«{shown(cells[column])}»)")
            return None
        years.append(int(found[0]))
    surname, first_name, patronymic = names
    gender = "female" if patronymic.endswith(("вна", "чна", "кызы")) else "male"
    nominee = CommentedMap(surname=surname, first_name=first_name, patronymic=patronymic,
                           gender=gender, school=school, position=cells[2])
    if cells[5]:  # a blank cell changes nothing of a candidate already there
        nominee["education"] = cells[5]
    nominee["teaching_experience"], nominee["management_experience"] = years
    if cells[6]:
        nominee["training"] = cells[6]
    if cells[7]:
        nominee["reason"] = cells[7]
    nominee["status"] = "nominated"
    return nominee


def _write(root: Path, yaml: YAML, data: Any) -> None:
    """Write the candidates back in one rename; if the project then fails to load, put the
    file back as it was."""
    path = root / CANDIDATES
    temporary = path.with_suffix(".intake.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    original = path.read_bytes()
    temporary.replace(path)
    try:
        load_project(root)
    except DocgenError:
        path.write_bytes(original)
        raise
