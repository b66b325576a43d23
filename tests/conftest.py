"""Shared fixtures. Each test module keeps its own specific fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: ``../shared`` beside the project, as CI has it
SHARED = ROOT.parent / "shared"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh, empty data directory (database and audio) for one test."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return path
