"""``python -m interview score`` as a user runs it (real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

ANSWER = ("During my externship in Miami, a night nurse and I disagreed about a patient's insulin. "
          "I asked to talk privately and we reviewed the EHR together. We agreed to escalate to the "
          "senior resident. Since then I always read nursing notes before I change orders.")


def run(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "interview", "score", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def answer_file(tmp_path) -> Path:
    p = tmp_path / "answer.txt"
    p.write_text(ANSWER, encoding="utf-8")
    return p


def test_json_output(answer_file):
    r = run("--text-file", str(answer_file), "--country", "us", "--question",
            "Tell me about a conflict with a colleague.", "--program-name", "Miami Safety-Net IM",
            "--program-mission", "Serving underserved communities", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert 1 <= out["overall"] <= 5
    ids = [c["id"] for c in out["criteria"]]
    assert ids == ["clarity", "ethical_reasoning", "local_system_familiarity", "program_fit",
                   "questions_quality", "relevance", "structure"]
    assert [c["id"] for c in out["criteria"] if c["score"] is None] == ["ethical_reasoning",
                                                                      "questions_quality"]
    for c in out["criteria"]:
        assert {"id", "score", "band", "evidence", "tips", "signals"} <= set(c)
        for e in c["evidence"]:
            assert ANSWER[e["start"]:e["end"]] == e["text"]
    fam = next(c for c in out["criteria"] if c["id"] == "local_system_familiarity")
    assert {"externship", "EHR"} <= {e["text"] for e in fam["evidence"]}


def test_report_card(answer_file):
    r = run("--text-file", str(answer_file), "--country", "us", "--question", "Tell me about a conflict.")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Overall: ")
    assert "Structure:" in r.stdout and "tip:" in r.stdout and "Local system familiarity" in r.stdout


def test_question_id_from_the_bank(answer_file):
    from interview.bank import load_bank

    q = next(q for q in load_bank().questions if q.kind == "applicant_questions")
    r = run("--text-file", str(answer_file), "--question-id", q.id, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["question_kind"] == "applicant_questions"
    assert "questions_quality" in [c["id"] for c in out["criteria"]]


@pytest.mark.parametrize("args,message", [
    (["--text-file", "/no/such/answer.txt"], "text file not found"),
    (["--country", "uk"], "unknown country"),
    (["--question-id", "no.such-question"], "no question with id"),
    ([], None),
])
def test_bad_input_exits_nonzero_with_one_line(answer_file, tmp_path, args, message):
    if not args:  # empty text
        empty = tmp_path / "empty.txt"
        empty.write_text("  \n", encoding="utf-8")
        args, message = ["--text-file", str(empty)], "empty"
    elif args[0] != "--text-file":
        args = ["--text-file", str(answer_file), *args]
    r = run(*args)
    assert r.returncode != 0
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


@pytest.mark.slow
def test_audio_is_transcribed_and_timed(answer_file):
    audio = FIXTURES / "fillers1.wav"
    if not audio.is_file():
        pytest.skip("speech fixture fillers1.wav not present")
    r = run("--audio", str(audio), "--json", "--country", "us", timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["timed"] is True
    clarity = next(c for c in out["criteria"] if c["id"] == "clarity")
    assert clarity["signals"]["words_per_minute"] > 0
    for c in out["criteria"]:
        for e in c["evidence"]:
            assert out["text"][e["start"]:e["end"]] == e["text"]


MMI_ANSWER = (
    "The issue is patient safety against loyalty to a colleague. First I would find out what the "
    "nurse saw and whether he is caring for patients now. I would speak with him privately and "
    "listen to his side, since he may be unwell and afraid. If he seems impaired, I would make sure "
    "he stops seeing patients and involve the attending on call; the college expects us to act, and "
    "the physician health program offers confidential help. If the concern continues, I would "
    "escalate to the program director and document what happened.")


@pytest.mark.parametrize("question", [
    "A nurse tells you a colleague smelled of alcohol this morning. Discuss what you would do.",
    "MMI station: a patient asks you to keep a secret that puts her partner at risk. How would you respond?",
])
def test_an_ethics_or_mmi_scenario_is_recognised_from_its_text(tmp_path, question):
    p = tmp_path / "mmi.txt"
    p.write_text(MMI_ANSWER, encoding="utf-8")
    r = run("--text-file", str(p), "--country", "ca", "--question", question, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["question_kind"] == "scenario"
    ethics = next(c for c in out["criteria"] if c["id"] == "ethical_reasoning")
    assert ethics["score"] is not None and ethics["score"] >= 3.5, ethics
    assert ethics["signals"]["information_first"] == 1 and ethics["signals"]["fallback"] == 1
    # a question about the applicant's own past is not a scenario: no ethics score
    r = run("--text-file", str(p), "--country", "ca", "--question",
            "Tell me about a time you faced an ethical dilemma.", "--json")
    ethics = next(c for c in json.loads(r.stdout)["criteria"] if c["id"] == "ethical_reasoning")
    assert ethics["score"] is None
