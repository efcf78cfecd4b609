"""The same letters made three ways in one run: by docgen, by Carbone (render and convert,
its own LibreOffice factories) and by one soffice per letter.

    python tools/peers.py [--letters 200] [--naive-sample 8]

docgen builds only the region's nomination letters (`BuildOptions.select`): loading and
checking the content, rendering, converting and stamping each as PDF/A, LibreOffice's start
included. Carbone gets a template made from docgen's own letter, the recipient's lines and
greeting replaced by Carbone's tags, and the same recipients as data; it is installed from
npm for the benchmark only, into the user's cache (skipped with a message where npm is
absent). The naive way converts a sample of docgen's DOCX letters with one soffice each.

Each round of each tool writes into a folder of its own, all removed at the end: on ext4
without a journal (as here), a file made in the half-minute after many were deleted costs
up to a millisecond of the kernel's time, so removing one round's files before the next
would add to its figure, the more the more files a tool writes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from bench import make_region  # noqa: E402

from docgen.content import load_project  # noqa: E402
from docgen.convert import find_soffice  # noqa: E402
from docgen.letters import recipient_of_school  # noqa: E402
from docgen.loading import plan_project  # noqa: E402
from docgen.places import user_cache  # noqa: E402

CARBONE = "3.8.2"
LETTER = "nomination-request"

BUILD_LETTERS = """
import sys, time
from pathlib import Path
from docgen.build import build
from docgen.documents import BuildOptions
root, out, *ids = sys.argv[1:]
started = time.monotonic()
report = build(Path(root), Path(out), BuildOptions(select=frozenset(ids)))
assert not report.failed and report.built == len(ids), report
print(time.monotonic() - started)
"""

RENDER_WITH_CARBONE = """
const carbone = require('carbone');
const fs = require('fs');
const [template, dataFile, outdir, factories] = process.argv.slice(2);
const letters = JSON.parse(fs.readFileSync(dataFile, 'utf8'));
const started = process.hrtime.bigint();
carbone.set({factories: Number(factories), startFactory: true});
let left = letters.length;
letters.forEach((data, index) => {
  carbone.render(template, data, {convertTo: 'pdf'}, (error, result) => {
    if (error) { console.error(error); process.exit(1); }
    fs.writeFileSync(`${outdir}/${index}.pdf`, result);
    if (--left === 0) {
      console.log(Number(process.hrtime.bigint() - started) / 1e9);
      require('carbone/lib/converter').exit(() => process.exit(0));  // its LibreOffices too
    }
  });
});
"""


def letters_of(project: Path) -> list[str]:
    """The ids of the region's nomination letters."""
    return [document.document_id for folder in plan_project(project)
            for document in folder.documents if document.name == LETTER]


def docgen_seconds(project: Path, ids: list[str], out: Path) -> float:
    """docgen making the letters into the new folder `out`, in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", BUILD_LETTERS, str(project), str(out), *ids],
                            capture_output=True, text=True, check=True)
    return float(result.stdout.split()[-1])


def _carbone_template(letter: Path, lines: list[str], greeting: str, target: Path) -> None:
    """docgen's letter with the recipient's lines and greeting as Carbone's tags."""
    with zipfile.ZipFile(letter) as source, zipfile.ZipFile(target, "w",
                                                            zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                text = data.decode("utf-8")
                text = text.replace(f">{greeting}<", ">{d.greeting}<")
                for index, line in enumerate(lines):
                    text = re.sub(f">{re.escape(line)}<", f">{{d.line{index}}}<", text)
                data = text.encode("utf-8")
            out.writestr(name, data)


def install_carbone() -> Path | str:
    """Carbone's folder, installed from npm into the user's cache for the benchmark only;
    or why it cannot be."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        return "нет npm и node"
    folder = user_cache() / "bench" / f"carbone-{CARBONE}"
    if not (folder / "node_modules/carbone").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        installed = subprocess.run(["npm", "install", "--silent", "--prefix", str(folder),
                                    f"carbone@{CARBONE}"], capture_output=True, text=True,
                                   check=False)
        if installed.returncode != 0:
            return "npm не установил carbone: " + installed.stderr.strip()[-200:]
    return folder


def carbone_seconds(project: Path, ids: list[str], letters: Path, work: Path,
                    folder: Path) -> float | str:
    """Carbone (installed in `folder`) rendering and converting the same letters into the
    new folder `work`, its template made from docgen's letters in `letters`; or why it did
    not."""
    node = shutil.which("node")
    assert node is not None
    (work / "pdf").mkdir(parents=True)
    project_model, _ = load_project(project)
    registry = project_model.registry
    schools = {school.id: recipient_of_school(school, registry) for school in registry.schools()}
    first = schools[ids[0].split("/")[1]]
    template = work / "carbone-letter.docx"
    _carbone_template(letters / f"{ids[0]}.docx", list(first.lines),
                      first.salutation, template)
    data = [{"greeting": schools[i.split("/")[1]].salutation,
             **{f"line{n}": line for n, line in enumerate(schools[i.split("/")[1]].lines)}}
            for i in ids]
    (work / "letters.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (work / "render.js").write_text(RENDER_WITH_CARBONE, encoding="utf-8")
    # Carbone looks for soffice.bin on PATH, and for a Python with uno beside it or on PATH
    program = Path(find_soffice()).resolve().parent
    process = subprocess.Popen([node, str(work / "render.js"), str(template),
                                str(work / "letters.json"), str(work / "pdf"),
                                str(os.cpu_count() or 1)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env=dict(os.environ, NODE_PATH=str(folder / "node_modules"),
                                        PATH=f"{program}:/usr/bin:/bin"))
    try:
        out, err = process.communicate(timeout=600)
    finally:  # nothing Carbone started outlives the measurement
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    if result.returncode != 0:
        return "Carbone не отработал: " + result.stderr.strip()[-200:]
    return float(result.stdout.split()[-1])


def naive_seconds(letters: Path, ids: list[str], sample: int, work: Path) -> float:
    """Seconds per letter converting `sample` of docgen's letters (in `letters`) with one
    soffice each."""
    started = time.monotonic()
    for index, document_id in enumerate(ids[:sample]):
        profile = work / f"profile-{index}"
        subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work / "naive"),
                        str(letters / f"{document_id}.docx")],
                       capture_output=True, check=True)
    return (time.monotonic() - started) / min(sample, len(ids))


def measure(letters: int, sample: int, rounds: int) -> str:
    """The comparison as one line of text: medians of `rounds` rounds, docgen and Carbone
    taking turns, so that both meet the machine's changing speed alike."""
    with tempfile.TemporaryDirectory(prefix="docgen-peers-") as temporary:
        project, work = Path(temporary) / "region", Path(temporary) / "work"
        work.mkdir()
        make_region(project, letters)
        ids = letters_of(project)
        carbone = install_carbone()
        ours: list[float] = []
        theirs: list[float] = []
        why = carbone if isinstance(carbone, str) else ""
        for turn in range(rounds):
            built = work / f"docgen-{turn}"
            ours.append(docgen_seconds(project, ids, built) / len(ids))
            if not why:
                assert isinstance(carbone, Path)
                result = carbone_seconds(project, ids, built, work / f"carbone-{turn}",
                                         carbone)
                if isinstance(result, str):
                    why = result
                else:
                    theirs.append(result / len(ids))
        naive = naive_seconds(built, ids, sample, work)
    mine = statistics.median(ours)
    line = (f"{len(ids)} letters, median of {rounds} rounds: docgen {mine * 1000:.1f} ms/letter "
            f"({_spread(ours)})")
    if why:
        line += f"; Carbone {CARBONE} not measured ({why})"
    else:
        other = statistics.median(theirs)
        line += (f"; Carbone {CARBONE} {other * 1000:.1f} ms/letter ({_spread(theirs)}), docgen "
                 f"{other / mine:.1f}× faster")
    return line + (f"; one soffice per letter {naive * 1000:.0f} ms/letter, docgen "
                   f"{naive / mine:.1f}× faster (start included everywhere)")


def _spread(values: list[float]) -> str:
    return f"{min(values) * 1000:.1f}–{max(values) * 1000:.1f}"


def main() -> None:
    """Print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200, help="how many letters")
    parser.add_argument("--naive-sample", type=int, default=8,
                        help="letters converted one soffice each (the rest extrapolated)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of docgen and Carbone in turn; medians are shown")
    args = parser.parse_args()
    if args.rounds < 1 or args.letters < 1:
        parser.error("нужен хотя бы один раунд и хотя бы одно письмо")
    print(measure(args.letters, args.naive_sample, args.rounds), flush=True)


if __name__ == "__main__":
    main()
