"""Custom kinds: a template with a declaration of its fields beside it, and no Python.

templates/<name>.yaml declares the fields of documents of kind <name>, rendered by
templates/<name>.docx; content of that kind is validated against the declaration with
the same located messages as the built-in kinds.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, create_model

from .annexes import Column
from .kinds import Kind
from .model import Annex, Block, Id, OrganizationRef, PersonRef, Strict, Text

FieldType = Literal["text", "paragraphs", "date", "number", "flag", "person", "organization",
                    "people", "list", "table"]
# names every template of a kind already has: they cannot be declared as fields
RESERVED = ("order", "act", "annex", "annex_number", "amendments", "document", "kind", "id",
            "title", "approved", "loop")

_TYPES: dict[str, Any] = {
    "text": Text,
    "paragraphs": list[Block],
    "date": dt.date,
    "number": int | float,
    "flag": bool,
    "person": PersonRef,
    "organization": OrganizationRef,
    "people": list[PersonRef],
    "list": list[Text],
}


class FieldDeclaration(Strict):
    """One field of a custom kind: its type, Russian label and whether it must be filled."""

    type: FieldType
    label: Text
    required: bool = True
    columns: list[Column] = Field(default_factory=list)  # for a table: its columns


class Declaration(Strict):
    """templates/<name>.yaml: what documents of this kind hold."""

    title: Text  # the kind's Russian name: «справка», «акт проверки»
    category: Text = "Документ"  # shown in the file's properties
    annex: bool = False  # true: an annex of an act; false: a document of its own
    fields: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")],
                 FieldDeclaration] = Field(min_length=1)


def reserved_problems(declaration: Declaration) -> list[tuple[tuple[str | int, ...], str]]:
    """Declared names that templates of this kind already use for something else, or that
    the content model itself has (model_dump, copy …)."""
    return [(("fields", name), f"имя «{name}» занято: выберите другое (занятые имена: "
             + ", ".join(RESERVED) + ", а также начинающиеся с model_ и имена вроде copy, "
             "json, dict)")
            for name in declaration.fields
            if name in RESERVED or name.startswith("model_") or hasattr(Annex, name)]


def _annotation(declared: FieldDeclaration) -> Any:
    if declared.type == "table":
        return list[dict[Id, Text | int | float]] if declared.columns else list[list[Text]]
    return _TYPES[declared.type]


def schema(name: str, declaration: Declaration) -> type[BaseModel]:
    """The content model of a custom kind, built from its declaration."""
    fields: dict[str, Any] = {}
    for field_name, declared in declaration.fields.items():
        annotation = _annotation(declared)
        if declared.required:
            if declared.type in ("paragraphs", "people", "list", "table"):
                fields[field_name] = (annotation, Field(min_length=1))
            else:
                fields[field_name] = (annotation, ...)
        else:
            fields[field_name] = (annotation | None, None)
    base: type[BaseModel] = Annex if declaration.annex else Strict
    fields["kind"] = (Literal[name], ...)  # type: ignore[valid-type]
    return create_model(f"Declared_{name.replace('-', '_')}", __base__=base, **fields)


def kind(name: str, declaration: Declaration) -> Kind:
    """The entry of a custom kind in the table of kinds."""
    return Kind(name, declaration.title, f"{name}.docx", declaration.category,
                schema(name, declaration), declared=tuple(declaration.fields),
                annex=declaration.annex)
