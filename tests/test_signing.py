"""PDF/A, PAdES signing with the GOST mark, visual marks, and signature verification."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys, tsp, x509
from certificates import PASSWORD, Authority
from conftest import git_project
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from fontTools.ttLib import TTFont
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pypdf import PdfReader

ORDER = "orders/2022-685/order"
MM = 72 / 25.4


def _run(project: Path, *args: str, password: str | None = PASSWORD.decode(),
         **kwargs: object) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin"}
    if password is not None:
        environment["DOCGEN_P12_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "docgen", "-C", str(project), *args],
                          capture_output=True, text=True, check=False, env=environment,
                          stdin=subprocess.DEVNULL, **kwargs)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """An issued order, a CA with a valid and an expired signer, and a signed copy."""
    project = git_project(tmp_path_factory.mktemp("signing"))
    assert _run(project, "issue", ORDER, "--date", "2022-08-30").returncode == 0
    folder = tmp_path_factory.mktemp("pki")
    authority = Authority(folder)
    good = authority.issue("good")
    expired = authority.issue("expired", days=(-400, -10))
    edition = project / "build/editions" / ORDER / "1/order.pdf"
    signed = folder / "signed.pdf"
    result = _run(project, "sign", str(edition), "--p12", str(good.p12), "-o", str(signed))
    assert result.returncode == 0, result.stderr
    return {"project": project, "authority": authority, "good": good, "expired": expired,
            "edition": edition, "signed": signed, "folder": folder}


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(m[5], float(m[1]), float(m[2]), float(m[3]), float(m[4])) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]


def test_sign_then_verify(setup: dict) -> None:
    result = _run(setup["project"], "verify", str(setup["signed"]), "--trust",
                  str(setup["authority"].pem))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(f"подписанный экземпляр: {ORDER}, редакция 1 (PDF), издана "
                             "30.08.2022, коммит " + lines[0].rsplit(" ", 1)[1])
    assert lines[1].startswith("Подпись 1: Матасова Ольга Ивановна, время подписания ")
    assert lines[2:] == ["  целостность: документ не изменён после подписания",
                         "  подпись: математически верна", "  сертификат: доверенный"]


def test_signature_is_pades(setup: dict) -> None:
    reader = PdfReader(setup["signed"])
    fields = reader.get_fields()
    signature = fields["signature"]["/V"]
    assert signature["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature["/Filter"] == "/Adobe.PPKLite"


def test_without_trust_roots_the_signature_is_intact_but_not_trusted(setup: dict) -> None:
    result = _run(setup["project"], "verify", str(setup["signed"]))
    assert result.returncode == 0
    assert "  сертификат: доверие не проверялось (укажите --trust)" in result.stdout


def test_a_changed_byte_fails_verification(setup: dict, tmp_path: Path) -> None:
    data = bytearray(setup["signed"].read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    result = _run(setup["project"], "verify", str(tampered), "--trust",
                  str(setup["authority"].pem))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "  целостность: ДОКУМЕНТ ИЗМЕНЁН ПОСЛЕ ПОДПИСАНИЯ" in result.stdout
    assert "  подпись: НЕ СООТВЕТСТВУЕТ ДОКУМЕНТУ" in result.stdout


def test_an_expired_certificate_is_refused(setup: dict, tmp_path: Path) -> None:
    out = tmp_path / "never.pdf"
    result = _run(setup["project"], "sign", str(setup["edition"]), "--p12",
                  str(setup["expired"].p12), "-o", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"сертификат [0-9A-F]+ \(Матасова Ольга Ивановна\) просрочен: действовал "
                     r"по \d\d\.\d\d\.\d{4}; подписать им нельзя", result.stderr)
    assert not out.exists()


def test_the_password_comes_from_the_environment_or_a_prompt(setup: dict, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    wrong = _run(setup["project"], "sign", str(setup["edition"]), "--p12",
                 str(setup["good"].p12), "-o", str(out), password="wrong")
    assert wrong.returncode == 1 and "неверный пароль или файл не PKCS#12" in wrong.stderr
    missing = _run(setup["project"], "sign", str(setup["edition"]), "--p12",
                   str(setup["good"].p12), "-o", str(out), password=None)
    assert missing.returncode == 1
    assert "задайте пароль ключа в переменной окружения DOCGEN_P12_PASSWORD" in missing.stderr
    on_command_line = _run(setup["project"], "sign", str(setup["edition"]), "--p12",
                           str(setup["good"].p12), "--password", "x")
    assert on_command_line.returncode == 2
    assert not out.exists()


def test_the_mark_stands_in_the_signature_block_and_reads(setup: dict) -> None:
    signed = setup["signed"]
    last = len(PdfReader(signed).pages)
    words = _words(signed, last)
    text = " ".join(w[0] for w in words)
    serial = re.search(r"Сертификат ([0-9A-F]{16,})", text)
    assert "ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ" in text and serial
    assert "Владелец Матасова Ольга Ивановна" in text
    assert re.search(r"Действителен с \d\d\.\d\d\.\d{4} по \d\d\.\d\d\.\d{4}", text)
    mark = [w for w in words if w[0] in ("ДОКУМЕНТ", "Владелец")]
    name = next(w for w in words if w[0] == "Матасова" and w[4] > 200 and w[1] > 400)
    position = next(w for w in words if w[0] == "БГО" and w[1] < 300)
    for word in mark:
        assert position[3] < word[1] < name[1]          # between position and name
        assert abs(word[2] - name[2]) < 30 * MM          # at the level of the signature
    assert "ДОКУМЕНТ" not in " ".join(w[0] for w in _words(setup["edition"], last))


def test_a_visual_mark_for_a_signature_made_elsewhere(setup: dict, tmp_path: Path) -> None:
    out = tmp_path / "marked.pdf"
    result = _run(setup["project"], "stamp", str(setup["edition"]), "--cert",
                  str(setup["good"].pem), "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = " ".join(w[0] for w in _words(out, len(PdfReader(out).pages)))
    assert "ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ" in text
    assert "Владелец Матасова Ольга Ивановна" in text
    assert PdfReader(out).get_fields() in (None, {})
    verified = _run(setup["project"], "verify", str(out))
    assert verified.returncode == 1  # what was drawn over the edition, no signature vouches for
    assert ("не совпадает ни с одной изданной редакцией: это orders/2022-685/order, редакция 1, "
            "с дописанными после издания изменениями") in verified.stderr


def _xmp(pdf: Path) -> str:
    return PdfReader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def _pdfa_part(xmp: str) -> tuple[str, str]:
    part = re.search(r'pdfaid:part(?:>|=")(\d)', xmp)
    conformance = re.search(r'pdfaid:conformance(?:>|=")([ABU])', xmp)
    assert part and conformance
    return part[1], conformance[1]


def test_every_built_pdf_is_pdfa_2b_with_matching_metadata(built_root: Path) -> None:
    pdfs = sorted(built_root.rglob("*.pdf"))
    assert len(pdfs) == 28
    for pdf in pdfs:
        reader = PdfReader(pdf)
        assert reader.pdf_header == "%PDF-1.6", pdf
        xmp = _xmp(pdf)
        assert _pdfa_part(xmp) == ("2", "B"), pdf
        intents = reader.trailer["/Root"]["/OutputIntents"]
        assert intents[0].get_object()["/S"] == "/GTS_PDFA1", pdf
        assert reader.trailer["/Root"]["/Lang"] == "ru-RU", pdf  # read aloud in Russian
        assert re.search(r"<dc:language>\s*<rdf:Bag>\s*<rdf:li>ru-RU</rdf:li>", xmp), pdf
        assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"], pdf
        info = reader.metadata
        for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Producer", "/Creator"):
            assert info[key].replace("&", "&amp;") in xmp, (pdf, key)
        day = info["/CreationDate"][2:10]
        assert f"<xmp:CreateDate>{day[:4]}-{day[4:6]}-{day[6:]}T00:00:00Z" in xmp, pdf
        assert "<docgen:document>" in xmp and "pdfaExtension:schemas" in xmp
        assert "/Encrypt" not in reader.trailer
        assert b"/ObjStm" in pdf.read_bytes(), pdf  # packed, as PDF/A-2 allows


def test_signing_keeps_pdfa_identification(setup: dict) -> None:
    assert _pdfa_part(_xmp(setup["signed"])) == ("2", "B")


class _TimeStampHandler(BaseHTTPRequestHandler):
    """A local RFC 3161 time-stamp server for the tests."""

    stamper: DummyTimeStamper

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
        body = self.stamper.request_tsa_response(request).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def tsa(setup: dict) -> Iterator[str]:
    """The URL of a time-stamp server on loopback, certified by the test CA."""
    authority: Authority = setup["authority"]
    issued = authority.issue("tsa", timestamping=True)
    certificate = x509.Certificate.load(
        cx509.load_pem_x509_certificate(issued.pem.read_bytes()).public_bytes(
            serialization.Encoding.DER))
    key = keys.PrivateKeyInfo.load(authority.keys["tsa"].private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    _TimeStampHandler.stamper = DummyTimeStamper(certificate, key)
    server = HTTPServer(("127.0.0.1", 0), _TimeStampHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_signing_with_a_timestamp_server_gives_pades_b_t(setup: dict, tsa: str,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "b-t.pdf"
    result = _run(setup["project"], "sign", str(setup["edition"]), "--p12",
                  str(setup["good"].p12), "--tsa", tsa, "-o", str(out))
    assert result.returncode == 0, result.stderr
    verified = _run(setup["project"], "verify", str(out), "--trust",
                    str(setup["authority"].pem))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "(штамп времени)" in verified.stdout


def test_the_mark_font_is_made_once_and_kept_in_the_user_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen import signing

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    temporary = set(Path(tempfile.gettempdir()).iterdir())
    signing._font.cache_clear()
    try:
        signing._font()
        [kept] = (tmp_path / "docgen/fonts").iterdir()
        made = kept.stat().st_mtime_ns
        signing._font.cache_clear()
        signing._font()
    finally:
        signing._font.cache_clear()
    assert TTFont(kept)["head"].unitsPerEm == 1000
    assert kept.stat().st_mtime_ns == made                       # used again, not made again
    assert set(Path(tempfile.gettempdir()).iterdir()) == temporary  # nothing left behind


def test_a_mark_font_that_cannot_be_saved_leaves_no_part_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen import signing

    def disk_full(self: TTFont, file: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(TTFont, "save", disk_full)
    signing._font.cache_clear()
    try:
        with pytest.raises(OSError, match="No space left"):
            signing._font()
    finally:
        signing._font.cache_clear()
    assert list((tmp_path / "docgen/fonts").iterdir()) == []


def test_bytes_appended_to_an_edition_are_not_that_edition(setup: dict, tmp_path: Path) -> None:
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(setup["edition"].read_bytes() + b" ")
    result = _run(setup["project"], "verify", str(appended))
    assert result.returncode == 1
    assert "с дописанными после издания изменениями" in result.stderr


def test_bytes_appended_after_signing_fail_verification(setup: dict, tmp_path: Path) -> None:
    appended = tmp_path / "signed-appended.pdf"
    appended.write_bytes(setup["signed"].read_bytes() + b"\n% appended\n")
    result = _run(setup["project"], "verify", str(appended), "--trust",
                  str(setup["authority"].pem))
    assert result.returncode == 1, result.stdout
    assert "документ не изменён после подписания" not in result.stdout
    assert "после неё в файл дописано то, что подписи не подтверждают" in result.stdout


def test_a_signer_outside_the_trusted_authority_fails_with_trust(setup: dict,
                                                                 tmp_path: Path) -> None:
    (tmp_path / "stranger").mkdir()
    stranger = Authority(tmp_path / "stranger").issue("good")  # the same name, another CA
    signed = tmp_path / "stranger.pdf"
    result = _run(setup["project"], "sign", str(setup["edition"]), "--p12", str(stranger.p12),
                  "-o", str(signed))
    assert result.returncode == 0, result.stderr
    checked = _run(setup["project"], "verify", str(signed), "--trust",
                   str(setup["authority"].pem))
    assert checked.returncode == 1
    assert "  сертификат: НЕ ДОВЕРЕННЫЙ: цепочка не ведёт к сертификату из --trust" in \
        checked.stdout
    unchecked = _run(setup["project"], "verify", str(signed))
    assert unchecked.returncode == 0  # trust was not asked, and the output says so
    assert "доверие не проверялось" in unchecked.stdout


@pytest.mark.parametrize("copy", ["signed", "stamped"])
def test_signed_and_stamped_copies_keep_their_pdfa_metadata(setup: dict, tmp_path: Path,
                                                            copy: str) -> None:
    if copy == "signed":
        path = setup["signed"]
    else:
        path = tmp_path / "stamped.pdf"
        assert _run(setup["project"], "stamp", str(setup["edition"]), "--cert",
                    str(setup["good"].pem), "-o", str(path)).returncode == 0
    reader = PdfReader(path)
    info = reader.metadata
    xmp = _xmp(path)
    assert f"<pdf:Producer>{info['/Producer']}</pdf:Producer>" in xmp
    assert "<docgen:commit>" in xmp and "ns0:" not in xmp
    assert _xmp(setup["edition"]) == xmp  # the XMP of the edition itself, untouched
    assert info["/ModDate"] == PdfReader(setup["edition"]).metadata["/ModDate"]


def _pyhanko_accepts(pdf: Path, trust: Path) -> bool:
    """pyHanko's own verdict: every signature intact, valid and trusted, the last one
    covering the whole file."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    with pdf.open("rb") as stream:
        try:
            signatures = PdfFileReader(stream, strict=False).embedded_signatures
        except Exception:  # noqa: BLE001 — a file pyHanko cannot read is not accepted
            return False
        if not signatures:
            return False
        context = ValidationContext(trust_roots=[load_cert_from_pemder(str(trust))])
        statuses = [validate_pdf_signature(signature, context) for signature in signatures]
    return all(status.bottom_line for status in statuses) and \
        statuses[-1].coverage == SignatureCoverageLevel.ENTIRE_FILE


def _changed_inside(data: bytes) -> bytes:
    """One byte of the page's text changed, deep inside the signed range."""
    index = data.index(b"stream", len(data) // 3) + 40
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


@pytest.mark.parametrize("variant", ["signed", "appended", "changed", "stranger"])
def test_verify_agrees_with_pyhankos_verdict(setup: dict, tmp_path: Path, variant: str) -> None:
    pdf = tmp_path / f"{variant}.pdf"
    signed = setup["signed"].read_bytes()
    if variant == "signed":
        pdf.write_bytes(signed)
    elif variant == "appended":
        pdf.write_bytes(signed + b"\n% appended\n")
    elif variant == "changed":
        pdf.write_bytes(_changed_inside(signed))
    else:
        (tmp_path / "stranger").mkdir()
        stranger = Authority(tmp_path / "stranger").issue("good")
        assert _run(setup["project"], "sign", str(setup["edition"]), "--p12",
                    str(stranger.p12), "-o", str(pdf)).returncode == 0
    ours = _run(setup["project"], "verify", str(pdf), "--trust", str(setup["authority"].pem))
    assert "Traceback" not in ours.stderr
    accepted = _pyhanko_accepts(pdf, setup["authority"].pem)
    assert (ours.returncode == 0) == accepted, (variant, ours.stdout, ours.stderr)
    assert accepted == (variant == "signed")
