"""What a document is made from: the fields it reads, and digests over just those."""

from __future__ import annotations

import threading
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from pydantic import BaseModel

from docgen.content import load_project
from docgen.dependencies import ALL, Fingerprints, select
from docgen.documents import Planned
from docgen.loading import plan_project
from docgen.model import READS, Person, ReadLog, Strict
from docgen.render import Renderer


def _person(**changes: Any) -> Person:
    fields = {"surname": "Зайцева", "first_name": "Марина", "patronymic": "Викторовна",
              "gender": "female", "position": "начальник", "email": "m@example.org"}
    return Person(**{**fields, **changes})


def test_fields_read_through_a_property_are_selected_and_others_not() -> None:
    head = _person()
    with READS.open() as reads:
        head.full_name  # noqa: B018 (the read is the point)
    chosen = select({"head": head, "title": "Список"}, reads)
    assert chosen == {"d": {"head": {"m": {"first_name": ALL, "patronymic": ALL,
                                           "surname": ALL}},
                            "title": ALL}}
    part = Fingerprints(Path(".")).part
    base = part({"head": head, "title": "Список"}, chosen)
    assert part({"head": _person(email="other@example.org"), "title": "Список"},
                chosen) == base                                  # not read: same digest
    assert part({"head": _person(surname="Зайцев", gender="male"), "title": "Список"},
                chosen) != base                                  # read: another digest
    assert part({"head": head, "title": "Список резерва"}, chosen) != base


def test_a_model_read_whole_or_out_of_reach_selects_all() -> None:
    head, other = _person(), _person(surname="Черных")
    with READS.open() as reads:
        assert head != other                                     # comparison reads all
    assert select({"head": head, "other": other}, reads) == {"d": {"head": ALL, "other": ALL}}
    with READS.open() as reads:
        other.surname  # noqa: B018 (a model the context does not hold)
    assert select({"head": head}, reads) == ALL


def test_lists_merge_what_their_items_read_and_count_their_items() -> None:
    first, second = _person(), _person(surname="Кох")
    with READS.open() as reads:
        first.surname  # noqa: B018
        second.position  # noqa: B018
    chosen = select({"rows": [first, second]}, reads)
    assert chosen == {"d": {"rows": {"l": {"m": {"position": ALL, "surname": ALL}}}}}
    part = Fingerprints(Path(".")).part
    assert part({"rows": [first]}, chosen) != \
        part({"rows": [first, second]}, chosen)


def test_a_selection_digests_alike_in_whatever_order_its_fields_were_read() -> None:
    head = _person()
    read_first = {"d": {"head": {"m": {"surname": ALL, "position": ALL}}}}
    read_last = {"d": {"head": {"m": {"position": ALL, "surname": ALL}}}}
    assert Fingerprints(Path(".")).part({"head": head}, read_first) == \
        Fingerprints(Path(".")).part({"head": head}, read_last)


def _changed(value: Any, chosen: Any, seen: dict[int, Any]) -> Any:
    """`value` with every text field its selection leaves out changed."""
    if isinstance(value, Strict):
        if chosen == ALL:
            return value
        if id(value) in seen:
            return seen[id(value)]
        fields = chosen["m"] if isinstance(chosen, dict) else {}
        update = {}
        for name in type(value).model_fields:
            current = getattr(value, name)
            if name in fields:
                update[name] = _changed(current, fields[name], seen)
            elif isinstance(current, str) and not isinstance(current, Enum) and current:
                update[name] = current + " (изменено)"
        seen[id(value)] = value.model_copy(update=update)
        return seen[id(value)]
    if isinstance(value, dict) and not isinstance(value, BaseModel):
        inner = chosen["d"] if isinstance(chosen, dict) and "d" in chosen else {}
        return {key: _changed(item, inner.get(str(key), ALL), seen)
                for key, item in value.items()}
    if isinstance(value, list) and isinstance(chosen, dict) and "l" in chosen:
        return [_changed(item, chosen["l"], seen) for item in value]
    return value


def _text(document: Any) -> bytes:
    """Every part of a rendered document under word/, serialised."""
    return b"".join(part.blob for part in sorted(document.part.package.iter_parts(),
                                                 key=lambda part: part.partname)
                    if part.partname.startswith("/word/"))


@pytest.mark.parametrize("document", [d for f in plan_project(ROOT) for d in f.documents],
                         ids=lambda d: d.document_id)
def test_text_the_selection_leaves_out_does_not_change_the_document(
        document: Planned, tmp_path: Path) -> None:
    renderer = Renderer(ROOT / "templates", Path("templates"))
    with READS.open() as reads:
        first = renderer.render(document.template, document.context)
    chosen = select(document.context, reads)
    assert chosen != ALL, "every read is reachable from the document's context"
    changed = _changed(document.context, chosen, {})
    fingerprints = Fingerprints(ROOT / "templates")
    part, whole = fingerprints.part, fingerprints.whole
    assert whole(changed) != whole(document.context)  # some text was left out, and changed
    second = renderer.render(document.template, changed)
    assert _text(first) == _text(second)
    assert part(changed, chosen) == part(document.context, chosen)


def test_the_read_log_notes_only_the_thread_it_is_open_in() -> None:
    project, _ = load_project(ROOT)
    order = project.orders[0].order
    seen_elsewhere: list[str] = []
    with READS.open() as reads:
        worker = threading.Thread(target=lambda: seen_elsewhere.append(order.place))
        worker.start()
        worker.join()
        assert reads == {}  # another thread's read is not this document's
        assert order.title
        assert reads == {id(order): {"title"}}
        with pytest.raises(RuntimeError), READS.open():
            pass
    assert seen_elsewhere == ["город Балтийск"] and READS.reads is None


def test_a_new_read_log_is_closed_until_opened_and_notes_fields_and_whole_reads() -> None:
    project, _ = load_project(ROOT)
    order = project.orders[0].order
    log = ReadLog()
    log.note(order, "title")  # closed: nothing is noted, nothing fails
    assert log.reads is None
    with log.open() as reads:
        log.note(order, "title")
        log.note(order, "title")
        log.note(order, "model_dump")
        log.note(order, "not_a_field")
        assert reads == {id(order): {"title", ReadLog.WHOLE}}
    assert log.reads is None
