"""Shared fixtures and helpers. Each test module keeps its own specific fixtures.

Optional system parts. A fresh machine may have only Python, ``venv`` and ``make``; tests
that need something README.md does not promise skip with a one-line reason saying how to
enable them (:func:`need`): PortAudio (``apt-get install libportaudio2``), Chromium
(``apt-get install chromium``), a PostgreSQL server (``TEST_DATABASE_URL``) and the
openai-whisper extra. ``.ci/run`` installs all of them and sets ``INTERVIEW_REQUIRE_ALL=1``:
then every skip is reported as a failure, so CI cannot pass by silently skipping.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: ``../shared`` beside the project, as CI has it
SHARED = ROOT.parent / "shared"

#: set (to 1) by .ci/run: a skipped test fails instead, whatever the reason
REQUIRE_ALL = os.environ.get("INTERVIEW_REQUIRE_ALL", "").strip().lower() in {"1", "true", "yes"}

#: the browser the end-to-end test drives (Debian's package; ``CHROMIUM=/nowhere`` hides it)
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def need(what: str, how: str) -> NoReturn:
    """Skip this test because ``what`` is missing on this machine; ``how`` says how to get it.
    With ``INTERVIEW_REQUIRE_ALL`` set (CI) the skip is turned into a failure."""
    pytest.skip(f"needs {what}: {how}")


def portaudio_sounddevice():
    """The ``sounddevice`` module, imported the way the recorder imports it; skips the test
    where PortAudio (or sounddevice) is missing."""
    from interview.record import MicrophoneUnavailable, _sounddevice

    try:
        return _sounddevice()
    except MicrophoneUnavailable:
        need("the PortAudio library", "apt-get install libportaudio2 (.ci/run does)")


def require_chromium() -> Path:
    """Debian's Chromium and Playwright for Python, or skip."""
    if not CHROMIUM.exists():
        need(f"Chromium at {CHROMIUM}", "apt-get install chromium (.ci/run does)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        need("Playwright for Python", "make test installs it (pip install -e '.[test]')")
    return CHROMIUM


# -- CI: no silent skips ---------------------------------------------------------------------

def _require_all(report) -> None:
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped while INTERVIEW_REQUIRE_ALL is set (CI runs everything): {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _require_all(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _require_all(outcome.get_result())


def pytest_report_header(config):
    return f"INTERVIEW_REQUIRE_ALL: {'on, skips fail' if REQUIRE_ALL else 'off, missing optional parts skip'}"


# -- fixtures ----------------------------------------------------------------------------------

@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh, empty data directory (database and audio) for one test."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return path


# -- the command line, in this process -------------------------------------------------------

def run_cli_in_process(*args: str, env: dict | None = None, cwd: str | Path | None = None,
            input: str | None = None) -> subprocess.CompletedProcess:
    """Run ``interview ARGS`` in this process through :func:`interview.cli.main` and return
    what a subprocess would: exit code, stdout and stderr as text. ``env`` replaces the
    environment for the call (as ``subprocess.run(env=...)`` does), ``cwd`` is entered for it.

    Much faster than a subprocess (no interpreter start, the speech model loaded once per
    session); ``tests/test_cli_entrypoints.py`` keeps one real subprocess per command."""
    from interview import cli

    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", write_through=True)
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_stdin = sys.stdin
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin = io.StringIO(input or "")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        if env is not None:
            os.environ.clear()
            os.environ.update(saved_env)
    out.flush(), err.flush()
    return subprocess.CompletedProcess(["interview", *map(str, args)], code,
                                       out_bytes.getvalue().decode("utf-8"),
                                       err_bytes.getvalue().decode("utf-8"))


@pytest.fixture
def store(data_dir):
    """The store of the fresh data directory, open for one test."""
    from interview.storage import Store

    s = Store.open()
    yield s
    s.close()


@pytest.fixture(scope="module")
def transcriber():
    """The local speech model, loaded once per test module."""
    from interview.transcribe import get_transcriber

    return get_transcriber()


@pytest.fixture
def session_id(data_dir) -> str:
    """A one-question session (Amina Diallo, Riverside Internal Medicine) in the fresh data
    directory: the pages in tests/apps record its answer."""
    from interview.practice import start_session
    from interview.profile import make_profile
    from interview.storage import Store

    with Store.open() as store:
        who = store.get_or_add_applicant("Amina Diallo")
        profile = make_profile(name="Riverside Internal Medicine", country="us",
                               specialty="internal_medicine")
        return start_session(store, who.id, profile,
                             question_ids=["personal.tell-me-about-yourself"]).id
