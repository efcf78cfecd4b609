"""The template filters that name people, groups and amending orders, each case checked
against the registry's entries (no template, no LibreOffice)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, amendment, copy_project

from docgen import filters
from docgen.content import load_project
from docgen.model import Project


@pytest.fixture(scope="module")
def shipped() -> Project:
    return load_project(ROOT)[0]


@pytest.mark.parametrize(("case", "group", "position"), [
    ("nominative", "руководители общеобразовательных организаций",
     "заместитель главы администрации – начальник Управления образования администрации БГО"),
    ("genitive", "руководителей общеобразовательных организаций",
     "заместителя главы администрации – начальника Управления образования администрации БГО"),
    ("dative", "руководителям общеобразовательных организаций",
     "заместителю главы администрации – начальнику Управления образования администрации БГО"),
    ("instrumental", "руководителями общеобразовательных организаций",
     "заместителем главы администрации – начальником Управления образования администрации "
     "БГО"),
])
def test_a_group_and_a_position_in_each_case(shipped: Project, case: str, group: str,
                                             position: str) -> None:
    registry = shipped.registry
    assert filters.group_name(registry.groups["school-heads"], case) == group
    assert filters.position(registry.people["matasova"], case) == position


def test_defaults_are_the_nominative(shipped: Project) -> None:
    registry = shipped.registry
    assert filters.group_name(registry.groups["school-heads"]) == \
        "руководители общеобразовательных организаций"
    assert filters.position(registry.people["matasova"]).startswith("заместитель главы")
    assert filters.person(registry.people["matasova"]) == "Матасова\xa0О.И."


@pytest.mark.parametrize(("case", "form", "expected"), [
    ("им", "фи", "Матасова\xa0О.И."), ("вин", "фио", "Матасову Ольгу Игоревну"),
    ("дат", "иф", "О.И.\xa0Матасовой"), ("род", "фио", "Матасовой Ольги Игоревны"),
])
def test_a_person_in_a_case_and_a_form(shipped: Project, case: str, form: str,
                                       expected: str) -> None:
    assert filters.person(shipped.registry.people["matasova"], case, form) == expected


def test_the_orders_that_gave_an_annex_its_wording(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert filters.edition_reference([]) == ""
    folder = project / "content/orders/2022-712"
    folder.mkdir()
    (folder / "amendment.yaml").write_text(amendment(), encoding="utf-8")
    loaded = load_project(project)[0]
    one = filters.edition_reference(loaded.amendments)
    assert one == "приказа Управления образования администрации БГО от 14.10.2022 №\xa0712"
    second = project / "content/orders/2022-740"
    second.mkdir()
    (second / "amendment.yaml").write_text(
        amendment().replace("number: 712", "number: 740").replace("2022-10-14", "2022-11-01"),
        encoding="utf-8")
    two = filters.edition_reference(load_project(project)[0].amendments)
    assert two == ("приказов Управления образования администрации БГО от 14.10.2022 №\xa0712, "
                   "от 01.11.2022 №\xa0740")
