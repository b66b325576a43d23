"""Rubric and lexicon files: the shipped ones load; broken ones fail with messages that
name the file, the criterion and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from interview.errors import RubricError
from interview.lexicon import load_lexicon
from interview.paths import rubrics_dir
from interview.rubric import KNOWN_SIGNALS, load_rubric
from interview.scoring import score_answer
from interview.yamlfile import clear_cache


@pytest.fixture
def rubric_copy(tmp_path, monkeypatch) -> Path:
    """An editable copy of rubrics/ that the scorer uses (INTERVIEW_RUBRICS_DIR)."""
    dest = tmp_path / "rubrics"
    shutil.copytree(rubrics_dir(), dest)
    monkeypatch.setenv("INTERVIEW_RUBRICS_DIR", str(dest))
    clear_cache()
    yield dest
    clear_cache()


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_shipped_rubric_has_every_criterion():
    r = load_rubric()
    assert {c.id for c in r.criteria} == set(KNOWN_SIGNALS)
    for c in r.criteria:
        assert sorted(c.bands) == [1, 2, 3, 4, 5] and c.weight > 0 and "strength" in c.tips


def test_shipped_lexicons_cover_the_issue_lists():
    us = load_lexicon("us")
    ca = load_lexicon("ca")
    us_text = ("Epic HIPAA Medicare prior authorization ACGME systems-based practice USMLE ECFMG ERAS NRMP "
               "observership interdisciplinary rounds case manager discharge planning I-PASS interpreter services "
               "informed consent patient autonomy quality improvement patient safety FQHC health care proxy "
               "palliative care J-1")
    ca_text = ("OHIP MSP Manitoba Health Canada Health Act CanMEDS MCCQE Part I NAC OSCE CaRMS Practice Ready Assessment "
               "CPSO return of service rural Truth and Reconciliation cultural safety nurse practitioner pharmacist "
               "first point of contact EMR wait times French-language services permanent resident AIMG physiciansapply")
    assert len({m.group for m in us.find(us_text)}) >= 17
    assert len({m.group for m in ca.find(ca_text)}) >= 16


def test_lexicon_matching_is_whole_word_case_insensitive_and_abbreviations_case_sensitive():
    us = load_lexicon("us")
    text = "We used epic charting, EHRs, the ED; I edited notes and handoffs."
    found = {(m.text, m.group) for m in us.find(text)}
    assert ("epic", "ehr") in found and ("EHRs", "ehr") in found and ("ED", "us_settings") in found
    assert ("handoffs", "handoffs") in found
    assert not any(m.text.lower() == "ed" and m.text != "ED" for m in us.find(text))
    for m in us.find(text):
        assert text[m.start:m.end] == m.text


def test_edited_lexicon_is_used_without_code(rubric_copy):
    path = rubric_copy / "lexicons" / "us.yaml"
    text = "During my observership in Denver I learned the Widget Protocol for every admission."
    before = score_answer(text, country="us").get("local_system_familiarity").signals["concept_groups"]
    edit(path, lambda d: d["groups"].append({"id": "widget", "label": "Widget protocol", "phrases": ["widget protocol"]}))
    after = score_answer(text, country="us").get("local_system_familiarity")
    assert after.signals["concept_groups"] == before + 1
    assert any(e.label.startswith("Widget protocol") for e in after.evidence)


def test_edited_rubric_weight_changes_overall(rubric_copy):
    text = "Um, I, like, worked in Boston at the ED with Epic, you know."
    before = score_answer(text, country="us")
    edit(rubric_copy / "clarity.yaml", lambda d: d.update(weight=5.0))
    after = score_answer(text, country="us")
    assert after.get("clarity").weight == 5.0
    clarity = after.get("clarity").score
    assert after.overall != before.overall
    assert abs(after.overall - clarity) < abs(before.overall - clarity)  # pulled toward clarity


@pytest.mark.parametrize("change,expected", [
    (lambda d: d["signals"]["filler_per_100_words"].update(poor=0.5),
     "clarity.yaml: criterion clarity: signals.filler_per_100_words: Value error, poor (0.5) must be greater than good"),
    (lambda d: d["signals"].update(bogus={"label": "x", "better": "lower", "good": 1, "poor": 2}),
     "criterion clarity: signals: unknown signal(s) ['bogus']"),
    (lambda d: d["bands"].pop(3), "criterion clarity: bands: need exactly the bands 1, 2, 3, 4 and 5"),
    (lambda d: d.pop("weight"), "criterion clarity: weight: is required"),
    (lambda d: d["signals"]["run_on_count"].update(tip="nope"), "signals.run_on_count.tip: no tip named 'nope'"),
    (lambda d: d["signals"]["mean_sentence_length"].update(good=[30, 10]), "signals.mean_sentence_length"),
    (lambda d: d.update(colour="red"), "colour: is not a known field"),
    (lambda d: d.update(skip_questions_with=["weakness|hobby"]), "must be plain words, not a regular expression"),
])
def test_rubric_validation_messages(rubric_copy, change, expected):
    edit(rubric_copy / "clarity.yaml", change)
    with pytest.raises(RubricError) as exc:
        load_rubric()
    msg = str(exc.value).replace("Value error, ", "")
    assert expected.replace("Value error, ", "") in msg, msg
    assert "\n" not in msg


@pytest.mark.parametrize("change,expected", [
    (lambda d: d["suggested_seconds"].update(interview=60),
     "criterion structure: suggested_seconds: unknown question kind(s) ['interview']"),
    (lambda d: d["suggested_seconds"].update(opening=0), "suggested_seconds: every suggested time must be a positive"),
    (lambda d: d.update(overall_cap={"below": 2.5, "max_overall": 9}), "overall_cap.max_overall"),
])
def test_structure_rubric_validation_messages(rubric_copy, change, expected):
    edit(rubric_copy / "structure.yaml", change)
    with pytest.raises(RubricError) as exc:
        load_rubric()
    msg = str(exc.value).replace("Value error, ", "")
    assert expected.replace("Value error, ", "") in msg, msg
    assert "\n" not in msg


def test_structure_cues_must_be_plain_phrases(rubric_copy):
    edit(rubric_copy / "structure.yaml", lambda d: d["cues"]["learned"].append("since (then|now)"))
    with pytest.raises(RubricError, match=r"structure.yaml: criterion structure: cues: .*regular expression"):
        load_rubric()


def test_malformed_yaml_and_duplicate_ids(rubric_copy):
    (rubric_copy / "extra.yaml").write_text("id: clarity\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(RubricError, match=r"extra.yaml: malformed YAML \(line"):
        load_rubric()
    shutil.copy(rubric_copy / "clarity.yaml", rubric_copy / "extra.yaml")
    with pytest.raises(RubricError, match="id already defined in clarity.yaml"):
        load_rubric()


def test_lexicon_validation_names_the_group(rubric_copy):
    path = rubric_copy / "lexicons" / "ca.yaml"
    edit(path, lambda d: d["groups"][0].update(phrases=["OHIP|MSP"]))
    with pytest.raises(RubricError) as exc:
        load_lexicon("ca")
    assert "ca.yaml" in str(exc.value) and "group provincial_insurance" in str(exc.value)
    assert "regular expression" in str(exc.value)
    edit(path, lambda d: d.update(country="uk"))
    with pytest.raises(RubricError, match="unknown country"):
        load_lexicon("ca")


def test_missing_rubrics_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERVIEW_RUBRICS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(RubricError, match="rubrics folder not found"):
        load_rubric()
