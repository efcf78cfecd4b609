"""DOCX → PDF with LibreOffice headless: one process for a whole run, its own profile."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .errors import ConversionError, LibreOfficeMissing

# PDF/A-2b (fonts embedded, colour profile, XMP), and Word bookmarks kept as named
# destinations, so that the place to sign is known; the JSON form of filter options.
PDF_FILTER = ('pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"},'
              '"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}')
INSTALL_HINT = ("установите LibreOffice: sudo apt-get install libreoffice-writer-nogui "
                "fonts-liberation2 (или выполните make documents от root)")


def find_soffice(explicit: str | None = None) -> str:
    """Path of the LibreOffice binary: `explicit`, $DOCGEN_SOFFICE, or soffice on PATH."""
    candidate = explicit or os.environ.get("DOCGEN_SOFFICE")
    found = shutil.which(candidate) if candidate else (
        shutil.which("soffice") or shutil.which("libreoffice"))
    if found is None:
        raise LibreOfficeMissing(f"LibreOffice не найден; {INSTALL_HINT}")
    return found


def convert_to_pdf(documents: list[Path], outdir: Path, soffice: str,
                   timeout: float = 300.0) -> list[Path]:
    """Convert all `documents` in one LibreOffice run; return the PDFs in the same order."""
    if not documents:
        return []
    names = [document.stem for document in documents]
    if len(set(names)) != len(names):
        raise ConversionError("имена DOCX в одном запуске LibreOffice должны различаться")
    with tempfile.TemporaryDirectory(prefix="docgen-lo-profile-") as profile:
        command = [
            soffice, f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless", "--invisible", "--nodefault", "--nolockcheck", "--nologo",
            "--norestore", "--convert-to", PDF_FILTER, "--outdir", str(outdir),
            *map(str, documents),
        ]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError(
                f"LibreOffice не завершил преобразование в PDF за {timeout:.0f} с") from None
        finally:
            _kill_leftovers(process)
    pdfs = [outdir / f"{name}.pdf" for name in names]
    missing = [pdf.name for pdf in pdfs if not pdf.is_file()]
    if missing or process.returncode != 0:
        details = output.decode("utf-8", "replace").strip()
        raise ConversionError(
            f"LibreOffice не создал {', '.join(missing) or 'PDF'} "
            f"(код выхода {process.returncode}): {details}")
    return pdfs


def _kill_leftovers(process: subprocess.Popen[bytes]) -> None:
    """Kill whatever remains of the LibreOffice process group."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
