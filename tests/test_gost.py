"""GOST R 34.10-2012 detached signatures, made and checked by real OpenSSL with the gost
engine: a test CA and signers of its own, a detached CMS .sig beside the issued PDF."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from certificates import GostAuthority, gost_sign, openssl
from conftest import git_project, run_docgen

DOCUMENT = "orders/2022-702/order"
pytestmark = pytest.mark.libreoffice
@pytest.fixture(scope="module")
def gost(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An issued annex, a GOST CA with a signer, and the annex signed beside it."""
    project = git_project(tmp_path_factory.mktemp("gost"))
    issued = run_docgen(project, "issue", DOCUMENT, "--date", "2022-09-12")
    assert issued.returncode == 0, issued.stderr
    authority = GostAuthority(tmp_path_factory.mktemp("pki"))
    key, certificate = authority.issue("matasova")
    signed = tmp_path_factory.mktemp("signed") / "order.pdf"
    shutil.copyfile(project / "build/editions" / DOCUMENT / "1/order.pdf", signed)
    gost_sign(signed, key, certificate)
    return {"project": project, "ca": authority.pem, "pdf": signed, "key": key,
            "certificate": certificate, "pki": authority.folder}


def test_a_detached_gost_signature_verifies(gost: dict[str, Path]) -> None:
    result = run_docgen(gost["project"], "verify", str(gost["pdf"]), "--trust", str(gost["ca"]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{DOCUMENT}, редакция 1 (PDF)" in result.stdout
    assert ("Подпись 1 (ГОСТ Р 34.10-2012, открепленная, order.pdf.sig): Матасова Ольга "
            "Ивановна, время подписания ") in result.stdout
    assert "  подпись: математически верна" in result.stdout
    assert "  сертификат: доверенный" in result.stdout


def test_a_pem_signature_verifies_too(gost: dict[str, Path], tmp_path: Path) -> None:
    pdf = tmp_path / "order.pdf"
    shutil.copyfile(gost["pdf"], pdf)
    gost_sign(pdf, gost["key"], gost["certificate"], form="PEM")
    result = run_docgen(gost["project"], "verify", str(pdf), "--trust", str(gost["ca"]))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_changed_pdf_fails_its_gost_signature(gost: dict[str, Path], tmp_path: Path) -> None:
    pdf = tmp_path / "order.pdf"
    data = bytearray(gost["pdf"].read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    shutil.copyfile(gost["pdf"].with_name("order.pdf.sig"), tmp_path / "order.pdf.sig")
    result = run_docgen(gost["project"], "verify", str(pdf), "--trust", str(gost["ca"]))
    assert result.returncode == 1
    assert "  подпись: НЕ СООТВЕТСТВУЕТ ДОКУМЕНТУ" in result.stdout


def test_a_signer_of_another_authority_is_not_trusted(gost: dict[str, Path],
                                                      tmp_path: Path) -> None:
    stranger = GostAuthority(tmp_path / "stranger")
    key, certificate = stranger.issue("matasova")  # the same name, another CA
    pdf = tmp_path / "order.pdf"
    shutil.copyfile(gost["pdf"], pdf)
    gost_sign(pdf, key, certificate)
    result = run_docgen(gost["project"], "verify", str(pdf), "--trust", str(gost["ca"]))
    assert result.returncode == 1
    assert "  сертификат: НЕ ДОВЕРЕННЫЙ: цепочка не ведёт к сертификату из --trust" in \
        result.stdout


def test_the_stamp_shows_the_gost_signatures_certificate(gost: dict[str, Path],
                                                         tmp_path: Path) -> None:
    out = tmp_path / "stamped.pdf"
    result = run_docgen(gost["project"], "stamp", str(gost["pdf"]), "--sig",
                  str(gost["pdf"].with_name("order.pdf.sig")), "--trust", str(gost["ca"]),
                  "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "ДОКУМЕНТ ПОДПИСАН" in text and "ЭЛЕКТРОННОЙ ПОДПИСЬЮ" in text
    assert "Владелец Матасова Ольга Ивановна" in " ".join(text.split())
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(out),
                    str(tmp_path / "stamped")], check=True)
    assert (tmp_path / "stamped.png").stat().st_size > 1000


def test_the_stamp_refuses_a_signature_that_does_not_match(gost: dict[str, Path],
                                                           tmp_path: Path) -> None:
    other = tmp_path / "other.pdf"
    other.write_bytes(gost["pdf"].read_bytes() + b"\n")
    result = run_docgen(gost["project"], "stamp", str(other), "--sig",
                  str(gost["pdf"].with_name("order.pdf.sig")), "-o", str(tmp_path / "x.pdf"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "подпись не соответствует документу" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_sign_with_a_gost_key_writes_a_detached_signature(gost: dict[str, Path],
                                                          tmp_path: Path) -> None:
    p12 = tmp_path / "matasova.p12"
    openssl(tmp_path, "pkcs12", "-engine", "gost", "-export", "-inkey", str(gost["key"]),
            "-in", str(gost["certificate"]), "-out", str(p12), "-passout", "pass:секрет")
    pdf = tmp_path / "order.pdf"
    shutil.copyfile(gost["pdf"], pdf)
    environment = {"PATH": "/usr/bin:/bin"}
    wrong = subprocess.run([sys.executable, "-m", "docgen", "-C", str(gost["project"]), "sign",
                            str(pdf), "--p12", str(p12)], capture_output=True, text=True,
                           check=False, env={**environment, "DOCGEN_P12_PASSWORD": "не тот"})
    assert wrong.returncode == 1 and "неверный пароль или файл не PKCS#12" in wrong.stderr
    signed = subprocess.run([sys.executable, "-m", "docgen", "-C", str(gost["project"]), "sign",
                             str(pdf), "--p12", str(p12)], capture_output=True, text=True,
                            check=False, env={**environment, "DOCGEN_P12_PASSWORD": "секрет"})
    assert signed.returncode == 0, signed.stderr
    assert f"Подписано по ГОСТ Р 34.10-2012: {pdf}.sig" in signed.stdout
    assert pdf.read_bytes() == gost["pdf"].read_bytes()  # the PDF itself is unchanged
    checked = run_docgen(gost["project"], "verify", str(pdf), "--trust", str(gost["ca"]))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Подпись 1 (ГОСТ Р 34.10-2012, открепленная, order.pdf.sig): Матасова Ольга " \
           "Ивановна" in checked.stdout
