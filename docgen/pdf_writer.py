"""pyHanko's incremental PDF writer with one private method overridden: the only place
that does. tests/test_internals.py fails if pyHanko stops calling it."""

from __future__ import annotations

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


class MetadataKeepingWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, leaving the document's information and XMP as docgen
    wrote them.

    pyHanko's own update appends itself to /Producer in the information dictionary but
    writes only itself into the XMP, and serialises the XMP anew with the docgen schema
    under another prefix: PDF/A-2b forbids both. The signature carries its own time, so
    the document's dates need not change.
    """

    def _update_meta(self) -> None:
        return
