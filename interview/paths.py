"""Where the content files and the user's data live.

Content (question bank, rubrics, lexicons, templates) ships in the repository's top-level
folders so that a coach can edit it without touching code. Each location can be moved with
an environment variable. User data (database, audio) lives in ``INTERVIEW_DATA_DIR``,
by default the platform's user data directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "img-interview-coach"


def _env_path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser() if value else default


def bank_dir() -> Path:
    """The question bank folder (``INTERVIEW_BANK_DIR``, default ``question_bank/``)."""
    return _env_path("INTERVIEW_BANK_DIR", ROOT / "question_bank")


def rubrics_dir() -> Path:
    """The rubrics folder (``INTERVIEW_RUBRICS_DIR``, default ``rubrics/``)."""
    return _env_path("INTERVIEW_RUBRICS_DIR", ROOT / "rubrics")


def lexicons_dir() -> Path:
    """The local-system lexicons (``rubrics/lexicons/``)."""
    return rubrics_dir() / "lexicons"


def templates_dir() -> Path:
    """Email and report templates (``INTERVIEW_TEMPLATES_DIR``, default ``templates/``)."""
    return _env_path("INTERVIEW_TEMPLATES_DIR", ROOT / "templates")


def data_dir(create: bool = True) -> Path:
    """The user's data folder (``INTERVIEW_DATA_DIR``, default the platform user data dir)."""
    path = _env_path("INTERVIEW_DATA_DIR", Path(user_data_dir(APP_NAME, appauthor=False)))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def audio_dir(create: bool = True) -> Path:
    """Saved recordings, inside the data folder."""
    path = data_dir(create) / "audio"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path
