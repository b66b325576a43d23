"""Where the content files and the user's data live.

Content (question bank, rubrics with their lexicons, templates) is data a coach edits
without touching code. In a checkout it is the repository's top-level folders
``question_bank/``, ``rubrics/`` and ``templates/``; an installed wheel carries a copy of the
three inside the package (``interview/content/``), so nothing depends on the current
directory. ``INTERVIEW_CONTENT_DIR`` points the app at an edited copy holding the same three
folders; ``INTERVIEW_BANK_DIR``, ``INTERVIEW_RUBRICS_DIR`` and ``INTERVIEW_TEMPLATES_DIR``
move one folder each and win over it. User data (database, audio) lives in
``INTERVIEW_DATA_DIR``, by default the platform's user data directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

PACKAGE_DIR = Path(__file__).resolve().parent
#: the repository checkout, when the package runs from one (editable install, ``python -m``)
ROOT = PACKAGE_DIR.parent
#: the content inside an installed wheel (copied there at build time, see build_content.py)
PACKAGED_CONTENT = PACKAGE_DIR / "content"
APP_NAME = "img-interview-coach"


def _env_path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser() if value else default


def content_dir() -> Path:
    """The folder holding ``question_bank/``, ``rubrics/`` and ``templates/``:
    ``INTERVIEW_CONTENT_DIR`` if set, else the wheel's packaged copy, else the checkout."""
    packaged = PACKAGED_CONTENT if (PACKAGED_CONTENT / "question_bank").is_dir() else ROOT
    return _env_path("INTERVIEW_CONTENT_DIR", packaged)


def bank_dir() -> Path:
    """The question bank folder (``INTERVIEW_BANK_DIR``, default ``question_bank/``)."""
    return _env_path("INTERVIEW_BANK_DIR", content_dir() / "question_bank")


def rubrics_dir() -> Path:
    """The rubrics folder (``INTERVIEW_RUBRICS_DIR``, default ``rubrics/``)."""
    return _env_path("INTERVIEW_RUBRICS_DIR", content_dir() / "rubrics")


def lexicons_dir() -> Path:
    """The local-system lexicons (``rubrics/lexicons/``)."""
    return rubrics_dir() / "lexicons"


def templates_dir() -> Path:
    """Email and report templates (``INTERVIEW_TEMPLATES_DIR``, default ``templates/``)."""
    return _env_path("INTERVIEW_TEMPLATES_DIR", content_dir() / "templates")


#: recordings, transcripts and the database are readable by their owner only
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it owner-only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        path.chmod(PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file owner-only (0600); returns ``path``."""
    if os.name == "posix" and path.exists() and path.stat().st_mode & 0o077:
        path.chmod(PRIVATE_FILE_MODE)
    return path


def data_dir(create: bool = True) -> Path:
    """The user's data folder (``INTERVIEW_DATA_DIR``, default the platform user data dir),
    created owner-only (0700)."""
    path = _env_path("INTERVIEW_DATA_DIR", Path(user_data_dir(APP_NAME, appauthor=False)))
    if create:
        private_dir(path)
    return path


def audio_dir(create: bool = True) -> Path:
    """Saved recordings, inside the data folder (0700)."""
    path = data_dir(create) / "audio"
    if create:
        private_dir(path)
    return path
