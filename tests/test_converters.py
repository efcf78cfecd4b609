"""LibreOffice workers: pools, hangs, failures, remote unoserver, nothing left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
import weakref
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, git_project
from lxml import etree
from pypdf import PdfReader

import docgen
import docgen.build as build_module
from docgen import cli, uno_worker
from docgen.cli import main
from docgen.convert import (
    SYSTEM_PYTHON,
    BatchConverter,
    Job,
    LocalPool,
    ProfileCache,
    find_soffice,
    open_converter,
)
from docgen.errors import ConversionError
from docgen.office_names import PROFILE_SETTINGS, SETTINGS_END

TESTS = Path(__file__).parent
STARTUP = 90  # seconds a LibreOffice may take to start on a new profile here


WHOLE_SETTINGS = '<oor:items xmlns:oor="http://openoffice.org/2001/registry">\n</oor:items>\n'


def _kept_profile(profiles: ProfileCache, settings: str = WHOLE_SETTINGS) -> None:
    """A kept profile made of the files ProfileCache looks at: build id and settings."""
    (profiles.path / ProfileCache.BUILD_ID).parent.mkdir(parents=True, exist_ok=True)
    (profiles.path / ProfileCache.BUILD_ID).write_text("1", encoding="utf-8")
    (profiles.path / ProfileCache.SETTINGS).write_text(settings, encoding="utf-8")


def _soffice_processes(pattern: str = "docgen-lo-") -> list[str]:
    found = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True,
                           check=False).stdout
    return [line for line in found.splitlines() if "pgrep" not in line]


def _libreoffice_left() -> list[str]:
    """The LibreOffice processes still there a second after a run: a killed process may
    take a moment to go, one left behind stays."""
    deadline = time.monotonic() + 1
    while (left := _soffice_processes()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@contextlib.contextmanager
def _started(profiles: ProfileCache, workers: int = 1,
             command: list[str] | None = None) -> Iterator[LocalPool]:
    """A pool with all its LibreOffice workers up; closed after, leaving none behind."""
    pool = LocalPool(find_soffice(), workers=workers, timeout=60, command=command,
                     profiles=profiles)
    try:
        pool.prestart(workers)
        for thread in pool.starting:
            thread.join()
        yield pool
    finally:
        pool.release()
        pool.close()
    assert _libreoffice_left() == []


def _jobs(built_root: Path, folder: Path, names: list[str]) -> list[Job]:
    source = built_root / "orders/2022-685/order.docx"
    jobs = []
    for name in names:
        docx = folder / f"{name}.docx"
        if name.startswith("broken"):
            docx.write_bytes(source.read_bytes()[:2000])  # a zip cut short
        else:
            shutil.copyfile(source, docx)
        jobs.append(Job(name, docx, folder / f"{name}.pdf"))
    return jobs


def test_a_hanging_conversion_is_killed_restarted_and_retried(
        built_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "hung-once"
    monkeypatch.setenv("HANG_MARKER", str(marker))
    monkeypatch.setenv("DOCGEN_PACKAGE", str(Path(docgen.__file__).parent))
    jobs = _jobs(built_root, tmp_path, ["first", "hang", "broken", "last"])
    pool = LocalPool(find_soffice(), workers=2, timeout=8,
                     command=[SYSTEM_PYTHON, str(TESTS / "hanging_worker.py")])
    done: list[str] = []
    started = time.monotonic()
    try:
        failures = pool.convert(jobs, lambda job: done.append(job.key))
    finally:
        pool.close()
    assert marker.exists()                                   # it did hang
    assert time.monotonic() - started < 120
    assert [(f.key, f.reason) for f in failures] == [
        ("broken", "LibreOffice не смог открыть документ")]    # named, after its retry
    assert sorted(done) == ["broken", "first", "hang", "last"]
    for name in ("first", "hang", "last"):
        assert len(PdfReader(tmp_path / f"{name}.pdf").pages) >= 2
    assert not (tmp_path / "broken.pdf").exists()
    assert _libreoffice_left() == []


def test_a_python_without_uno_is_named_for_each_document(
        built_root: Path, tmp_path: Path) -> None:
    from docgen.convert import WORKER_SCRIPT

    jobs = _jobs(built_root, tmp_path, ["first", "second"])
    pool = LocalPool(find_soffice(), workers=1, timeout=60,
                     command=[sys.executable, str(WORKER_SCRIPT)])  # docgen's venv: no uno
    try:
        failures = pool.convert(jobs, lambda job: None)
    finally:
        pool.close()
    assert [(f.key, f.reason) for f in failures] == [
        (name, "в системном Python нет модуля uno: sudo apt-get install python3-uno")
        for name in ("first", "second")]
    assert _libreoffice_left() == []


def test_one_worker_per_core_by_default(project: Path) -> None:
    converter = open_converter(None, workers=os.cpu_count() or 1)
    try:
        assert isinstance(converter, LocalPool)
        assert len(converter.workers) == (os.cpu_count() or 1)
    finally:
        converter.close()


def _sockets() -> set[Path]:
    return set(Path("/tmp").glob("OSL_PIPE_*"))


def test_ctrl_c_leaves_no_libreoffice_behind(tmp_path: Path) -> None:
    project = git_project(tmp_path / "repo")
    sockets = _sockets()
    process = subprocess.Popen([sys.executable, "-m", "docgen", "-C", str(project), "build"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Ctrl-C once LibreOffice is up and the documents are being made: earlier, while the
    # libraries load, Python itself may lose it (C code such as PyObject_HasAttr clears it)
    deadline = time.monotonic() + 60
    while not (len(_sockets() - sockets) >= 2 and any((project / "build").glob(".staging-*"))):
        if time.monotonic() > deadline or process.poll() is not None:
            break
        time.sleep(0.01)
    assert _soffice_processes(), "LibreOffice never started"
    assert _sockets() - sockets, "LibreOffice made no sockets"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Прервано. Документы не изменены." in err and "Traceback" not in err
    assert _libreoffice_left() == []
    assert _sockets() - sockets == set()  # the killed LibreOffice's sockets removed too
    assert not [p for p in (project / "build").glob(".staging-*")]


def test_ctrl_c_that_lands_in_a_callback_comes_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "unraisablehook", cli._deliver_lost_interrupt)

    class Imported:
        """Stands for an import's lock, which a weak reference's callback forgets."""

    lock = Imported()
    reference = weakref.ref(lock, lambda _: signal.raise_signal(signal.SIGINT))
    with pytest.raises(KeyboardInterrupt):
        del lock  # Ctrl-C in the callback: Python cannot raise it there
        time.sleep(10)  # it comes again here
    assert reference() is None


class _StopAfterLaunch:
    """A worker's lock that stops the worker the moment its launch lets go of the lock, as
    Ctrl-C on the main thread may while the worker starts on another."""

    def __init__(self, pool: LocalPool) -> None:
        self.lock = threading.Lock()
        self.worker = pool.workers[0]
        self.armed = True

    def __enter__(self) -> None:
        self.lock.acquire()

    def __exit__(self, *_: object) -> None:
        self.lock.release()
        if self.armed and self.worker.process is not None:
            self.armed = False
            self.worker.stop()


def test_a_worker_stopped_as_it_launches_says_so_and_leaves_nothing() -> None:
    pool = LocalPool(find_soffice(), workers=1, timeout=8,
                     command=[sys.executable, "-c", "import time; time.sleep(60)"])
    worker = pool.workers[0]
    worker.lock = _StopAfterLaunch(pool)  # type: ignore[assignment]
    with pytest.raises(ConversionError, match="^LibreOffice остановлен$"):
        worker.start()
    assert worker.process is None and worker.folder is None


@pytest.fixture
def unoservers(tmp_path: Path) -> Iterator[str]:
    """Two unoserver instances on loopback, as a regional office would run on other hosts."""
    binary = ROOT / ".venv-uno/bin/unoserver"
    assert binary.exists(), "make test sets up .venv-uno with unoserver"
    servers = []
    ports = [(2203, 2202), (2205, 2204)]
    for index, (port, uno_port) in enumerate(ports):
        servers.append(subprocess.Popen(
            [str(binary), "--port", str(port), "--uno-port", str(uno_port),
             "--user-installation", str(tmp_path / f"unoserver-{index}")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    deadline = time.monotonic() + 90
    for port, _ in ports:
        while True:
            try:
                xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}").info()
                break
            except OSError:
                assert time.monotonic() < deadline, "unoserver did not start"
                time.sleep(0.5)
    yield ",".join(f"127.0.0.1:{port}" for port, _ in ports)
    for server in servers:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def test_conversion_on_remote_unoservers(unoservers: str, tmp_path: Path) -> None:
    project = git_project(tmp_path / "repo")
    result = subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), "build",
                             "--converter", f"unoserver://{unoservers}"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "собрано 26" in result.stdout and "с ошибкой 0" in result.stdout
    pdfs = sorted((project / "build").rglob("*.pdf"))
    assert len(pdfs) == 28
    reader = PdfReader(project / "build/orders/2022-685/order.pdf")
    assert "/OutputIntents" in reader.trailer["/Root"] and "/signature" in reader.named_destinations


def test_a_batch_exports_pdfa_with_the_place_to_sign(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "order.pdf"
    failures = BatchConverter(find_soffice(), timeout=120).convert(
        [Job("order", built / "order.docx", target)], lambda job: None)
    assert failures == []
    reader = PdfReader(target)
    assert "/OutputIntents" in reader.trailer["/Root"] and "/signature" in reader.named_destinations
    assert _libreoffice_left() == []


def test_an_unreachable_unoserver_is_named_for_each_document(tmp_path: Path) -> None:
    project = git_project(tmp_path / "repo")
    result = subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), "build",
                             "--converter", "unoserver://127.0.0.1:9"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("Не удалось преобразовать в PDF") == 26
    assert "unoserver 127.0.0.1:9" in result.stderr


def test_libreoffice_runs_with_jemalloc_and_keeps_a_ready_profile(tmp_path: Path) -> None:
    profiles = ProfileCache(tmp_path / "cache", find_soffice())
    for run in range(2):
        with _started(profiles) as pool:
            profile = pool.workers[0].profile
            assert profile is not None
            # a new profile makes LibreOffice run its first-start graphics tests; a kept one not
            assert (profile / "user/GraphicsRenderTests.log").exists() == (run == 0)
            found = subprocess.run(["pgrep", "-f", f"soffice.bin.*{profile.name}"],
                                   capture_output=True, text=True, check=False).stdout.split()
            maps = Path(f"/proc/{found[0]}/maps").read_text(encoding="utf-8")
            assert "libjemalloc" in maps  # make installs libjemalloc2 with LibreOffice
            assert profiles.ready()  # kept as soon as the first LibreOffice was up
    # the settings LibreOffice wrote back at its first start hold Writer's idle word work
    # turned off: it read them, as it drops settings it does not know
    kept = _settings(profiles.path / "user/registrymodifications.xcu")
    assert kept["/org.openoffice.Setup/Office", "ooSetupInstCompleted"] == "true"  # its own
    for node, name in uno_worker.IDLE_WORD_WORK:
        assert kept[node, name] == "false"


def _settings(path: Path) -> dict[tuple[str, str], str]:
    """A LibreOffice settings file: (node, name) → value."""
    namespace = "{http://openoffice.org/2001/registry}"
    return {(item.get(f"{namespace}path"), prop.get(f"{namespace}name")): prop.findtext("value")
            for item in etree.parse(path).getroot() for prop in item}


def test_a_workers_profile_gets_writers_idle_word_work_turned_off(tmp_path: Path) -> None:
    """In a new profile, and added to the settings of a kept one."""
    # the worker, run without docgen, spells the settings file as office_names does
    assert Path(*uno_worker.SETTINGS) == PROFILE_SETTINGS
    assert uno_worker.NO_SETTINGS.rstrip().endswith(SETTINGS_END.decode())
    kept = tmp_path / "kept/user/registrymodifications.xcu"
    kept.parent.mkdir(parents=True)
    kept.write_text(uno_worker.NO_SETTINGS.replace(
        "</oor:items>", '<item oor:path="/org.openoffice.Setup/Product"><prop oor:name='
        '"ooSetupLastVersion" oor:op="fuse"><value>7.4</value></prop></item>\n</oor:items>'),
        encoding="utf-8")
    for folder in (tmp_path / "new", tmp_path / "kept"):
        uno_worker._no_idle_word_work(str(folder))
        settings = _settings(folder / "user/registrymodifications.xcu")
        assert {key for key, value in settings.items() if value == "false"} == set(
            uno_worker.IDLE_WORD_WORK)
    assert _settings(kept)["/org.openoffice.Setup/Product", "ooSetupLastVersion"] == "7.4"
    assert kept.read_text(encoding="utf-8").endswith("</oor:items>\n")
    cut = tmp_path / "cut/user/registrymodifications.xcu"  # settings it does not know
    cut.parent.mkdir(parents=True)
    cut.write_text("<?xml", encoding="utf-8")
    uno_worker._no_idle_word_work(str(tmp_path / "cut"))
    assert cut.read_text(encoding="utf-8") == "<?xml"  # left as they were


def test_without_a_kept_profile_only_the_first_libreoffice_starts_on_a_new_one(
        tmp_path: Path) -> None:
    profiles = ProfileCache(tmp_path / "cache", find_soffice())
    with _started(profiles, workers=2) as pool:
        first, second = (worker.profile for worker in pool.workers)
        assert first is not None and second is not None
        assert (first / "user/GraphicsRenderTests.log").exists()  # the self-tests, once
        assert not (second / "user/GraphicsRenderTests.log").exists()  # a copy of the first
        assert all(worker.process is not None and worker.process.poll() is None
                   for worker in pool.workers)


def test_the_others_start_once_the_first_profile_is_kept_not_after_its_warm_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warmed_up = tmp_path / "warmed-up"
    monkeypatch.setenv("HOLD_READY", str(warmed_up))
    monkeypatch.setenv("HANG_MARKER", str(tmp_path / "never-hung"))
    monkeypatch.setenv("DOCGEN_PACKAGE", str(Path(docgen.__file__).parent))
    profiles = ProfileCache(tmp_path / "cache", find_soffice())
    pool = LocalPool(find_soffice(), workers=2, timeout=60, profiles=profiles,
                     command=[SYSTEM_PYTHON, str(TESTS / "hanging_worker.py")])
    try:
        pool.prestart(2)
        assert pool.workers[0].up.wait(STARTUP)
        assert profiles.ready()                     # kept while the first still warms up
        deadline = time.monotonic() + STARTUP
        while pool.workers[1].process is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool.workers[1].process is not None  # the second has started on a copy
        assert pool.starting[0].is_alive()          # and the first is not ready yet
        warmed_up.touch()
        for thread in pool.starting:
            thread.join()
        assert all(worker.process is not None for worker in pool.workers)
    finally:
        warmed_up.touch()
        pool.release()
        pool.close()
    assert _libreoffice_left() == []


def test_a_build_seeds_the_profile_so_no_libreoffice_runs_its_first_start(
        built_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a machine's first build
    converter = open_converter(None, workers=1)
    assert isinstance(converter, LocalPool)
    profiles = converter.workers[0].profiles
    assert profiles is not None and profiles.ready()  # before any LibreOffice started
    assert sorted(path.name for path in profiles.path.rglob("*") if path.is_file()) == [
        "buildid", "registrymodifications.xcu"]  # what LibreOffice writes at its first start
    try:
        failures = converter.convert(_jobs(built_root, tmp_path, ["first"]), lambda job: None)
        profile = converter.workers[0].profile
        assert profile is not None
        assert not (profile / "user/GraphicsRenderTests.log").exists()  # no first start
    finally:
        converter.release()
        converter.close()
    assert failures == []
    assert len(PdfReader(tmp_path / "first.pdf").pages) >= 2
    assert _libreoffice_left() == []


def test_an_installation_laid_out_otherwise_is_not_seeded(tmp_path: Path) -> None:
    soffice = tmp_path / "elsewhere/program/soffice"
    soffice.parent.mkdir(parents=True)
    soffice.write_text("#!/bin/sh\n", encoding="utf-8")  # no versionrc, no registry
    profiles = ProfileCache(tmp_path / "cache", str(soffice))
    profiles.seed()
    assert not profiles.ready()  # kept at LibreOffice's first start instead
    assert not list((tmp_path / "cache").glob(f"{ProfileCache.STAGED}*"))


def test_a_settings_file_cut_short_is_not_a_kept_profile(tmp_path: Path) -> None:
    profiles = ProfileCache(tmp_path / "cache", find_soffice())
    _kept_profile(profiles, WHOLE_SETTINGS.removesuffix("</oor:items>\n"))
    assert not profiles.ready()
    _kept_profile(profiles)
    assert profiles.ready()


def test_an_incomplete_kept_profile_is_not_used_and_is_replaced(tmp_path: Path) -> None:
    profiles = ProfileCache(tmp_path / "cache", find_soffice())
    (profiles.path / "user").mkdir(parents=True)  # settings, but LibreOffice would restart
    (profiles.path / ProfileCache.SETTINGS).write_text(WHOLE_SETTINGS, encoding="utf-8")
    assert not profiles.ready()
    with _started(profiles) as pool:
        profile = pool.workers[0].profile
        assert profile is not None and (profile / "user/GraphicsRenderTests.log").exists()
        assert profiles.ready()  # the complete profile of this run took its place


def test_copies_left_by_runs_cut_off_are_removed_when_a_profile_is_kept(tmp_path: Path) -> None:
    profiles = ProfileCache(tmp_path / "cache", find_soffice())
    running = ProfileCache(tmp_path / "running", find_soffice())
    _kept_profile(running)  # the profile of a LibreOffice that is up
    cut_off = profiles.path.parent / f"{ProfileCache.STAGED}cut-off"
    (cut_off / "user").mkdir(parents=True)
    an_hour_ago = time.time() - 3600
    os.utime(cut_off, (an_hour_ago, an_hour_ago))
    being_made = profiles.path.parent / f"{ProfileCache.STAGED}being-made"
    being_made.mkdir()
    profiles.keep(running.path)
    assert profiles.ready()
    assert not cut_off.exists()
    assert being_made.exists()  # another run may be copying right now


def test_a_kept_profile_that_fails_is_dropped_and_libreoffice_starts_anew(
        tmp_path: Path) -> None:
    profiles = ProfileCache(tmp_path / "cache", find_soffice())
    _kept_profile(profiles)
    assert profiles.ready()
    (profiles.path / "user/damaged").write_text("", encoding="utf-8")
    worker = tmp_path / "worker.py"  # a worker that cannot start on the damaged profile
    worker.write_text(
        "import os, runpy, sys\n"
        "if len(sys.argv) > 4 and os.path.exists(os.path.join(sys.argv[4], 'user', 'damaged')):\n"
        "    sys.exit(1)\n"
        f"runpy.run_path({str(Path(docgen.__file__).with_name('uno_worker.py'))!r},"
        " run_name='__main__')\n", encoding="utf-8")
    with _started(profiles, command=[SYSTEM_PYTHON, str(worker)]) as pool:
        assert pool.workers[0].process is not None and pool.workers[0].process.poll() is None
        # the damaged profile is gone, the new one of this LibreOffice kept in its place
        assert profiles.ready() and not (profiles.path / "user/damaged").exists()


def test_a_build_of_everything_starts_every_libreoffice_at_once_and_an_edit_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = git_project(tmp_path / "repo")
    started: list[int] = []
    digested_after: list[int] = []  # how many workers had been started by then
    prestart = LocalPool.prestart
    digest = build_module.inputs_digest

    def recorded(pool: LocalPool, count: int = 1) -> None:
        started.append(count)
        prestart(pool, count)

    def digest_recorded(*args: Any) -> str:
        digested_after.append(sum(started))
        return digest(*args)

    monkeypatch.setattr(LocalPool, "prestart", recorded)
    monkeypatch.setattr(build_module, "inputs_digest", digest_recorded)
    assert main(["-C", str(project), "build", "-j", "2"]) == 0
    assert started[0] == 2                                  # before loading: all at once
    assert digested_after == [2]                            # and before digesting the inputs
    started.clear()
    people = project / "content/registry/people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace(
        "surname: Гончаренко\n    first_name: Виктор", "surname: Гончаренко\n    first_name: Вадим"),
        encoding="utf-8")                                     # one school's letter
    assert main(["-C", str(project), "build", "-j", "2"]) == 0
    assert started[0] == 1 and sum(started) == 1           # one, and no other for one document
    started.clear()
    assert main(["-C", str(project), "build", "-j", "2", "--force"]) == 0
    assert started[0] == 2
    assert _libreoffice_left() == []


def _tagged(tag: str) -> list[int]:
    """Live processes whose environment carries `tag`: this test's own, however deep."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            environment = Path(f"/proc/{entry}/environ").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if tag.encode() in environment and state != "Z":
            found.append(int(entry))
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def test_libreoffice_ends_when_docgen_is_killed(tmp_path: Path) -> None:
    project = git_project(tmp_path / "repo")
    tag = f"DOCGEN_TEST_RUN={uuid.uuid4().hex}"
    name, value = tag.split("=")
    build = subprocess.Popen([sys.executable, "-m", "docgen", "-C", str(project), "build"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=dict(os.environ, **{name: value}))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "soffice.bin" not in map(_command, _tagged(tag)):
        time.sleep(0.05)
    assert build.poll() is None, "the build ended before LibreOffice was seen"
    build.kill()  # as the OOM killer or a CI timeout would: no chance to clean up
    build.wait()
    deadline = time.monotonic() + 10
    while _tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _tagged(tag) == []
