"""Rendering is safe: content is data, templates are checked against the model."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from docx import Document
from docx_text import paragraphs

from docgen.cli import main
from docgen.documents import Revision
from docgen.loading import plan_project
from docgen.render import Renderer
from docgen.stamp import save_docx, stamp_docx

ORDER = Path("content/orders/2022-685/order.yaml")
ANNEX = Path("content/orders/2022-685/annex-1-roadmap.yaml")
TRICKY = "A < B & C > D {{ order.number }} {% if true %}x{% endif %} {# note #}"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_content_that_looks_like_markup_comes_out_literally(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quoted = TRICKY.replace('"', '\\"')
    _edit(project / ORDER, "place: город Балтийск", f'place: "город Балтийск {quoted}"')
    _edit(project / ORDER, "  - text: Контроль исполнения приказа оставляю за собой.",
          f'  - text: "Контроль {quoted}"')
    _edit(project / ANNEX, "text: Формирование списка резерва управленческих кадров",
          f'text: "Формирование {quoted}"')
    assert main(["-C", str(project), "build", "--no-pdf"]) == 0
    assert "текст похож на разметку шаблона" in capsys.readouterr().err
    order = paragraphs(project / "build/orders/2022-685/order.docx")
    annex = paragraphs(project / "build/orders/2022-685/annex-1.docx")
    assert f"город Балтийск {TRICKY}" in order
    assert f"4. Контроль {TRICKY}" in order
    assert f"Формирование {TRICKY}" in annex


def _add_paragraph(template: Path, text: str) -> None:
    document = Document(str(template))
    document.add_paragraph(text)
    document.save(str(template))


def test_unknown_attribute_in_a_template_is_named_with_a_hint(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _add_paragraph(project / "templates/order.docx", "Тема: {{ order.titel }}")
    assert main(["-C", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert ("templates/order.docx: поле «titel»: шаблон обращается к значению, которого нет "
            "в данных; возможно, имелось в виду «title» (в абзаце «Тема: {{ order.titel }}»)") in err


def test_unknown_variable_in_a_template(project: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _add_paragraph(project / "templates/annex-roadmap.docx", "{{ anex.title }}")
    assert main(["-C", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert ("templates/annex-roadmap.docx: поле «anex»: шаблон обращается к значению, которого "
            "нет в данных; возможно, имелось в виду «annex»") in err


def test_template_syntax_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _add_paragraph(project / "templates/order.docx", "{% if order.title %}без конца")
    assert main(["-C", str(project), "check"]) == 1
    assert "templates/order.docx: ошибка в теге шаблона:" in capsys.readouterr().err


def test_sandbox_refuses_unsafe_attributes(project: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _add_paragraph(project / "templates/order.docx", "{{ order.title.__class__.__mro__ }}")
    assert main(["-C", str(project), "build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "templates/order.docx" in err and "Traceback" not in err
    assert not (project / "build/orders").exists()


def test_missing_template(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "templates/annex-roadmap.docx").unlink()
    assert main(["-C", str(project), "check"]) == 1
    assert "шаблон не найден: templates/annex-roadmap.docx" in capsys.readouterr().err


def test_check_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "check"]) == 0
    assert "Проверка пройдена" in capsys.readouterr().out
    assert not (project / "build").exists()


def _render_order(project: Path, compiled: Path, target: Path) -> None:
    order = next(document for folder in plan_project(project)
                 for document in folder.documents if document.template == "order.docx")
    rendered = Renderer(project / "templates", Path("templates"), compiled).render(
        order.template, order.context)
    stamp_docx(rendered, order.properties, Revision(None, False))
    save_docx(rendered, target)


def test_compiled_templates_are_kept_between_runs_and_compiled_anew_when_edited(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = tmp_path / "compiled"
    _render_order(project, compiled, tmp_path / "first.docx")
    assert list(compiled.iterdir())
    compiles: list[str] = []
    compile_source = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: str, *args: object, **kwargs: object) -> object:
        compiles.append(source)
        return compile_source(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    _render_order(project, compiled, tmp_path / "again.docx")     # a new run: a new renderer
    assert compiles == []
    assert (tmp_path / "again.docx").read_bytes() == (tmp_path / "first.docx").read_bytes()
    _add_paragraph(project / "templates/order.docx", "Абзац, добавленный в шаблон")
    _render_order(project, compiled, tmp_path / "edited.docx")
    assert len(compiles) == 1                                       # the edited body alone
    assert "Абзац, добавленный в шаблон" in paragraphs(tmp_path / "edited.docx")


def test_a_folder_for_compiled_templates_that_cannot_be_made_is_no_obstacle(
        project: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    _render_order(project, blocked / "compiled", tmp_path / "order.docx")
    assert "ПРИКАЗ" in paragraphs(tmp_path / "order.docx")
