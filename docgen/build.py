"""The build: load → validate → plan → render → convert → assemble, written atomically.

Loading, rendering, conversion and assembly import their libraries when there is work
for them, so that a build with nothing to do finishes quickly and LibreOffice starts
before the content is loaded.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import vcs
from .decisions import CACHE, decide, made_from, save_committed
from .documents import BuildOptions
from .errors import ContentError, LibreOfficeMissing, Problem
from .folders import TEMPLATES, TRACKED
from .incremental import Action, Selection, State, inputs_digest
from .loading import load_and_plan
from .output import EarlyAssembly, remove_unplanned, work_folders
from .pipeline import convert_all, recorded, render_all, renderer_of
from .places import replace_folder

if TYPE_CHECKING:
    from .convert import Converter


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


def check(root: Path, strict: bool = False) -> list[Problem]:
    """Validate content and templates without writing anything; return the warnings."""
    _, folders, warnings = load_and_plan(root, strict)
    renderer = renderer_of(root)
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
    from .content import load_register

    try:
        load_register(root)  # read only when an edition is issued or verified: checked here
    except ContentError as exc:
        problems += exc.problems
    if problems:
        raise ContentError(problems)
    return warnings


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
    # has work for every LibreOffice: they start before the inputs are even digested; so
    # do they for a selection of many documents. Any other build starts one once it knows
    # it has work, and the others once it knows it has enough documents for them.
    everything = whole and (force or not state.records)
    with contextlib.ExitStack() as closing:
        if everything:
            converter_or_problem = _start_converter(options, jobs, jobs, closing)
        inputs = inputs_digest(root, TRACKED, vcs.head(root), {"pdf": pdf}) if whole else None
        if not everything:
            unchanged = _unchanged(out, state, inputs, started) if whole else None
            if unchanged is not None:
                return unchanged
            converter_or_problem = _start_converter(options, jobs, _first_workers(options, jobs),
                                                    closing)
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


def _first_workers(options: BuildOptions, jobs: int) -> int:
    """LibreOffice workers to start before the build knows its work: one, or all of them
    for a selection of enough documents to keep them all busy."""
    from .convert import SMALL_RUN

    return jobs if options.select is not None and len(options.select) >= SMALL_RUN else 1


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
    _, folders, warnings = load_and_plan(root, options.strict, out / CACHE / "parsed")
    if select is not None:
        from .documents import FolderPlan

        folders = [FolderPlan(f.folder, [d for d in f.documents if d.document_id in select])
                   for f in folders]
        folders = [f for f in folders if f.documents]
    out.mkdir(parents=True, exist_ok=True)
    fingerprints, work, clean_commit = decide(root, out, folders, state, options.revision,
                                               pdf=pdf, force=options.force,
                                               whole=select is None)
    report = BuildReport(warnings=warnings)
    report.draft = sum(1 for item in work.values() if item.revision.draft)
    report.documents = Counter(d.kind for f in folders for d in f.documents)
    changed = [f for f in folders if any(work[d.document_id].action != Action.SKIP
                                         for d in f.documents)]
    to_build = [work[d.document_id] for f in changed for d in f.documents
                if work[d.document_id].action == Action.BUILD]
    renderer = renderer_of(root) if to_build else None
    loaded()
    with work_folders(out, len(to_build)) as (staging, scratch):
        rendered: dict[str, Path] = {}
        selections: dict[str, Selection] = {}
        renders = recorded(render_all(renderer, to_build, scratch / "render", jobs,
                                        progress), rendered, selections)
        pdfs: dict[str, Path] = {}
        early = EarlyAssembly(changed, out, work, rendered, staging / "out",
                              bundle=select is None)
        if isinstance(converter, str):
            list(renders)
            report.pdf_skipped = converter if pdf and to_build else None
        elif to_build:
            pdfs, failures = convert_all(
                renders, {item.document.key: item for item in to_build}, scratch / "pdf",
                converter, progress, jobs, early.converted)
            converter.release()  # LibreOffice quits while the other folders are assembled
            report.failed = [(f.key, f.reason) for f in failures]
        unconverted = {key for key, _ in report.failed}
        early.assemble_rest(pdfs, unconverted)
        for folder in changed:
            replace_folder(staging / "out" / folder.folder, out / folder.folder)
            for document in folder.documents:
                item = work[document.document_id]
                if document.key in unconverted:
                    state.forget(document.document_id)
                    continue
                if item.action == Action.BUILD:
                    made_from(item, selections[document.key], fingerprints)
                if item.action != Action.SKIP:
                    state.remember(document, item.render, item.revision.commit,
                                   out / folder.folder, item.selection)
        if clean_commit is not None and not report.failed:
            save_committed(out, clean_commit, {
                document_id: [state.records[document_id].selection, item.fingerprint]
                for document_id, item in work.items() if document_id in state.records})
        if select is None:
            report.removed = remove_unplanned(out, {folder.folder for folder in folders})
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
