"""Reading the editable YAML content files (rubrics, lexicons) once, with clear errors.

Rubric and lexicon files are edited by coaches, so a mistake must produce a message that
names the file and what is wrong, and a file must be parsed once per process, not once per
scored answer. :func:`load_cached` keeps the parsed, validated object keyed by the file's
path and modification time, so an edited file is picked up without a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml
from pydantic import ValidationError

from .errors import RubricError, validation_problems

T = TypeVar("T")

_CACHE: dict[tuple[str, str], tuple[float, int, Any]] = {}


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, raising :class:`RubricError` naming the file (and line) on failure."""
    path = Path(path)
    if not path.is_file():
        raise RubricError(f"{path}: file not found; check the rubrics folder (INTERVIEW_RUBRICS_DIR)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: cannot read the file ({exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" (line {mark.line + 1}, column {mark.column + 1})"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RubricError(f"{path}: malformed YAML{where}: {problem}") from None


def describe_errors(exc: ValidationError, path: Path, prefix: str = "") -> str:
    """One readable line per pydantic problem, ``file: [prefix] field.path: message``."""
    parts = []
    for loc, msg in validation_problems(exc):
        where = ".".join(map(str, loc))
        parts.append(f"{prefix}{where}: {msg}" if where else f"{prefix}{msg}")
    return f"{path}: " + "; ".join(parts)


def load_cached(path: Path, kind: str, parse: Callable[[Path, Any], T]) -> T:
    """Parse ``path`` with ``parse(path, data)`` once per (path, mtime, size).

    ``kind`` separates caches for different readers of the same file.
    """
    path = Path(path).resolve()
    try:
        st = path.stat()
    except OSError:
        raise RubricError(f"{path}: file not found; check the rubrics folder (INTERVIEW_RUBRICS_DIR)") from None
    key = (kind, str(path))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == st.st_mtime and hit[1] == st.st_size:
        return hit[2]
    value = parse(path, read_yaml(path))
    _CACHE[key] = (st.st_mtime, st.st_size, value)
    return value


def clear_cache() -> None:
    """Forget every parsed file (tests use this after rewriting a file in place)."""
    _CACHE.clear()
