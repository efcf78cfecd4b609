"""Shared fixtures: a writable copy of the project and one real build of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docgen.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped content and templates that a test may change."""
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture(scope="session")
def built_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content built once, DOCX and PDF: the build folder."""
    out = tmp_path_factory.mktemp("build")
    assert main(["-C", str(ROOT), "build", "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def built(built_root: Path) -> Path:
    """The folder of order № 685 in the shared build."""
    return built_root / "orders" / "2022-685"
