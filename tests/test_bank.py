"""The question bank: the real ``question_bank/`` folder, and clear errors for broken files."""

from __future__ import annotations

import difflib
import itertools
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from interview.bank import CATEGORIES, KINDS, QuestionNotFound, load_bank, render_template
from interview.errors import BankError, InterviewError
from interview.profile import make_profile, neutral_profile

BANK = ROOT / "question_bank"
REQUIRED_SPECIALTIES = ["internal_medicine", "family_medicine", "psychiatry", "pediatrics",
                        "general_surgery", "emergency_medicine"]


@pytest.fixture(scope="module")
def bank():
    return load_bank(BANK)


# --------------------------------------------------------------------------- the real bank

def test_real_bank_validates_with_200_questions(bank):
    assert len(bank) >= 200
    assert len({q.id for q in bank}) == len(bank)


def test_every_required_category_is_present(bank):
    assert set(bank.categories) == set(CATEGORIES)
    for cat in CATEGORIES:
        assert len(bank.by_category(cat)) >= 5, cat


def test_both_countries_are_covered(bank):
    us_only = [q for q in bank if q.countries == ["us"]]
    ca_only = [q for q in bank if q.countries == ["ca"]]
    assert len(us_only) >= 15 and len(ca_only) >= 15
    assert len(bank.suiting("us", None)) >= 120
    assert len(bank.suiting("ca", None)) >= 120
    # each country's system category suits only that country
    assert all(q.countries == ["us"] for q in bank.by_category("us_system"))
    assert all(q.countries == ["ca"] for q in bank.by_category("ca_system"))


@pytest.mark.parametrize("specialty", REQUIRED_SPECIALTIES)
def test_specialty_questions_exist(bank, specialty):
    own = [q for q in bank if specialty in q.specialties]
    assert len(own) >= 3, specialty
    for country in ("us", "ca"):
        assert any(q.suits(country, specialty) for q in own), (specialty, country)


def test_opening_trio_exists_for_each_country(bank):
    for country in ("us", "ca"):
        slots = {q.opening for q in bank.suiting(country, None) if q.opening}
        assert slots == {1, 2, 3}, country


CANONICAL_OPENING = {1: "personal.tell-me-about-yourself", 2: "program_fit.why-this-program",
                     3: "behavioural.challenging-clinical-situation"}


@pytest.mark.parametrize("country", ["us", "ca"])
def test_each_opening_slot_has_the_canonical_question_first_and_alternatives(bank, country):
    for slot, canonical in CANONICAL_OPENING.items():
        slot_qs = [q for q in bank.suiting(country, None) if q.opening == slot]
        assert slot_qs[0].id == canonical  # the first in the bank is the canonical wording
        assert len(slot_qs) >= 3, (slot, [q.id for q in slot_qs])
        assert len({q.render(neutral_profile(country)) for q in slot_qs}) == len(slot_qs)
        assert {q.category for q in slot_qs} == {canonical.split(".")[0]}


# --------------------------------------------------------------------------- near-duplicates

_TEMPLATE = re.compile(r"\{[{%].*?[%}]\}")
#: Openings that many different questions share; they say nothing about the topic.
_LEAD = re.compile(r"^(?:tell (?:me|us) about (?:a time (?:when )?)?|describe (?:a time (?:when )?)?"
                   r"|give (?:me|us) an example of |what would you do if |how would you )")
_STOP = frozenset("""a an the and or but of to in on at for with from by as is are was were be been being it its
this that these those i me my we us our you your yours he him his she her they them their there here what which who
whom whose when where why how do does did done have has had having will would could should can may might must not no
so if than then too very just about tell describe give example time times some any one all more most other such also
into out up over after before while during because like get got make made let ask asked say said""".split())
_SUFFIXES = ("ations", "ation", "ments", "ment", "ing", "ies", "ied", "ed", "es", "s", "ure", "ly")


def normalise(text: str) -> str:
    """Lower-case words of a question text, template expressions removed."""
    return " ".join(re.findall(r"[a-z0-9]+", _TEMPLATE.sub(" ", text.lower())))


def content_words(text: str) -> set[str]:
    """The crudely stemmed words of a text that carry its topic."""
    def stem(word: str) -> str:
        for suffix in _SUFFIXES:
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                return word[: -len(suffix)]
        return word
    return {stem(w) for w in normalise(text).split() if w not in _STOP}


def near_duplicate(a: str, b: str) -> bool:
    """Two question texts that ask the same thing in nearly the same words: almost the same
    text once the generic opening ('tell me about a time...') is dropped (difflib ratio above
    0.7), or sharing at least four topic words that make up most of both (Dice >= 0.45)."""
    if difflib.SequenceMatcher(None, _LEAD.sub("", normalise(a)), _LEAD.sub("", normalise(b))).ratio() > 0.7:
        return True
    wa, wb = content_words(a), content_words(b)
    shared = wa & wb
    return len(shared) >= 4 and 2 * len(shared) / (len(wa) + len(wb)) >= 0.45


def can_meet_in_one_session(a, b) -> bool:
    """Whether a draw could ask both (wordings of one opening slot never meet)."""
    if a.opening is not None and a.opening == b.opening:
        return False
    if not set(a.countries) & set(b.countries):
        return False
    from interview.draw import STATION_CATEGORIES

    # MMI stations are drawn only together (an MMI circuit), never in an ordinary session
    if (a.category in STATION_CATEGORIES) != (b.category in STATION_CATEGORIES):
        return False
    return not (a.specialties and b.specialties and not set(a.specialties) & set(b.specialties))


def test_near_duplicate_measure_flags_known_duplicates_only():
    # pairs that were in the bank and were rewritten
    assert near_duplicate(
        "Moving to a small or remote community affects your whole family. How have you and your family prepared for that?",
        "Moving countries for residency affects your family too. How have you prepared for relocating to {{ program.region }}?")
    assert near_duplicate(
        "Our program has trained many international medical graduates. What support would help you most in your first months?",
        "Do you have any questions about how {{ program.name }} supports international medical graduates?")
    # a lightly edited copy
    assert near_duplicate("Why did you apply to {{ program.name }}?", "Why did you choose to apply to {{ program.name }}?")
    assert near_duplicate("Tell me about a time you disagreed with a senior doctor's plan. What did you do?",
                          "Describe a time you disagreed with a senior doctor's plan, and what you did.")
    # different questions that share a generic opening or a word or two
    assert not near_duplicate("Tell me about a time you advocated for a patient.",
                              "Tell me about a time you had to break bad news to a patient or family.")
    assert not near_duplicate(
        "Tell me about caring for a patient whose beliefs about illness or treatment were very different from yours.",
        "Is there any treatment you would not provide because of your personal beliefs? How would you handle a patient who asks for it?")
    assert not near_duplicate("What do you enjoy doing outside medicine?",
                              "If medicine were not an option, what would you be doing?")


def test_no_near_duplicate_questions_in_the_real_bank(bank):
    pairs = [f"{a.id} ~ {b.id}" for a, b in itertools.combinations(bank.questions, 2)
             if can_meet_in_one_session(a, b) and near_duplicate(a.text, b.text)]
    assert not pairs, "near-duplicate questions (rewrite one to a distinct angle):\n" + "\n".join(pairs)


def test_every_question_renders_for_each_country(bank):
    for q in bank:
        for country in q.countries:
            text = q.render(neutral_profile(country))
            assert text and "{{" not in text and "{%" not in text, q.id
            assert all(f and "{{" not in f for f in q.render_follow_ups(neutral_profile(country)))
        assert q.kind in KINDS and q.look_for and 15 <= q.suggested_seconds <= 600


def test_program_name_fills_templates(bank):
    profile = make_profile(name="Lakeside Internal Medicine", country="us", specialty="internal_medicine")
    assert bank.get("program_fit.why-this-program").render(profile) == "Why did you apply to Lakeside Internal Medicine?"
    named = [q for q in bank.suiting("us", "internal_medicine") if "Lakeside Internal Medicine" in q.render(profile)]
    assert len(named) >= 10


def test_mission_template_uses_the_mission_only_when_given(bank):
    q = bank.get("program_fit.mission")
    with_mission = make_profile(name="X", country="ca", mission="Serving northern communities.")
    assert "Serving northern communities." in q.render(with_mission)
    assert "mission statement says" not in q.render(neutral_profile("ca"))


def test_get_unknown_id_is_a_clear_bank_error(bank):
    with pytest.raises(QuestionNotFound, match="no question with id 'personal.nope'") as err:
        bank.get("personal.nope")
    assert isinstance(err.value, BankError) and isinstance(err.value, InterviewError)


def test_templates_are_sandboxed_and_strict():
    profile = neutral_profile("us")
    with pytest.raises(BankError, match="program.nmae|nmae"):
        render_template("Why {{ program.nmae }}?", profile)
    with pytest.raises(BankError):
        render_template("{{ program.__class__.__mro__ }}", profile)
    with pytest.raises(BankError):  # only the documented variables exist
        render_template("{{ program.features }}", profile)


# --------------------------------------------------------------------------- broken banks

GOOD = """\
category: personal
questions:
  - id: personal.one
    text: "Why {{ program.name }}?"
    kind: motivation
    look_for: "Specific reasons."
"""


def write_bank(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (folder / name).write_text(textwrap.dedent(body), encoding="utf-8")
    return folder


def problems_of(folder: Path) -> str:
    with pytest.raises(BankError) as err:
        load_bank(folder)
    return str(err.value)


def test_small_valid_bank_loads(tmp_path):
    bank = load_bank(write_bank(tmp_path / "b", {"personal.yaml": GOOD}))
    q = bank.get("personal.one")
    assert q.category == "personal" and q.countries == ["us", "ca"] and q.suggested_seconds == 120
    assert q.render(make_profile(name="Alpha", country="ca")) == "Why Alpha?"


def test_malformed_yaml_names_file_and_line(tmp_path):
    body = GOOD + '  - id: personal.two\n    text: "unclosed\n    kind: motivation\n'
    msg = problems_of(write_bank(tmp_path / "b", {"personal.yaml": body}))
    assert "personal.yaml:" in msg and "malformed YAML" in msg
    line = int(msg.split("personal.yaml:")[1].split(":")[0])
    assert 7 <= line <= 10


def test_bad_indentation_is_malformed_yaml(tmp_path):
    body = "category: personal\nquestions:\n  - id: personal.x\n   text: bad indent\n"
    msg = problems_of(write_bank(tmp_path / "b", {"personal.yaml": body}))
    assert "personal.yaml:4" in msg or "personal.yaml:3" in msg
    assert "malformed YAML" in msg


def test_duplicate_ids_name_both_files(tmp_path):
    other = GOOD.replace("personal.one", "career.one").replace("category: personal", "category: career")
    dup = other + GOOD.split("questions:\n", 1)[1].replace("personal.one", "career.one")
    msg = problems_of(write_bank(tmp_path / "b", {"personal.yaml": GOOD, "career.yaml": dup}))
    assert "duplicate id" in msg and "'career.one'" in msg
    assert "career.yaml:3" in msg and "career.yaml:7" in msg

    msg = problems_of(write_bank(tmp_path / "c", {
        "personal.yaml": GOOD,
        "personal_more.yaml": GOOD,
    }))
    assert "duplicate id" in msg and "personal.yaml" in msg and "personal_more.yaml" in msg


def test_unknown_category(tmp_path):
    msg = problems_of(write_bank(tmp_path / "b", {"hobbies.yaml": GOOD.replace("category: personal", "category: hobbies")}))
    assert "hobbies.yaml" in msg and "unknown category 'hobbies'" in msg and "personal" in msg


def test_bad_template_variable_names_file_id_and_field(tmp_path):
    body = GOOD.replace("{{ program.name }}", "{{ program.nmae }}")
    msg = problems_of(write_bank(tmp_path / "b", {"personal.yaml": body}))
    assert "personal.yaml:3" in msg and "'personal.one'" in msg and "field 'text'" in msg and "nmae" in msg

    body = GOOD + '    follow_ups: ["And {{ applicant.name }}?"]\n'
    msg = problems_of(write_bank(tmp_path / "c", {"personal.yaml": body}))
    assert "field 'follow_ups.0'" in msg and "applicant" in msg


def test_template_syntax_error(tmp_path):
    body = GOOD.replace("{{ program.name }}", "{{ program.name }")
    msg = problems_of(write_bank(tmp_path / "b", {"personal.yaml": body}))
    assert "'personal.one'" in msg and "field 'text'" in msg and "syntax" in msg


@pytest.mark.parametrize("change, expected", [
    (("kind: motivation", "kind: chat"), "field 'kind': unknown kind 'chat'"),
    (("kind: motivation", "kind: motivation\n    features: [golf]"), "field 'features': unknown feature 'golf'"),
    (("kind: motivation", "kind: motivation\n    specialties: [dentistry]"), "field 'specialties': unknown specialty 'dentistry'"),
    (("kind: motivation", "kind: motivation\n    countries: [uk]"), "field 'countries': unknown country 'uk'"),
    (("kind: motivation", "kind: motivation\n    opening: 4"), "field 'opening'"),
    (("kind: motivation", "kind: motivation\n    suggested_seconds: 5"), "field 'suggested_seconds'"),
    (("kind: motivation", "kind: motivation\n    lookfor: typo"), "field 'lookfor': is not a known field"),
    (('    look_for: "Specific reasons."\n', ""), "field 'look_for': is required"),
    (('look_for: "Specific reasons."', 'look_for: "In {{ program.name }}."'), "field 'look_for': is plain text"),
    (("id: personal.one", "id: career.one"), "must start with the file's category, 'personal.'"),
    (("id: personal.one", "id: Personal One"), "field 'id'"),
])
def test_field_errors_name_file_id_and_field(tmp_path, change, expected):
    body = GOOD.replace(*change)
    msg = problems_of(write_bank(tmp_path / "b", {"personal.yaml": body}))
    assert "personal.yaml:3" in msg and expected in msg


def test_missing_id_names_question_number(tmp_path):
    body = GOOD + '  - text: "Second"\n    kind: motivation\n    look_for: "x"\n'
    msg = problems_of(write_bank(tmp_path / "b", {"personal.yaml": body}))
    assert "personal.yaml:7: question #2: field 'id': is required" in msg


def test_empty_file_missing_folder_and_no_files(tmp_path):
    assert "the file is empty" in problems_of(write_bank(tmp_path / "b", {"personal.yaml": "\n"}))
    assert "no such folder" in problems_of(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    assert "no question files" in problems_of(tmp_path / "empty")


def test_all_problems_are_reported_at_once(tmp_path):
    msg = problems_of(write_bank(tmp_path / "b", {
        "personal.yaml": GOOD.replace("kind: motivation", "kind: chat"),
        "career.yaml": "category: career\nquestions: [\n",
    }))
    assert "2 problem(s)" in msg and "personal.yaml" in msg and "career.yaml" in msg


def test_cache_reloads_after_an_edit(tmp_path):
    folder = write_bank(tmp_path / "b", {"personal.yaml": GOOD})
    first = load_bank(folder)
    assert load_bank(folder) is first
    path = folder / "personal.yaml"
    path.write_text(GOOD.replace("Why {{ program.name }}?", "Why really {{ program.name }}?"), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    second = load_bank(folder)
    assert second is not first and second.get("personal.one").text.startswith("Why really")


# --------------------------------------------------------------------------- CLI

def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "interview", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_cli_bank_validate_real_bank():
    result = run_cli("bank", "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: ") and "behavioural" in result.stdout


def test_cli_bank_validate_broken_bank_exits_nonzero_without_traceback(tmp_path):
    folder = write_bank(tmp_path / "b", {
        "personal.yaml": GOOD.replace("{{ program.name }}", "{{ program.nmae }}"),
        "career.yaml": "category: career\nquestions:\n  - id: career.x\n    text: [unclosed\n",
    })
    result = run_cli("bank", "validate", "--path", str(folder))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "personal.yaml:3: question 'personal.one': field 'text'" in result.stderr
    assert "career.yaml:" in result.stderr and "malformed YAML" in result.stderr

    missing = run_cli("bank", "validate", "--path", str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "no such folder" in missing.stderr and "Traceback" not in missing.stderr


def test_cli_questions_with_broken_bank_is_one_line_error(tmp_path):
    folder = write_bank(tmp_path / "b", {"personal.yaml": GOOD.replace("kind: motivation", "kind: chat")})
    result = run_cli("questions", "--country", "us", "--json", env={"INTERVIEW_BANK_DIR": str(folder)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and "unknown kind 'chat'" in result.stderr


def test_cli_help_lists_bank_and_questions():
    result = run_cli("--help")
    assert result.returncode == 0 and "bank" in result.stdout and "questions" in result.stdout
    assert run_cli("bank", "validate", "--help").returncode == 0


def _mmi_listed(country: str) -> list[dict]:
    import json
    import subprocess
    import sys

    from conftest import ROOT

    proc = subprocess.run([sys.executable, "-m", "interview", "questions", "--country", country,
                           "--all", "--json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [q for q in json.loads(proc.stdout) if q["category"] == "mmi"]


def test_mmi_stations_are_listed_for_canada_and_the_us_where_they_suit():
    ca, us = _mmi_listed("ca"), _mmi_listed("us")
    assert len(ca) >= 30 and len(us) >= 25
    for station in ca + us:
        assert station["kind"] == "scenario" and 360 <= station["suggested_seconds"] <= 480
        assert len(station["look_for"]) > 150  # what assessors look for, in full
        assert station["follow_ups"]
    ca_ids, us_ids = {q["id"] for q in ca}, {q["id"] for q in us}
    # each country's health policy: Canadian stations for Canada, U.S. ones for the U.S.
    assert {"mmi.maid-request", "mmi.indigenous-patient-leaving", "mmi.paying-to-skip-the-wait"} <= ca_ids - us_ids
    assert {"mmi.uninsured-insulin", "mmi.transfer-for-payment"} <= us_ids - ca_ids
    themes = ["conscientious-objection", "impaired-colleague", "patient-refuses-treatment",
              "scarce-ventilator", "indigenous", "interpreter"]
    assert all(any(t in i for i in ca_ids) for t in themes)


def test_cli_questions_category_filter(tmp_path):
    import json
    import subprocess
    import sys

    from conftest import ROOT

    def run(*args):
        return subprocess.run([sys.executable, "-m", "interview", "questions", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    out = run("--country", "ca", "--category", "mmi", "--count", "3", "--seed", "2", "--json")
    assert out.returncode == 0, out.stderr
    assert [q["category"] for q in json.loads(out.stdout)] == ["mmi"] * 3
    bad = run("--country", "ca", "--category", "osce")
    assert bad.returncode != 0 and "unknown category 'osce'" in bad.stderr
