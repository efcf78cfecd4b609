"""Names LibreOffice gives its own files, which docgen relies on without an API for them:
the only place in docgen that spells them. tests/test_internals.py starts a real
LibreOffice and fails if a new version names them otherwise. uno_worker.py, which the
system Python runs without docgen, spells the settings file again; tests/test_converters.py
holds the two together."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PIPES = Path("/tmp")
# Written at LibreOffice's first start: its settings (with the version it has seen), and
# the build its extensions were registered for; without the latter it restarts once.
PROFILE_SETTINGS = Path("user/registrymodifications.xcu")
PROFILE_BUILD_ID = Path("user/extensions/buildid")
SETTINGS_END = b"</oor:items>"  # the last line of complete settings


def uno_pipe(name: str) -> Path:
    """The socket of a UNO pipe accepted as `name` (--accept=pipe,name=…)."""
    return PIPES / f"OSL_PIPE_{os.getuid()}_{name}"


def single_instance_pipe(profile: Path) -> Path:
    """The socket by which a LibreOffice on `profile` finds a second start of itself:
    named after the MD5 of the profile's URL in UTF-16, written as hexadecimal bytes
    without leading zeros (LibreOffice's officeipcthread.cxx)."""
    digest = hashlib.md5(profile.as_uri().encode("utf-16-le"), usedforsecurity=False)
    return uno_pipe("SingleOfficeIPC_" + "".join(format(byte, "x") for byte in digest.digest()))
