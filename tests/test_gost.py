"""GOST R 34.10-2012 detached signatures, made and checked by real OpenSSL with the gost
engine: a test CA and signers of its own, a detached CMS .sig beside the issued PDF."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git_project, run_docgen

DOCUMENT = "orders/2022-702/order"
pytestmark = pytest.mark.libreoffice
CONFIG = """\
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
[signer]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,nonRepudiation
"""


def _openssl(folder: Path, *args: str) -> None:
    result = subprocess.run(["openssl", *args], cwd=folder, capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")


class GostAuthority:
    """A GOST R 34.10-2012 certification authority in `folder`, made with OpenSSL."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "openssl.cnf").write_text(CONFIG, encoding="utf-8")
        _openssl(folder, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256",
                 "-pkeyopt", "paramset:A", "-out", "ca.key")
        _openssl(folder, "req", "-engine", "gost", "-new", "-x509", "-key", "ca.key",
                 "-out", "ca.pem", "-days", "365", "-subj", "/CN=Тестовый УЦ ГОСТ", "-utf8",
                 "-config", "openssl.cnf", "-extensions", "ca")
        self.pem = folder / "ca.pem"

    def issue(self, stem: str, name: str = "Матасова Ольга Ивановна") -> tuple[Path, Path]:
        """A signer's key and certificate."""
        _openssl(self.folder, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256",
                 "-pkeyopt", "paramset:A", "-out", f"{stem}.key")
        _openssl(self.folder, "req", "-engine", "gost", "-new", "-key", f"{stem}.key",
                 "-out", f"{stem}.csr", "-subj", f"/CN={name}", "-utf8",
                 "-config", "openssl.cnf")
        _openssl(self.folder, "x509", "-engine", "gost", "-req", "-in", f"{stem}.csr",
                 "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "365",
                 "-out", f"{stem}.pem", "-extfile", "openssl.cnf", "-extensions", "signer")
        return self.folder / f"{stem}.key", self.folder / f"{stem}.pem"


def _sign(file: Path, key: Path, certificate: Path, form: str = "DER") -> Path:
    """A detached CMS signature of `file`, as a document-management system makes it."""
    signature = file.with_name(file.name + ".sig")
    _openssl(file.parent, "cms", "-engine", "gost", "-sign", "-binary", "-in", str(file),
             "-signer", str(certificate), "-inkey", str(key), "-md", "md_gost12_256",
             "-outform", form, "-out", str(signature))
    return signature


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
    _sign(signed, key, certificate)
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
    _sign(pdf, gost["key"], gost["certificate"], form="PEM")
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
    _sign(pdf, key, certificate)
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
    _openssl(tmp_path, "pkcs12", "-engine", "gost", "-export", "-inkey", str(gost["key"]),
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
