"""The Word templates: GOST layout, and a clerk's edits in LibreOffice survive a rebuild."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx_text import normalise, paragraphs
from pypdf import PdfReader

from docgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ["order.docx", "annex-roadmap.docx"]


@pytest.mark.parametrize("name", TEMPLATES)
def test_page_layout(name: str) -> None:
    document = Document(str(ROOT / "templates" / name))
    section = document.sections[0]
    sizes = [section.page_width, section.page_height, section.left_margin,
             section.right_margin, section.top_margin, section.bottom_margin]
    assert [round(size.mm, 1) for size in sizes] == [210, 297, 30, 10, 20, 20]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER


@pytest.mark.parametrize("name", TEMPLATES)
def test_font_and_paragraphs(name: str) -> None:
    document = Document(str(ROOT / "templates" / name))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    layout = normal.paragraph_format
    assert layout.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert round(layout.first_line_indent.cm, 2) == 1.25
    assert layout.line_spacing in (None, 1.0)
    assert document.styles["Текст таблицы"].font.size == Pt(12)


def test_roadmap_table_header_repeats_and_directions_are_merged(built: Path) -> None:
    table = Document(str(built / "annex-1.docx")).tables[0]
    header = table.rows[0]._tr
    assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
    merges = [tc.tcPr.find(qn("w:vMerge")) for tc in table._tbl.iter(qn("w:tc"))]
    values = [m.get(qn("w:val")) for m in merges if m is not None]
    assert values.count("restart") == 4
    assert values.count("continue") == 13 - 4
    assert len(table.rows) == 1 + 13


def test_signature_stands_level_with_the_last_line_of_the_position(built: Path) -> None:
    table = Document(str(built / "order.docx")).tables[-1]
    position, place, name = table.rows[0].cells
    assert place.text == "" and 'w:name="signature"' in place._tc.xml
    assert position.text == ("Заместитель главы администрации\u00a0—\n"
                             "начальник Управления образования администрации БГО")
    assert name.text == "О.И.\u00a0Матасова"
    assert name.vertical_alignment == 3  # bottom
    assert name.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def _soffice(*args: str, cwd: Path) -> None:
    profile = cwd / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore", *args], cwd=cwd, check=True, capture_output=True, timeout=180)


@pytest.mark.libreoffice
def test_templates_saved_by_libreoffice_still_build(project: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    _soffice("--convert-to", "docx:MS Word 2007 XML", "--outdir", str(saved),
             *[str(project / "templates" / name) for name in TEMPLATES], cwd=tmp_path)
    for name in TEMPLATES:
        shutil.copyfile(saved / name, project / "templates" / name)
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    order = normalise("\n".join(paragraphs(project / "build/orders/2022-685/order.docx")))
    annex = normalise("\n".join(paragraphs(project / "build/orders/2022-685/annex-1.docx")))
    assert "30.08.2022 № 685" in order and "4. Контроль исполнения приказа" in order
    assert "Солдатовой И.Н., заместителю начальника" in order
    assert "Приложение № 1" in annex and "Руководители ОО" in annex
    assert not re.search(r"\{[{%]|[%}]\}", order + annex)


@pytest.mark.libreoffice
def test_a_font_changed_in_the_template_reaches_the_pdf(project: Path) -> None:
    for name in TEMPLATES:
        path = project / "templates" / name
        document = Document(str(path))
        fonts = document.styles["Normal"].element.rPr.rFonts
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), "Liberation Sans")
        document.save(str(path))
    assert main(["-C", str(project), "build"]) == 0
    reader = PdfReader(project / "build/orders/2022-685/order.pdf")
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1]
             for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert "LiberationSans" in fonts and "LiberationSerif" not in fonts
