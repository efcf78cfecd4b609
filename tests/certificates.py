"""A throwaway certificate authority and signer certificates for signing tests."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSWORD = b"correct horse"


@dataclass(frozen=True)
class Issued:
    """Files of one issued certificate."""

    p12: Path
    pem: Path


def _name(**parts: str) -> x509.Name:
    oids = {"cn": NameOID.COMMON_NAME, "sn": NameOID.SURNAME, "gn": NameOID.GIVEN_NAME,
            "o": NameOID.ORGANIZATION_NAME, "c": NameOID.COUNTRY_NAME}
    return x509.Name([x509.NameAttribute(oids[key], value) for key, value in parts.items()])


class Authority:
    """A root CA that issues signer certificates into a folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = dt.datetime.now(dt.UTC)
        name = _name(cn="Тестовый удостоверяющий центр", o="docgen", c="RU")
        self.certificate = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=365))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .sign(self.key, hashes.SHA256()))
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.pem = folder / "ca.pem"
        self.pem.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue(self, stem: str, *, days: tuple[int, int] = (-30, 365),
              timestamping: bool = False) -> Issued:
        """A signer certificate for О.И. Матасова (or a TSA) valid `days` around now."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = dt.datetime.now(dt.UTC)
        subject = (_name(cn="Тестовый сервер штампов времени", o="docgen", c="RU")
                   if timestamping else
                   _name(cn="Матасова Ольга Ивановна", sn="Матасова", gn="Ольга Ивановна",
                         o="Управление образования БГО", c="RU"))
        usage = ExtendedKeyUsageOID.TIME_STAMPING if timestamping else (
            ExtendedKeyUsageOID.EMAIL_PROTECTION)
        certificate = (
            x509.CertificateBuilder().subject_name(subject)
            .issuer_name(self.certificate.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=days[0]))
            .not_valid_after(now + dt.timedelta(days=days[1]))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=timestamping)
            .sign(self.key, hashes.SHA256()))
        self.keys[stem] = key
        p12 = self.folder / f"{stem}.p12"
        p12.write_bytes(pkcs12.serialize_key_and_certificates(
            b"signer", key, certificate, [self.certificate],
            serialization.BestAvailableEncryption(PASSWORD)))
        pem = self.folder / f"{stem}.pem"
        pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        return Issued(p12, pem)


# GOST R 34.10-2012: a CA and signers made by real OpenSSL with the gost engine
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


def openssl(folder: Path, *args: str) -> None:
    """Run OpenSSL in `folder`, failing the test if it fails."""
    result = subprocess.run(["openssl", *args], cwd=folder, capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")


class GostAuthority:
    """A GOST R 34.10-2012 certification authority in `folder`, made with OpenSSL."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "openssl.cnf").write_text(CONFIG, encoding="utf-8")
        openssl(folder, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256",
                 "-pkeyopt", "paramset:A", "-out", "ca.key")
        openssl(folder, "req", "-engine", "gost", "-new", "-x509", "-key", "ca.key",
                 "-out", "ca.pem", "-days", "365", "-subj", "/CN=Тестовый УЦ ГОСТ", "-utf8",
                 "-config", "openssl.cnf", "-extensions", "ca")
        self.pem = folder / "ca.pem"

    def issue(self, stem: str, name: str = "Матасова Ольга Ивановна") -> tuple[Path, Path]:
        """A signer's key and certificate."""
        openssl(self.folder, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256",
                 "-pkeyopt", "paramset:A", "-out", f"{stem}.key")
        openssl(self.folder, "req", "-engine", "gost", "-new", "-key", f"{stem}.key",
                 "-out", f"{stem}.csr", "-subj", f"/CN={name}", "-utf8",
                 "-config", "openssl.cnf")
        openssl(self.folder, "x509", "-engine", "gost", "-req", "-in", f"{stem}.csr",
                 "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "365",
                 "-out", f"{stem}.pem", "-extfile", "openssl.cnf", "-extensions", "signer")
        return self.folder / f"{stem}.key", self.folder / f"{stem}.pem"


def gost_sign(file: Path, key: Path, certificate: Path, form: str = "DER") -> Path:
    """A detached CMS signature of `file`, as a document-management system makes it."""
    signature = file.with_name(file.name + ".sig")
    openssl(file.parent, "cms", "-engine", "gost", "-sign", "-binary", "-in", str(file),
             "-signer", str(certificate), "-inkey", str(key), "-md", "md_gost12_256",
             "-outform", form, "-out", str(signature))
    return signature
