"""The build: load → validate → plan → render → convert → assemble, written atomically.

Loading, rendering, conversion and assembly import their libraries when there is work
for them, so that a build with nothing to do finishes quickly and LibreOffice starts
before the content is loaded.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, vcs
from .documents import BuildOptions, ProgressCallback, Revision
from .errors import ContentError, LibreOfficeMissing, Problem, Severity
from .folders import TEMPLATES, TRACKED
from .incremental import Action, Selection, State, inputs_digest
from .places import (
    owned,
    remove_abandoned,
    replace_folder,
    scratch_root,
    user_cache,
    write_whole,
)

if TYPE_CHECKING:
    from .convert import Converter, Failure
    from .dependencies import Fingerprints
    from .documents import FolderPlan, Planned
    from .model import Project
    from .render import Renderer

CACHE = Path(".cache")  # under the output folder: digests at commits, parsed content
STAGING = ".staging-"  # in the output folder: a build's folders before they are renamed in
# what docgen's runs keep in scratch space while they last
SCRATCH = ("docgen-build-", "docgen-lo-", "docgen-batch-", "docgen-head-", "docgen-issue-",
           "docgen-diff-", "docgen-gost-")
PARALLEL_FROM = 100  # below this, this process renders faster than LibreOffice converts


@dataclass
class BuildReport:
    """What a build did: built, restamped, skipped and failed documents, and how long."""

    folders: list[Path] = field(default_factory=list)
    documents: Counter[str] = field(default_factory=Counter)
    built: int = 0
    restamped: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pdf_skipped: str | None = None
    draft: int = 0
    seconds: float = 0.0


def _load(root: Path, strict: bool, cache: Path | None = None
          ) -> tuple[Project, list[FolderPlan], list[Problem]]:
    """The project, its plan, and the warnings; with `strict`, warnings are errors; parsed
    files are kept in `cache`."""
    from .content import load_project
    from .plan import plan

    project, warnings = load_project(root, cache)
    folders = plan(project)
    warnings = warnings + _unproduced(project, folders)
    if strict and warnings:
        raise ContentError([Problem(w.path, w.line, w.column, w.field, w.message, Severity.ERROR)
                            for w in warnings])
    return project, folders, warnings


def _unproduced(project: Project, folders: list[FolderPlan]) -> list[Problem]:
    """Roadmap activities naming document kinds of which the build makes none."""
    made = {document.kind for folder in folders for document in folder.documents}
    problems = []
    for bundle in project.orders:
        for activity in bundle.activities().values():
            missing = [kind for kind in activity.produces if kind not in made]
            if missing and activity._where is not None:
                path, line, column = activity._where
                names = ", ".join(f"«{project.kinds[kind].title}»" for kind in missing)
                problems.append(Problem(path, line, column, "produces",
                                        f"мероприятие «{activity.id}» порождает {names}, "
                                        "но таких документов нет", Severity.WARNING))
    return problems


def plan_project(root: Path) -> list[FolderPlan]:
    """The plan of every output of the project at `root` (warnings aside)."""
    return _load(root, strict=False)[1]


def check(root: Path, strict: bool = False) -> list[Problem]:
    """Validate content and templates without writing anything; return the warnings."""
    _, folders, warnings = _load(root, strict)
    renderer = _renderer(root)
    checked: set[str] = set()
    problems: list[Problem] = []
    for folder in folders:
        for document in folder.documents:
            if document.template in checked:
                continue
            checked.add(document.template)
            declaration = TEMPLATES / f"{Path(document.template).stem}.yaml"
            problems += renderer.check(document.template, document.context,
                                       declaration if (root / declaration).is_file() else None)
    if problems:
        raise ContentError(problems)
    return warnings


@dataclass
class _Work:
    """A document of this run: what it is made from, how to stamp it, what to do with it."""

    document: Planned
    selection: Selection  # the part of its context it was last made from
    fingerprint: str
    render: str  # the fingerprint with the draft flag: equal renders, equal bytes
    revision: Revision
    action: Action


def _render_digest(fingerprint: str, revision: Revision) -> str:
    return hashlib.sha256(f"{fingerprint}:{revision.draft}".encode()).hexdigest()


def build(root: Path, out: Path, options: BuildOptions | None = None) -> BuildReport:
    """Build the project's documents under `out`, redoing only what changed.

    Documents are stamped with the options' revision, by default the git state of `root`,
    in which a document is a draft when its own inputs are uncommitted. With a selection,
    only the documents with those ids are built, without bundles, and other folders are
    left alone. Earlier outputs survive a failed run; a document that fails to convert is
    reported while the others are published.
    """
    started = time.monotonic()
    options = options or BuildOptions()
    jobs = options.jobs or os.cpu_count() or 1
    pdf, force = options.pdf, options.force
    whole = options.select is None and options.revision is None
    state = State(out)
    # A build of everything (none made yet, or --force) cannot find itself unchanged and
    # has work for every LibreOffice: they start before the inputs are even digested. Any
    # other build starts one once it knows it has work, and the others once it knows it
    # has enough documents for them.
    everything = whole and (force or not state.records)
    with contextlib.ExitStack() as closing:
        if everything:
            converter_or_problem = _start_converter(options, jobs, jobs, closing)
        inputs = inputs_digest(root, TRACKED, vcs.head(root), {"pdf": pdf}) if whole else None
        if not everything:
            unchanged = _unchanged(out, state, inputs, started) if whole else None
            if unchanged is not None:
                return unchanged
            converter_or_problem = _start_converter(options, jobs, 1, closing)
        with _collector_paused() as resume_collector:
            return _build(root, out, state, options, jobs=jobs, converter=converter_or_problem,
                          started=started, inputs=inputs, loaded=resume_collector)


@contextlib.contextmanager
def _collector_paused() -> Iterator[Callable[[], None]]:
    """Pause the garbage collector while the objects that last the whole build are made;
    the function yielded resumes it, leaving those objects out of its scans to the end.

    Those objects (the modules imported, the loaded project, the renderer) were otherwise
    scanned again and again while being made: about a sixth of docgen's CPU time in a
    small build.
    """
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.disable()

    def resume() -> None:
        gc.freeze()
        if enabled:
            gc.enable()

    try:
        yield resume
    finally:
        if enabled:
            gc.enable()
        if not frozen:
            gc.unfreeze()


def _unchanged(out: Path, state: State, inputs: str | None,
               started: float) -> BuildReport | None:
    """The report of a build with nothing to do, if nothing changed since the last one.

    Every file of content/ and templates/ is hashed with the commit, so this needs no
    loading of content; the outputs must all still be there as they were written.
    """
    if inputs is None or state.inputs != inputs or not state.all_intact(out):
        return None
    report = BuildReport(warnings=state.warnings, skipped=len(state.records), draft=state.drafts)
    report.seconds = time.monotonic() - started
    return report


def _start_converter(options: BuildOptions, jobs: int, workers: int,
                     closing: contextlib.ExitStack) -> Converter | str:
    """The converter, already starting `workers` LibreOffice workers and closed with
    `closing`; or why there is none.

    LibreOffice takes a second to start, so it starts before anything else; a run that
    turns out to have nothing to convert stops it again.
    """
    from .convert import open_converter

    if not options.pdf:
        return "PDF не заказаны"
    try:
        converter = open_converter(options.converter, soffice=options.soffice, workers=jobs,
                                   timeout=options.timeout)
    except LibreOfficeMissing as exc:
        return str(exc)
    closing.callback(converter.close)
    converter.prestart(workers)
    return converter


def _build(root: Path, out: Path, state: State, options: BuildOptions, *, jobs: int,
           converter: Converter | str, started: float, inputs: str | None,
           loaded: Callable[[], None]) -> BuildReport:
    """The build proper, with its converter already chosen (see build); `loaded` is
    called once the objects that last the whole build are made."""
    pdf, select, progress = options.pdf, options.select, options.progress
    _, folders, warnings = _load(root, options.strict, out / CACHE / "parsed")
    if select is not None:
        from .documents import FolderPlan

        folders = [FolderPlan(f.folder, [d for d in f.documents if d.document_id in select])
                   for f in folders]
        folders = [f for f in folders if f.documents]
    out.mkdir(parents=True, exist_ok=True)
    fingerprints, work, clean_commit = _decide(root, out, folders, state, options.revision,
                                               pdf=pdf, force=options.force,
                                               whole=select is None)
    report = BuildReport(warnings=warnings)
    report.draft = sum(1 for item in work.values() if item.revision.draft)
    report.documents = Counter(d.kind for f in folders for d in f.documents)
    changed = [f for f in folders if any(work[d.document_id].action != Action.SKIP
                                         for d in f.documents)]
    to_build = [work[d.document_id] for f in changed for d in f.documents
                if work[d.document_id].action == Action.BUILD]
    renderer = _renderer(root) if to_build else None
    loaded()
    with _work_folders(out, len(to_build)) as (staging, scratch):
        rendered: dict[str, Path] = {}
        selections: dict[str, Selection] = {}
        renders = _recorded(_render_all(renderer, to_build, scratch / "render", jobs,
                                        progress), rendered, selections)
        pdfs: dict[str, Path] = {}
        if isinstance(converter, str):
            list(renders)
            report.pdf_skipped = converter if pdf and to_build else None
        elif to_build:
            by_key = {item.document.key: item for item in to_build}
            pdfs, failures = _convert_all(renders, len(to_build), scratch / "pdf", converter,
                                          progress, lambda key, pdf: _finalize(by_key[key], pdf))
            converter.release()  # LibreOffice quits while the folders are assembled
            report.failed = [(f.key, f.reason) for f in failures]
        unconverted = {key for key, _ in report.failed}
        for folder in changed:
            _assemble(folder, out, work, rendered, pdfs, unconverted,
                      staging / "out" / folder.folder, bundle=select is None)
        for folder in changed:
            replace_folder(staging / "out" / folder.folder, out / folder.folder)
            for document in folder.documents:
                item = work[document.document_id]
                if document.key in unconverted:
                    state.forget(document.document_id)
                    continue
                if item.action == Action.BUILD:
                    _made_from(item, selections[document.key], fingerprints)
                if item.action != Action.SKIP:
                    state.remember(document, item.render, item.revision.commit,
                                   out / folder.folder, item.selection)
        if clean_commit is not None and not report.failed:
            _save_committed(out, clean_commit, {
                document_id: [state.records[document_id].selection, item.fingerprint]
                for document_id, item in work.items() if document_id in state.records})
        if select is None:
            report.removed = _remove_unplanned(out, {folder.folder for folder in folders})
            for gone in set(state.records) - set(work):
                state.forget(gone)
        complete = not report.failed and not report.pdf_skipped
        state.inputs, state.warnings = (inputs, warnings) if complete else (None, [])
        state.drafts = report.draft
        state.save()
    report.folders = [folder.folder for folder in changed]
    report.built = sum(1 for item in work.values() if item.action == Action.BUILD)
    report.restamped = sum(1 for item in work.values() if item.action == Action.RESTAMP)
    report.skipped = sum(1 for item in work.values() if item.action == Action.SKIP)
    report.seconds = time.monotonic() - started
    return report


@contextlib.contextmanager
def _work_folders(out: Path, documents: int) -> Iterator[tuple[Path, Path]]:
    """A staging folder in `out`, whose folders are renamed into place, and a scratch
    folder for the files copied into them; both removed at the end, also on failure."""
    remove_abandoned(out, (STAGING,))
    for folder in {scratch_root(documents), scratch_root(), Path(tempfile.gettempdir())}:
        remove_abandoned(folder, SCRATCH)
    with contextlib.ExitStack() as folders:
        staging = folders.enter_context(tempfile.TemporaryDirectory(
            prefix=owned(STAGING), dir=out, ignore_cleanup_errors=True))
        scratch = folders.enter_context(tempfile.TemporaryDirectory(
            prefix=owned("docgen-build-"), dir=scratch_root(documents),
            ignore_cleanup_errors=True))
        yield Path(staging), Path(scratch)


def _decide(root: Path, out: Path, folders: list[FolderPlan], state: State,
            revision: Revision | None, *, pdf: bool, force: bool,
            whole: bool) -> tuple[Fingerprints, dict[str, _Work], str | None]:
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
        render = _render_digest(digest, stamp)
        action = state.decide(document, render, stamp.commit, out, force=force, pdf=pdf)
        work[document.document_id] = _Work(document, chosen[document.document_id][1], digest,
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


def _made_from(item: _Work, selection: Selection, fingerprints: Fingerprints) -> None:
    """Take what a document was just rendered from as its selection and digests."""
    if selection == item.selection:
        return
    item.selection = selection
    item.fingerprint = fingerprints.of(item.document, selection)
    item.render = _render_digest(item.fingerprint, item.revision)


def _committed_path(out: Path, commit: str) -> Path:
    return out / CACHE / f"committed-{commit}-{__version__}.json"


def _save_committed(out: Path, commit: str, digests: dict[str, list[Any]]) -> None:
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
            _, folders, _ = _load(Path(temporary), strict=False)
        except ContentError:
            return {}
        fingerprints = Fingerprints(Path(temporary) / TEMPLATES)
        digests = {d.document_id: fingerprints.of(d, chosen[d.document_id][1])
                   for f in folders for d in f.documents if d.document_id in chosen}
    kept.update({document_id: [chosen[document_id][0], digest]
                 for document_id, digest in digests.items()})
    _save_committed(out, current.commit, kept)
    return digests


_RENDER: dict[str, Any] = {}


def _renderer(root: Path) -> Renderer:
    """A renderer of the project's templates; compiled templates are kept in the user's
    cache, shared by all projects."""
    from .render import Renderer

    return Renderer(root / TEMPLATES, TEMPLATES, user_cache() / "compiled-templates")


def _render_one(index: int) -> tuple[str, list[Problem] | None, Selection]:
    """Render the index-th document of this run (in a worker process, or in this one);
    return its problems, or the part of its context it read."""
    from .dependencies import select
    from .model import READS
    from .stamp import save_docx, stamp_docx

    item: _Work = _RENDER["work"][index]
    document = item.document
    try:
        with READS.open() as reads:
            rendered = _RENDER["renderer"].render(document.template, document.context)
    except ContentError as exc:
        return document.key, exc.problems, None
    stamp_docx(rendered, document.properties, item.revision)
    save_docx(rendered, _RENDER["target"] / f"{document.key}.docx")
    return document.key, None, select(document.context, reads)


def _render_all(renderer: Renderer | None, work: list[_Work], target: Path, jobs: int,
                progress: ProgressCallback | None) -> Iterator[tuple[str, Path, Selection]]:
    """Render DOCX files on every core, yielding each as it is written; each template is
    compiled once per worker. Problems are raised together once all are rendered."""
    if not work:
        return
    target.mkdir(parents=True)
    _RENDER.update(work=work, target=target, renderer=renderer)
    problems: list[Problem] = []
    try:
        if jobs > 1 and len(work) >= PARALLEL_FROM:
            import multiprocessing  # for large runs only: importing it delays LibreOffice 15 ms
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(jobs, mp_context=context) as pool:
                chunk = max(1, min(8, len(work) // (jobs * 8)))
                yield from _rendered(_counted(pool.map(_render_one, range(len(work)),
                                                       chunksize=chunk),
                                              "render", len(work), progress), target, problems)
        else:
            yield from _rendered(_counted(map(_render_one, range(len(work))), "render",
                                          len(work), progress), target, problems)
    finally:
        _RENDER.clear()
    if problems:
        raise ContentError(problems)


def _rendered(results: Iterable[tuple[str, list[Problem] | None, Selection]], target: Path,
              problems: list[Problem]) -> Iterator[tuple[str, Path, Selection]]:
    """The rendered files of `results`; the problems of the others go to `problems`."""
    for key, found, selection in results:
        if found:
            problems.extend(p for p in found if p not in problems)
        else:
            yield key, target / f"{key}.docx", selection


def _recorded(renders: Iterable[tuple[str, Path, Selection]], files: dict[str, Path],
              selections: dict[str, Selection]) -> Iterator[tuple[str, Path]]:
    """Pass rendered files through, keeping each and what it was made from."""
    for key, path, selection in renders:
        files[key] = path
        selections[key] = selection
        yield key, path


def _counted(results: Iterable[Any], stage: str, total: int,
             progress: ProgressCallback | None) -> Iterator[Any]:
    """Pass results through, telling `progress` how many of `total` are done."""
    for done, result in enumerate(results, 1):
        if progress is not None:
            progress(stage, done, total)
        yield result


def _finalize(item: _Work, pdf: Path) -> None:
    """Stamp a freshly converted PDF (on the converter's thread, while LibreOffice works on)."""
    from .stamp import finalize_pdf

    finalize_pdf(pdf, item.document.properties, item.revision)


def _convert_all(renders: Iterable[tuple[str, Path]], expected: int, target: Path,
                 converter: Converter, progress: ProgressCallback | None,
                 finalize: Callable[[str, Path], None]
                 ) -> tuple[dict[str, Path], list[Failure]]:
    """Convert files as they are rendered and stamp each PDF as it comes; failures are named.

    Stamping runs on a thread of its own, so that LibreOffice never waits for it.
    """
    from .convert import Failure, Job

    target.mkdir(parents=True)
    converted: dict[str, Path] = {}
    stamp_failures: list[Failure] = []
    done = [0]

    def stamp(job: Job) -> None:
        if job.target.exists():
            try:
                finalize(job.key, job.target)
                converted[job.key] = job.target
            except Exception as exc:  # a PDF LibreOffice wrote but that cannot be read back
                job.target.unlink()
                stamp_failures.append(Failure(job.key, f"PDF не читается: {exc}"))
        done[0] += 1
        if progress is not None:
            progress("convert", done[0], expected)

    jobs = (Job(key, source, target / f"{key}.pdf") for key, source in renders)
    with ThreadPoolExecutor(1) as stamper:
        def stamp_later(job: Job) -> None:
            stamper.submit(stamp, job)

        failures = converter.convert(jobs, stamp_later, expected)
    failed = {failure.key for failure in failures} | {f.key for f in stamp_failures}
    return {key: path for key, path in converted.items() if key not in failed}, \
        failures + stamp_failures


def _assemble(folder: FolderPlan, out: Path, work: dict[str, _Work], rendered: dict[str, Path],
              pdfs: dict[str, Path], unconverted: set[str], target: Path, *,
              bundle: bool) -> None:
    """Make the folder's new version in `target`: unchanged files linked, the rest new.

    A document whose conversion failed keeps its earlier files, never a new DOCX
    without its PDF.
    """
    from .bundle import Part, merge, write_manifest
    from .stamp import finalize_pdf, restamp_docx

    target.mkdir(parents=True)
    previous = out / folder.folder
    parts: list[Part] = []
    for document in folder.documents:
        item = work[document.document_id]
        docx, pdf = target / f"{document.name}.docx", target / f"{document.name}.pdf"
        if item.action == Action.BUILD and document.key not in unconverted:
            shutil.copyfile(rendered[document.key], docx)
            if document.key in pdfs:
                shutil.copyfile(pdfs[document.key], pdf)
        else:
            for name in (docx.name, pdf.name):
                if (previous / name).exists():
                    os.link(previous / name, target / name)
            if item.action == Action.RESTAMP and docx.exists():
                restamp_docx(docx, document.properties, item.revision)
                if pdf.exists():
                    finalize_pdf(pdf, document.properties, item.revision)
        if document.bookmark is not None and pdf.exists():
            parts.append(Part(pdf, document.bookmark))
    bundled = [d for d in folder.documents if d.bookmark is not None]
    if bundle and folder.bundle is not None and parts and len(parts) == len(bundled):
        revisions = [work[d.document_id].revision for d in bundled]
        merge(parts, target / "bundle.pdf", folder.bundle,
              next((r for r in revisions if r.draft), revisions[0]))
    write_manifest(target)


def _remove_unplanned(out: Path, planned: set[Path]) -> list[Path]:
    """Delete output folders whose school, candidate or order is gone from the content."""
    from .plan import OUTPUT_ROOTS

    removed = []
    for root in OUTPUT_ROOTS:
        for folder in sorted((out / root).glob("*")) if (out / root).is_dir() else []:
            relative = folder.relative_to(out)
            if folder.is_dir() and not folder.name.startswith(".") and relative not in planned:
                shutil.rmtree(folder)
                removed.append(relative)
    return removed
