"""The public site of issued acts, the intranet control pages and calendar, the preview
server: opened in a real headless Chromium over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import html5lib
import pytest
import yaml
from certificates import PASSWORD, Authority
from conftest import ROOT, commit_all, git_project
from icalendar import Calendar
from PIL import Image

from docgen import ru
from docgen.cli import main
from docgen.publish import html_text, web_typograph

pytestmark = pytest.mark.libreoffice
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Orders № 685 and № 702 with their annexes issued, and the site published."""
    root = git_project(tmp_path_factory.mktemp("site"))
    for document in ("orders/2022-685/order", "orders/2022-685/annex-1",
                     "orders/2022-702/order", "orders/2022-702/annex-1",
                     "orders/2022-702/annex-2"):
        assert main(["-C", str(root), "issue", document]) == 0, document
    assert main(["-C", str(root), "publish"]) == 0
    return root


@pytest.fixture(scope="module")
def server(issued: Path) -> Iterator[str]:
    """build/site/ served over HTTP on 127.0.0.1, as a web server would."""
    handler = partial(_QuietHandler, directory=str(issued / "build/site"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", *args], capture_output=True, text=True,
                          timeout=120, check=True)


def _dom(url: str) -> object:
    """The page as the browser built it, parsed."""
    return html5lib.parse(_chromium("--dump-dom", url).stdout)


def _screenshot(url: str, target: Path) -> Image.Image:
    _chromium("--window-size=1100,1400", f"--screenshot={target}", url)
    return Image.open(target).convert("L")


def test_a_number_on_the_site_keeps_the_hyphen_a_reader_searches_for() -> None:
    text = "письмом от 01.09.2022 № 01-15/612 **в срок**"
    assert "\u2011" in ru.typograph(text)  # in the documents it never breaks
    assert str(html_text(text)) == ("письмом от 01.09.2022 №\u00a001-15/612 "
                                    "<strong>в срок</strong>")
    assert web_typograph("распоряжение № 12-р") == "распоряжение №\u00a012-р"


def test_the_index_and_the_orders_page_render_in_a_browser(server: str, tmp_path: Path) -> None:
    index = _screenshot(server + "index.html", tmp_path / "index.png")
    page = _screenshot(server + "acts/2022-685/index.html", tmp_path / "685.png")
    for image in (index, page):
        low, high = image.getextrema()
        assert high - low > 100  # text on the page, not a blank one
        dark = sum(image.histogram()[:128])
        assert dark > 2000
    dom = _dom(server + "acts/2022-685/index.html")
    table = next(t for t in dom.iter(f"{XHTML}table") if "roadmap" in t.get("class", ""))
    groups = table.findall(f"{XHTML}tbody")
    assert len(groups) == 4
    assert sum(len(group.findall(f"{XHTML}tr")) for group in groups) == 13
    headers = [th.get("scope") for th in table.iter(f"{XHTML}th")]
    assert headers.count("col") == 4 and headers.count("rowgroup") == 4


def test_every_link_of_the_site_resolves(server: str, issued: Path) -> None:
    pages = sorted((issued / "build/site").rglob("*.html"))
    assert len(pages) == 3  # the index and the two acts
    checked = 0
    for page in pages:
        base = server + page.relative_to(issued / "build/site").as_posix()
        for href in re.findall(r'href="([^"#]+)"', page.read_text(encoding="utf-8")):
            if href.startswith("mailto:"):
                continue
            url = urllib.parse.urljoin(base, href)
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
                body = response.read()
            if href.endswith(".pdf"):
                assert body.startswith(b"%PDF")
                checked += 1
    assert checked >= 10


def test_the_site_lists_issued_acts_with_their_editions(issued: Path) -> None:
    index = (issued / "build/site/index.html").read_text(encoding="utf-8")
    assert index.index('"number">702<') < index.index('"number">685<')  # the newest first
    page = (issued / "build/site/acts/2022-685/index.html").read_text(encoding="utf-8")
    assert "Редакция 1 (первоначальная редакция), издана" in page
    assert "П Р И К А З" not in page and "ПРИКАЗЫВАЮ:" in page
    assert "План мероприятий «дорожная карта»" in page
    assert (issued / "build/site/acts/2022-685/files/order-1.pdf").is_file()
    assert "ПРОЕКТ" not in page


def test_site_pages_are_valid_html_and_accessible(issued: Path) -> None:
    for page in sorted((issued / "build/site").rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        parser = html5lib.HTMLParser(strict=True)
        document = parser.parse(text)  # raises on any parse error
        html = document
        assert html.get("lang") == "ru", page
        headings = [int(node.tag[-1]) for node in html.iter()
                    if isinstance(node.tag, str) and re.fullmatch(rf"{re.escape(XHTML)}h[1-6]",
                                                                  node.tag)]
        assert headings[0] == 1 and headings.count(1) == 1, page
        assert all(b - a <= 1 for a, b in itertools.pairwise(headings)), (page, headings)
        for image in html.iter(f"{XHTML}img"):
            assert image.get("alt"), page
        for table in html.iter(f"{XHTML}table"):
            assert all(th.get("scope") in ("col", "row", "rowgroup", "colgroup")
                       for th in table.iter(f"{XHTML}th")), page


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_sites_colours_have_enough_contrast() -> None:
    css = (ROOT / "templates/site/site.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    background = _luminance(colours.pop("background"))
    colours.pop("rule")  # borders, not text
    for name, colour in colours.items():
        light, dark = sorted((background, _luminance(colour)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, name  # WCAG AA for text


def test_no_personal_data_reaches_the_site(issued: Path) -> None:
    candidates = yaml.safe_load((issued / "content/reserve/candidates.yaml").read_text(
        encoding="utf-8"))["candidates"]
    names = {value for entry in candidates.values()
             for value in (entry["surname"], f"{entry['first_name']} {entry['patronymic']}")}
    site = issued / "build/site"
    texts = [p.read_text(encoding="utf-8") for p in site.rglob("*") if p.suffix in (
        ".html", ".css")]
    texts += [subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True,
                             check=True).stdout for p in site.rglob("*.pdf")]
    assert len(texts) > 10
    for name in names:
        assert not any(name in text for text in texts), name
    kinds = {p.parent.parent.name for p in site.rglob("*.pdf")}
    assert kinds == {"2022-685", "2022-702"}  # files of the two acts only


def test_an_act_changed_after_issue_is_not_published_and_says_why(
        issued: Path, capsys: pytest.CaptureFixture[str]) -> None:
    order = issued / "content/orders/2022-702/order.yaml"
    text = order.read_text(encoding="utf-8")
    order.write_text(text.replace("place: город Балтийск", "place: г. Балтийск"),
                     encoding="utf-8")
    commit_all(issued, "Правка приказа № 702 без издания")
    try:
        capsys.readouterr()
        assert main(["-C", str(issued), "publish"]) == 0
        captured = capsys.readouterr()
        assert "Не опубликован: orders/2022-702/order изменён после издания редакции 1" \
            in captured.err
        assert "Опубликован: Приказ от 30.08.2022 № 685" in captured.out
        assert not (issued / "build/site/acts/2022-702").exists()
    finally:
        order.write_text(text, encoding="utf-8")
        commit_all(issued, "Приказ № 702 как издан")
        assert main(["-C", str(issued), "publish"]) == 0
    assert (issued / "build/site/acts/2022-702/index.html").is_file()


def test_the_intranet_has_the_control_page_and_a_calendar_of_dated_activities(
        issued: Path) -> None:
    intranet = issued / "build/intranet"
    assert not (issued / "build/site/2022-685.html").exists()  # not on the public site
    page = (intranet / "2022-685.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert "Мероприятий в плане — 13" in page
    calendar = Calendar.from_ical((intranet / "2022-685.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 3  # the three activities due in September; «Постоянно» has no date
    assert {e.decoded("dtstart") for e in events} == {dt.date(2022, 9, 1)}
    assert {e.decoded("dtend") for e in events} == {dt.date(2022, 10, 1)}
    assert len({str(e["uid"]) for e in events}) == 3
    assert any("1.1. Запрос в образовательные организации" in str(e["summary"]) for e in events)


def test_status_prints_the_roadmap_and_the_answers_on_a_date(
        issued: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["-C", str(issued), "status", "--on", "2022-09-21"]) == 0
    out = capsys.readouterr().out
    assert "исполнено 01.09.2022" in out
    assert "МБОУ СОШ № 6: запрос не отправлен; ответ получен 20.09.2022, кандидатов: 1" in out
    with pytest.raises(SystemExit) as exit_code:
        main(["-C", str(issued), "status", "--on", "2022-13-01"])
    assert exit_code.value.code == 2
    assert "аргумент --on: ожидалась дата ГГГГ-ММ-ДД, получено «2022-13-01»" in \
        capsys.readouterr().err


def test_serve_answers_on_loopback_and_rebuilds_after_an_edit(tmp_path: Path) -> None:
    root = git_project(tmp_path / "served")
    process = subprocess.Popen([sys.executable, "-m", "docgen", "-C", str(root), "serve",
                                "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", first)
        assert url, first
        assert "Собрано" in process.stdout.readline()
        with urllib.request.urlopen(url[0], timeout=10) as response:
            assert "orders/2022-685/order.pdf" in response.read().decode("utf-8")
        order = root / "content/orders/2022-702/order.yaml"
        order.write_text(order.read_text(encoding="utf-8").replace(
            "place: город Балтийск", "place: город Балтийск Калининградской области"),
            encoding="utf-8")
        line = process.stdout.readline()
        assert "Собрано: " in line and "Собрано: 0" not in line, line
        with urllib.request.urlopen(url[0] + "site/acts/2022-702/index.html",
                                    timeout=10) as response:
            assert "Балтийск Калининградской области" in response.read().decode("utf-8")
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 130



def test_a_signed_copy_beside_an_issued_edition_is_linked_from_its_history(
        issued: Path, tmp_path: Path) -> None:
    edition = issued / "build/editions/orders/2022-685/order/1/order.pdf"
    signer = Authority(tmp_path).issue("signer")
    signed = subprocess.run(
        [sys.executable, "-m", "docgen", "-C", str(issued), "sign", str(edition), "--p12",
         str(signer.p12)], capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "DOCGEN_P12_PASSWORD": PASSWORD.decode()})
    assert signed.returncode == 0, signed.stderr
    assert main(["-C", str(issued), "publish"]) == 0
    page = (issued / "build/site/acts/2022-685/index.html").read_text(encoding="utf-8")
    assert '<a href="files/order-1-signed.pdf">PDF с электронной подписью' in page
    published = issued / "build/site/acts/2022-685/files/order-1-signed.pdf"
    assert published.read_bytes() == edition.with_name("order-signed.pdf").read_bytes()
