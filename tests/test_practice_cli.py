"""``python -m interview practice`` and ``sessions`` end to end, as a user runs them:
subprocesses, the shipped bank, real SQLite in a temporary data directory, real Whisper."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT
from interview.bank import load_bank

TYPED_1 = ("I grew up in Lagos and trained at the University of Ibadan. After medical school I "
           "passed USMLE Step 1 and Step 2 CK, and I completed an observership in internal "
           "medicine in Chicago, where I learned how the team works together.")
TYPED_2 = ("Your program serves an underserved community, and that is the work I want to do. "
           "During my observership I saw residents run a free clinic, and I want to join it.")


def run(data_dir, *args, check=True):
    env = dict(os.environ, INTERVIEW_DATA_DIR=str(data_dir))
    env.pop("DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "interview", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


@pytest.fixture
def answers(tmp_path):
    a = tmp_path / "a1.txt"
    a.write_text(TYPED_1, encoding="utf-8")
    b = tmp_path / "a2.txt"
    b.write_text(TYPED_2, encoding="utf-8")
    return a, b


@pytest.mark.slow
def test_practice_json_with_typed_and_audio_answers(data_dir, answers):
    proc = run(data_dir, "practice", "--country", "us", "--program-name", "Lakeside IM",
               "--program-mission", "We serve an underserved community.",
               "--specialty", "internal_medicine", "--applicant", "Amina Diallo",
               "--answers", str(answers[0]), str(FIXTURES / "answer.m4a"), str(answers[1]),
               "--seed", "3", "--json")
    out = json.loads(proc.stdout)
    assert set(out) == {"session_id", "answers"} and len(out["session_id"]) == 32
    rows = out["answers"]
    assert [r["position"] for r in rows] == [1, 2, 3]
    for r in rows:
        assert set(r) >= {"position", "question_id", "question", "overall", "criteria",
                          "status", "error"}
        assert r["status"] == "scored" and r["error"] is None
        assert 1 <= r["overall"] <= 5 and r["criteria"]
        assert all(v is None or 1 <= v <= 5 for v in r["criteria"].values())
        assert any(v is not None for v in r["criteria"].values())
        assert r["question"] and r["question_id"] in load_bank()
    assert [r["source"] for r in rows] == ["typed", "upload", "typed"]

    # the session is stored: list and show find it, with the audio kept in the data dir
    listed = json.loads(run(data_dir, "sessions", "list", "--json").stdout)
    assert [s["id"] for s in listed] == [out["session_id"]]
    assert listed[0]["applicant"] == "Amina Diallo" and listed[0]["program"] == "Lakeside IM"
    assert listed[0]["answered"] == 3 and listed[0]["overall"] is not None
    shown = json.loads(run(data_dir, "sessions", "show", out["session_id"], "--json").stdout)
    audio = shown["answers"][1]["audio_path"]
    assert (data_dir / audio).read_bytes() == (FIXTURES / "answer.m4a").read_bytes()
    assert "internal medicine" in shown["answers"][1]["text"].lower()
    assert shown["answers"][0]["text"] == TYPED_1
    assert shown["summary"]["overall"] is not None and len(shown["summary"]["work_on"]) <= 3
    text = run(data_dir, "sessions", "show", out["session_id"]).stdout
    assert "Amina Diallo" in text and "Lakeside IM" in text
    by_name = json.loads(run(data_dir, "sessions", "list", "--json", "--applicant",
                             "amina diallo").stdout)
    assert len(by_name) == 1


def test_practice_prints_the_session_id_and_uses_given_question_ids(data_dir, answers):
    ids = [q.id for q in load_bank().suiting("ca", None)][-2:]
    proc = run(data_dir, "practice", "--country", "ca", "--program-name", "Prairie FM",
               "--question-ids", *ids, "--answers", *map(str, answers))
    sid = proc.stdout.strip()
    assert len(sid) == 32 and sid.isalnum()
    shown = json.loads(run(data_dir, "sessions", "show", sid, "--json").stdout)
    assert [a["question_id"] for a in shown["answers"]] == ids
    assert shown["country"] == "ca"


@pytest.mark.slow
def test_practice_with_a_corrupt_recording_stores_it_as_failed(data_dir, answers):
    proc = run(data_dir, "practice", "--country", "us", "--program-name", "X", "--json",
               "--answers", str(answers[0]), str(FIXTURES / "corrupt.wav"), check=False)
    assert proc.returncode == 1
    assert "answer 2 (corrupt.wav)" in proc.stderr and "could not be decoded" in proc.stderr
    out = json.loads(proc.stdout)
    assert [r["status"] for r in out["answers"]] == ["scored", "failed"]
    assert "could not be decoded" in out["answers"][1]["error"]
    shown = json.loads(run(data_dir, "sessions", "show", out["session_id"], "--json").stdout)
    saved = data_dir / shown["answers"][1]["audio_path"]
    assert saved.read_bytes() == (FIXTURES / "corrupt.wav").read_bytes()


def test_practice_refusals_are_one_line_errors(data_dir, answers, tmp_path):
    proc = run(data_dir, "practice", "--country", "us", "--program-name", "X",
               "--answers", str(tmp_path / "missing.wav"), check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ")
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr
    proc = run(data_dir, "practice", "--country", "fr", "--program-name", "X",
               "--answers", str(answers[0]), check=False)
    assert proc.returncode == 2 and "country" in proc.stderr
    proc = run(data_dir, "practice", "--country", "us", "--program-name", "X",
               "--question-ids", "personal.tell-me-about-yourself",
               "--answers", *map(str, answers), check=False)
    assert proc.returncode == 2 and "one id per answer" in proc.stderr
    proc = run(data_dir, "sessions", "show", "nope", check=False)
    assert proc.returncode == 2 and "no session with id 'nope'" in proc.stderr
    # nothing was stored by the refused commands
    assert json.loads(run(data_dir, "sessions", "list", "--json").stdout) == []


def test_practice_mmi_format_draws_stations_and_is_stored(data_dir, answers):
    from interview.storage import Store

    proc = run(data_dir, "practice", "--country", "ca", "--program-name", "Prairie FM",
               "--format", "mmi", "--answers", str(answers[0]), "--json")
    out = json.loads(proc.stdout)
    (row,) = out["answers"]
    assert row["question_id"].startswith("mmi.") and row["status"] == "scored"
    with Store.open() as store:
        sess = store.get_session(out["session_id"])
        assert sess.format == "mmi" and sess.mode == "interview"
    bad = run(data_dir, "practice", "--country", "ca", "--program-name", "Prairie FM",
              "--format", "osce", "--answers", str(answers[0]), check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
