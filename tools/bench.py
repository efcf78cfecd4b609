"""Benchmark: a synthetic region built cold, again with no change, after an edit shown in
one school's letters and one also shown in the reserve list, and
the same documents converted the naive way (one soffice per document).

    python tools/bench.py [--schools 0 20 100 500] [--naive-sample 12] [--repeat 5]

Each size is a fresh git repository holding the shipped order and campaign with N
schools (heads, e-mail, efficiency levels) and 2N candidates, of whom every one is
interviewed and half are included in the reserve. Prints seconds, documents per second,
milliseconds per document and ratios; docgen's peak memory is that of its own processes
(LibreOffice's is not counted). The first line gives LibreOffice's start and its speed
alone on one core, measured in the same run: this machine's speed varies from run to run.
The last line holds the district's cold build against LibreOffice's start, as a machine's
first build (no kept profile) and as every later one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from docgen.convert import Job, LocalPool, ProfileCache, find_soffice  # noqa: E402
from docgen.places import user_cache  # noqa: E402

TARGET_PER_DOCUMENT = 0.06  # the district's cold build: seconds per document beyond LibreOffice's start
LEVELS = ["high", "above-average", "average", "average", "below-average"]
SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов"]
NAMES = [("Андрей", "Викторович", "male"), ("Ольга", "Петровна", "female"),
         ("Сергей", "Ильич", "male"), ("Марина", "Андреевна", "female")]


def _person(index: int) -> dict[str, object]:
    first, patronymic, gender = NAMES[index % len(NAMES)]
    surname = SURNAMES[index % len(SURNAMES)] + ("а" if gender == "female" else "")
    return {"surname": surname, "first_name": first, "patronymic": patronymic,
            "gender": gender}


def _git_commit(target: Path) -> None:
    (target / ".gitignore").write_text("build/\n", encoding="utf-8")
    for command in (["init", "-q", "-b", "main"], ["add", "-A"],
                    ["-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit",
                     "-q", "-m", "region"]):
        subprocess.run(["git", *command], cwd=target, check=True)


def make_district(target: Path) -> None:
    """The shipped content, committed in git."""
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    _git_commit(target)


def make_region(target: Path, schools: int) -> None:
    """A project with the shipped order and `schools` schools, committed in git."""
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    registry = target / "content/registry"
    people = yaml.safe_load((registry / "people.yaml").read_text(encoding="utf-8"))
    organizations = {"uo-bgo": yaml.safe_load(
        (registry / "organizations.yaml").read_text(encoding="utf-8"))["organizations"]["uo-bgo"]}
    # the shipped sample heads stay as people (order № 702's commission names them); their
    # schools give way to the region's
    for number in range(1, schools + 1):
        head = f"head-{number}"
        people["people"][head] = {**_person(number), "position": "директор", "sample": True}
        organizations[f"school-{number}"] = {
            "kind": "school", "sample": True, "head": head,
            "name": f"Муниципальное бюджетное общеобразовательное учреждение СОШ № {number}",
            "short_name": f"МБОУ СОШ № {number}", "email": f"school{number}@example.org",
            "efficiency": LEVELS[number % len(LEVELS)]}
    candidates, interviews = {}, []
    for number in range(1, 2 * schools + 1):
        key = f"k-{number:04d}"
        included = number % 2 == 0
        candidates[key] = {
            **_person(number + 1), "school": f"school-{(number - 1) // 2 + 1}",
            "position": "заместитель директора по учебно-воспитательной работе",
            "education": "высшее педагогическое", "teaching_experience": 10 + number % 15,
            "management_experience": number % 6, "sample": True,
            "status": "included" if included else "declined",
            **({"mentor": "head-1"} if included else {})}
        interviews.append({"number": number, "candidate": key, "date": "2022-09-26",
                           "scores": {"law": 4, "management": 4, "leadership": 5,
                                      "motivation": 5, "vision": 4},
                           "recommendation": "рекомендовать к включению в резерв",
                           "decision": "included" if included else "declined"})
    reserve = target / "content/reserve"
    plans = yaml.safe_load((reserve / "plans.yaml").read_text(encoding="utf-8"))
    plans.pop("additions", None)
    interview_file = yaml.safe_load((reserve / "interviews.yaml").read_text(encoding="utf-8"))
    interview_file["interviews"] = interviews
    for path, data in ((registry / "people.yaml", people),
                       (registry / "organizations.yaml", {"organizations": organizations}),
                       (reserve / "candidates.yaml", {"candidates": candidates}),
                       (reserve / "interviews.yaml", interview_file),
                       (reserve / "plans.yaml", plans)):
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    _git_commit(target)


# docgen's own processes are itself and its render workers, which have ended when the
# converter closes; the LibreOffice workers, which end after, are not counted.
MEASURE = """
import json, os, resource, sys
from docgen.cli import main
from docgen.convert import LocalPool
children = [0]
close = LocalPool.close
def measured_close(pool):
    children[0] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    close(pool)
LocalPool.close = measured_close
code = main(sys.argv[1:])
print(json.dumps({"code": code,
                  "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_kb": children[0]}), flush=True)
os._exit(0)  # as the docgen command exits
"""


def run_build(project: Path, cache: Path | None = None) -> dict[str, float]:
    """Run `docgen build` in a fresh interpreter (with `cache` as the user's cache, if
    given); seconds, counts and peak memory."""
    environment = dict(os.environ, **({"XDG_CACHE_HOME": str(cache)} if cache else {}))
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", MEASURE, "-C", str(project), "build"],
                            capture_output=True, text=True, check=False, env=environment)
    seconds = time.monotonic() - started
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    if figures["code"] != 0:
        raise SystemExit(f"build failed: {result.stderr}")
    summary = lines[-2]
    built = int(summary.split("собрано ")[1].split(",")[0])
    return {"seconds": seconds, "built": built,
            "memory_mb": max(figures["self_kb"], figures["children_kb"]) / 1024}


def naive(project: Path, sample: int) -> tuple[float, int]:
    """Seconds per document converting `sample` DOCX files with one soffice each."""
    documents = sorted((project / "build").rglob("*.docx"))[:sample]
    with tempfile.TemporaryDirectory() as temporary:
        started = time.monotonic()
        for index, document in enumerate(documents):
            profile = Path(temporary) / f"profile-{index}"
            subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}",
                            "--headless", "--convert-to", "pdf", "--outdir", temporary,
                            str(document)], capture_output=True, check=True)
        return (time.monotonic() - started) / len(documents), len(documents)


@contextlib.contextmanager
def _one_worker(profiles: ProfileCache) -> Iterator[LocalPool]:
    """One LibreOffice worker, started and warmed up as a build starts it."""
    pool = LocalPool(find_soffice(), workers=1, timeout=60, profiles=profiles)
    try:
        pool.prestart(1)
        pool.starting[0].join()
        yield pool
    finally:
        pool.release()
        pool.close()


def _started(profiles: ProfileCache) -> float:
    """Seconds until one LibreOffice worker answers, warmed up."""
    started = time.monotonic()
    with _one_worker(profiles):
        return time.monotonic() - started


def new_profile_start() -> float:
    """LibreOffice's start on a new profile, as on a machine's first build."""
    with tempfile.TemporaryDirectory() as cache:
        return _started(ProfileCache(Path(cache), find_soffice()))


def kept_profile_start() -> float:
    """LibreOffice's start on the profile builds keep in the user's cache (kept first if
    there is none yet)."""
    profiles = ProfileCache(user_cache(), find_soffice())
    if not profiles.ready():
        _started(profiles)
    return _started(profiles)


def libreoffice_alone() -> float:
    """Seconds one warmed-up LibreOffice worker needs per document of the shipped district:
    the speed of this machine at the moment, against which the other figures read."""
    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as temporary:
        project = Path(temporary)
        make_district(project)
        subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), "build", "--no-pdf"],
                       check=True, capture_output=True)
        sources = sorted((project / "build").rglob("*.docx"))
        jobs = [Job(str(index), source, project / f"{index}.pdf")
                for index, source in enumerate(sources)]
        with _one_worker(ProfileCache(user_cache(), find_soffice())) as pool:
            started = time.monotonic()
            failures = pool.convert(jobs, lambda job: None)
            seconds = time.monotonic() - started
    if failures:
        raise SystemExit(f"LibreOffice failed: {failures}")
    return seconds / len(jobs)


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def measure(schools: int, sample: int, repeat: int = 1) -> dict[str, Any]:
    """All figures for a region of `schools` schools (0: the shipped district); the cold
    build is the median of `repeat`, each right after a measured LibreOffice start."""
    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as temporary:
        project = Path(temporary)
        make_region(project, schools) if schools else make_district(project)
        last = f"school-{schools}" if schools else "school-divnoe"
        registry = project / "content/registry"
        head = yaml.safe_load((registry / "organizations.yaml").read_text(
            encoding="utf-8"))["organizations"][last]["head"]
        colds, starts = [], []
        for _ in range(repeat):
            starts.append(kept_profile_start())
            shutil.rmtree(project / "build", ignore_errors=True)
            colds.append(run_build(project))
        cold = sorted(colds, key=lambda run: run["seconds"])[len(colds) // 2]
        first = None
        if not schools:  # with no kept profile, as a machine's first build: median of three
            firsts = []
            for _ in range(3):
                with tempfile.TemporaryDirectory() as cache:
                    shutil.rmtree(project / "build")
                    firsts.append(run_build(project, Path(cache))["seconds"])
            first = statistics.median(firsts)
        noop = run_build(project)
        _edit(registry / "people.yaml",
              lambda data: data["people"][head].update(first_name="Вениамин"))
        edit = run_build(project)
        _edit(registry / "organizations.yaml", lambda data: data["organizations"][last].update(
            short_name=data["organizations"][last]["short_name"] + " им. А.С. Пушкина"))
        shown = run_build(project)
        per_document, sampled = naive(project, sample)
    documents = cold["built"]
    return {"schools": schools, "documents": documents, "cold": cold["seconds"],
            "noop": noop["seconds"], "noop_built": noop["built"], "edit": edit["seconds"],
            "edit_built": edit["built"], "shown": shown["seconds"],
            "shown_built": shown["built"], "naive_per_document": per_document,
            "naive_sample": sampled, "memory_mb": cold["memory_mb"], "first": first,
            "beyond_start": sorted((run["seconds"] - start) / documents
                                   for run, start in zip(colds, starts, strict=True))}


def main() -> None:
    """Measure each size and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, nargs="+", default=[0, 20, 100, 500],
                        help="sizes of the region; 0 is the shipped district")
    parser.add_argument("--naive-sample", type=int, default=12,
                        help="documents converted one soffice each (the rest extrapolated)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="cold builds of the shipped district (the median is shown)")
    args = parser.parse_args()
    new, kept = new_profile_start(), statistics.median(kept_profile_start() for _ in range(3))
    print(f"docgen benchmark on {os.cpu_count()} cores; LibreOffice starts in {new:.2f} s on a "
          f"new profile, {kept:.2f} s on a kept one, and alone converts a document of the "
          f"district in {libreoffice_alone() * 1000:.0f} ms on one core")
    print(f"{'schools':>8} {'docs':>5} {'cold s':>7} {'docs/s':>7} {'ms/doc':>7} "
          f"{'no-op s':>7} {'1-edit s':>8} {'list-edit s':>11} {'naive ms/doc':>12} "
          f"{'× naive':>7} {'peak MB':>7}")
    district = None
    for schools in args.schools:
        row = measure(schools, args.naive_sample, 1 if schools else args.repeat)
        district = row if not schools else district
        per_document = row["cold"] / row["documents"]
        label = str(schools) if schools else "district"
        print(f"{label:>8} {row['documents']:>5} {row['cold']:>7.1f} "
              f"{row['documents'] / row['cold']:>7.1f} {per_document * 1000:>7.1f} "
              f"{row['noop']:>7.2f} {row['edit']:>8.2f} "
              f"{row['shown']:>6.2f} ({row['shown_built']:>2.0f}) "
              f"{row['naive_per_document'] * 1000:>12.0f} "
              f"{row['naive_per_document'] / per_document:>7.1f} {row['memory_mb']:>7.0f}",
              flush=True)
        assert row["noop_built"] == 0, "the no-op rebuild built something"
        assert row["edit_built"] >= 1, "the edit rebuilt nothing"
    print("cold: a fresh build directory, LibreOffice started (on the kept profile) included; "
          "no-op: the same again; 1-edit: the last school's head renamed (shown in that "
          "school's letters); list-edit: the last school's short name changed (also shown in "
          "the reserve list and its candidates' documents; in brackets, documents rebuilt); "
          "naive: one soffice per document, measured on "
          f"{args.naive_sample} documents; × naive: how many times faster per document.")
    if district is not None:
        beyond = district["beyond_start"]
        allowed = new + TARGET_PER_DOCUMENT * district["documents"]
        print(f"district cold build against LibreOffice's start plus {TARGET_PER_DOCUMENT} s per "
              f"document: on a new profile (a machine's first build) {district['first']:.2f} s "
              f"against {allowed:.2f} s; on the kept profile, each of {len(beyond)} cold builds "
              f"less the start measured just before it: {statistics.median(beyond):.3f} s per "
              f"document (from {beyond[0]:.3f} to {beyond[-1]:.3f})")


if __name__ == "__main__":
    main()
