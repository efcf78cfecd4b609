"""Rendering and conversion run concurrently: DOCX rendered on every core, each PDF
converted as soon as its DOCX is written, and stamped on a thread of its own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .decisions import Work
from .documents import ProgressCallback
from .errors import ContentError, Problem
from .folders import TEMPLATES
from .incremental import Selection
from .places import user_cache

if TYPE_CHECKING:
    from .batches import Member
    from .convert import Converter, Failure, Job
    from .render import Renderer


PARALLEL_FROM = 100  # below this, this process renders faster than LibreOffice converts


_RENDER: dict[str, Any] = {}


def renderer_of(root: Path) -> Renderer:
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

    item: Work = _RENDER["work"][index]
    document = item.document
    try:
        with READS.open() as reads:
            rendered = _RENDER["renderer"].render(document.template, document.context)
    except ContentError as exc:
        return document.key, exc.problems, None
    stamp_docx(rendered, document.properties, item.revision)
    save_docx(rendered, _RENDER["target"] / f"{document.key}.docx")
    return document.key, None, select(document.context, reads)


def render_all(renderer: Renderer | None, work: list[Work], target: Path, jobs: int,
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


def recorded(renders: Iterable[tuple[str, Path, Selection]], files: dict[str, Path],
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


class _Batches:
    """Jobs for LibreOffice: a document alone, or documents of one template joined into a
    batch (see batches.py) once all its members are rendered."""

    def __init__(self, templates: dict[str, str], workers: int, target: Path):
        from .batches import sizes

        self.templates = templates
        self.target = target
        counts = Counter(templates.values())
        self.plans = {template: sizes(count, workers) for template, count in counts.items()
                      if count >= 2}
        self.waiting: dict[str, list[Member]] = {}
        self.members: dict[str, list[Member]] = {}  # a batch's key → its members

    def jobs(self, key: str, source: Path) -> list[Job]:
        """What to convert now that `key` is rendered: itself, a full batch, or nothing yet."""
        from .batches import Member, join
        from .convert import Job

        member = Member(key, source, self.target / f"{key}.pdf")
        template = self.templates.get(key, "")
        plan = self.plans.get(template)
        if not plan:
            return [Job(key, source, member.pdf)]
        waiting = self.waiting.setdefault(template, [])
        waiting.append(member)
        if len(waiting) < plan[0]:
            return []
        plan.pop(0)
        self.waiting[template] = []
        batch = f"batch-{len(self.members) + 1}"
        joined = self.target / f"{batch}.docx"
        try:
            join(waiting, joined)
        except Exception:  # noqa: BLE001 — whatever keeps them apart, each converts alone
            return [Job(m.key, m.docx, m.pdf) for m in waiting]
        self.members[batch] = waiting
        return [Job(batch, joined, self.target / f"{batch}.pdf")]


def convert_all(renders: Iterable[tuple[str, Path]], works: dict[str, Work], target: Path,
                converter: Converter, progress: ProgressCallback | None,
                workers: int = 1, converted_one: Callable[[str, Path], None] | None = None,
                ) -> tuple[dict[str, Path], list[Failure]]:
    """Convert files as they are rendered and stamp each PDF as it comes, telling
    `converted_one` of each on the stamping thread; failures are named.

    Documents of one template are converted in batches, split back into one PDF each; a
    batch that fails is converted again member by member, so that only a member that fails
    alone is named. Stamping runs on a thread of its own, so that LibreOffice never waits
    for it.
    """
    from .batches import NotJoinable, split
    from .convert import Failure, Job
    from .stamp import finalize_pdf, finish_pdf

    target.mkdir(parents=True)
    expected = len(works)
    batches = _Batches({key: work.document.template for key, work in works.items()}, workers,
                       target)
    converted: dict[str, Path] = {}
    stamp_failures: list[Failure] = []
    again: list[Member] = []  # members of batches that failed, to convert one by one
    done = [0]

    def counted() -> None:
        done[0] += 1
        if progress is not None:
            progress("convert", done[0], expected)

    def stamp_one(key: str, pdf: Path) -> None:
        work = works[key]
        try:
            finalize_pdf(pdf, work.document.properties, work.revision)
        except Exception as exc:  # a PDF LibreOffice wrote but that cannot be read back
            pdf.unlink()
            stamp_failures.append(Failure(key, "LibreOffice записал PDF, который не "
                                               f"читается ({type(exc).__name__})"))
        else:
            made(key, pdf)
        counted()

    def made(key: str, pdf: Path) -> None:
        converted[key] = pdf
        if converted_one is not None:
            converted_one(key, pdf)

    def finish(member: Member, own: Any, version: str) -> None:
        work = works[member.key]
        finish_pdf(own, member.pdf, work.document.properties, work.revision, version)

    def stamp(job: Job) -> None:
        members = batches.members.get(job.key)
        if members is None:
            if job.target.exists():
                stamp_one(job.key, job.target)
            else:
                counted()
            return
        try:
            if not job.target.exists():
                raise NotJoinable("пакет не преобразован")
            split(job.target, members, finish)
        except Exception:  # a batch that fails in any way is redone member by member
            again.extend(members)
            return
        finally:
            give_back_memory()  # the joined PDF's objects: freed, kept by the C library
        for member in members:
            made(member.key, member.pdf)
            counted()

    jobs = (job for key, source in renders for job in batches.jobs(key, source))
    with ThreadPoolExecutor(1) as stamper:
        def stamp_later(job: Job) -> None:
            stamper.submit(stamp, job)

        failures = converter.convert(jobs, stamp_later, expected)
    failures = [failure for failure in failures if failure.key not in batches.members]
    if again:
        with ThreadPoolExecutor(1) as stamper:
            failures += converter.convert([Job(m.key, m.docx, m.pdf) for m in again],
                                          stamp_later, len(again))
    give_back_memory()  # what joining, splitting and stamping freed, before folders are made
    failed = {failure.key for failure in failures} | {f.key for f in stamp_failures}
    return {key: path for key, path in converted.items() if key not in failed}, \
        failures + stamp_failures


def give_back_memory() -> None:
    """Return freed memory to the system. glibc keeps freed memory below a block still in
    use: after each batch is split (the joined PDF's objects) and after the conversion
    (about 10 MB in a region of 500 schools, on top of which the folders are then
    assembled) that was the build's peak. Nothing happens where the C library has no
    malloc_trim."""
    import ctypes

    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # the C library Python runs on
    if trim is not None:
        trim(0)
