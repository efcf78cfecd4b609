"""`docgen serve`: a preview on 127.0.0.1 of the built documents and the site, rebuilt after
every saved change to content/ or templates/."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from .build import build
from .documents import BuildOptions
from .errors import ContentError, DocgenError, os_reason
from .folders import BUILD, TRACKED
from .loading import load_and_plan
from .publish import publish

POLL_SECONDS = 0.5


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every watched file with its modification time and size."""
    found = {}
    for folder in TRACKED:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and not path.name.startswith((".", "~$")):
                status = path.stat()
                found[path.relative_to(root).as_posix()] = (status.st_mtime_ns, status.st_size)
    return found


class _Handler(SimpleHTTPRequestHandler):
    """Files of build/, and at «/» a page that lists them with the last build's outcome."""

    preview: Preview

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        if self.path in ("/", "/index.html"):
            body = self.preview.page().encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Requests are not logged: the terminal shows builds only."""


class Preview:
    """The server and the watcher; a context manager that stops the server on exit."""

    def __init__(self, root: Path, port: int, *, soffice: str | None = None):
        self.root = root
        self.soffice = soffice
        self.outcome = "сборка ещё не закончена"
        self.builds = 0
        (root / BUILD).mkdir(exist_ok=True)
        handler = partial(type("Handler", (_Handler,), {"preview": self}),
                          directory=str(root / BUILD))
        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError as exc:
            raise DocgenError(f"порт {port} на 127.0.0.1: {os_reason(exc)}; укажите другой "
                              "(--port 0 выберет свободный)") from None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where the preview answers."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def __enter__(self) -> Preview:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()

    def rebuild(self) -> str:
        """Build the documents and the site with drafts; say how it went."""
        try:
            report = build(self.root, self.root / BUILD, BuildOptions(soffice=self.soffice))
            project, folders, _ = load_and_plan(self.root, strict=False)
            publish(self.root, project, folders, drafts=True)
        except ContentError as exc:
            self.outcome = "Ошибки в содержимом:\n" + "\n".join(str(p) for p in exc.problems)
        except DocgenError as exc:
            self.outcome = f"Ошибка: {exc}"
        else:
            failed = "".join(f"\nНе удалось преобразовать в PDF: {document}"
                             for document, _ in report.failed)
            self.outcome = (f"Собрано: {report.built}, без изменений: {report.skipped}"
                            f"{failed}")
        self.builds += 1
        return self.outcome

    def run(self) -> Iterator[str]:
        """Build now and after every change; yield what each build says. Runs until stopped."""
        seen: dict[str, tuple[int, int]] | None = None
        while True:
            current = snapshot(self.root)
            if current != seen:
                seen = current
                yield f"{time.strftime('%H:%M:%S')} {self.rebuild()}"
            time.sleep(POLL_SECONDS)

    def page(self) -> str:
        """The preview's own page: the last build's outcome and links to every PDF."""
        build_folder = self.root / BUILD
        links = []
        for pdf in sorted(build_folder.glob("*/**/*.pdf")):
            relative = pdf.relative_to(build_folder).as_posix()
            if relative.startswith(("site/", "intranet/", "editions/", ".")):
                continue
            links.append(f'<li><a href="/{html.escape(relative)}">{html.escape(relative)}</a></li>')
        return (
            '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">'
            "<title>docgen: просмотр</title></head><body><h1>Просмотр документов</h1>"
            f"<p>Сборка № {self.builds}: </p><pre>{html.escape(self.outcome)}</pre>"
            '<p><a href="/site/index.html">Сайт (с проектами)</a> · '
            '<a href="/intranet/index.html">Контроль исполнения</a></p>'
            f"<h2>Документы PDF</h2><ul>{''.join(links)}</ul></body></html>")
