"""The client side of unoserver's XML-RPC interface: a document's bytes in, a PDF's out.

Kept apart from the converters because only remote conversion needs the XML-RPC client,
which takes longer to import than a build may wait before starting LibreOffice.
"""

from __future__ import annotations

import xmlrpc.client
from http.client import HTTPConnection
from typing import cast

ERRORS = (OSError, xmlrpc.client.Error)  # what `convert` raises when a server fails


class _TimeoutTransport(xmlrpc.client.Transport):
    """HTTP transport whose connections give up after `timeout` seconds."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: object) -> HTTPConnection:
        connection = super().make_connection(host)  # type: ignore[arg-type]
        connection.timeout = self.timeout
        return connection


def convert(host: str, port: int, document: bytes, options: dict[str, str],
            timeout: float) -> bytes:
    """`document` converted to PDF by the unoserver at host:port, with PDF export `options`;
    raises one of ERRORS when the server cannot be reached or fails."""
    proxy = xmlrpc.client.ServerProxy(f"http://{host}:{port}", allow_none=True,
                                      transport=_TimeoutTransport(timeout))
    result = proxy.convert(None, xmlrpc.client.Binary(document), None, "pdf",
                           "writer_pdf_Export", [f"{k}={v}" for k, v in options.items()],
                           True, None)
    return bytes(cast(xmlrpc.client.Binary, result).data)

