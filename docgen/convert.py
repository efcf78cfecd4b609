"""DOCX → PDF with LibreOffice: a pool of persistent workers, remote unoserver, or a batch.

- `LocalPool`: one LibreOffice per worker (one per core by default), each with its own
  profile, started once per run and fed documents through a small UNO worker script run
  by the system Python. A conversion that hangs past its timeout is killed, the worker
  restarted and the document retried once.
- `RemotePool`: unoserver instances on other machines (`unoserver://host:port,…`).
- `BatchConverter`: one `soffice --convert-to` process for all documents, where the
  system Python has no uno module.
"""

from __future__ import annotations

import json
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from xml.sax.saxutils import escape

from .errors import ConversionError, LibreOfficeMissing, os_reason
from .office_names import (
    PROFILE_BUILD_ID,
    PROFILE_SETTINGS,
    SETTINGS_END,
    single_instance_pipe,
    uno_pipe,
)
from .places import owned, scratch_folder, scratch_root, user_cache

INSTALL_HINT = ("установите LibreOffice: sudo apt-get install libreoffice-writer-nogui "
                "fonts-liberation2 python3-uno (или выполните make documents от root)")
# PDF/A-2b (fonts embedded, colour profile, XMP), and Word bookmarks kept as named
# destinations, so that the place to sign is known; each converter hands these options
# to LibreOffice's PDF export in its own form.
PDF_EXPORT: dict[str, int | bool] = {"SelectPdfVersion": 2, "ExportBookmarksToPDFDestination": True}
WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")
SYSTEM_PYTHON = "/usr/bin/python3"
STARTUP_TIMEOUT = 90.0
QUIT_TIMEOUT = 5.0  # LibreOffice quits in a tenth of a second; then it is killed
STOPPED = "LibreOffice остановлен"  # the run is ending: Ctrl-C, or a failure elsewhere
SMALL_RUN = 12  # fewer documents convert faster on one LibreOffice than wait for a second


@dataclass(frozen=True)
class Job:
    """One document to convert."""

    key: str
    source: Path
    target: Path


@dataclass(frozen=True)
class Failure:
    """A document that could not be converted, and why."""

    key: str
    reason: str


Progress = Callable[[Job], None]


class Converter(Protocol):
    """Something that turns DOCX files into PDF files."""

    def prestart(self, count: int = 1) -> None:
        """Begin starting LibreOffice in the background, before the documents are ready."""

    def convert(self, jobs: Iterable[Job], progress: Progress,
                expected: int | None = None) -> list[Failure]:
        """Convert jobs as `jobs` yields them (`expected` of them, by default all of a
        list); return the ones that failed after their retry."""

    def release(self) -> None:
        """No more documents will come: let LibreOffice quit while the run goes on."""

    def close(self) -> None:
        """Stop whatever the converter started."""


def _option_text(value: int | bool) -> str:
    """An export option's value as LibreOffice reads it in text: «2», «true»."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _batch_filter() -> str:
    """The --convert-to argument that exports PDF with PDF_EXPORT."""
    typed = {name: {"type": "boolean" if isinstance(value, bool) else "long",
                    "value": _option_text(value)} for name, value in PDF_EXPORT.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(typed, separators=(",", ":"))


def find_soffice(explicit: str | None = None) -> str:
    """Path of the LibreOffice binary: `explicit`, $DOCGEN_SOFFICE, or soffice on PATH."""
    candidate = explicit or os.environ.get("DOCGEN_SOFFICE")
    found = shutil.which(candidate) if candidate else (
        shutil.which("soffice") or shutil.which("libreoffice"))
    if found is None:
        raise LibreOfficeMissing(f"LibreOffice не найден; {INSTALL_HINT}")
    return found


def system_python_has_uno() -> bool:
    """Whether the system Python can run the UNO worker."""
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True,
                          check=False).returncode == 0


def open_converter(spec: str | None, *, soffice: str | None = None, workers: int = 0,
                   timeout: float = 60.0) -> Converter:
    """The converter `spec` names: None (a local pool, or a batch without uno),
    «batch», or «unoserver://host:port[,host:port…]»."""
    if spec and spec.startswith("unoserver://"):
        addresses = [item.rsplit(":", 1) for item in spec.removeprefix("unoserver://").split(",")]
        return RemotePool([(host, int(port)) for host, port in addresses], timeout)
    binary = find_soffice(soffice)
    profiles = ProfileCache(user_cache(), binary)
    # A kept profile was left by a run that started a worker here; only without one is
    # the system Python asked for uno, which takes 40 ms before LibreOffice can start.
    kept = profiles.ready()
    if spec == "batch" or not (kept or system_python_has_uno()):
        return BatchConverter(binary, timeout)
    if spec not in (None, "pool"):
        raise ConversionError(f"неизвестный конвертер «{spec}»: pool, batch или "
                              "unoserver://адрес:порт")
    if not kept:
        profiles.seed()
    return LocalPool(binary, workers or os.cpu_count() or 1, timeout, profiles=profiles)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill a process and everything it started in its session."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _sockets(worker: int, profile: Path) -> list[Path]:
    """The sockets a worker's LibreOffice makes, which it removes when it quits but not
    when it is killed: its UNO pipe, named by the UNO worker, and its single-instance pipe."""
    return [uno_pipe(f"docgen-{worker}"), single_instance_pipe(profile)]


class _Dispatcher:
    """Jobs handed to worker threads as they arrive; a failed job is retried once.

    Jobs can be submitted while earlier ones convert, so that LibreOffice starts on the
    first document while the others are still being rendered.
    """

    def __init__(self, workers: int, work: Callable[[int, Job], str | None], progress: Progress,
                 ready: Callable[[int], None] = lambda worker: None):
        self.pending: queue.Queue[tuple[Job, int] | None] = queue.Queue()
        self.work, self.progress, self.ready = work, progress, ready
        self.failures: list[Failure] = []
        self.lock = threading.Lock()
        self.cancelled = False
        self.threads = [threading.Thread(target=self._loop, args=(index,), daemon=True)
                        for index in range(workers)]
        for thread in self.threads:
            thread.start()

    def submit(self, job: Job) -> None:
        self.pending.put((job, 1))

    def _loop(self, worker: int) -> None:
        self.ready(worker)  # a worker still starting takes no job that another could do
        while (item := self.pending.get()) is not None:
            job, attempt = item
            error = self.work(worker, job)
            if self.cancelled:  # the run is stopping: its results go nowhere
                self.pending.task_done()
                continue
            if error is not None and attempt == 1:
                self.pending.put((job, 2))
            else:
                if error is not None:
                    with self.lock:
                        self.failures.append(Failure(job.key, error))
                self.progress(job)
            self.pending.task_done()
        self.pending.task_done()

    def finish(self) -> list[Failure]:
        """Wait for every submitted job (retries included); return the failures."""
        self.pending.join()
        return self._stop()

    def cancel(self) -> None:
        """Drop the jobs not yet started; the threads end after their current job without
        reporting it, so that a run stopping (Ctrl-C) waits for no conversion."""
        self.cancelled = True
        while True:
            try:
                self.pending.get_nowait()
                self.pending.task_done()
            except queue.Empty:
                break
        for _ in self.threads:
            self.pending.put(None)

    def _stop(self) -> list[Failure]:
        for _ in self.threads:
            self.pending.put(None)
        for thread in self.threads:
            thread.join()
        return self.failures


def _dispatch(jobs: Iterable[Job], dispatcher: _Dispatcher) -> list[Failure]:
    """Submit jobs as the iterable yields them and wait for them; if anything raises
    (a render's problems, Ctrl-C), cancel the rest and pass it on."""
    try:
        for job in jobs:
            dispatcher.submit(job)
        return dispatcher.finish()
    except BaseException:
        dispatcher.cancel()
        raise


class ProfileCache:
    """A LibreOffice profile that has seen this version, copied for every worker.

    On a new profile LibreOffice runs its graphics self-tests, which take most of its
    one-second start; on a copy of a profile that has seen this version it starts in a
    fifth of a second. Each worker still runs on a profile of its own. The profile is
    kept per installed LibreOffice, in the user's cache, shared by all projects. It is
    seeded from the installation's own files, or else kept from a LibreOffice's first start.
    """

    # Written at LibreOffice's first start: its settings (with the version it has seen,
    # which the UNO worker writes out at once), and the build its extensions were
    # registered for; without the latter it restarts once.
    SETTINGS = PROFILE_SETTINGS
    BUILD_ID = PROFILE_BUILD_ID
    STAGED = ".profile-"  # a copy being made, next to the kept profile
    STALE = 600.0  # seconds: a copy takes well under one; an older one was cut off

    def __init__(self, folder: Path, soffice: str):
        binary = Path(soffice).resolve()
        self.program = binary.parent  # LibreOffice's program folder, with its versionrc
        installed = int(binary.stat().st_mtime)  # a new LibreOffice, a new profile
        self.path = folder / f"libreoffice-profile-{installed}"

    def ready(self) -> bool:
        """Whether a complete profile is kept; an incomplete one is used by no worker and
        replaced by the next one kept."""
        return self.complete(self.path)

    @classmethod
    def complete(cls, profile: Path) -> bool:
        """Whether `profile` has LibreOffice's build id and its whole settings file (a copy
        taken while LibreOffice rewrote it would lack its end)."""
        try:
            settings = (profile / cls.SETTINGS).read_bytes()
        except OSError:
            return False
        return (profile / cls.BUILD_ID).is_file() and settings.rstrip().endswith(SETTINGS_END)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def seed(self) -> None:
        """Keep a profile of the two files LibreOffice writes at its first start, taken
        from its installation: the version it has seen and its build; best effort."""
        try:
            versionrc = (self.program / "versionrc").read_text(encoding="utf-8")
            registry = (self.program.parent / "share/registry/main.xcd").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # not the layout this knows: kept at first start
            return
        build = re.search(r"^buildid=(.+)$", versionrc, re.MULTILINE)
        version = re.search(r'oor:name="ooSetupVersion">\s*<value>([^<]+)</value>', registry)
        if build is None or version is None:
            return
        settings = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry">\n'
            '<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion"'
            f' oor:op="fuse"><value>{escape(version[1])}</value></prop></item>\n'
            '</oor:items>\n')

        def write(staged: Path) -> None:
            (staged / self.BUILD_ID).parent.mkdir(parents=True)
            (staged / self.BUILD_ID).write_text(build[1].strip(), encoding="utf-8")
            (staged / self.SETTINGS).write_text(settings, encoding="utf-8")

        self._install(write)

    def keep(self, profile: Path) -> None:
        """Keep a copy of `profile`, of a LibreOffice that is up, unless a complete one is
        kept already (another run may be copying it); best effort."""
        if self.ready() or not self.complete(profile):
            return
        self._install(lambda staged: shutil.copytree(
            profile, staged, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".lock", "*.log")))

    def _install(self, fill: Callable[[Path], object]) -> None:
        """Fill a new folder and make it the kept profile, unless it is incomplete or
        another run kept one meanwhile; best effort."""
        self._sweep()
        staged = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            staged = Path(tempfile.mkdtemp(prefix=self.STAGED, dir=self.path.parent))
            fill(staged)
            if self.complete(staged) and not self.ready():  # no other run kept one meanwhile
                self.discard()  # an incomplete one
                os.replace(staged, self.path)
        except OSError:  # another run kept one first, or the disk is full: no cache
            pass
        finally:
            if staged is not None:
                shutil.rmtree(staged, ignore_errors=True)

    def _sweep(self) -> None:
        """Remove the copies that runs ended in the middle of (Ctrl-C, a kill) left."""
        cutoff = time.time() - self.STALE
        for staged in self.path.parent.glob(self.STAGED + "*"):
            try:
                stale = staged.stat().st_mtime < cutoff
            except OSError:  # another run removed it meanwhile
                continue
            if stale:
                shutil.rmtree(staged, ignore_errors=True)


class _Worker:
    """One LibreOffice with its UNO worker script, talking JSON lines over pipes."""

    def __init__(self, command: list[str], soffice: str, profiles: ProfileCache | None = None):
        self.command = command
        self.soffice = soffice
        self.profiles = profiles
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None  # in scratch space: the profile and temporary files
        self.profile: Path | None = None
        self.buffer = b""
        self.lock = threading.Lock()  # start and stop may run on different threads
        self.up = threading.Event()  # its profile can be copied, or its start is over
        self.closed = False

    def start(self) -> None:
        """Start LibreOffice; if it fails on a kept profile, that profile is dropped and
        LibreOffice starts once more on a new one, which is kept as soon as it is up."""
        kept = self.profiles is not None and self.profiles.ready()
        try:
            failure = self._launch(kept)
            if failure and kept and self.profiles is not None:
                self.profiles.discard()
                failure = self._launch(False)
        finally:
            self.up.set()
        if failure:
            raise ConversionError(failure)

    def _launch(self, kept: bool) -> str | None:
        """Start the worker and wait until it is ready; None, or why it did not start."""
        with self.lock:
            if self.closed:
                raise ConversionError(STOPPED)
            # its profile and its temporary files, which a killed LibreOffice leaves
            self.folder = scratch_folder("docgen-lo-")
            self.profile, temporary = self.folder / "profile", self.folder / "tmp"
            temporary.mkdir()
            # the worker copies a kept profile itself: a copy here would wait on the
            # interpreter lock while this process loads the content
            origin = [str(self.profiles.path)] if kept and self.profiles is not None else []
            # held here: stop() on another thread may clear self.process at any moment
            process = self.process = subprocess.Popen(
                [*self.command, self.soffice, self.profile.as_uri(), json.dumps(PDF_EXPORT),
                 *origin],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                start_new_session=True, env=dict(os.environ, TMPDIR=str(temporary),
                                                 DOCGEN_PID=str(os.getpid())))
            self.buffer = b""
        answer = self._answer(process, STARTUP_TIMEOUT)
        if answer is not None and answer.get("up"):  # LibreOffice answers, before its warm-up
            self._keep_profile(kept)
            answer = self._answer(process, STARTUP_TIMEOUT)
        if answer is not None and answer.get("ready"):
            self._keep_profile(kept)
            return None
        self._kill()
        if self.closed:
            raise ConversionError(STOPPED)
        if answer is None:
            return f"LibreOffice не запустился за {STARTUP_TIMEOUT:.0f} с"
        return str(answer.get("error"))

    def _keep_profile(self, kept: bool) -> None:
        """Keep the profile of a LibreOffice that is up, unless it started on a kept one;
        once a profile is kept, the workers waiting for it may start on copies."""
        with self.lock:
            profile = self.profile
        if not kept and self.profiles is not None and profile is not None:
            self.profiles.keep(profile)
        if self.profiles is None or self.profiles.ready():
            self.up.set()

    def convert(self, job: Job, timeout: float) -> str | None:
        """None on success, else the reason; a hang kills and restarts the worker."""
        process = self.process
        if process is None:
            self.start()
            process = self.process
        if process is None:  # stopped on another thread meanwhile
            raise ConversionError(STOPPED)
        assert process.stdin is not None
        request = {"source": str(job.source.resolve()), "target": str(job.target.resolve())}
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            process.stdin.flush()
        except BrokenPipeError:
            self.restart()
            return "LibreOffice завершился"
        answer = self._answer(process, timeout)
        if answer is None:
            self.restart()
            return (f"LibreOffice не ответил за {timeout:.0f} с; если документ просто велик, "
                    f"увеличьте время: docgen build --timeout {max(timeout * 4, 120):.0f}")
        return None if answer.get("ok") else str(answer.get("error"))

    def _answer(self, process: subprocess.Popen[bytes],
                timeout: float) -> dict[str, object] | None:
        """The next JSON line of `process`, or None if it ends or is silent for `timeout`
        seconds."""
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        descriptor = process.stdout.fileno()
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0 or not select.select([descriptor], [], [], remaining)[0]:
                    return None
                chunk = os.read(descriptor, 65536)
            except OSError:
                return None
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def restart(self) -> None:
        self._kill()
        self.start()

    def quit(self) -> None:
        """Ask LibreOffice to quit once it is idle; it then removes its temporary files and
        sockets itself, which a killed one leaves behind."""
        with self.lock:
            process = self.process
        if process is not None and process.stdin is not None:
            try:
                process.stdin.close()  # the worker ends LibreOffice at the end of its input
            except OSError:
                pass

    def stop(self, grace: float = 0.0) -> None:
        """Stop for good, killing LibreOffice if it has not quit within `grace` seconds; a
        start still under way on another thread will not begin."""
        with self.lock:
            self.closed = True
            process = self.process
        if process is not None and grace:
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        self._kill()

    def _kill(self) -> None:
        with self.lock:
            process, profile, folder = self.process, self.profile, self.folder
            self.process = self.profile = self.folder = None
        if process is not None:
            _kill_group(process)
            if profile is not None:  # a LibreOffice that quit has removed them already
                for socket in _sockets(process.pid, profile):
                    socket.unlink(missing_ok=True)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


class LocalPool:
    """Persistent LibreOffice workers on this machine, one per core by default."""

    def __init__(self, soffice: str, workers: int, timeout: float,
                 command: list[str] | None = None, profiles: ProfileCache | None = None):
        self.timeout = timeout
        command = command or [SYSTEM_PYTHON, str(WORKER_SCRIPT)]
        self.workers = [_Worker(command, soffice, profiles) for _ in range(workers)]
        self.starting: list[threading.Thread] = []
        self.released = False

    def prestart(self, count: int = 1) -> None:
        """Start `count` more workers in the background: LibreOffice's start is slow.

        A build starts them before it knows its work: all of them when it makes
        everything, else one, so that a small edit waits for one LibreOffice only; the
        others start when there are enough documents for them.
        """
        def start(worker: _Worker, first: _Worker | None) -> None:
            # Without a kept profile, the first LibreOffice keeps its own as soon as it is
            # up, and the others wait to start on copies of it: on new profiles they would
            # run their self-tests too, slowing the first one down.
            if first is not None and worker.profiles is not None and not worker.profiles.ready():
                first.up.wait()
            try:
                worker.start()
            except ConversionError:
                pass  # its first document finds it down, starts it again or reports it

        for worker in self.workers[len(self.starting):len(self.starting) + count]:
            first = self.workers[0] if self.starting else None
            thread = threading.Thread(target=start, args=(worker, first), daemon=True)
            thread.start()
            self.starting.append(thread)

    def convert(self, jobs: Iterable[Job], progress: Progress,
                expected: int | None = None) -> list[Failure]:
        if expected is None:  # not told how many will come: take them all first
            jobs = list(jobs)
            expected = len(jobs)
        if not expected:
            return []
        wanted = 1 if expected < SMALL_RUN else len(self.workers)
        self.prestart(max(0, wanted - len(self.starting)))

        def work(index: int, job: Job) -> str | None:
            try:
                return self.workers[index].convert(job, self.timeout)
            except ConversionError as exc:
                return str(exc)

        def ready(index: int) -> None:  # each worker joins in as soon as it is up
            self.starting[index].join()

        return _dispatch(jobs, _Dispatcher(len(self.starting), work, progress, ready))

    def release(self) -> None:
        """No more documents: LibreOffice quits while the run finishes its work."""
        self.released = True
        for worker in self.workers:
            worker.quit()

    def close(self) -> None:
        """Wait for released workers to quit (for QUIT_TIMEOUT at most), kill the others."""
        for worker in self.workers:
            worker.stop(QUIT_TIMEOUT if self.released else 0.0)


class RemotePool:
    """unoserver instances, possibly on other machines; documents travel as bytes."""

    def __init__(self, addresses: list[tuple[str, int]], timeout: float):
        self.addresses = addresses
        self.timeout = timeout
        self.options = {name: _option_text(value) for name, value in PDF_EXPORT.items()}

    def _convert(self, index: int, job: Job) -> str | None:
        from . import unoserver

        host, port = self.addresses[index]
        try:
            pdf = unoserver.convert(host, port, job.source.read_bytes(), self.options,
                                    self.timeout)
        except OSError as exc:
            return f"сервер unoserver {host}:{port}: {os_reason(exc)}"
        except unoserver.ERRORS:
            return f"сервер unoserver {host}:{port} не смог преобразовать документ"
        job.target.write_bytes(pdf)
        return None

    def prestart(self, count: int = 1) -> None:
        """Remote servers are already running."""

    def convert(self, jobs: Iterable[Job], progress: Progress,
                expected: int | None = None) -> list[Failure]:
        return _dispatch(jobs, _Dispatcher(len(self.addresses), self._convert, progress))

    def release(self) -> None:
        """Nothing to let go."""

    def close(self) -> None:
        """Remote servers outlive the run."""


class BatchConverter:
    """One `soffice --convert-to` process for all documents of a run."""

    def __init__(self, soffice: str, timeout: float):
        self.soffice = soffice
        self.timeout = timeout

    def prestart(self, count: int = 1) -> None:
        """A batch starts LibreOffice when it has all its documents."""

    def convert(self, jobs: Iterable[Job], progress: Progress,
                expected: int | None = None) -> list[Failure]:
        jobs = list(jobs)  # a batch starts when it has all its documents
        if not jobs:
            return []
        outdir = scratch_folder("docgen-batch-", len(jobs))
        try:
            self._run([job.source for job in jobs], outdir,
                      self.timeout * max(1, len(jobs) // 10))
            failures = []
            for job in jobs:
                made = outdir / f"{job.source.stem}.pdf"
                if made.is_file():
                    shutil.move(made, job.target)
                else:
                    failures.append(Failure(job.key, "LibreOffice не создал PDF"))
                progress(job)
            return failures
        finally:
            shutil.rmtree(outdir, ignore_errors=True)

    def _run(self, documents: list[Path], outdir: Path, timeout: float) -> None:
        with tempfile.TemporaryDirectory(prefix=owned("docgen-lo-"), dir=scratch_root()) as folder:
            profile, temporary = Path(folder) / "profile", Path(folder) / "tmp"
            temporary.mkdir()
            command = [
                self.soffice, f"-env:UserInstallation={profile.as_uri()}",
                "--headless", "--invisible", "--nodefault", "--nolockcheck", "--nologo",
                "--norestore", "--convert-to", _batch_filter(), "--outdir", str(outdir),
                *map(str, documents)]
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True,
                                       env=dict(os.environ, TMPDIR=str(temporary)))
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise ConversionError(
                    f"LibreOffice не завершил преобразование в PDF за {timeout:.0f} с; если "
                    "документы просто велики, увеличьте время: docgen build --timeout "
                    f"{max(timeout * 4, 120):.0f}") from None
            finally:
                _kill_group(process)

    def release(self) -> None:
        """Nothing to let go."""

    def close(self) -> None:
        """Nothing outlives a batch."""
