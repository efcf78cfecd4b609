"""`docgen send`: each recipient's packet from build/outbox/ by e-mail, with a journal.

A packet is one message per document of a recipient's folder: its PDF, and its DOCX too
when the document holds a form to fill in. The journal content/dispatch.yaml (in git)
records what was sent to whom, when, under which message id, with the files' SHA-256; a
document already sent with the same bytes is not sent again. Without a configured server
the messages are written as .eml files under build/mail/ for the clerk to look at.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

import yaml

from . import ru
from .errors import DocgenError, os_reason
from .folders import BUILD, DISPATCH, MAIL_DRAFTS, OUTBOX
from .letters import salutation
from .model import Project
from .places import write_whole
from .plan import plan

JOURNAL_HEADER = """\
# Журнал отправки писем. Ведёт его команда docgen send; вручную не правится.
"""
FORMS = ("nomination-request",)  # documents whose DOCX the recipient fills in and returns


class MailError(DocgenError):
    """Mail cannot be sent at all: no server settings that work, nothing built."""


@dataclass(frozen=True)
class Server:
    """The administration's mail server, from the environment (never the command line)."""

    host: str
    port: int
    user: str | None
    password: str | None
    security: str  # starttls, ssl or none

    @classmethod
    def from_environment(cls) -> Server | None:
        """The server DOCGEN_SMTP_* name, or None when none is set (messages are drafts)."""
        host = os.environ.get("DOCGEN_SMTP_HOST")
        if not host:
            return None
        security = os.environ.get("DOCGEN_SMTP_SECURITY", "starttls")
        if security not in ("starttls", "ssl", "none"):
            raise MailError("DOCGEN_SMTP_SECURITY: допустимы starttls, ssl, none")
        port = os.environ.get("DOCGEN_SMTP_PORT") or {"ssl": "465"}.get(security, "587")
        if not port.isdigit():
            raise MailError(f"DOCGEN_SMTP_PORT: ожидался номер порта, а не «{port}»")
        return cls(host, int(port), os.environ.get("DOCGEN_SMTP_USER"),
                   os.environ.get("DOCGEN_SMTP_PASSWORD"), security)


@dataclass
class Packet:
    """One message: a document of a recipient's folder with its files."""

    recipient: str
    address: str
    document: str
    subject: str
    files: list[Path]
    greeting: str = "Здравствуйте!"
    deadline: dt.date | None = None  # the letter's own, said again in the message

    @property
    def digest(self) -> str:
        """The SHA-256 of the files, in order: the same bytes are never sent twice."""
        digest = hashlib.sha256()
        for path in self.files:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()


@dataclass
class SendReport:
    """What send did: messages sent (or drafted), left as already sent, and failures."""

    sent: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    drafts: Path | None = None


def packets(root: Path, project: Project) -> list[Packet]:
    """Every document planned and built for a recipient with an address in the registry."""
    outbox = root / OUTBOX
    if not outbox.is_dir():
        raise MailError("нечего отправлять: сначала соберите документы (make documents)")
    result = []
    for folder in plan(project):
        if folder.folder.parts[0] != "outbox":
            continue
        recipient = folder.folder.name
        address = _address(project, recipient)
        if address is None:
            continue
        for document in folder.documents:
            pdf = root / BUILD / folder.folder / f"{document.name}.pdf"
            if not pdf.is_file():
                continue
            docx = pdf.with_suffix(".docx")
            files = [pdf] + ([docx] if document.name in FORMS and docx.is_file() else [])
            letter = document.context.get("letter")
            result.append(Packet(
                recipient, address, document.document_id,
                f"{document.properties.title}: {document.properties.subject}", files,
                _greeting(project, recipient), getattr(letter, "deadline", None)))
    return result


def _greeting(project: Project, recipient: str) -> str:
    """«Уважаемая Ольга Петровна!» for a school's head or a person whose names are known."""
    registry = project.registry
    organization = registry.organizations.get(recipient)
    person = organization.head if organization is not None else registry.people.get(recipient)
    return (person and salutation(person)) or "Здравствуйте!"


def _address(project: Project, recipient: str) -> str | None:
    registry = project.registry
    if recipient in registry.organizations:
        return registry.organizations[recipient].email
    if recipient in registry.people:
        return registry.people[recipient].email
    return None


def _message(packet: Packet, sender: str, sender_name: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender))
    message["To"] = packet.address
    message["Subject"] = packet.subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(
        f"{packet.greeting}\n\nНаправляем документ: {packet.subject}.\n"
        + ("Форму ответа (файл DOCX) заполните и верните ответным письмом.\n"
           if len(packet.files) > 1 else "")
        + (f"Срок ответа — до {ru.date_long(packet.deadline)}\n" if packet.deadline else "")
        + f"\n{sender_name}\n")
    for path in packet.files:
        subtype = "pdf" if path.suffix == ".pdf" else \
            "vnd.openxmlformats-officedocument.wordprocessingml.document"
        message.add_attachment(path.read_bytes(), maintype="application", subtype=subtype,
                               filename=path.name)
    return message


def _save_journal(root: Path, entries: list[dict[str, str]]) -> None:
    write_whole(root / DISPATCH, JOURNAL_HEADER + yaml.safe_dump(
        {"sent": entries}, allow_unicode=True, sort_keys=False))


def send(root: Path, project: Project, *, dry_run: bool, now: dt.datetime,
         again: bool = False) -> SendReport:
    """Send what is new or changed (everything, with `again`); a failure for one recipient
    leaves the others sent."""
    administration = project.registry.administration()
    if not administration.email:
        raise MailError("у Управления образования в реестре нет email: от чьего имени писать")
    server = None if dry_run else Server.from_environment()
    journal = [entry.model_dump() for entry in project.dispatch]  # read and checked as content
    done = {(entry["document"], entry["sha256"]) for entry in journal}
    report = SendReport()
    todo = packets(root, project)
    connection = _connect(server) if server is not None and todo else None
    try:
        for packet in todo:
            digest = packet.digest
            if (packet.document, digest) in done and not again:
                report.unchanged += 1
                continue
            message = _message(packet, administration.email, administration.short_name)
            if server is None:
                report.drafts = root / MAIL_DRAFTS
                target = root / MAIL_DRAFTS / packet.recipient / f"{Path(packet.document).name}.eml"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(bytes(message))
                report.sent.append(f"{packet.document} → {packet.address} (черновик {target})")
                continue
            assert connection is not None
            try:
                connection.send_message(message)
            except smtplib.SMTPRecipientsRefused:
                report.failed.append(f"{packet.recipient}: сервер отказал адресу "
                                     f"{packet.address}; отправится при следующем запуске")
                continue
            except smtplib.SMTPException as exc:
                code = getattr(exc, "smtp_code", None)
                report.failed.append(f"{packet.recipient}: письмо не отправлено"
                                     + (f" (код сервера {code})" if code else "")
                                     + "; отправится при следующем запуске")
                continue
            journal.append({"to": packet.recipient, "address": packet.address,
                            "document": packet.document, "sha256": digest,
                            "message_id": str(message["Message-ID"]),
                            "sent": now.strftime("%Y-%m-%d %H:%M:%S UTC")})
            _save_journal(root, journal)
            report.sent.append(f"{packet.document} → {packet.address}")
    finally:
        if connection is not None:
            connection.quit()
    return report


def _login(connection: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; a password in Cyrillic goes as UTF-8 in AUTH PLAIN (RFC 4616), which
    smtplib's own login cannot send."""
    if (user + password).isascii():
        connection.login(user, password)
        return
    connection.ehlo_or_helo_if_needed()
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
    code, answer = connection.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def _connect(server: Server) -> smtplib.SMTP:
    """A logged-in connection; MailError in Russian when the server cannot be reached."""
    try:
        if server.security == "ssl":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=30, context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=30)
            if server.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
        if server.user:
            _login(connection, server.user, server.password or "")
    except smtplib.SMTPAuthenticationError:
        raise MailError("сервер почты не принял имя и пароль (DOCGEN_SMTP_USER, "
                        "DOCGEN_SMTP_PASSWORD)") from None
    except smtplib.SMTPException as exc:
        code = getattr(exc, "smtp_code", None)
        raise MailError(f"сервер почты {server.host}:{server.port} ответил ошибкой"
                        + (f" {code}" if code else "")) from None
    except OSError as exc:
        raise MailError(f"нет связи с сервером почты {server.host}:{server.port}: "
                        f"{os_reason(exc)}") from None
    return connection
