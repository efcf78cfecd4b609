"""The PDFs: bundle bookmarks and metadata, text, page numbers, fonts, margins, manifest."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

MM = 72 / 25.4


def _pdftotext(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_bundle_has_both_documents_with_bookmarks(built: Path) -> None:
    bundle = PdfReader(built / "bundle.pdf")
    order_pages = len(PdfReader(built / "order.pdf").pages)
    annex_pages = len(PdfReader(built / "annex-1.pdf").pages)
    assert order_pages >= 2 and annex_pages >= 2
    assert len(bundle.pages) == order_pages + annex_pages
    marks = [(item.title, bundle.get_destination_page_number(item)) for item in bundle.outline]
    assert marks == [("Приказ от 30.08.2022 № 685", 0), ("Приложение № 1", order_pages)]


def test_bundle_metadata(built: Path) -> None:
    info = PdfReader(built / "bundle.pdf").metadata
    assert info.title == "Приказ от 30.08.2022 № 685"
    assert info.author == "Управление образования администрации Балтийского городского округа"
    assert info.subject.startswith("Утверждение плана мероприятий «Дорожной карты»")
    assert "дорожная карта" in info["/Keywords"] and "№ 685" in info["/Keywords"]


def test_each_pdf_carries_its_docx_properties(built: Path) -> None:
    order = PdfReader(built / "order.pdf").metadata
    annex = PdfReader(built / "annex-1.pdf").metadata
    assert order.title == "Приказ от 30.08.2022 № 685"
    assert annex.title == "Приложение № 1 к приказу от 30.08.2022 № 685"
    assert annex.subject.startswith("План мероприятий «дорожная карта»")


def test_pdf_text(built: Path) -> None:
    text = re.sub(r"\s+", " ", _pdftotext(built / "bundle.pdf"))
    for expected in ("ПРИКАЗ", "30.08.2022", "№ 685", "город Балтийск", "ПРИКАЗЫВАЮ:",
                     "4. Контроль исполнения приказа оставляю за собой.", "О.И. Матасова",
                     "Приложение № 1", "Направления деятельности", "Согласно графику"):
        assert expected in text.replace("\u00a0", " "), expected


def _all_pdfs(root: Path) -> list[Path]:
    pdfs = sorted(p for p in root.rglob("*.pdf") if p.name != "bundle.pdf")
    assert len(pdfs) == 26
    return pdfs


def test_page_numbers_from_the_second_page_centred_at_the_top(built_root: Path) -> None:
    for pdf in _all_pdfs(built_root):
        reader = PdfReader(pdf)
        first_words = [_words(pdf, page)[0] for page in range(1, len(reader.pages) + 1)]
        assert not first_words[0][0].isdigit(), pdf
        for number, (word, x_min, x_max, y_min) in enumerate(first_words[1:], 2):
            width = float(reader.pages[number - 1].mediabox.width)
            assert word == str(number), pdf
            assert y_min < 20 * MM
            centre = (x_min + x_max) / 2
            assert abs(centre - (30 * MM + (width - 40 * MM) / 2)) < 3, pdf


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float]]:
    html = _pdftotext(pdf, "-bbox", "-f", str(page), "-l", str(page))
    return [(m[5], float(m[1]), float(m[3]), float(m[2])) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]


def test_a4_with_gost_margins(built_root: Path) -> None:
    for pdf in _all_pdfs(built_root):
        reader = PdfReader(pdf)
        for number, page in enumerate(reader.pages, 1):
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert sorted((round(width), round(height))) == [595, 842], pdf
            words = _words(pdf, number)
            left = min(w[1] for w in words)
            right = max(w[2] for w in words)
            top = min(w[3] for w in words if not w[0].isdigit() or w[3] > 15 * MM)
            assert left >= 30 * MM - 1, (pdf, number, left / MM)
            assert right <= width - 10 * MM + 1, (pdf, number, right / MM)
            assert top >= 20 * MM - 1, (pdf, number, top / MM)
    body = _words(built_root / "orders/2022-685/order.pdf", 1)
    assert min(w[1] for w in body) < 31 * MM
    assert max(w[2] for w in body) > 199 * MM


def test_fonts_are_liberation_serif_and_embedded(built_root: Path) -> None:
    for pdf in sorted(built_root.rglob("*.pdf")):
        fonts = {}
        for page in PdfReader(pdf).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descriptor = font["/FontDescriptor"].get_object()
                fonts[str(font["/BaseFont"])] = any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert fonts and all(fonts.values()), fonts
        assert {re.sub(r"^/[A-Z]{6}\+", "", f) for f in fonts} <= {
            "LiberationSerif", "LiberationSerif-Bold"}


def test_manifest_lists_every_file_with_its_hash(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))["files"]
    files = sorted(p.name for p in built.iterdir() if p.name != "manifest.json")
    assert sorted(manifest) == files == [
        "annex-1.docx", "annex-1.pdf", "bundle.pdf", "order.docx", "order.pdf",
        "reserve-list.docx", "reserve-list.pdf"]
    for name, entry in manifest.items():
        data = (built / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
