"""The docgen command line: the only place that prints and exits.

Commands import the heavy parts they need (signing, editions) when they run, so that
`docgen build` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import getpass
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .build import build, check
from .documents import BuildOptions, ProgressCallback
from .errors import ContentError, DocgenError, Problem, Severity, os_reason
from .folders import BUILD

PASSWORD_VARIABLE = "DOCGEN_P12_PASSWORD"
PROGRESS_EVERY = 10.0  # seconds between progress lines when the output is not a terminal


class _RussianHelp(argparse.HelpFormatter):
    """argparse's help with its own words in Russian."""

    HEADINGS = {"positional arguments": "аргументы", "options": "параметры",
                "optional arguments": "параметры"}

    def start_section(self, heading: str | None) -> None:
        super().start_section(self.HEADINGS.get(heading or "", heading))

    def add_usage(self, usage: str | None, actions: Any, groups: Any,
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Использование: " if prefix is None else prefix)


# argparse's messages (Python 3.11 and later), as the clerk should read them
_ARGPARSE_MESSAGES = [
    (r"^argument (\S+): ", r"аргумент \1: "),
    (r"invalid choice: (.+) \(choose from (.+)\)$", r"недопустимое значение \1 (возможны: \2)"),
    (r"the following arguments are required: (.+)$", r"не указаны обязательные аргументы: \1"),
    (r"unrecognized arguments: (.+)$", r"непонятные аргументы: \1"),
    (r"invalid \S+ value: (.+)$", r"недопустимое значение \1"),
    (r"expected one argument$", "ожидается одно значение"),
    (r"expected at least one argument$", "ожидается хотя бы одно значение"),
    (r"ambiguous option: (\S+) could match (.+)$", r"неоднозначный параметр \1: подходят \2"),
]


class _Parser(argparse.ArgumentParser):
    """An argument parser that speaks Russian: its help, its headings and its errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _RussianHelp)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="показать эту справку и выйти")

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_MESSAGES:
            message = re.sub(pattern, replacement, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: ошибка: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="docgen", description="Сборка актов, приложений и писем из YAML в DOCX и PDF.")
    parser.add_argument("--version", action="version", version=f"docgen {__version__}",
                        help="показать версию и выйти")
    parser.add_argument("-C", "--root", type=Path, default=Path("."), metavar="ПАПКА",
                        help="папка проекта с content/ и templates/ (по умолчанию текущая)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="команда")

    build_cmd = commands.add_parser("build", help="собрать все документы в build/")
    build_cmd.add_argument("-o", "--out", type=Path, metavar="ПАПКА",
                           help="папка результатов (по умолчанию build/)")
    build_cmd.add_argument("--no-pdf", action="store_true", help="только DOCX, без LibreOffice")
    build_cmd.add_argument("--soffice", metavar="ПУТЬ", help="путь к LibreOffice (soffice)")
    build_cmd.add_argument("--force", action="store_true", help="собрать всё заново")
    build_cmd.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                           help="сколько процессов (по умолчанию по числу ядер)")
    build_cmd.add_argument("--converter", metavar="СПОСОБ", help="pool (по умолчанию), batch или "
                                               "unoserver://адрес:порт[,адрес:порт…]")
    build_cmd.add_argument("--timeout", type=float, default=60.0, metavar="СЕКУНДЫ",
                           help="сколько секунд ждать преобразования одного документа")
    build_cmd.add_argument("--strict", action="store_true",
                           help="считать предупреждения ошибками")

    check_cmd = commands.add_parser("check", help="проверить содержимое и шаблоны, ничего не собирая")
    check_cmd.add_argument("--strict", action="store_true",
                           help="считать предупреждения ошибками")

    issue_cmd = commands.add_parser("issue", help="издать редакцию документа из зафиксированного "
                                                  "содержимого")
    issue_cmd.add_argument("document", metavar="ДОКУМЕНТ",
                           help="документ, например orders/2022-685/annex-1")
    issue_cmd.add_argument("--date", type=dt.date.fromisoformat, default=None, metavar="ДАТА",
                           help="дата издания ГГГГ-ММ-ДД (по умолчанию сегодня)")
    issue_cmd.add_argument("--soffice", metavar="ПУТЬ", help="путь к LibreOffice (soffice)")

    verify_cmd = commands.add_parser("verify", help="какой документ и редакция этот файл, "
                                                    "верны ли его подписи")
    verify_cmd.add_argument("file", type=Path, metavar="ФАЙЛ", help="файл DOCX или PDF")
    verify_cmd.add_argument("--trust", type=Path, action="append", default=[], metavar="ФАЙЛ",
                            help="корневой сертификат (PEM), которому доверять")

    sign_cmd = commands.add_parser("sign", help="подписать PDF электронной подписью (PAdES)")
    sign_cmd.add_argument("file", type=Path, metavar="ФАЙЛ", help="PDF, который подписать")
    sign_cmd.add_argument("--p12", type=Path, required=True, metavar="КЛЮЧ",
                          help="файл PKCS#12 с ключом и сертификатом; пароль — в переменной "
                               f"{PASSWORD_VARIABLE} или по запросу")
    sign_cmd.add_argument("--tsa", metavar="АДРЕС", help="адрес сервера штампов времени (PAdES B-T)")
    sign_cmd.add_argument("-o", "--out", type=Path, metavar="ФАЙЛ", help="куда записать (по умолчанию "
                                                         "ФАЙЛ-signed.pdf)")

    stamp_cmd = commands.add_parser("stamp", help="копия PDF с отметкой об электронной подписи, "
                                                  "сделанной в другой системе")
    stamp_cmd.add_argument("file", type=Path, metavar="ФАЙЛ",
                           help="PDF, подписанный в другой системе")
    stamp_cmd.add_argument("--cert", type=Path, metavar="СЕРТИФИКАТ",
                           help="сертификат подписанта (PEM)")
    stamp_cmd.add_argument("--sig", type=Path, metavar="ПОДПИСЬ",
                           help="открепленная подпись (CMS, ГОСТ Р 34.10-2012): сначала "
                                "проверяется, затем отметка ставится по её сертификату")
    stamp_cmd.add_argument("--trust", type=Path, action="append", default=[], metavar="ФАЙЛ",
                           help="корневой сертификат (PEM), к которому должна вести подпись")
    stamp_cmd.add_argument("-o", "--out", type=Path, metavar="ФАЙЛ", help="куда записать (по умолчанию "
                                                          "ФАЙЛ-stamped.pdf)")

    diff_cmd = commands.add_parser("diff", help="DOCX с исправлениями между редакциями")
    diff_cmd.add_argument("document", metavar="ДОКУМЕНТ",
                          help="документ, например orders/2022-685/annex-1")
    diff_cmd.add_argument("older", nargs="?", metavar="ОТ",
                          help="редакция или коммит (по умолчанию последняя изданная редакция)")
    diff_cmd.add_argument("newer", nargs="?", metavar="ДО", help="редакция или коммит (по умолчанию рабочая "
                                                   "копия)")

    history_cmd = commands.add_parser("history", help="редакции документа и изменения содержимого")
    history_cmd.add_argument("document", metavar="ДОКУМЕНТ",
                             help="документ, например orders/2022-685/annex-1")

    new_cmd = commands.add_parser("new", help="заготовка нового акта, письма, приложения или "
                                              "документа")
    new_cmd.add_argument("what", choices=["act", "letter", "annex", "document"], metavar="ЧТО",
                         help="act — акт, letter — письмо, annex — приложение к акту или "
                              "письму, document — документ своего вида")
    new_cmd.add_argument("name", metavar="ИМЯ", help="папка акта или письма (например 2022-710) или имя "
                                      "документа")
    new_cmd.add_argument("--kind", metavar="ВИД", help="вид: для act — order, directive, decree; для annex — "
                                        "text, table, people, form, roadmap; для document — "
                                        "имя объявления в templates/")

    send_cmd = commands.add_parser("send", help="отправить адресатам их письма из build/outbox/ "
                                                "по электронной почте")
    send_cmd.add_argument("--dry-run", action="store_true",
                          help="не отправлять, а записать письма в build/mail/ (так и без "
                               "настроенного сервера DOCGEN_SMTP_HOST)")
    send_cmd.add_argument("--again", action="store_true",
                          help="отправить и то, что журнал называет уже отправленным")

    intake_cmd = commands.add_parser("intake", help="принять заполненные школами формы: "
                                                    "кандидаты — в content/reserve/candidates.yaml")
    intake_cmd.add_argument("inbox", type=Path, metavar="ПАПКА",
                            help="папка с присланными формами DOCX (можно по папке на школу)")
    intake_cmd.add_argument("--update", action="store_true",
                            help="обновить и тех кандидатов, что уже есть: должность, "
                                 "образование, стаж, повышение квалификации, основание")

    publish_cmd = commands.add_parser("publish", help="собрать сайт изданных актов (build/site/) "
                                                      "и страницы контроля (build/intranet/)")
    publish_cmd.add_argument("--drafts", action="store_true",
                             help="показать и проекты (для просмотра, не для публикации)")
    publish_cmd.add_argument("--soffice", metavar="ПУТЬ", help="путь к LibreOffice (soffice)")

    status_cmd = commands.add_parser("status", help="ход исполнения «дорожных карт» и ответы "
                                                    "школ на дату")
    status_cmd.add_argument("--on", type=_date, metavar="ДАТА",
                            help="на какую дату, ГГГГ-ММ-ДД (по умолчанию сегодня)")

    serve_cmd = commands.add_parser("serve", help="просмотр документов и сайта в браузере; "
                                                  "пересобирает после каждой правки")
    serve_cmd.add_argument("--port", type=int, default=8000, metavar="ПОРТ",
                           help="порт на 127.0.0.1 (по умолчанию 8000; 0 — любой свободный)")
    serve_cmd.add_argument("--soffice", metavar="ПУТЬ", help="путь к LibreOffice (soffice)")

    text_cmd = commands.add_parser("docx2txt", help="текст DOCX (для git diff)")
    text_cmd.add_argument("file", type=Path, metavar="ФАЙЛ", help="файл DOCX")
    return parser


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops a run like Ctrl-C: workers are stopped, outputs left as they were."""
    raise KeyboardInterrupt


def _deliver_lost_interrupt(unraisable: sys.UnraisableHookArgs) -> None:
    """Ctrl-C that came while Python ran a callback it cannot raise from (a weak
    reference's, as imports end) comes again a moment later, instead of being lost."""
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        main_thread = threading.main_thread().ident
        assert main_thread is not None
        # sent, not simulated, so that it also wakes a wait; once this callback is over
        threading.Timer(0.01, signal.pthread_kill, (main_thread, signal.SIGINT)).start()
    else:
        sys.__unraisablehook__(unraisable)


def main(argv: list[str] | None = None) -> int:
    """Run docgen; return the exit code."""
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
        sys.unraisablehook = _deliver_lost_interrupt
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("pikepdf").setLevel(logging.WARNING)
    for noisy in ("pyhanko", "pyhanko_certvalidator"):  # they log tracebacks of failed checks
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    root: Path = args.root
    try:
        if args.command in _COMMANDS:
            return _COMMANDS[args.command](root, args)
        if args.command == "check":
            warnings = check(root, strict=args.strict)
            _print_problems(warnings)
            print("Проверка пройдена: ошибок нет"
                  + (f", предупреждений: {len(warnings)}." if warnings else "."))
            return 0
        return _build(root, args)
    except ContentError as exc:
        _print_problems(exc.problems)
        errors = sum(1 for p in exc.problems if p.severity is Severity.ERROR)
        print(f"Найдено ошибок: {errors}. Документы не изменены.", file=sys.stderr)
        return 1
    except DocgenError as exc:
        print(f"Ошибка: {exc}. Документы не изменены.", file=sys.stderr)
        return 1
    except OSError as exc:  # the disk refuses: full, read-only, a file where a folder goes
        # a copy that ran out of room names its source first and its destination second
        culprit = exc.filename2 if exc.errno in (errno.ENOSPC, errno.EDQUOT) and \
            exc.filename2 else exc.filename
        where = f"{culprit}: " if culprit else ""
        print(f"Ошибка: {where}{os_reason(exc)}. Документы, собранные раньше, не изменены.",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Прервано. Документы не изменены.", file=sys.stderr)
        return 130


def _build(root: Path, args: argparse.Namespace) -> int:
    out = args.out or root / BUILD
    with _progress_bar() as progress:
        report = build(root, out, BuildOptions(
            strict=args.strict, pdf=not args.no_pdf, soffice=args.soffice, force=args.force,
            jobs=args.jobs, converter=args.converter, timeout=args.timeout,
            progress=progress))
    _print_problems(report.warnings)
    if report.draft:
        print(f"Внимание: содержимое не зафиксировано в git; документов со статусом ПРОЕКТ: "
              f"{report.draft}.", file=sys.stderr)
    if report.pdf_skipped:
        print(f"PDF не созданы: {report.pdf_skipped}", file=sys.stderr)
    for document, reason in report.failed:
        print(f"Не удалось преобразовать в PDF: {document.replace('--', '/')}: {reason}",
              file=sys.stderr)
    removed = f", удалено устаревших папок {len(report.removed)}" if report.removed else ""
    print(f"Готово: {out} — собрано {report.built}, обновлена отметка коммита "
          f"{report.restamped}, без изменений {report.skipped}, с ошибкой {len(report.failed)}"
          f"{removed}; {report.seconds:.1f} с")
    return 1 if report.failed else 0


@contextlib.contextmanager
def _progress_bar() -> Iterator[ProgressCallback | None]:
    """A progress bar on a terminal; elsewhere (a log, CI) a line every PROGRESS_EVERY
    seconds while a long build converts, so that it never looks hung."""
    if not sys.stderr.isatty():
        started = time.monotonic()
        said = [started]

        def line(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if stage == "convert" and now - said[0] >= PROGRESS_EVERY:
                said[0] = now
                print(f"Преобразовано в PDF: {done} из {total} ({now - started:.0f} с)",
                      file=sys.stderr, flush=True)

        yield line
        return
    from rich.progress import Progress  # imported only when a terminal shows it

    with Progress(transient=True) as bar:
        tasks: dict[str, Any] = {}
        names = {"render": "Документы Word", "convert": "PDF"}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(names.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done)

        yield update


def _new(root: Path, args: argparse.Namespace) -> int:
    from . import scaffold

    if args.what == "act":
        path = scaffold.new_act(root, args.name, args.kind or "order", dt.date.today())
        print(f"Создан {path}: заполните его; приложение добавит docgen new annex {args.name} "
              "--kind text")
    elif args.what == "letter":
        path = scaffold.new_letter(root, args.name, dt.date.today())
        print(f"Создан {path}: заполните его; приложение добавит docgen new annex {args.name} "
              "--kind form")
    elif args.what == "annex":
        if not args.kind:
            raise DocgenError("укажите вид приложения: --kind text, table, people, form или "
                              "roadmap")
        path, listed = scaffold.new_annex(root, args.name, args.kind)
        print(f"Создан {path}" + ("; он добавлен в список annexes" if listed else
                                  f"; добавьте {path.name} в список annexes акта"))
    else:
        if not args.kind:
            raise DocgenError("укажите вид документа: --kind ИМЯ (объявление templates/ИМЯ.yaml)")
        path = scaffold.new_document(root, args.name, args.kind)
        print(f"Создан {path}: заполните поля")
    return 0


def _issue(root: Path, args: argparse.Namespace) -> int:
    from . import editions

    issued = editions.issue(root, args.document, today=args.date or dt.date.today(),
                            soffice=args.soffice)
    for item in issued:
        edition = item.edition
        print(f"Издано: {edition.document}, редакция {edition.edition}, "
              f"{edition.issued:%d.%m.%Y}, коммит {edition.commit[:10]}, метка {edition.tag}")
        for path in item.files:
            print(f"  {path}")
    return 0


def _trust_roots(paths: list[Path]) -> list[Path]:
    """The --trust files, each readable, or an error naming the first that is not."""
    for path in paths:
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise DocgenError(f"{path}: {os_reason(exc)} (сертификат из --trust)") from None
    return paths


def _verify(root: Path, args: argparse.Namespace) -> int:
    from . import editions

    result = editions.verify(root, args.file, _trust_roots(args.trust))
    edition = result.match
    if edition is not None and result.amended_copy and not result.signatures:
        print(f"{args.file}: не совпадает ни с одной изданной редакцией: это {edition.document}, "
              f"редакция {edition.edition}, с дописанными после издания изменениями (например, "
              "отметкой docgen stamp); что в них, проверить нельзя", file=sys.stderr)
    elif edition is not None:
        copy = "подписанный экземпляр: " if result.amended_copy else ""
        print(f"{args.file}: {copy}{edition.document}, редакция {edition.edition} "
              f"({result.kind.upper()}), издана {edition.issued:%d.%m.%Y}, "
              f"коммит {edition.commit[:10]}")
    else:
        print(f"{args.file}: не совпадает ни с одной изданной редакцией", file=sys.stderr)
        claimed = result.claimed
        if claimed.get("document"):
            state = "проект" if claimed.get("draft") == "true" else "не проект"
            print(f"  по свойствам файла: {claimed['document']}, редакция "
                  f"{claimed.get('edition')}, коммит {claimed.get('commit', '')[:10] or 'нет'}, "
                  f"{state}", file=sys.stderr)
    for number, signature in enumerate(result.signatures, 1):
        when = f"{signature.signing_time:%d.%m.%Y %H:%M} UTC" if signature.signing_time else "?"
        kind = (f" (ГОСТ Р 34.10-2012, открепленная, {signature.detached})"
                if signature.detached else "")
        print(f"Подпись {number}{kind}: {signature.signer}, время подписания {when}"
              + (" (штамп времени)" if signature.timestamped else ""))
        unchanged = signature.intact and not signature.changed_after
        print("  целостность: " + (
            "ДОКУМЕНТ ИЗМЕНЁН ПОСЛЕ ПОДПИСАНИЯ" if not unchanged else
            "документ не изменён после подписания" if signature.covers_whole_file else
            "подписанная часть не изменена, но после неё в файл дописано то, что подписи "
            "не подтверждают" if not any(s.covers_whole_file for s in result.signatures) else
            "подписанная часть не изменена; после неё добавлены только подписи"))
        print("  подпись: " + ("математически верна" if signature.valid and signature.intact
                               else "НЕ СООТВЕТСТВУЕТ ДОКУМЕНТУ"))
        print("  сертификат: " + ("доверенный" if signature.trusted else
                                  "НЕ ДОВЕРЕННЫЙ: цепочка не ведёт к сертификату из --trust"
                                  if args.trust else "доверие не проверялось (укажите --trust)"))
    return 0 if result.ok else 1


def _password() -> bytes:
    """The PKCS#12 password: from the environment, or asked for; never from arguments."""
    from .signing import SigningError

    if PASSWORD_VARIABLE in os.environ:
        return os.environ[PASSWORD_VARIABLE].encode()
    if not sys.stdin.isatty():
        raise SigningError(f"задайте пароль ключа в переменной окружения {PASSWORD_VARIABLE}")
    return getpass.getpass("Пароль ключа подписи: ").encode()


def _sign(root: Path, args: argparse.Namespace) -> int:
    from . import signing

    out = args.out or args.file.with_name(f"{args.file.stem}-signed.pdf")
    password = _password()
    try:
        certificate = signing.sign(args.file, out, args.p12, password, tsa=args.tsa)
    except signing.SigningError:
        from . import gost

        unpacked = gost.unpack_p12(args.p12, password) if args.p12.is_file() else None
        if unpacked is None:
            raise
        return _sign_gost(args, *unpacked)
    print(f"Подписано: {out} (сертификат {certificate.serial}, {certificate.owner})")
    return 0


def _sign_gost(args: argparse.Namespace, key: bytes, certificate_pem: bytes) -> int:
    """A GOST key: pyHanko cannot sign a PDF with it, so the signature is detached."""
    from . import gost, signing

    certificate = signing.Certificate.from_pem(certificate_pem)
    certificate.check_valid(dt.datetime.now(dt.UTC))
    signature = gost.sign_detached(args.file, key, certificate_pem)
    print(f"Подписано по ГОСТ Р 34.10-2012: {signature} — открепленная подпись CAdES-BES "
          f"(сертификат {certificate.serial}, {certificate.owner}); сам PDF не изменён. "
          f"Проверка: docgen verify {args.file}; отметка: docgen stamp {args.file} --sig "
          f"{signature}")
    return 0


def _stamp(root: Path, args: argparse.Namespace) -> int:
    from . import signing

    out = args.out or args.file.with_name(f"{args.file.stem}-stamped.pdf")
    _trust_roots(args.trust)
    if args.sig is not None:
        from . import gost

        detached = gost.verify(args.file, args.sig, args.trust)
        if not detached.intact:
            raise gost.GostError(f"{args.sig}: подпись не соответствует документу {args.file}; "
                                 "отметку о ней не ставлю")
        if args.trust and not detached.trusted:
            raise gost.GostError(f"{args.sig}: сертификат подписанта не ведёт к сертификату из "
                                 "--trust; отметку о ней не ставлю")
        certificate = signing.visual_mark(args.file, out, detached.signer_pem)
    elif args.cert is not None:
        certificate = signing.visual_mark(args.file, out, args.cert)
    else:
        raise DocgenError("укажите --sig (открепленная подпись) или --cert (сертификат "
                          "подписанта)")
    print(f"Отметка об электронной подписи поставлена: {out} (сертификат {certificate.serial})")
    return 0


def _diff(root: Path, args: argparse.Namespace) -> int:
    from . import editions

    result = editions.compare(root, args.document, args.older, args.newer)
    print(f"Исправления {args.document}: {result.older} → {result.newer}: {result.path}")
    for change in result.changes:
        print(f"  {change}")
    if not result.changes:
        print("  изменений нет")
    return 0


def _history(root: Path, args: argparse.Namespace) -> int:
    from . import editions

    result = editions.history(root, args.document)
    print(f"{args.document}")
    print("Изданные редакции:" if result.editions else "Изданных редакций нет.")
    for edition in result.editions:
        print(f"  редакция {edition.edition}, {edition.issued:%d.%m.%Y}, коммит {edition.commit[:10]}")
    print("Изменения содержимого:")
    for commit, date, subject in result.commits:
        print(f"  {date} {commit[:10]} {subject}")
    return 0


def _send(root: Path, args: argparse.Namespace) -> int:
    from .content import load_project
    from .folders import DISPATCH
    from .mail import Server, send

    project, _ = load_project(root)
    dry_run = args.dry_run or Server.from_environment() is None
    report = send(root, project, dry_run=dry_run, now=dt.datetime.now(dt.UTC), again=args.again)
    for line in report.sent:
        print(("Черновик: " if dry_run else "Отправлено: ") + line)
    for line in report.failed:
        print(f"Не отправлено: {line}", file=sys.stderr)
    summary = (f"Писем: {len(report.sent)}, уже отправленных раньше: {report.unchanged}, "
               f"с ошибкой: {len(report.failed)}.")
    if dry_run:
        summary += (" Сервер почты не задан (DOCGEN_SMTP_HOST) или выбран --dry-run: письма "
                    "записаны, но не отправлены.")
    elif report.sent:
        summary += f" Зафиксируйте журнал {DISPATCH} в git."
    print(summary)
    return 1 if report.failed else 0


def _date(value: str) -> dt.date:
    """A date argument, ГГГГ-ММ-ДД."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ожидалась дата ГГГГ-ММ-ДД, получено «{value}»") \
            from None


def _publish(root: Path, args: argparse.Namespace) -> int:
    from .loading import load_and_plan
    from .publish import publish

    report = build(root, root / BUILD, BuildOptions(soffice=args.soffice))
    if report.pdf_skipped:
        raise DocgenError(f"для сайта нужны PDF: {report.pdf_skipped}")
    if report.failed:
        raise DocgenError("не все документы преобразованы в PDF: "
                          + ", ".join(document for document, _ in report.failed))
    project, folders, _ = load_and_plan(root, strict=False)
    result = publish(root, project, folders, drafts=args.drafts)
    for label in result.acts:
        print(f"Опубликован: {label}")
    for reason in result.skipped:
        print(f"Не опубликован: {reason}", file=sys.stderr)
    print(f"Сайт: {result.site}/index.html (актов: {len(result.acts)}); контроль исполнения: "
          f"{result.intranet}/index.html (актов на контроле: {len(result.controls)})")
    return 0


def _status(root: Path, args: argparse.Namespace) -> int:
    from .control import state
    from .loading import load_and_plan
    from .plan import act_label, produced

    on = args.on or dt.date.today()
    project, folders, _ = load_and_plan(root, strict=False)
    made = produced(folders)
    under_control = [bundle for bundle in project.orders if bundle.control is not None]
    if not under_control:
        print("Ни один акт не поставлен на контроль: создайте "
              "content/orders/<акт>/control.yaml (см. docs/content.md).")
    for bundle in under_control:
        assert bundle.control is not None
        report = state(bundle, bundle.control, project, made, on)
        print(f"{act_label(bundle)} на {on:%d.%m.%Y}. {report.summary}")
        for row in report.rows:
            print(f"  {row.number:5} {row.status_text:40} {row.activity.text[:70]}")
        for answer in report.schools:
            sent = f"отправлен {answer.sent:%d.%m.%Y}" if answer.sent else "не отправлен"
            print(f"  {answer.school.short_name}: запрос {sent}; {answer.state}")
    return 0


def _serve(root: Path, args: argparse.Namespace) -> int:
    from .serve import Preview

    with Preview(root, args.port, soffice=args.soffice) as preview:
        print(f"Просмотр: {preview.url} (Ctrl+C — остановить)", flush=True)
        for line in preview.run():
            print(line, flush=True)
    return 0


def _intake(root: Path, args: argparse.Namespace) -> int:
    from .intake import CANDIDATES, intake

    report = intake(root, args.inbox, update=args.update)
    for line in report.added:
        print(f"Добавлен кандидат {line}")
    for line in report.updated:
        print(f"Обновлён кандидат {line}")
    for line in report.skipped:
        print(f"Пропущено: {line}", file=sys.stderr)
    print(f"Принято кандидатов: {len(report.added)}, обновлено: {len(report.updated)}, "
          f"пропущено: {len(report.skipped)}."
          + (f" Проверьте {CANDIDATES} и зафиксируйте в git."
             if report.added or report.updated else ""))
    return 0


def _docx2txt(root: Path, args: argparse.Namespace) -> int:
    import zipfile

    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    from .redline import plain_text

    try:
        text = plain_text(args.file)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        raise DocgenError(f"{args.file}: нет такого файла или это не документ DOCX") from None
    sys.stdout.write(text)
    return 0


_COMMANDS = {"issue": _issue, "verify": _verify, "diff": _diff, "history": _history,
                     "docx2txt": _docx2txt, "sign": _sign, "stamp": _stamp, "new": _new,
                     "intake": _intake, "send": _send, "publish": _publish,
                     "status": _status, "serve": _serve}


def run() -> None:
    """Console-script entry point; exits without tearing the interpreter down.

    Everything docgen starts is stopped and every file closed before `main` returns;
    freeing the loaded content object by object would only add a fifth of a second.
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
