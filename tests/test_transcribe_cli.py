"""``python -m interview transcribe`` as a user runs it (in this process; the script itself: test_cli_entrypoints.py), real model."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import FIXTURES, ROOT, run_cli_in_process

pytestmark = pytest.mark.slow


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    # in this process; tests/test_cli_entrypoints.py runs the real ``interview`` script
    return run_cli_in_process("transcribe", *args, cwd=ROOT, env={**os.environ, **(env or {})})


def test_json_output_has_text_words_timings_and_metrics():
    proc = run(str(FIXTURES / "fillers1.wav"), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key in ("text", "duration", "words", "segments", "metrics", "backend", "model", "language"):
        assert key in data, key
    assert data["backend"] == "faster-whisper" and data["model"] == "tiny.en (bundled)"
    assert data["language"] == "en" and data["verbatim"] is True
    assert data["duration"] == pytest.approx(9.0, abs=0.2)
    assert "chose this program" in data["text"]
    words = data["words"]
    assert words and set(words[0]) == {"word", "start", "end", "probability"}
    starts = [w["start"] for w in words]
    assert starts == sorted(starts) and all(0 <= w["start"] <= w["end"] <= data["duration"] for w in words)
    assert sum(len(s["words"]) for s in data["segments"]) == len(words)
    m = data["metrics"]
    assert m["timed"] is True and m["word_count"] == len(words)
    assert m["filler_count"] >= 3  # verbatim keeps the spoken "um"/"uh" and metrics count them
    assert 60 < m["words_per_minute"] < 250


def test_plain_output_and_no_verbatim():
    proc = run(str(FIXTURES / "fillers2.wav"), "--no-verbatim")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.strip().lower()
    assert "during my" in text and "present their cases" in text
    assert " um" not in text and " uh" not in text


@pytest.mark.parametrize("name, words", [
    ("corrupt.wav", "corrupt"), ("empty.wav", "empty"), ("silence.wav", "no speech detected"),
    ("notaudio.txt", "unsupported format"), ("missing.wav", "not found"),
])
def test_bad_input_exits_2_with_one_line_and_no_traceback(name, words):
    proc = run(str(FIXTURES / name), "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: ") and words in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_missing_model_exits_2_and_says_what_to_do(tmp_path):
    proc = run(str(FIXTURES / "answer.wav"), "--model", "small.en",
               env={"HF_HOME": str(tmp_path), "HF_HUB_CACHE": str(tmp_path / "hub")})
    assert proc.returncode == 2
    assert "not in the local Hugging Face cache" in proc.stderr and "Traceback" not in proc.stderr


def test_too_long_respects_the_env_limit():
    proc = run(str(FIXTURES / "answer.mp3"), env={"INTERVIEW_MAX_SECONDS": "4"})
    assert proc.returncode == 2 and "too long" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_backend_is_an_argparse_error():
    proc = run(str(FIXTURES / "answer.wav"), "--backend", "cloud")
    assert proc.returncode != 0 and "invalid choice" in proc.stderr and "Traceback" not in proc.stderr


def test_openai_whisper_backend_runs_offline_on_the_bundled_weights(tmp_path):
    """`interview transcribe FILE --backend openai-whisper` on a fresh data dir: the bundled
    tiny.en is converted on first use (no download, no ~/.cache/whisper) and reused after."""
    try:
        import whisper  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"needs the openai-whisper extra ({exc}): pip install '.[openai-whisper]'")
    env = {"INTERVIEW_DATA_DIR": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "HF_HUB_OFFLINE": "1"}
    proc = run(str(FIXTURES / "answer.wav"), "--backend", "openai-whisper", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["backend"] == "openai-whisper" and data["model"] == "tiny.en (bundled)"
    assert "internal medicine" in data["text"] and "observership" in data["text"]
    assert data["words"] and all(0 <= w["start"] <= w["end"] <= data["duration"] for w in data["words"])
    [checkpoint] = (tmp_path / "data" / "models").glob("whisper-ct2-*.pt")
    assert not (tmp_path / "cache" / "whisper").exists()
    stamp = checkpoint.stat().st_mtime_ns
    again = run(str(FIXTURES / "fillers1.wav"), "--backend", "openai-whisper", env=env)
    assert again.returncode == 0, again.stderr
    assert "chose this program" in again.stdout and checkpoint.stat().st_mtime_ns == stamp
