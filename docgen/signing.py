"""Electronic signatures: PAdES signing with the GOST mark, visual marks, verification."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko import stamp
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from .errors import DocgenError, os_reason
from .pdf_writer import MetadataKeepingWriter
from .places import user_cache

FIELD = "signature"
PLACE = "/signature"
MARK_WIDTH, MARK_HEIGHT = 158, 76  # 5.6 cm by 2.7 cm, the middle of the signature block
FONT_SIZE = 7
MARK_TEXT = ("ДОКУМЕНТ ПОДПИСАН\nЭЛЕКТРОННОЙ ПОДПИСЬЮ\nСертификат\n%(serial)s\n"
             "Владелец %(owner)s\nДействителен с %(valid_from)s по %(valid_to)s")


class SigningError(DocgenError):
    """A document cannot be signed, stamped or its signature checked."""


@dataclass(frozen=True)
class Certificate:
    """What the GOST mark shows of a certificate."""

    serial: str
    owner: str
    valid_from: dt.datetime
    valid_to: dt.datetime

    @classmethod
    def of(cls, certificate: cx509.Certificate) -> Certificate:
        """The mark's fields of a certificate: serial in hex, owner's full name, validity."""
        names = {attribute.oid: attribute.value for attribute in certificate.subject}
        owner = " ".join(str(names[oid]) for oid in (cx509.NameOID.SURNAME,
                                                     cx509.NameOID.GIVEN_NAME) if oid in names)
        owner = owner or str(names.get(cx509.NameOID.COMMON_NAME, ""))
        return cls(f"{certificate.serial_number:X}", owner, certificate.not_valid_before_utc,
                   certificate.not_valid_after_utc)

    @classmethod
    def from_pem(cls, pem: bytes) -> Certificate:
        """The mark's fields of a PEM certificate (GOST ones included); ValueError if it is
        not one."""
        return cls.of(cx509.load_pem_x509_certificate(pem))

    def text_params(self) -> dict[str, str]:
        """Values for MARK_TEXT."""
        return {"serial": self.serial, "owner": self.owner,
                "valid_from": f"{self.valid_from:%d.%m.%Y}", "valid_to": f"{self.valid_to:%d.%m.%Y}"}

    def check_valid(self, now: dt.datetime) -> None:
        """SigningError when the certificate is expired or not yet valid."""
        if now > self.valid_to:
            raise SigningError(f"сертификат {self.serial} ({self.owner}) просрочен: действовал по "
                               f"{self.valid_to:%d.%m.%Y}; подписать им нельзя")
        if now < self.valid_from:
            raise SigningError(f"сертификат {self.serial} ещё не действует: действителен с "
                               f"{self.valid_from:%d.%m.%Y}")


@dataclass(frozen=True)
class SignatureReport:
    """What verification found about one signature."""

    signer: str
    signing_time: dt.datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    changed_after: bool
    timestamped: bool
    detached: str = ""  # the file of a detached GOST signature; "" for one inside the PDF


@lru_cache(maxsize=1)
def _font() -> GlyphAccumulatorFactory:
    """Liberation Serif, as in the documents, for the mark's Cyrillic text.

    pyHanko writes glyph widths in font units, which PDF reads as thousandths of an em,
    so the font is first scaled to 1000 units per em.
    """
    found = subprocess.run(["fc-match", "-f", "%{file}", "Liberation Serif"],
                           capture_output=True, text=True, check=False).stdout.strip()
    if not found.endswith((".ttf", ".otf")):
        raise SigningError("не найден шрифт Liberation Serif: установите fonts-liberation2")
    source = Path(found)
    # made once per installed font and kept: pyHanko reads the file while it signs
    scaled = user_cache() / "fonts" / f"{source.stem}-1000-{int(source.stat().st_mtime)}.ttf"
    if not scaled.is_file():
        font = TTFont(source)
        scale_upem(font, 1000)
        scaled.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=scaled.parent, suffix=".tmp", delete=False) as out:
            temporary = Path(out.name)
            try:
                font.save(out)
                out.close()
                os.replace(temporary, scaled)
            finally:  # gone once in place; removed if the font could not be saved
                temporary.unlink(missing_ok=True)
    return GlyphAccumulatorFactory(str(scaled), font_size=FONT_SIZE)


def _style() -> stamp.TextStampStyle:
    return stamp.TextStampStyle(
        stamp_text=MARK_TEXT, border_width=1,
        text_box_style=TextBoxStyle(font=_font(), font_size=FONT_SIZE, leading=FONT_SIZE + 1),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID))


def place(pdf: Path) -> tuple[int, tuple[int, int, int, int]]:
    """Page and box of the signature mark: the «signature» place the template marks."""
    try:
        reader = PdfReader(pdf)
        destination = reader.named_destinations.get(PLACE)
    except OSError as exc:
        raise SigningError(f"{pdf}: не удаётся прочитать PDF: {os_reason(exc)}") from None
    except Exception:  # pypdf raises many kinds on broken files
        raise SigningError(f"{pdf}: не удаётся прочитать PDF: файл повреждён или не PDF") \
            from None
    if destination is None:
        raise SigningError(f"{pdf}: в документе нет места для подписи (закладка «signature» "
                           "в блоке подписи шаблона)")
    page = reader.get_destination_page_number(destination)
    if page is None or destination.left is None or destination.top is None:
        raise SigningError(f"{pdf}: у места для подписи нет координат на странице")
    left, top = int(destination.left), int(destination.top)
    bottom = top - MARK_HEIGHT + 20
    return page, (left, bottom, left + MARK_WIDTH, bottom + MARK_HEIGHT)


def load_p12(p12: Path, password: bytes) -> tuple[signers.SimpleSigner, Certificate]:
    """The signer and its certificate from a PKCS#12 file."""
    try:
        data = p12.read_bytes()
    except OSError as exc:
        raise SigningError(f"не удаётся прочитать {p12}: {os_reason(exc)}") from None
    try:
        _, certificate, _ = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise SigningError(f"{p12}: неверный пароль или файл не PKCS#12") from None
    signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(p12), passphrase=password)
    if signer is None or certificate is None:
        raise SigningError(f"{p12}: в файле нет ключа и сертификата")
    return signer, Certificate.of(certificate)


def sign(pdf: Path, dest: Path, p12: Path, password: bytes, *, tsa: str | None = None,
         now: dt.datetime | None = None) -> Certificate:
    """Sign `pdf` into `dest` with PAdES B-B (B-T with a timestamp server) and the GOST mark."""
    signer, certificate = load_p12(p12, password)
    certificate.check_valid(now or dt.datetime.now(dt.UTC))
    page, box = place(pdf)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, stamp_style=_style(),
        timestamper=timestamps.HTTPTimeStamper(tsa) if tsa else None,
        new_field_spec=fields.SigFieldSpec(FIELD, on_page=page, box=box))
    temporary = dest.with_suffix(".tmp")
    try:
        with pdf.open("rb") as source, temporary.open("wb") as output:
            pdf_signer.sign_pdf(MetadataKeepingWriter(source, strict=False), output=output,
                                appearance_text_params=certificate.text_params())
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise SigningError(f"подписать {pdf} не удалось: {os_reason(exc)}") from None
    except (PdfError, HankoSigningError):
        temporary.unlink(missing_ok=True)
        raise SigningError(f"подписать {pdf} не удалось: PDF повреждён или его структура "
                           "не допускает дописанной подписи") from None
    temporary.replace(dest)
    return certificate


def visual_mark(pdf: Path, dest: Path, certificate_pem: Path | bytes) -> Certificate:
    """A copy of `pdf` with the GOST mark of a signature made elsewhere (no signature);
    the certificate is a PEM file or its bytes (taken from a detached signature)."""
    try:
        pem = certificate_pem if isinstance(certificate_pem, bytes) else \
            certificate_pem.read_bytes()
        certificate = Certificate.from_pem(pem)
    except (OSError, ValueError):
        raise SigningError(f"{certificate_pem!s:.80}: не удаётся прочитать сертификат PEM") \
            from None
    page, (left, bottom, right, top) = place(pdf)
    temporary = dest.with_suffix(".tmp")
    with pdf.open("rb") as source:
        writer = MetadataKeepingWriter(source, strict=False)
        mark = stamp.TextStamp(writer, _style(), text_params=certificate.text_params(),
                               box=layout.BoxConstraints(right - left, top - bottom))
        mark.apply(page, left, bottom)
        with temporary.open("wb") as output:
            writer.write(output)
    temporary.replace(dest)
    return certificate


def verify(pdf: Path, trust: list[Path]) -> list[SignatureReport]:
    """Check every signature of `pdf`; trust only the given root certificates."""
    roots = [x509.Certificate.load(cx509.load_pem_x509_certificate(path.read_bytes())
                                   .public_bytes(serialization.Encoding.DER)) for path in trust]
    reports = []
    try:
        with pdf.open("rb") as stream:
            reader = PdfFileReader(stream, strict=False)
            for embedded in reader.embedded_signatures:
                status = validate_pdf_signature(
                    embedded, ValidationContext(trust_roots=roots, allow_fetching=False))
                reports.append(SignatureReport(
                    signer=status.signing_cert.subject.native.get(
                        "common_name", status.signing_cert.subject.human_friendly),
                    signing_time=status.signer_reported_dt,
                    intact=status.intact, valid=status.valid, trusted=status.trusted,
                    covers_whole_file=status.coverage is not None
                    and status.coverage.name == "ENTIRE_FILE",
                    changed_after=status.modification_level is not None
                    and status.modification_level.name not in ("NONE", "LTA_UPDATES"),
                    timestamped=status.timestamp_validity is not None))
    except (PdfError, SignatureValidationError, ValueError, KeyError):
        raise SigningError(f"{pdf}: подпись проверить не удалось — файл повреждён или "
                           "изменён так, что его структура PDF не читается") from None
    return reports
