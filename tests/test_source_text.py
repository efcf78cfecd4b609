"""The rendered order and annex hold every line of the source, word for word, in order."""

from __future__ import annotations

import re
from pathlib import Path

from docx_text import normalise, paragraphs

SOURCE = Path(__file__).parent / "data" / "order-685-source.txt"
DATE_LINES = {"от «30» августа 2022 года", "от 30.08.2022 года № 685"}
# The one defect of the source docgen corrects: the annex reference stands inside the
# item, before its own punctuation, as GOST R 7.0.97 writes it.
CORRECTED = {"округа; (Приложение)": "округа (Приложение);"}


def _source() -> tuple[str, str]:
    text = SOURCE.read_text(encoding="utf-8")
    for wrong, right in CORRECTED.items():
        assert wrong in text
        text = text.replace(wrong, right)
    order, annex = text.split("Приложение №1", 1)
    return order, "Приложение №1" + annex


def _segments(text: str) -> list[str]:
    """Lines of prose without list marks and item numbers (the pipeline sets those)."""
    result = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or "\t" in raw or line in DATE_LINES:
            continue
        line = re.sub(r"^(- |\d+\. )", "", line)
        result.append(normalise(line))
    return result


def _table_segments(text: str) -> list[str]:
    """Cells of the source's roadmap table, rows broken across lines joined again."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if "\t" not in line:
            continue
        cells = (line.split("\t") + ["", "", "", ""])[:4]
        if rows and not cells[2].strip() and len(rows) > 1:
            rows[-1] = [f"{old} {new}".strip() for old, new in zip(rows[-1], cells, strict=True)]
        else:
            rows.append(cells)
    return [normalise(cell) for row in rows for cell in row if cell.strip()]


def _assert_in_order(segments: list[str], document: list[str]) -> None:
    text = normalise("\n".join(document))
    position = 0
    for segment in segments:
        found = text.find(segment, position)
        assert found >= 0, f"not found after position {position}: {segment!r}"
        position = found + len(segment)


def test_order_holds_every_line_of_the_source_in_order(built: Path) -> None:
    order_text, _ = _source()
    segments = _segments(order_text)
    assert len(segments) > 40
    _assert_in_order(segments, paragraphs(built / "order.docx"))


def test_annex_holds_every_line_and_table_cell_in_order(built: Path) -> None:
    _, annex_text = _source()
    prose = _segments(annex_text)
    cells = _table_segments(annex_text)
    assert len(cells) == 4 + 4 + 13 * 3
    _assert_in_order(prose + cells, paragraphs(built / "annex-1.docx"))


def test_items_are_numbered_one_to_four_by_the_pipeline(built: Path) -> None:
    numbers = [int(m[1]) for text in paragraphs(built / "order.docx")
               if (m := re.match(r"(\d+)\. [А-ЯЁ]", text))]
    assert numbers == [1, 2, 3, 4]


def test_requisites_follow_gost(built: Path) -> None:
    order = [normalise(p) for p in paragraphs(built / "order.docx") if p.strip()]
    assert order[0] == "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ АДМИНИСТРАЦИИ БАЛТИЙСКОГО ГОРОДСКОГО ОКРУГА"
    assert order[1] == "ПРИКАЗ"
    assert order[2] == "30.08.2022 № 685"
    assert order[3] == "город Балтийск"
    assert order[4].startswith("Утверждение плана мероприятий") and not order[4].endswith(".")
    assert order.index("ПРИКАЗЫВАЮ:") > 4
    annex = [normalise(p) for p in paragraphs(built / "annex-1.docx") if p.strip()]
    assert annex[:3] == ["Приложение № 1", "к приказу Управления образования администрации БГО",
                         "от 30.08.2022 № 685"]


def test_the_annex_reference_keeps_the_items_punctuation(built: Path) -> None:
    text = normalise("\n".join(paragraphs(built / "order.docx")))
    assert "городского округа (Приложение); 3. Руководителям" in text
    assert "; (Приложение)" not in text


def test_typography_is_applied(built: Path) -> None:
    text = "\n".join(paragraphs(built / "order.docx"))
    assert "№\u00a0467/1 «О проведении мониторинга" in text
    assert "(„дорожной карты“)" in text
    assert "(далее\u00a0— Мониторинг)" in text
    assert "О.И.\u00a0Матасова" in text
    assert "Солдатовой\u00a0И.Н., заместителю начальника" in text
    assert '"' not in text and "“О" not in text
