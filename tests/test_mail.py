"""`docgen send` against a real SMTP server on 127.0.0.1 (aiosmtpd): each school gets its
own documents only, the journal remembers, a refused address is retried, drafts parse."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import git_project

pytestmark = pytest.mark.libreoffice
PASSWORD = "пароль-почты-42"
REFUSED = "school6-baltiysk@example.org"


class Mailbox:
    """Keeps what the server accepted; refuses one address while `refuse` is set."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = True

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: Any) -> str:
        if self.refuse and address == REFUSED:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.password.decode() == PASSWORD
    return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _send(project: Path, port: int | None, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("DOCGEN_SMTP")}
    if port is not None:
        environment.update(DOCGEN_SMTP_HOST="127.0.0.1", DOCGEN_SMTP_PORT=str(port),
                           DOCGEN_SMTP_SECURITY="none", DOCGEN_SMTP_USER="uo",
                           DOCGEN_SMTP_PASSWORD=PASSWORD)
    return subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), "send", *args],
                          capture_output=True, text=True, check=False, env=environment)


def _attachments(message: email.message.EmailMessage) -> list[str]:
    return sorted(part.get_filename() for part in message.iter_attachments())


def test_each_school_gets_its_own_packet_once(tmp_path: Path) -> None:
    project = git_project(tmp_path / "repo")
    built = subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), "build"],
                           capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    registry = yaml.safe_load((project / "content/registry/organizations.yaml").read_text(
        encoding="utf-8"))["organizations"]
    addresses = {key: value["email"] for key, value in registry.items()
                 if value["kind"] == "school"}

    drafted = _send(project, None)
    assert drafted.returncode == 0, drafted.stderr
    assert "письма записаны, но не отправлены" in drafted.stdout
    draft = project / "build/mail/school-5/nomination-request.eml"
    parsed = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == addresses["school-5"]
    assert _attachments(parsed) == ["nomination-request.docx", "nomination-request.pdf"]
    body = parsed.get_body(("plain",)).get_content()
    assert body.startswith("Уважаемый Андрей Викторович!")
    assert "Срок ответа — до 16 сентября 2022\u00a0г." in body
    assert not (project / "content/dispatch.yaml").exists()

    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port,
                            authenticator=_authenticate, auth_require_tls=False)
    controller.start()
    try:
        first = _send(project, port)
        assert first.returncode == 1
        assert f"school-6: сервер отказал адресу {REFUSED}; отправится при следующем " \
               "запуске" in first.stderr
        by_address: dict[str, list[list[str]]] = {}
        for message in mailbox.messages:
            by_address.setdefault(message["To"], []).append(_attachments(message))
        assert REFUSED not in by_address
        for school, address in addresses.items():
            if address == REFUSED:
                continue
            for names in by_address[address]:
                built_here = {p.name for p in (project / "build/outbox" / school).iterdir()}
                assert set(names) <= built_here  # only the school's own files
        assert ["nomination-request.docx", "nomination-request.pdf"] in \
            by_address[addresses["lyceum-1"]]
        assert ["best-practice-request.pdf"] in by_address[addresses["lyceum-1"]]
        journal = yaml.safe_load((project / "content/dispatch.yaml").read_text(
            encoding="utf-8"))["sent"]
        assert len(journal) == len(mailbox.messages)
        assert all(len(entry["sha256"]) == 64 and entry["message_id"] for entry in journal)

        mailbox.refuse = False
        count = len(mailbox.messages)
        second = _send(project, port)
        assert second.returncode == 0, second.stderr
        assert {message["To"] for message in mailbox.messages[count:]} == {REFUSED}

        count = len(mailbox.messages)
        third = _send(project, port)
        assert third.returncode == 0 and len(mailbox.messages) == count
        assert "Писем: 0" in third.stdout
        again = _send(project, port, "--again")  # the clerk asks: everything once more
        assert again.returncode == 0
        assert len(mailbox.messages) == count + len(journal) + 1
    finally:
        controller.stop()
    for text in (drafted.stdout + drafted.stderr, first.stdout + first.stderr,
                 (project / "content/dispatch.yaml").read_text(encoding="utf-8"),
                 draft.read_text(encoding="utf-8", errors="replace")):
        assert PASSWORD not in text
