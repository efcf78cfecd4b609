"""Editions: issuing documents from committed content, verifying files, history, redlines."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from lxml import etree
from pypdf.errors import PdfReadError

from . import gost, signing, vcs
from .archives import check_docx
from .build import build
from .bundle import sha256
from .content import load_register, save_register
from .documents import BuildOptions, FolderPlan, Planned, Revision
from .errors import DocgenError, os_reason
from .folders import (
    AMENDMENT,
    BUILD,
    DIFFS,
    DISPATCH,
    DOCUMENTS,
    EDITIONS,
    LETTERS,
    ORDERS,
    REGISTER,
    REGISTRY,
    RESERVE,
    TEMPLATES,
)
from .loading import plan_project
from .model import Edition, Register
from .places import owned
from .redline import Change, redline
from .signing import SignatureReport
from .stamp import read_identity

MAX_VERIFIED = 512 << 20  # the largest file verify reads: a bundle of a region is far smaller
WORKTREE = "рабочая копия"


class EditionError(DocgenError):
    """An edition cannot be issued, found or compared."""


@dataclass(frozen=True)
class Issued:
    """An edition just issued and where its files were put."""

    edition: Edition
    files: list[Path]


@dataclass(frozen=True)
class Verification:
    """What a file is: a registered edition (perhaps signed), or what its metadata claims."""

    match: Edition | None  # the registered edition the file is, or was made from
    kind: str
    claimed: dict[str, str] = field(default_factory=dict)
    amended_copy: bool = False  # bytes follow the registered edition's
    signatures: list[SignatureReport] = field(default_factory=list)
    trust_checked: bool = False

    @property
    def ok(self) -> bool:
        """True only when all it says is proven: the registered bytes themselves; or a copy of
        a registered edition that signatures added to, every signature intact and valid, one
        of them covering the whole file (nothing written after it), and, when trust roots
        were given, every signer trusted. Additions no signature vouches for — a mark drawn
        over the page, appended bytes — are not proven harmless, so not ok."""
        holds = all(s.intact and s.valid and not s.changed_after
                    and (s.trusted or not self.trust_checked) for s in self.signatures)
        if self.match is None or not holds:
            return False
        if not self.amended_copy:
            return True
        return bool(self.signatures) and any(s.covers_whole_file for s in self.signatures)


@dataclass(frozen=True)
class History:
    """A document's editions and the commits that changed its content, newest first."""

    editions: list[Edition]
    commits: list[tuple[str, str, str]]


@dataclass(frozen=True)
class Comparison:
    """A redline written to `path`, with the changes it shows."""

    path: Path
    older: str
    newer: str
    changes: list[Change]


def _find(folders: list[FolderPlan], document_id: str) -> Planned:
    """The planned document with this id, or an error naming the closest ids."""
    documents = {d.document_id: d for folder in folders for d in folder.documents}
    if document_id in documents:
        return documents[document_id]
    hint = difflib.get_close_matches(document_id, list(documents), n=3, cutoff=0.5)
    raise EditionError(f"нет документа «{document_id}»"
                       + (f"; возможно, имелось в виду: {', '.join(hint)}" if hint else ""))


def _tag_name(document_id: str, edition: int) -> str:
    return f"edition/{document_id}/{edition}"


def _to_issue(folders: list[FolderPlan], target: Planned, register: Register) -> list[Planned]:
    """The document, and for a new edition of an annex its amending order, if not issued."""
    documents = [target]
    if target.kind == "annex" and target.properties.edition > 1:
        latest = Path("orders") / target.context["amendments"][-1].slug
        amending = next(folder for folder in folders if folder.folder == latest)
        documents += [d for d in amending.documents if not register.of(d.document_id)]
    return documents


def issue(root: Path, document_id: str, *, today: dt.date,
          soffice: str | None = None) -> list[Issued]:
    """Issue the document's current edition from the committed content; never overwrite one."""
    folders = plan_project(root)
    target = _find(folders, document_id)
    commit = vcs.require_clean(root, _sources(folders, document_id))
    register = load_register(root)
    for earlier in register.of(document_id):
        if earlier.edition == target.properties.edition:
            changed = vcs.changed(root, earlier.commit, commit, _sources(folders, document_id))
            raise EditionError(
                f"редакция {earlier.edition} документа {document_id} уже издана "
                f"{earlier.issued:%d.%m.%Y} (коммит {earlier.commit[:10]}) и не перезаписывается"
                + ("; с тех пор содержимое изменилось: оформите изменения приказом "
                   "(content/orders/<номер>/amendment.yaml)" if changed else ""))
    documents = _to_issue(folders, target, register)
    with tempfile.TemporaryDirectory(prefix=owned("docgen-issue-")) as temporary:
        out = Path(temporary)
        report = build(root, out, BuildOptions(
            soffice=soffice, revision=Revision(commit, False),
            select=frozenset(d.document_id for d in documents)))
        if report.pdf_skipped:
            raise EditionError(f"для издания нужен PDF: {report.pdf_skipped}")
        issued = [_record(root, out, d, commit, today) for d in documents]
    _register(root, register, issued, commit, today)
    return issued


def _register(root: Path, register: Register, issued: list[Issued], commit: str,
              today: dt.date) -> None:
    """Tag each edition and commit the register; on failure undo both."""
    before = (root / REGISTER).read_bytes() if (root / REGISTER).exists() else None
    created: list[str] = []
    try:
        for item in issued:
            vcs.tag(root, item.edition.tag, commit,
                    f"{item.edition.document}, редакция {item.edition.edition}, "
                    f"издана {today:%d.%m.%Y}")
            created.append(item.edition.tag)
        path = save_register(root, Register(
            editions=register.editions + [item.edition for item in issued]))
        vcs.commit_files(root, [path], "Журнал регистрации: " + ", ".join(
            f"{item.edition.document} (редакция {item.edition.edition})" for item in issued))
    except DocgenError:
        for name in created:
            vcs.git(root, "tag", "-d", name)
        if before is None:
            (root / REGISTER).unlink(missing_ok=True)
        else:
            (root / REGISTER).write_bytes(before)
        raise


def _record(root: Path, out: Path, document: Planned, commit: str, today: dt.date) -> Issued:
    """Copy the built files to build/editions/ and make their register entry."""
    edition = document.properties.edition
    built = [out / document.folder / f"{document.name}.{suffix}" for suffix in ("docx", "pdf")]
    target = root / EDITIONS / document.document_id / str(edition)
    target.mkdir(parents=True, exist_ok=True)
    files = []
    for path in built:
        shutil.copyfile(path, target / path.name)
        files.append(target / path.name)
    entry = Edition(document=document.document_id, edition=edition, issued=today, commit=commit,
                    tag=_tag_name(document.document_id, edition),
                    docx_sha256=sha256(built[0]), pdf_sha256=sha256(built[1]))
    return Issued(entry, files)


def verify(root: Path, file: Path, trust: list[Path] | None = None) -> Verification:
    """Which registered edition `file` is, and whether its signatures hold."""
    try:
        status = file.stat()
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_VERIFIED:
            raise EditionError(f"{file}: это не обычный файл или он больше "
                               f"{MAX_VERIFIED >> 20} МБ; такой файл docgen не проверяет")
        data = file.read_bytes()
    except OSError as exc:
        raise EditionError(f"не удаётся прочитать {file}: {os_reason(exc)}") from None
    register = load_register(root)
    kind = file.suffix.lstrip(".").lower()
    found = register.find(hashlib.sha256(data).hexdigest())
    detached = gost.beside(file)
    beside = [_detached_report(gost.verify(file, detached, trust or []))] if detached else []
    if found is not None:
        return Verification(found[0], found[1], signatures=beside, trust_checked=bool(trust))
    if kind != "pdf" or not data.startswith(b"%PDF"):
        return Verification(None, kind, _claimed(file), signatures=beside,
                            trust_checked=bool(trust))
    signatures = signing.verify(file, trust or []) + beside
    original = _original(data, register)
    return Verification(original, kind, _claimed(file), amended_copy=original is not None,
                        signatures=signatures, trust_checked=bool(trust))


def _detached_report(found: gost.Detached) -> SignatureReport:
    """A detached GOST signature as verify reports every signature."""
    try:
        signer = signing.Certificate.from_pem(found.signer_pem).owner
    except ValueError:
        signer = "?"
    return SignatureReport(signer=signer, signing_time=found.signing_time, intact=found.intact,
                           valid=found.intact, trusted=found.trusted, covers_whole_file=True,
                           changed_after=not found.intact, timestamped=False,
                           detached=found.signature.name)


def _original(data: bytes, register: Register) -> Edition | None:
    """The registered PDF a signed or marked copy was made from: both only append to it."""
    end = data.find(b"%%EOF")
    while end != -1:
        cut = end + len(b"%%EOF")
        cut += len(data[cut:cut + 2]) - len(data[cut:cut + 2].lstrip(b"\r\n"))
        found = register.find(hashlib.sha256(data[:cut]).hexdigest())
        if found is not None:
            return found[0]
        end = data.find(b"%%EOF", cut)
    return None


def _claimed(file: Path) -> dict[str, str]:
    """The identity a DOCX or PDF states about itself, if docgen made it."""
    import pikepdf
    from docx.opc.exceptions import PackageNotFoundError

    try:
        if file.suffix.lower() == ".pdf":
            return read_identity(file)
        check_docx(file)
        core = Document(str(file)).core_properties
        return {"document": core.identifier or "", "edition": str(core.revision),
                "commit": core.version or "", "draft": str(core.content_status == "Проект").lower()}
    except (PdfReadError, pikepdf.PdfError, PackageNotFoundError, etree.XMLSyntaxError,
            zipfile.BadZipFile, KeyError, ValueError):
        return {}


def history(root: Path, document_id: str) -> History:
    """The document's editions and the commits that changed its sources, newest first."""
    folders = plan_project(root)
    _find(folders, document_id)
    editions = list(reversed(load_register(root).of(document_id)))
    return History(editions, vcs.log(root, _sources(folders, document_id)))


def _sources(folders: list[FolderPlan], document_id: str) -> list[Path]:
    """The content and templates a document is made from, by where the document goes."""
    parts = document_id.split("/")
    common = [REGISTRY, TEMPLATES]
    if parts[0] == "orders":
        amending = {bundle.slug for folder in folders
                    if folder.folder.parts == tuple(parts[:2])
                    for document in folder.documents
                    for bundle in document.context.get("amendments", [])}
        return [ORDERS / parts[1], *common,
                *(ORDERS / slug / AMENDMENT for slug in sorted(amending))]
    if parts[0] in ("outbox", "control"):
        return [ORDERS, LETTERS, RESERVE, DISPATCH, *common]
    if parts[0] == "letters":
        return [LETTERS / parts[1], ORDERS, *common]
    if parts[0] == "documents":
        return [DOCUMENTS / f"{parts[1]}.yaml", *common]
    return [RESERVE, *common]


def compare(root: Path, document_id: str, older: str | None = None, newer: str | None = None,
            *, soffice: str | None = None, when: dt.datetime | None = None) -> Comparison:
    """Write a DOCX with tracked changes from `older` to `newer` (editions or commits)."""
    register = load_register(root)
    if older is None:
        issued = register.of(document_id)
        if not issued:
            raise EditionError(f"у документа {document_id} нет изданных редакций; укажите, с "
                               "чем сравнивать (номер редакции или коммит)")
        older = str(issued[-1].edition)
    with tempfile.TemporaryDirectory(prefix=owned("docgen-diff-")) as temporary:
        sides = []
        for index, version in enumerate((older, newer)):
            side = Path(temporary) / f"side-{index}"
            sides.append(_render_side(root, side, document_id, version, register, soffice))
        newer_label = newer or WORKTREE
        name = "--".join((document_id, older, newer_label)).replace("/", "--")
        target = root / DIFFS / f"{name.replace(' ', '-')}.docx"  # one file, never a folder
        target.parent.mkdir(parents=True, exist_ok=True)
        changes = redline(sides[0], sides[1], target, author="docgen",
                          when=when or dt.datetime(2000, 1, 1))
    return Comparison(target, older, newer_label, changes)


def _render_side(root: Path, side: Path, document_id: str, version: str | None,
                 register: Register, soffice: str | None) -> Path:
    """Build the document as it is at `version` (an edition, a commit, or the working tree)."""
    if version is None:
        source = root
        revision = vcs.revision(root)
    else:
        editions = {str(e.edition): e for e in register.of(document_id)}
        try:
            commit = editions[version].commit if version in editions \
                else vcs.resolve(root, version)
        except vcs.VcsError:
            issued = ", ".join(editions) or "нет"
            raise EditionError(f"у документа {document_id} нет редакции «{version}», и это не "
                               f"коммит и не метка git; изданные редакции: {issued}") from None
        source = side / "project"
        vcs.export(root, commit, source)
        revision = Revision(commit, False)
    build(source, side / BUILD, BuildOptions(pdf=False, soffice=soffice, revision=revision,
                                             select=frozenset({document_id})))
    return side / BUILD / f"{document_id}.docx"
