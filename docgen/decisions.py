"""What a build does with each document: skip it, restamp it or build it, and whether it
is a draft — from digests of what it is made from, at this commit and at the last."""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, vcs
from .documents import Revision
from .errors import ContentError
from .folders import TEMPLATES
from .incremental import Action, Selection, State
from .loading import load_and_plan
from .places import owned, write_whole

if TYPE_CHECKING:
    from .dependencies import Fingerprints
    from .documents import FolderPlan, Planned

CACHE = Path(".cache")  # under the output folder: digests at commits, parsed content


@dataclass
class Work:
    """A document of this run: what it is made from, how to stamp it, what to do with it."""

    document: Planned
    selection: Selection  # the part of its context it was last made from
    fingerprint: str
    render: str  # the fingerprint with the draft flag: equal renders, equal bytes
    revision: Revision
    action: Action


def render_digest(fingerprint: str, revision: Revision) -> str:
    return hashlib.sha256(f"{fingerprint}:{revision.draft}".encode()).hexdigest()


def decide(root: Path, out: Path, folders: list[FolderPlan], state: State,
            revision: Revision | None, *, pdf: bool, force: bool,
            whole: bool) -> tuple[Fingerprints, dict[str, Work], str | None]:
    """For each document: its digests, its stamp, and whether to skip, restamp, build;
    and the commit whose digests these are, when the whole tree is built clean.

    A document is digested over the part of the content it was last made from (all of
    it the first time). Without an explicit revision, a document is a draft when that
    part differs from the last commit, so that editing one school's entry makes only
    the documents showing what changed drafts.
    """
    from .dependencies import Fingerprints

    fingerprints = Fingerprints(root / TEMPLATES)
    documents = [d for f in folders for d in f.documents]
    chosen = {d.document_id: state.selection(d.document_id) for d in documents}
    digests = {d.document_id: fingerprints.of(d, chosen[d.document_id][1]) for d in documents}
    clean_commit = None
    committed: dict[str, str] = {}
    unissued: set[str] = set()
    if revision is None:
        current = vcs.revision(root)
        if current.commit and current.dirty:
            committed = _committed_fingerprints(root, out, current, chosen)
        elif current.commit and whole:
            clean_commit = current.commit
        if current.commit:
            unissued = _unissued(root, out, documents, digests, chosen, current.commit)
    work = {}
    for document in documents:
        digest = digests[document.document_id]
        if revision is not None:
            stamp = revision
        elif current.commit is None:
            stamp = Revision(None, True)
        else:
            draft = current.dirty and committed.get(document.document_id) != digest
            stamp = Revision(current.commit, draft or document.document_id in unissued)
        render = render_digest(digest, stamp)
        action = state.decide(document, render, stamp.commit, out, force=force, pdf=pdf)
        work[document.document_id] = Work(document, chosen[document.document_id][1], digest,
                                           render, stamp, action)
    return fingerprints, work, clean_commit


def _unissued(root: Path, out: Path, documents: list[Planned], digests: dict[str, str],
              chosen: dict[str, tuple[str, Selection]], head: str) -> set[str]:
    """Documents that were issued and have changed since, though committed: an edition
    issued at another commit with other content, or a new edition not issued yet. Such a
    document is built as a draft, so it never claims an edition it is not."""
    from .content import load_register

    register = load_register(root)
    by_commit: dict[str, list[str]] = {}
    unissued: set[str] = set()
    for document in documents:
        editions = register.of(document.document_id)
        if not editions:
            continue
        same = [e for e in editions if e.edition == document.properties.edition]
        if not same:
            unissued.add(document.document_id)
        elif same[-1].commit != head:
            by_commit.setdefault(same[-1].commit, []).append(document.document_id)
    for commit, ids in by_commit.items():
        at_issue = _committed_fingerprints(root, out, Revision(commit, False),
                                           {document_id: chosen[document_id] for document_id in ids})
        unissued |= {document_id for document_id in ids
                     if at_issue.get(document_id, digests[document_id]) != digests[document_id]}
    return unissued


def made_from(item: Work, selection: Selection, fingerprints: Fingerprints) -> None:
    """Take what a document was just rendered from as its selection and digests."""
    if selection == item.selection:
        return
    item.selection = selection
    item.fingerprint = fingerprints.of(item.document, selection)
    item.render = render_digest(item.fingerprint, item.revision)


def _committed_path(out: Path, commit: str) -> Path:
    return out / CACHE / f"committed-{commit}-{__version__}.json"


def save_committed(out: Path, commit: str, digests: dict[str, list[Any]]) -> None:
    """Keep the documents' digests at `commit`, each with the key of its selection."""
    path = _committed_path(out, commit)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, json.dumps(digests))


def _committed_fingerprints(root: Path, out: Path, current: Revision,
                            chosen: dict[str, tuple[str, Selection]]) -> dict[str, str]:
    """Documents' digests at the last commit over the selections `chosen` (by key); kept
    per commit, and computed again from the commit when a selection has changed."""
    from .dependencies import Fingerprints

    assert current.commit is not None
    try:
        kept = json.loads(_committed_path(out, current.commit).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = {}
    found = {document_id: kept[document_id][1] for document_id, (name, _) in chosen.items()
             if document_id in kept and kept[document_id][0] == name}
    if len(found) == len(chosen):
        return found
    with tempfile.TemporaryDirectory(prefix=owned("docgen-head-")) as temporary:
        vcs.export(root, current.commit, Path(temporary))
        try:
            _, folders, _ = load_and_plan(Path(temporary), strict=False)
        except ContentError:
            return {}
        fingerprints = Fingerprints(Path(temporary) / TEMPLATES)
        digests = {d.document_id: fingerprints.of(d, chosen[d.document_id][1])
                   for f in folders for d in f.documents if d.document_id in chosen}
    kept.update({document_id: [chosen[document_id][0], digest]
                 for document_id, digest in digests.items()})
    save_committed(out, current.commit, kept)
    return digests
