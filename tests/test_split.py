"""Splitting a joined PDF without LibreOffice: each member gets its pages with what they
inherit from the page tree, its own named destinations, the output intent and the viewer
preferences, however the joined PDF holds them."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from docgen.batches import OWN, START, Member, NotJoinable, split

PROFILE = b"an ICC profile's bytes"


def _joined(path: Path, pages_of: list[int]) -> Path:
    """A joined PDF as LibreOffice writes one, with a page tree of two levels whose nodes
    hold the pages' resources, size and rotation; member i has pages_of[i] pages."""
    with pikepdf.new() as pdf:
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                    Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        inner = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Pages, Kids=pikepdf.Array(), Count=0, Rotate=90,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))))
        root = pdf.Root.Pages
        root.Kids = pikepdf.Array([inner])
        root.MediaBox = pikepdf.Array([0, 0, 595, 842])
        inner.Parent = root
        destinations = pikepdf.Dictionary()
        number = 0
        for index, count in enumerate(pages_of):
            for page in range(count):
                number += 1
                content = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({number}) Tj ET".encode())
                kid = pdf.make_indirect(pikepdf.Dictionary(
                    Type=pikepdf.Name.Page, Parent=inner, Contents=content, StructParents=number))
                inner.Kids.append(kid)
                if page == 0:
                    destinations["/" + START.format(index=index)] = pikepdf.Array(
                        [kid, pikepdf.Name.XYZ, 0, 842, 0])
                if page == count - 1:  # the member's own bookmark, renamed while joined
                    destinations["/" + OWN.format(name="signature", index=index)] = \
                        pikepdf.Array([kid, pikepdf.Name.XYZ, 72, 200, 0])
        inner.Count = root.Count = number
        pdf.Root.Dests = destinations
        profile = pdf.make_stream(PROFILE, N=3)
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(  # direct, as LibreOffice
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            DestOutputProfile=profile)])
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        pdf.Root.Lang = pikepdf.String("ru-RU")
        pdf.save(path)
    return path


def test_each_member_gets_its_pages_with_what_they_inherit(tmp_path: Path) -> None:
    joined = _joined(tmp_path / "joined.pdf", [2, 1, 3])
    members = [Member(key, tmp_path / f"{key}.docx", tmp_path / f"{key}.pdf")
               for key in ("a", "b", "c")]
    split(joined, members)
    first_pages = []
    for member, count in zip(members, [2, 1, 3], strict=True):
        with pikepdf.open(member.pdf) as own:
            assert len(own.pages) == count
            for page in own.pages:
                assert [int(x) for x in page.obj.MediaBox] == [0, 0, 595, 842]
                assert page.obj.Rotate == 90
                assert page.obj.Resources.Font.F1.BaseFont == pikepdf.Name.Helvetica
                assert "/StructParents" not in page.obj  # the joined PDF's tags stay there
            first_pages.append(own.pages[0].Contents.read_bytes())
            assert set(own.Root.Dests.keys()) == {"/signature"}
            place = own.Root.Dests.signature
            assert place[0].objgen == own.pages[count - 1].obj.objgen
            assert list(place)[1:] == [pikepdf.Name.XYZ, 72, 200, 0]
            intent = own.Root.OutputIntents[0]
            assert intent.S == pikepdf.Name.GTS_PDFA1
            assert intent.DestOutputProfile.read_bytes() == PROFILE
            assert own.Root.ViewerPreferences.DisplayDocTitle is True
            assert str(own.Root.Lang) == "ru-RU"
    assert [b.split(b"(")[1].split(b")")[0] for b in first_pages] == [b"1", b"3", b"4"]


def test_a_page_keeps_its_own_attributes_over_the_trees(tmp_path: Path) -> None:
    joined = _joined(tmp_path / "joined.pdf", [1])
    with pikepdf.open(joined, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.MediaBox = pikepdf.Array([0, 0, 842, 595])
        pdf.pages[0].obj.Rotate = 0
        pdf.save(joined)
    split(joined, [Member("a", tmp_path / "a.docx", tmp_path / "a.pdf")])
    with pikepdf.open(tmp_path / "a.pdf") as own:
        assert list(own.pages[0].obj.MediaBox) == [0, 0, 842, 595]
        assert own.pages[0].obj.Rotate == 0


@pytest.mark.parametrize("swapped", [False, True])
def test_members_whose_starts_are_missing_or_out_of_order_are_not_split(
        tmp_path: Path, swapped: bool) -> None:
    joined = _joined(tmp_path / "joined.pdf", [1, 1])
    count = 2
    if swapped:  # the second member's start before the first's
        with pikepdf.open(joined, allow_overwriting_input=True) as pdf:
            first, second = (pdf.Root.Dests["/" + START.format(index=i)] for i in (0, 1))
            first[0], second[0] = second[0], first[0]
            pdf.save(joined)
    else:  # a third member the PDF does not hold
        count = 3
    with pytest.raises(NotJoinable):
        split(joined, [Member(str(i), tmp_path / f"{i}.docx", tmp_path / f"{i}.pdf")
                       for i in range(count)])
    assert not (tmp_path / "0.pdf").exists()
