"""The docgen command line: the only place that prints and exits."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .build import build, check
from .errors import ContentError, DocgenError, Problem, Severity


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docgen", description="Сборка приказов и приложений из YAML в DOCX и PDF.")
    parser.add_argument("--version", action="version", version=f"docgen {__version__}")
    parser.add_argument("-C", "--root", type=Path, default=Path("."),
                        help="папка проекта с content/ и templates/ (по умолчанию текущая)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="команда")

    build_cmd = commands.add_parser("build", help="собрать все документы в build/")
    build_cmd.add_argument("-o", "--out", type=Path, help="папка результатов (по умолчанию build/)")
    build_cmd.add_argument("--no-pdf", action="store_true", help="только DOCX, без LibreOffice")
    build_cmd.add_argument("--soffice", help="путь к LibreOffice (soffice)")
    build_cmd.add_argument("--strict", action="store_true",
                           help="считать предупреждения ошибками")

    check_cmd = commands.add_parser("check", help="проверить содержимое и шаблоны, ничего не собирая")
    check_cmd.add_argument("--strict", action="store_true",
                           help="считать предупреждения ошибками")
    return parser


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run docgen; return the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
    root: Path = args.root
    try:
        if args.command == "check":
            warnings = check(root, strict=args.strict)
            _print_problems(warnings)
            print("Проверка пройдена: ошибок нет"
                  + (f", предупреждений: {len(warnings)}." if warnings else "."))
            return 0
        out = args.out or root / "build"
        report = build(root, out, strict=args.strict, pdf=not args.no_pdf,
                       soffice=args.soffice)
        _print_problems(report.warnings)
        if report.draft:
            print("Внимание: содержимое не зафиксировано в git, документы собраны как ПРОЕКТ.",
                  file=sys.stderr)
        if report.pdf_skipped:
            print(f"PDF не созданы: {report.pdf_skipped}", file=sys.stderr)
        print(f"Готово: {out}, документов: {sum(report.documents.values())}, "
              f"папок: {len(report.folders)}"
              + (f", удалено устаревших папок: {len(report.removed)}" if report.removed else ""))
        return 0
    except ContentError as exc:
        _print_problems(exc.problems)
        errors = sum(1 for p in exc.problems if p.severity is Severity.ERROR)
        print(f"Найдено ошибок: {errors}. Документы не изменены.", file=sys.stderr)
        return 1
    except DocgenError as exc:
        print(f"Ошибка: {exc}. Документы не изменены.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Прервано. Документы не изменены.", file=sys.stderr)
        return 130


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
