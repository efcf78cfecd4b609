"""Loading a project for a build: content validated, its plan, warnings; templates checked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ContentError, Problem, Severity

if TYPE_CHECKING:
    from .documents import FolderPlan
    from .model import Project


def load_and_plan(root: Path, strict: bool, cache: Path | None = None
                  ) -> tuple[Project, list[FolderPlan], list[Problem]]:
    """The project, its plan, and the warnings; with `strict`, warnings are errors; parsed
    files are kept in `cache`."""
    from .content import load_project
    from .plan import plan

    project, warnings = load_project(root, cache)
    folders = plan(project)
    warnings = warnings + _unproduced(project, folders)
    if strict and warnings:
        raise ContentError([Problem(w.path, w.line, w.column, w.field, w.message, Severity.ERROR)
                            for w in warnings])
    return project, folders, warnings


def _unproduced(project: Project, folders: list[FolderPlan]) -> list[Problem]:
    """Roadmap activities naming document kinds of which the build makes none."""
    made = {document.kind for folder in folders for document in folder.documents}
    problems = []
    for bundle in project.orders:
        for activity in bundle.activities().values():
            missing = [kind for kind in activity.produces if kind not in made]
            if missing and activity._where is not None:
                path, line, column = activity._where
                names = ", ".join(f"«{project.kinds[kind].title}»" for kind in missing)
                problems.append(Problem(path, line, column, "produces",
                                        f"мероприятие «{activity.id}» порождает {names}, "
                                        "но таких документов нет", Severity.WARNING))
    return problems


def plan_project(root: Path) -> list[FolderPlan]:
    """The plan of every output of the project at `root` (warnings aside)."""
    return load_and_plan(root, strict=False)[1]
