"""GOST R 34.10-2012 detached signatures: a CMS file beside the PDF (FILE.pdf.sig, DER or
PEM), as CryptoPro and document-management systems make them, checked by OpenSSL with the
gost engine (Debian's libengine-gost-openssl)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import DocgenError
from .places import owned

OPENSSL = "openssl"
ENGINE = ("-engine", "gost")
PACKAGE_HINT = "установите пакет libengine-gost-openssl (sudo apt-get install " \
               "libengine-gost-openssl)"
SUFFIX = ".sig"
MAX_SIGNATURE = 1 << 20  # a detached signature with its certificates: a few kilobytes


class GostError(DocgenError):
    """A GOST signature cannot be checked here, or is not a signature at all."""


@dataclass(frozen=True)
class Detached:
    """What OpenSSL found about a detached signature of a file."""

    signature: Path
    signer_pem: bytes  # the signer's certificate, as the signature carries it
    intact: bool  # the file's digest and the signature match
    trusted: bool  # the signer's chain leads to one of the trusted roots
    signing_time: dt.datetime | None


def beside(file: Path) -> Path | None:
    """The detached signature that lies beside `file` (FILE.pdf.sig), if one does."""
    signature = file.with_name(file.name + SUFFIX)
    return signature if signature.is_file() else None


def _openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run([OPENSSL, *map(str, args)], capture_output=True, check=False,
                              timeout=60)
    except FileNotFoundError:
        raise GostError(f"не найдена программа openssl; {PACKAGE_HINT}") from None


def _require_engine() -> None:
    if _openssl("engine", *ENGINE[1:]).returncode != 0:
        raise GostError(f"подпись по ГОСТ Р 34.10-2012 проверить нельзя: нет модуля gost для "
                        f"OpenSSL; {PACKAGE_HINT}")


def verify(file: Path, signature: Path, trust: list[Path]) -> Detached:
    """Check `signature` over `file`: digest and signature, then, with `trust`, the chain."""
    _require_engine()
    raw = signature.read_bytes()[:MAX_SIGNATURE + 1]
    if len(raw) > MAX_SIGNATURE:
        raise GostError(f"{signature}: файл подписи больше {MAX_SIGNATURE >> 10} КБ — это не "
                        "открепленная подпись")
    inform = "PEM" if raw.lstrip().startswith(b"-----BEGIN") else "DER"
    with tempfile.TemporaryDirectory(prefix=owned("docgen-gost-")) as folder:
        signer = Path(folder) / "signer.pem"
        common = ("cms", *ENGINE, "-verify", "-binary", "-inform", inform, "-in", signature,
                  "-content", file, "-out", os.devnull)
        # the signer's certificate, whether or not the signature then holds
        _openssl(*common, "-noverify", "-nosigs", "-signer", signer)
        if not signer.is_file():
            raise GostError(f"{signature}: это не открепленная подпись CMS (или в ней нет "
                            "сертификата подписанта)")
        intact = _openssl(*common, "-noverify").returncode == 0
        trusted = False
        if trust and intact:
            roots = Path(folder) / "roots.pem"
            roots.write_bytes(b"".join(path.read_bytes() for path in trust))
            trusted = _openssl(*common, "-CAfile", roots, "-purpose", "any").returncode == 0
        printed = _openssl("cms", "-cmsout", "-print", "-inform", inform, "-in", signature)
        return Detached(signature, signer.read_bytes(), intact, trusted,
                        _signing_time(printed.stdout.decode("utf-8", "replace")))


def _signing_time(printed: str) -> dt.datetime | None:
    """The signing time the signature's signed attributes state, if any."""
    found = re.search(r"signingTime.*?UTCTIME:(\w{3} +\d+ [\d:]+ \d{4}) GMT", printed, re.S)
    if found is None:
        return None
    return dt.datetime.strptime(" ".join(found[1].split()), "%b %d %H:%M:%S %Y").replace(
        tzinfo=dt.timezone.utc)


GOST_OIDS = "1.2.643."  # the arc of Russian standards: GOST R 34.10 keys and signatures
_PEM = re.compile(rb"-----BEGIN ([A-Z ]+)-----.*?-----END \1-----\n?", re.S)


def unpack_p12(p12: Path, password: bytes) -> tuple[bytes, bytes] | None:
    """The private key and certificate (PEM) of a PKCS#12 file holding a GOST key; None
    when it holds none (or the password is wrong: OpenSSL does not tell the two apart)."""
    _require_engine()
    try:
        unpacked = subprocess.run(
            [OPENSSL, "pkcs12", *ENGINE, "-in", str(p12), "-nodes", "-passin",
             "env:DOCGEN_GOST_PASSWORD"], capture_output=True, check=False, timeout=60,
            env=dict(os.environ, DOCGEN_GOST_PASSWORD=password.decode("utf-8", "replace")))
    except FileNotFoundError:
        raise GostError(f"не найдена программа openssl; {PACKAGE_HINT}") from None
    blocks = {match[1]: match[0] for match in _PEM.finditer(unpacked.stdout)}
    key, certificate = blocks.get(b"PRIVATE KEY"), blocks.get(b"CERTIFICATE")
    if unpacked.returncode != 0 or key is None or certificate is None:
        return None
    from cryptography import x509

    algorithm = x509.load_pem_x509_certificate(certificate).public_key_algorithm_oid
    return (key, certificate) if algorithm.dotted_string.startswith(GOST_OIDS) else None


def sign_detached(pdf: Path, key_pem: bytes, certificate_pem: bytes) -> Path:
    """A detached CAdES-BES signature of `pdf` (GOST R 34.10-2012, GOST R 34.11-2012 digest)
    written beside it as FILE.pdf.sig, the PDF itself unchanged."""
    _require_engine()
    dest = pdf.with_name(pdf.name + SUFFIX)
    with tempfile.TemporaryDirectory(prefix=owned("docgen-gost-")) as folder:
        key, certificate = Path(folder) / "key.pem", Path(folder) / "certificate.pem"
        key.touch(mode=0o600)
        key.write_bytes(key_pem)
        certificate.write_bytes(certificate_pem)
        temporary = Path(folder) / dest.name
        made = _openssl("cms", *ENGINE, "-sign", "-cades", "-binary", "-in", pdf,
                        "-signer", certificate, "-inkey", key, "-md", "md_gost12_256",
                        "-outform", "DER", "-out", temporary)
        if made.returncode != 0 or not temporary.is_file():
            raise GostError(f"подписать {pdf} по ГОСТ не удалось: OpenSSL не создал подпись")
        shutil.move(temporary, dest)
    return dest
