"""python-docx's package writer, used through its private methods: the only place that
does. They write a package's content types, relationships and parts to any object with
write() and close(); docgen gives them a ZIP writer with fixed times, so that a DOCX is
reproducible byte for byte. tests/test_internals.py fails if python-docx changes them."""

from __future__ import annotations

from typing import Any, cast

from docx.opc.package import OpcPackage
from docx.opc.pkgwriter import PackageWriter


def write_package(package: OpcPackage, writer: object) -> None:
    """Write every part of `package` through `writer` (write(pack_uri, blob), close())."""
    physical = cast(Any, writer)  # python-docx's writer wants only write() and close()
    PackageWriter._write_content_types_stream(physical, package.parts)
    PackageWriter._write_pkg_rels(physical, package.rels)
    PackageWriter._write_parts(physical, package.parts)
