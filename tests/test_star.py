"""STAR detection measured on hand-labelled answers (tests/star_labels.yaml)."""

from __future__ import annotations

from pathlib import Path

from interview.scoring.evaluate import star_detection

LABELS = Path(__file__).parent / "star_labels.yaml"


def test_missing_parts_are_really_missing():
    """A tip must not call a part missing when the answer has it: precision of "missing"
    at least 0.9 over every labelled answer."""
    st = star_detection(LABELS)
    assert st["answers"] >= 30
    precision = st["missing_right"] / st["missing_claims"]
    assert precision >= 0.9, (precision, st["wrong_missing"])


def test_each_part_is_found_with_useful_precision_and_recall():
    st = star_detection(LABELS)
    for part, s in st["parts"].items():
        precision = s["tp"] / (s["tp"] + s["fp"])
        recall = s["tp"] / (s["tp"] + s["fn"])
        assert precision >= 0.8 and recall >= 0.8, (part, s)


def test_labelled_set_has_answers_missing_each_part():
    """The measure can fail: every part is absent from some answers and present in others."""
    import yaml

    data = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["answers"]
    for part in ("situation", "task", "action", "result", "learned"):
        assert any(part in (d["parts"] or []) for d in data)
        assert any(part not in (d["parts"] or []) for d in data)
