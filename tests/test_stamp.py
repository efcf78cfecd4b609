"""PDF and DOCX stamping without LibreOffice: information, XMP read back by a real XMP
reader, the PDF/A identification and extension schema, the colour profile's fixed date,
reproducible bytes, writes that the disk refuses."""

from __future__ import annotations

import datetime as dt
import errno
import logging
import struct
import time
import zlib
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from docgen.documents import Properties, Revision
from docgen.stamp import (
    IDENTITY_FIELDS,
    NAMESPACE,
    finalize_pdf,
    finish_pdf,
    pdf_date,
    read_identity,
    save_pdf,
)

PROPERTIES = Properties(title="Об утверждении «дорожной карты» <резерва> & плана",
                        subject="Резерв управленческих кадров", author="Управление образования",
                        keywords=["резерв", "№ 685"], category="Приказ",
                        date=dt.date(2022, 8, 30), document="orders/2022-685/order", edition=2)
REVISION = Revision("a" * 40, True)
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _profile(day: tuple[int, ...] = (2026, 12, 1, 10, 11, 12)) -> bytes:
    """An ICC profile's header as LibreOffice writes it: a run's date, a random ID."""
    header = bytearray(128)
    header[24:36] = struct.pack(">6H", *day)
    header[36:40] = b"acsp"
    header[84:100] = bytes(range(1, 17))
    return bytes(header) + b"rest of the profile"


def _pdf(path: Path, profile: bytes | None = None) -> Path:
    """A one-page PDF as LibreOffice leaves it: its own ID and checksum, perhaps an output
    intent with a colour profile."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.trailer.DocChecksum = pikepdf.Name("/0123456789ABCDEF")
        if profile is not None:
            stream = pdf.make_stream(profile)
            pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
                DestOutputProfile=stream))])
        pdf.save(path, static_id=False)
    return path


def test_a_finished_pdf_says_the_same_in_its_information_and_its_xmp(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pdf = _pdf(tmp_path / "order.pdf")
    with caplog.at_level(logging.DEBUG, logger="pikepdf"):
        finalize_pdf(pdf, PROPERTIES, REVISION)
    assert caplog.records == []  # pikepdf found nothing to repair
    with pikepdf.open(pdf) as document:
        stream = document.Root.Metadata
        assert (stream.Type, stream.Subtype) == (pikepdf.Name.Metadata, pikepdf.Name.XML)
        info = {str(k): str(v) for k, v in document.trailer.Info.items()}
        assert info == {"/Title": PROPERTIES.title, "/Author": PROPERTIES.author,
                        "/Subject": PROPERTIES.subject, "/Keywords": "резерв; № 685",
                        "/Creator": "docgen", "/Producer": "LibreOffice; docgen",
                        "/CreationDate": "D:20220830000000Z", "/ModDate": "D:20220830000000Z"}
        assert "/DocChecksum" not in document.trailer
        metadata = document.open_metadata()
        assert metadata["dc:title"] == PROPERTIES.title
        assert metadata["dc:creator"] == [PROPERTIES.author]
        assert metadata["dc:description"] == PROPERTIES.subject
        assert metadata["dc:language"] == {"ru-RU"}
        assert metadata["dc:format"] == "application/pdf"
        assert metadata["pdf:Keywords"] == "резерв; № 685"
        assert metadata["pdf:Producer"] == "LibreOffice; docgen"
        assert metadata["xmp:CreatorTool"] == "docgen"
        for moment in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            assert metadata[moment] == "2022-08-30T00:00:00Z"
        assert metadata.pdfa_status == "2B"
        packet = document.Root.Metadata.read_bytes()
    # the packet as docgen wrote it, not parsed and serialized again on save
    assert packet.startswith('<?xpacket begin="\ufeff"'.encode())
    assert packet.endswith(b'<?xpacket end="w"?>')
    assert f"<docgen:commit>{'a' * 40}</docgen:commit>".encode() in packet
    assert read_identity(pdf) == {"document": "orders/2022-685/order", "edition": "2",
                                  "commit": "a" * 40, "draft": "true"}
    # PDF/A wants every property outside its schemas described in an extension schema
    root = etree.fromstring(packet)
    extension = "http://www.aiim.org/pdfa/ns/"
    assert root.find(f".//{{{extension}extension/}}schemas") is not None
    assert root.find(f".//{{{extension}schema#}}namespaceURI").text == NAMESPACE
    assert len(root.findall(f".//{{{extension}property#}}name")) == len(IDENTITY_FIELDS)
    schema = root.find(f".//{{{RDF}}}li[@{{{RDF}}}parseType='Resource']")
    assert schema is not None
    texts = [node.text for node in schema.iter()]
    assert NAMESPACE in texts and "docgen" in texts
    described = list(schema.iter(f"{{{RDF}}}li"))[1:]
    assert [[child.text for child in item] for item in described] == [
        [name, "Text", "external", text] for name, text in IDENTITY_FIELDS.items()]


def test_the_xmp_packet_holds_elements_only_with_the_packet_id_xmp_requires(
        tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "order.pdf")
    finalize_pdf(pdf, PROPERTIES, Revision(None, True))  # content never committed
    with pikepdf.open(pdf) as document:
        packet = document.Root.Metadata.read_bytes()
    assert packet.startswith('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'.encode())
    root = etree.fromstring(packet)
    for element in root.iter():
        if len(element):  # no text between elements: a reader would take it for a value
            assert not (element.text or "").strip(), element.tag
        assert not (element.tail or "").strip(), element.tag
    assert read_identity(pdf)["commit"] == ""


def test_the_same_document_gives_the_same_bytes_and_another_commit_others(
        tmp_path: Path) -> None:
    made = []
    for name, revision in (("a", REVISION), ("b", REVISION), ("c", Revision("b" * 40, False))):
        if name == "b":  # a second later: qpdf's own file identifier would take the time
            time.sleep(1.0 - time.time() % 1.0 + 0.01)
        pdf = _pdf(tmp_path / f"{name}.pdf", _profile())
        finalize_pdf(pdf, PROPERTIES, revision)
        made.append(pdf.read_bytes())
    assert made[0] == made[1] != made[2]
    assert read_identity(tmp_path / "c.pdf")["draft"] == "false"
    assert b"/ObjStm" in made[0]  # small objects packed, as PDF/A-2 allows


def test_the_colour_profile_gets_the_documents_date_and_no_id(tmp_path: Path) -> None:
    for day, expected in ((dt.date(2022, 8, 30), (2022, 8, 30, 0, 0, 0)),
                          (None, (2000, 1, 1, 0, 0, 0))):
        pdf = _pdf(tmp_path / "order.pdf", _profile())
        finalize_pdf(pdf, Properties("Т", "П", "А", date=day), REVISION)
        with pikepdf.open(pdf) as document:
            stream = document.Root.OutputIntents[0].DestOutputProfile
            assert stream.Filter == pikepdf.Name.FlateDecode
            data = stream.read_bytes()
            assert zlib.decompress(stream.read_raw_bytes()) == data
        assert struct.unpack(">6H", data[24:36]) == expected
        assert data[84:100] == bytes(16)
        assert data[:24] == bytes(24) and data[36:84] == _profile()[36:84]
        assert data[100:] == _profile()[100:]


def test_a_stream_that_is_not_a_colour_profile_is_left_alone(tmp_path: Path) -> None:
    not_icc = b"\x00" * 36 + b"nope" + b"\x01" * 100
    pdf = _pdf(tmp_path / "order.pdf", not_icc)
    finalize_pdf(pdf, PROPERTIES, REVISION)
    with pikepdf.open(pdf) as document:
        assert document.Root.OutputIntents[0].DestOutputProfile.read_bytes() == not_icc


def test_a_pdf_date_is_the_documents_day_or_the_epoch() -> None:
    assert pdf_date(dt.date(2022, 8, 30)) == "D:20220830000000Z"
    assert pdf_date(None) == "D:20000101000000Z"


def test_a_write_the_disk_refuses_names_the_file(tmp_path: Path) -> None:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        with pytest.raises(OSError) as refused:
            save_pdf(pdf, Path("/dev/full"))
        assert (refused.value.errno, refused.value.filename) == (errno.ENOSPC, "/dev/full")
        assert refused.value.strerror == "No space left on device"
        save_pdf(pdf, tmp_path / "plain.pdf")
        save_pdf(pdf, tmp_path / "packed.pdf",  # the options reach qpdf
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"/ObjStm" in (tmp_path / "packed.pdf").read_bytes()
    assert b"/ObjStm" not in (tmp_path / "plain.pdf").read_bytes()


def test_a_member_of_a_batch_keeps_the_pdf_version_of_the_joined_file(tmp_path: Path) -> None:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        finish_pdf(pdf, tmp_path / "member.pdf", PROPERTIES, REVISION, "1.7")
    with pikepdf.open(tmp_path / "member.pdf") as member:
        assert member.pdf_version == "1.7"
