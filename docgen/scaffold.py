"""`docgen new`: a new act, annex or document as commented YAML for the clerk to fill in."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pydantic import ValidationError

from .errors import DocgenError
from .folders import DOCUMENTS, LETTERS, ORDERS, TEMPLATES
from .kinds import ACTS, ANNEXES
from .yamlfile import read_yaml


class ScaffoldError(DocgenError):
    """What `docgen new` was asked cannot be made."""


ACT = """\
# {title} — заполните поля и удалите ненужное. Справка по полям: docs/content.md.
# Пункты (resolutions) и подпункты (items) нумеруются автоматически: 1, 1.1, 1.1.1.
# {operative}
# Людей из реестра называйте ссылкой: [[soldatova, вин]] — «Солдатову И.Н.»,
# [[soldatova, дат, фи должность]] — «Солдатовой И.Н., заместителю начальника …».
kind: {kind}
number: "000"            # регистрационный номер
date: {today}           # дата акта, ГГГГ-ММ-ДД
place: город Балтийск
issuer: uo-bgo           # кто издаёт: идентификатор из content/registry/organizations.yaml
title: >-
  О …
preamble:
  - >-
    В соответствии с … в целях …

resolutions:
  - text: >-
      Утвердить … .
    # annex: annex-id    # приложение, которое пункт утверждает: «(приложение № 1)» перед точкой
  - to: [soldatova]      # исполнители — в дательном падеже с должностями
    actions:
      - обеспечить …;
  - text: >-
      Контроль за исполнением настоящего {noun_genitive} возложить на
      [[soldatova, вин, должность фи]].

signatory: matasova      # кто подписывает: идентификатор из content/registry/people.yaml
annexes: []              # файлы приложений по порядку; docgen new annex их добавляет
"""

LETTER = """\
# Письмо (образец) — заполните поля и удалите ненужное. Справка по полям: docs/content.md.
number: 01-15/000        # исходящий номер
date: {today}
to:                      # адресаты: люди, организации, группы из реестра или фильтр школ
  - schools: {{efficiency: [high, above-average]}}   # все школы: schools: {{}}
  - soldatova
merge: true              # true — отдельное письмо каждому адресату (outbox/<адресат>/)
title: О …
basis: {{act: 2022-685}}  # «Во исполнение приказа …»; activity: id мероприятия «дорожной карты»
text:
  - >-
    Просим …
deadline: {today}       # срок; жирным в предложении deadline_text на месте {{deadline}}
deadline_text: Сведения просим направить в срок до {{deadline}}.
signatory: matasova
executor: nechaeva       # исполнитель с телефоном внизу письма
annexes: []              # приложения; docgen new annex их добавляет
"""

ANNEX_BODIES = {
    "text": """\
approved: true           # гриф «УТВЕРЖДЕНО приказом …» вместо «Приложение № N к приказу …»
document: Положение      # слово над заголовком; по нему гриф согласуется в роде
title: >-
  о …
sections:                # разделы «1. …», пункты «1.1.», подпункты «1.1.1.» — автоматически
  - title: Общие положения
    clauses:
      - Настоящее Положение определяет …
      - text: "Основные принципы:"
        list: [первый;, второй.]      # перечень с тире
      - text: "Требования:"
        letters: [первое;, второе.]   # перечень «а)», «б)»
      - text: "Порядок:"
        clauses: [подпункт 1.3.1;, подпункт 1.3.2.]
""",
    "table": """\
title: >-
  …
columns:                 # столбцы: заголовок, ключ для строк-словарей, ширина в см
  - {title: Наименование, key: name, width: 8}
  - {title: Срок, key: date, align: center}
  - {title: Количество, key: count, align: center, total: true}
numbered: true           # столбец «№ п/п» нумерует docgen
rows:
  - group: Заголовок группы строк
    rows:
      - {name: …, date: сентябрь, count: 1}
  - […, октябрь, 2]    # строка списком — ячейки по порядку столбцов
total: Итого             # строка итогов по столбцам с total: true
""",
    "people": """\
approved: true
document: Состав
title: >-
  комиссии по …
names: full              # full — фамилия, имя, отчество; initials — фамилия и инициалы
roles:
  - role: Председатель комиссии
    people: [soldatova]
  - role: Секретарь комиссии
    people: [nechaeva]
  - role: Члены комиссии
    people: [petropavlovskaya, {person: shevchenko-op, position: директор МБОУ лицей № 1}]
""",
    "form": """\
title: Заявка
subtitle: на участие в …
fields:                  # строки с местом для записи
  - Фамилия, имя, отчество
  - {label: Место работы и должность, lines: 2}
table:                   # таблица с пустыми строками
  columns: [Наименование, {title: Год, width: 2}]
  rows: 3
signature: [Руководитель ОО]
date_line: true
""",
    "roadmap": """\
title: >-
  План мероприятий …
intro: []
table_title: >-
  Система мероприятий …
directions:
  - id: first
    title: Направление …
    activities:
      - text: Мероприятие …
        deadline: Сентябрь
        responsible: [soldatova]
""",
}


def new_act(root: Path, slug: str, kind: str, today: dt.date) -> Path:
    """content/orders/<slug>/order.yaml for a new act of `kind`."""
    if kind not in ACTS:
        raise ScaffoldError(f"нет вида акта «{kind}»; допустимы: " + ", ".join(ACTS))
    _check_slug(slug)
    path = root / ORDERS / slug / "order.yaml"
    act = ACTS[kind]
    operative = (f"«{act.operative}» пишет шаблон; в преамбуле его не пишут."
                 if act.operative else "У распоряжения распорядительного слова нет.")
    _write(path, ACT.format(title=f"{act.title.capitalize()} (образец)", kind=kind,
                            operative=operative, today=today.isoformat(),
                            noun_genitive=act.noun_in("genitive")))
    return path


def new_letter(root: Path, slug: str, today: dt.date) -> Path:
    """content/letters/<slug>/letter.yaml for a new letter."""
    _check_slug(slug)
    path = root / LETTERS / slug / "letter.yaml"
    _write(path, LETTER.format(today=today.isoformat()))
    return path


def new_annex(root: Path, slug: str, kind: str) -> tuple[Path, bool]:
    """An annex file of `kind` for the act or letter <slug>; whether its list now names it."""
    if kind not in ANNEX_BODIES:
        raise ScaffoldError(f"нет вида приложения «{kind}»; допустимы: "
                            + ", ".join(ANNEX_BODIES))
    order = root / ORDERS / slug / "order.yaml"
    if not order.is_file():
        order = root / LETTERS / slug / "letter.yaml"
    if not order.is_file():
        raise ScaffoldError(f"нет ни акта {ORDERS / slug / 'order.yaml'}, ни письма "
                            f"{LETTERS / slug / 'letter.yaml'}; сначала: docgen new act {slug}")
    number = len(list(order.parent.glob("annex-*.yaml"))) + 1
    name = f"annex-{number}-{kind}.yaml"
    path = order.parent / name
    annex_id = f"{kind}-{number}"
    _write(path, f"# {ANNEXES[kind].title.capitalize()}: приложение № {number} к акту {slug}.\n"
                 f"# Пункт акта, который его утверждает, ссылается на него: annex: {annex_id}\n"
                 f"id: {annex_id}\nkind: {kind}\n" + ANNEX_BODIES[kind])
    text = order.read_text(encoding="utf-8")
    listed = re.sub(r"^annexes:[ \t]*\[([^\]\n]*)\]",
                    lambda m: f"annexes: [{', '.join([*filter(None, [m[1].strip()]), name])}]",
                    text, count=1, flags=re.MULTILINE)
    listed = listed.replace("# annex: annex-id  ", f"annex: {annex_id}", 1)
    if listed != text:
        order.write_text(listed, encoding="utf-8")
    return path, f"{name}]" in listed


def new_document(root: Path, slug: str, kind: str) -> Path:
    """content/documents/<slug>.yaml for a document of a custom kind, from its declaration."""
    from .declared import Declaration

    declaration_path = root / TEMPLATES / f"{kind}.yaml"
    if not declaration_path.is_file():
        known = sorted(p.stem for p in (root / TEMPLATES).glob("*.yaml"))
        raise ScaffoldError(f"нет объявления вида {TEMPLATES / (kind + '.yaml')}"
                            + (f"; объявлены: {', '.join(known)}" if known else ""))
    _check_slug(slug)
    source = read_yaml(declaration_path, TEMPLATES / f"{kind}.yaml")
    try:
        declaration = Declaration.model_validate(source.data)
    except ValidationError:
        raise ScaffoldError(f"в объявлении {TEMPLATES / (kind + '.yaml')} ошибки; их покажет "
                            "docgen check") from None
    lines = [f"# {declaration.title.capitalize()}: поля объявлены в templates/{kind}.yaml.",
             f"kind: {kind}"]
    for name, field in declaration.fields.items():
        need = "обязательно" if field.required else "необязательно"
        lines.append(f"{name}:  # {field.label} ({field.type}, {need})")
    _write(root / DOCUMENTS / f"{slug}.yaml", "\n".join(lines) + "\n")
    return root / DOCUMENTS / f"{slug}.yaml"


def _check_slug(slug: str) -> None:
    if not re.fullmatch(r"[0-9a-z][0-9a-z-]*", slug):
        raise ScaffoldError(f"имя «{slug}» не подходит: строчные латинские буквы, цифры и "
                            "дефисы, например 2022-710")


def _write(path: Path, text: str) -> None:
    """Write a new file; never overwrite the clerk's."""
    if path.exists():
        raise ScaffoldError(f"{path} уже есть и не перезаписывается")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
