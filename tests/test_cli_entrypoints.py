"""The ``interview`` script itself, one real subprocess per command: proves the entry point,
argument parsing and exit codes as a shell sees them. Everything else about each command is
tested in this process (``conftest.run_cli_in_process``), which is much faster."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from interview.cli import COMMAND_MODULES

from conftest import FIXTURES

LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
ANSWER = ("During my observership in Chicago I used Epic, presented patients on rounds and worked "
          "with interpreters. I would bring that to your program's underserved clinic.")


def _script() -> list[str]:
    """The installed console script next to this Python, else ``python -m interview``."""
    script = Path(sys.executable).with_name("interview")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "interview"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """An unrelated current directory, holding the data directory and inputs."""
    path = tmp_path_factory.mktemp("cli")
    (path / "answer.txt").write_text(ANSWER, encoding="utf-8")
    return path


def interview(workdir: Path, *args: str, data: str = "data", timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEW_") and k != "DATABASE_URL"}
    env["INTERVIEW_DATA_DIR"] = str(workdir / data)
    return subprocess.run([*_script(), *args], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=timeout)


def one_line_error(proc: subprocess.CompletedProcess) -> bool:
    return proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_help_lists_every_command(workdir):
    proc = interview(workdir, "--help")
    assert proc.returncode == 0, proc.stderr
    # a module's command is its name with dashes (email_check: email-check)
    names = {"import" if m == "import_cmd" else m.replace("_", "-") for m in COMMAND_MODULES}
    assert names <= set(re.findall(r"^    ([\w-]+)", proc.stdout, re.M)), proc.stdout


def test_bank_and_questions(workdir):
    proc = interview(workdir, "bank", "validate")
    assert proc.returncode == 0 and proc.stdout.startswith("OK: "), proc.stderr
    proc = interview(workdir, "questions", "--country", "ca", "--count", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    assert len({q["id"] for q in json.loads(proc.stdout)}) == 3
    proc = interview(workdir, "questions", "--country", "fr")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_record_lists_devices_or_says_why_not(workdir):
    """No microphone on CI: the devices, or no device (exit 1), or no PortAudio (exit 2), each
    said in one line that tells what to do."""
    proc = interview(workdir, "record", "--list-devices")
    if proc.returncode == 1:
        assert proc.stdout == "no input devices found (record in the browser or upload a file instead)\n"
    elif proc.returncode == 2:
        assert one_line_error(proc) and "PortAudio" in proc.stderr, proc.stderr
    else:
        assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr


def test_score_reads_stdin(workdir):
    proc = subprocess.run([*_script(), "score", "--text-file", "-", "--country", "us", "--json"], input=ANSWER,
                          cwd=workdir, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "INTERVIEW_DATA_DIR": str(workdir / "data")})
    assert proc.returncode == 0, proc.stderr
    assert 1 <= json.loads(proc.stdout)["overall"] <= 5


@pytest.mark.slow
def test_transcribe_with_the_bundled_model(workdir):
    proc = interview(workdir, "transcribe", str(FIXTURES / "answer.wav"), "--json", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["text"].split()) > 20
    proc = interview(workdir, "transcribe", str(FIXTURES / "corrupt.wav"))
    assert proc.returncode == 2 and one_line_error(proc), proc.stderr


@pytest.mark.slow  # seven commands in a row
def test_practice_sessions_report_export_import(workdir):
    proc = interview(workdir, "practice", "--country", "us", "--program-name", "Riverside IM",
                     "--answers", "answer.txt", "--json")
    assert proc.returncode == 0, proc.stderr
    sid = json.loads(proc.stdout)["session_id"]
    proc = interview(workdir, "sessions", "list", "--json")
    assert proc.returncode == 0 and [s["id"] for s in json.loads(proc.stdout)] == [sid], proc.stderr
    proc = interview(workdir, "report", sid, "--format", "md")
    assert proc.returncode == 0 and proc.stdout.startswith("# Interview practice report"), proc.stderr
    proc = interview(workdir, "report", "no-such-session")
    assert proc.returncode == 2 and one_line_error(proc), proc.stderr
    proc = interview(workdir, "export", sid, "-o", "session.zip")
    assert proc.returncode == 0 and (workdir / "session.zip").is_file(), proc.stderr
    proc = interview(workdir, "import", "session.zip", data="other-machine")
    assert proc.returncode == 0, proc.stderr
    proc = interview(workdir, "sessions", "show", sid, "--json", data="other-machine")
    assert proc.returncode == 0 and json.loads(proc.stdout)["answers"][0]["text"] == ANSWER, proc.stderr


def test_videos_prune(workdir):
    proc = interview(workdir, "videos", "prune", "--dry-run", "--json", data="videos")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["rule"]["mode"] == "keep" and out["videos"] == [] and out["dry_run"] is True
    proc = interview(workdir, "videos", "prune", "--days", "0", data="videos")
    assert proc.returncode == 2 and one_line_error(proc), proc.stderr


def test_email(workdir):
    proc = interview(workdir, "email", "--candidate", "Dr. A. Rahman", "--program-name", "Riverside IM",
                     "--interviewer", "Dr. Lee|Program Director", "--detail", "the QI curriculum")
    assert proc.returncode == 0 and "Dear Dr. Lee," in proc.stdout, proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_says_when_the_app_is_ready_and_stops_with_it(workdir):
    """What ``make run`` runs: the ready line comes once the health endpoint answers."""
    port = _free_port()
    env = {**os.environ, "INTERVIEW_DATA_DIR": str(workdir / "data")}
    proc = subprocess.Popen([*_script(), "serve", "--port", str(port)], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "is ready:" in line:
                break
        assert f"IMG Interview Coach is ready: http://127.0.0.1:{port}" in "".join(lines), "".join(lines)
        with LOCAL.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as r:
            assert r.read() == b"ok"
        busy = interview(workdir, "serve", "--port", str(port))
        assert busy.returncode == 2 and "already in use" in busy.stderr and one_line_error(busy), busy.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with pytest.raises(OSError):  # terminating `interview serve` stopped the app as well
        LOCAL.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
