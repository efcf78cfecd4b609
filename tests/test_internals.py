"""Each use of a library's private internals, tested on its own: an upgrade of python-docx,
docxtpl, pyHanko or LibreOffice that changes what docgen relies on fails here first."""

from __future__ import annotations

import io
import subprocess
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from docxtpl import DocxTemplate
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from docgen.convert import find_soffice
from docgen.docx_template import PreparedTemplate
from docgen.office_names import (
    PROFILE_BUILD_ID,
    PROFILE_SETTINGS,
    single_instance_pipe,
    uno_pipe,
)
from docgen.pdf_writer import MetadataKeepingWriter
from docgen.stamp import save_docx


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_python_docx_package_writer_writes_what_its_save_writes(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("Приказ № 685")
    document.core_properties.title = "Проверка"
    saved = io.BytesIO()
    document.save(saved)
    save_docx(document, tmp_path / "ours.docx")
    ours = (tmp_path / "ours.docx").read_bytes()
    assert _members(ours) == _members(saved.getvalue())
    assert Document(str(tmp_path / "ours.docx")).paragraphs[-1].text == "Приказ № 685"
    save_docx(document, tmp_path / "again.docx")
    assert (tmp_path / "again.docx").read_bytes() == ours  # reproducible byte for byte


def _template(path: Path) -> Path:
    document = Document()
    document.add_paragraph("Уважаемый {{ name }}!")
    document.save(str(path))
    return path


def test_docxtpl_calls_the_steps_the_prepared_template_replaces(tmp_path: Path) -> None:
    path = _template(tmp_path / "template.docx")
    plain = DocxTemplate(str(path))
    plain.render({"name": "Иван Петрович"})
    pristine = Document(str(path))
    patched: dict[str, str] = {}
    first = PreparedTemplate(pristine, patched)
    first.render({"name": "Иван Петрович"})
    assert first.docx.element.xml == plain.docx.element.xml  # renders as docxtpl does
    assert patched  # patch_xml was called, and its result kept
    second = PreparedTemplate(pristine, patched)
    second.render({"name": "Ольга Ивановна"})
    assert "Уважаемый Ольга Ивановна!" in [p.text for p in second.docx.paragraphs]
    assert "Уважаемый {{ name }}!" in [p.text for p in pristine.paragraphs]  # init_docx copied


def _letter_template(path: Path) -> Path:
    """Paragraphs with and without tags, one with a run of its own properties, a table."""
    document = Document()
    document.add_paragraph("Уважаемый {{ name }}!")
    document.add_paragraph("Текст без тегов,\tс табуляцией в самом шаблоне.")
    paragraph = document.add_paragraph("Исполнитель: ")
    paragraph.add_run("{{ name }}").bold = True
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = "{{ name }} — подпись"
    document.add_paragraph("Конец письма.")
    document.save(str(path))
    return path


@pytest.mark.parametrize("name", ["Иван Петрович", "Иван\tПетрович", "Иван\nПетрович",
                                  "Иван\aПетрович", "Иван\fПетрович"])
def test_text_with_and_without_breaks_renders_as_docxtpl_renders_it(tmp_path: Path,
                                                                    name: str) -> None:
    path = _letter_template(tmp_path / "template.docx")
    plain = DocxTemplate(str(path))
    plain.render({"name": name})
    ours = PreparedTemplate(Document(str(path)), {})
    ours.render({"name": name})
    assert ours.docx.element.xml == plain.docx.element.xml
    assert ("<w:br/>" in ours.docx.element.xml) == ("\n" in name)


def _pdf(path: Path) -> Path:
    with pikepdf.new() as document:
        document.add_blank_page()
        document.docinfo["/Producer"] = "LibreOffice; docgen"
        document.save(path)
    return path


def _producer_after_update(writer_class: type[IncrementalPdfFileWriter], source: Path) -> str:
    with source.open("rb") as stream:
        writer = writer_class(stream, strict=False)
        writer.update_root()
        out = io.BytesIO()
        writer.write(out)
    with pikepdf.open(io.BytesIO(out.getvalue())) as updated:
        return str(updated.docinfo["/Producer"])


def test_pyhanko_updates_metadata_only_through_the_overridden_method(tmp_path: Path) -> None:
    source = _pdf(tmp_path / "source.pdf")
    assert "pyHanko" in _producer_after_update(IncrementalPdfFileWriter, source)
    assert _producer_after_update(MetadataKeepingWriter, source) == "LibreOffice; docgen"


@pytest.mark.libreoffice
def test_libreoffice_names_its_pipes_and_profile_files_as_docgen_expects(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    name = f"docgen-internals-{time.monotonic_ns()}"
    process = subprocess.Popen(
        [find_soffice(None), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--invisible", "--norestore", f"--accept=pipe,name={name};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pipes = [uno_pipe(name), single_instance_pipe(profile)]
        deadline = time.monotonic() + 60
        while not all(pipe.exists() for pipe in pipes) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pipe.exists() for pipe in pipes] == [True, True]
        assert (profile / PROFILE_BUILD_ID).is_file()
        assert (profile / PROFILE_SETTINGS).is_file()
    finally:
        process.terminate()
        process.wait(timeout=30)
    for pipe in (uno_pipe(name), single_instance_pipe(profile)):
        pipe.unlink(missing_ok=True)
