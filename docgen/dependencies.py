"""Which fields of the content a document was made from, and digests over just those.

While a document renders, every field of a content model that is read — by the
template, a filter or a property — is logged (model.READS). Its *selection* is that
log laid over the document's context as a tree; the document's digest covers exactly
the selected fields and every plain value of its context. An edit to a field a
document does not show (a school's e-mail, in the reserve list) leaves it as it was;
an edit to one it shows changes its digest. Reads the tree does not reach make the
selection whole (ALL), as does anything else this module cannot follow.

A selection is ALL, {"m": {field: selection}} for a content model, {"d": {key:
selection}} for a dictionary, or {"l": selection} for the items of a list.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import __version__
from .documents import Planned
from .incremental import ALL, Selection
from .model import ReadLog, Strict


class Fingerprints:
    """Digests of documents' inputs: template, the content they show, version.

    Models shared by many documents (a school, the order, the commission) are digested
    once per selection.
    """

    def __init__(self, templates: Path):
        self.templates = templates
        self._template_digests: dict[str, str] = {}
        self._wholes: dict[int, tuple[BaseModel, str]] = {}
        self._parts: dict[tuple[int, int], tuple[Strict, Selection, str]] = {}

    def of(self, document: Planned, selection: Selection = ALL) -> str:
        """The digest of everything `document`'s bytes depend on, except its stamp: with a
        selection, of only that part of its context."""
        digest = hashlib.sha256()
        for part in (__version__, document.template, self._template(document.template),
                     self.part(document.context, selection),
                     self.whole(document.properties.__dict__)):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def _template(self, name: str) -> str:
        if name not in self._template_digests:
            path = self.templates / name
            data = path.read_bytes() if path.is_file() else b""
            self._template_digests[name] = hashlib.sha256(data).hexdigest()
        return self._template_digests[name]

    def part(self, value: Any, selection: Selection) -> str:
        """An unambiguous text standing for the selected part of `value`."""
        if isinstance(selection, dict):
            if "m" in selection and isinstance(value, Strict):
                return self._model_part(value, selection)
            if "d" in selection and isinstance(value, dict):
                inner = selection["d"]
                return "{" + ",".join(
                    f"{_text(str(key))}:{self.part(item, inner.get(str(key), ALL))}"
                    for key, item in sorted(value.items(), key=lambda pair: str(pair[0]))) + "}"
            if "l" in selection and isinstance(value, (list, tuple)):
                return "[" + ",".join(self.part(item, selection["l"]) for item in value) + "]"
        return self.whole(value)

    def _model_part(self, value: Strict, selection: Selection) -> str:
        key = (id(value), id(selection))  # both held in the entry, so neither id is reused
        if key not in self._parts:
            fields = []
            for name, inner in sorted(selection["m"].items()):  # in any order it was read
                try:
                    field = object.__getattribute__(value, name)
                except AttributeError:
                    fields.append(f"{name}=-")
                    continue
                fields.append(f"{name}={self.part(field, inner)}")
            text = f"{type(value).__name__}(" + ",".join(fields) + ")"
            self._parts[key] = (value, selection, hashlib.sha256(text.encode()).hexdigest())
        return self._parts[key][2]

    def whole(self, value: Any) -> str:
        """An unambiguous text standing for all of `value`."""
        if isinstance(value, BaseModel):
            if id(value) not in self._wholes:
                dumped = value.model_dump_json().encode()
                self._wholes[id(value)] = (value, hashlib.sha256(dumped).hexdigest())
            return self._wholes[id(value)][1]
        if isinstance(value, dict):
            return "{" + ",".join(f"{_text(str(key))}:{self.whole(item)}" for key, item in
                                  sorted(value.items(), key=lambda pair: str(pair[0]))) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(self.whole(item) for item in value) + "]"
        if isinstance(value, (enum.Enum, dt.date, Path)):
            return "v" + _text(str(value))
        if isinstance(value, str):
            return "s" + _text(value)
        if value is None or isinstance(value, (bool, int)):
            return repr(value)
        return "j" + _text(json.dumps(value, ensure_ascii=False, default=str))


def _text(text: str) -> str:
    return f"{len(text)}:{text}"


def select(context: dict[str, Any], reads: dict[int, set[str]]) -> Selection:
    """The selection of `context` that covers every read in `reads` (ids of models → fields)."""
    reached: set[int] = set()
    chosen = _select(context, reads, reached)
    return chosen if set(reads) <= reached else ALL


def _select(value: Any, reads: dict[int, set[str]], reached: set[int]) -> Selection:
    if isinstance(value, Strict):
        reached.add(id(value))
        fields = reads.get(id(value), set())
        if ReadLog.WHOLE in fields:
            return ALL
        return {"m": {name: _select(object.__getattribute__(value, name), reads, reached)
                      for name in sorted(fields)}}
    if isinstance(value, dict) and not isinstance(value, BaseModel):
        return {"d": {str(key): _select(item, reads, reached) for key, item in value.items()}}
    if isinstance(value, (list, tuple)) and value:
        merged: Selection = None
        for item in value:
            merged = merge(merged, _select(item, reads, reached))
        return {"l": merged}
    return ALL


def merge(first: Selection, second: Selection) -> Selection:
    """A selection covering both (None is the empty one)."""
    if first is None:
        return second
    if second is None:
        return first
    if first == ALL or second == ALL or first.keys() != second.keys():
        return ALL
    (tag,) = first
    if tag == "l":
        return {"l": merge(first["l"], second["l"])}
    inner = dict(first[tag])
    for key, item in second[tag].items():
        inner[key] = merge(inner.get(key), item)
    return {tag: inner}
