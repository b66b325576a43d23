"""Drawing tailored practice sessions from the real question bank."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from collections import Counter
from statistics import mean

import pytest

from conftest import ROOT
from interview.bank import load_bank
from interview.draw import DrawnQuestion, draw, opening_question, question_weight
from interview.errors import BankError
from interview.profile import make_profile

SEEDS = range(60)


@pytest.fixture(scope="module")
def bank():
    return load_bank(ROOT / "question_bank")


def ids(drawn):
    return [d.id for d in drawn]


def is_research(d: DrawnQuestion) -> bool:
    return d.category == "research" or "research" in d.question.features


def is_rural(d: DrawnQuestion) -> bool:
    return d.category == "rural_underserved" or bool({"rural", "remote"} & set(d.question.features))


def per_session(profile, predicate, bank, count=10):
    return mean(sum(1 for d in draw(profile, count, seed=s, bank=bank) if predicate(d)) for s in SEEDS)


def test_same_seed_same_list_and_seeds_differ(bank):
    profile = make_profile(name="Harbor IM", country="us", specialty="internal_medicine")
    first = draw(profile, count=10, seed=42, bank=bank)
    assert ids(first) == ids(draw(profile, count=10, seed=42, bank=bank))
    assert [d.text for d in first] == [d.text for d in draw(profile, count=10, seed=42, bank=bank)]
    distinct = {tuple(ids(draw(profile, count=10, seed=s, bank=bank))) for s in range(10)}
    assert len(distinct) >= 8


def test_opening_trio_first_then_no_repeats(bank):
    profile = make_profile(name="Maple FM", country="ca", specialty="family_medicine")
    for seed in range(10):
        drawn = draw(profile, count=12, seed=seed, bank=bank)
        assert len(drawn) == 12 and len(set(ids(drawn))) == 12
        assert [d.question.opening for d in drawn[:3]] == [1, 2, 3]
        assert ids(drawn[:3]) == ["personal.tell-me-about-yourself", "program_fit.why-this-program",
                                  "behavioural.challenging-clinical-situation"]
        assert all(d.question.opening is None for d in drawn[3:])


CANONICAL_TRIO = ["personal.tell-me-about-yourself", "program_fit.why-this-program",
                  "behavioural.challenging-clinical-situation"]


def slot_ids(bank, country, slot):
    return [q.id for q in bank.suiting(country, None) if q.opening == slot]


def test_first_time_applicant_gets_the_canonical_trio(bank):
    for country in ("us", "ca"):
        profile = make_profile(name="First Time", country=country)
        for seed in range(20):
            assert ids(draw(profile, count=5, seed=seed, bank=bank)[:3]) == CANONICAL_TRIO
            assert ids(draw(profile, count=5, seed=seed, bank=bank, exclude_ids=[])[:3]) == CANONICAL_TRIO


def test_practised_openings_are_replaced_by_alternatives(bank):
    profile = make_profile(name="Harbor IM", country="us", specialty="internal_medicine")
    seen: dict[int, set[str]] = {1: set(), 2: set(), 3: set()}
    for seed in range(40):
        drawn = draw(profile, count=6, seed=seed, bank=bank, exclude_ids=CANONICAL_TRIO)
        assert [d.question.opening for d in drawn[:3]] == [1, 2, 3]
        assert not set(ids(drawn)) & set(CANONICAL_TRIO)
        for slot, d in enumerate(drawn[:3], 1):
            seen[slot].add(d.id)
        # determinism: the same seed and history give the same session
        assert ids(drawn) == ids(draw(profile, count=6, seed=seed, bank=bank, exclude_ids=CANONICAL_TRIO))
    # over many seeds every alternative of every slot comes up
    for slot in (1, 2, 3):
        assert seen[slot] == set(slot_ids(bank, "us", slot)[1:]), slot
    # an alternative is rendered for the program like any question
    texts = {d.text for s in range(40) for d in draw(profile, 3, seed=s, bank=bank, exclude_ids=CANONICAL_TRIO)}
    assert "What drew you to Harbor IM?" in texts


def test_openings_rotate_through_the_alternatives_session_after_session(bank):
    profile = make_profile(name="Maple FM", country="ca", specialty="family_medicine")
    history: list[str] = []  # practised question ids, newest first (as the store gives them)
    asked: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for session in range(8):
        drawn = draw(profile, count=5, seed=session, bank=bank, exclude_ids=history)
        for slot, d in enumerate(drawn[:3], 1):
            asked[slot].append(d.id)
        history = list(reversed(ids(drawn))) + [i for i in history if i not in ids(drawn)]
    for slot in (1, 2, 3):
        n = len(slot_ids(bank, "ca", slot))
        # every wording once before any comes back, starting with the canonical one, then the
        # one practised longest ago
        assert asked[slot][0] == CANONICAL_TRIO[slot - 1]
        assert sorted(asked[slot][:n]) == sorted(slot_ids(bank, "ca", slot))
        assert asked[slot][n:2 * n] == asked[slot][:n]


def test_opening_question_rule():
    bank = load_bank(ROOT / "question_bank")
    slot = [q for q in bank.suiting("us", None) if q.opening == 1]
    canonical, *alternatives = slot
    rng = random.Random(0)
    assert opening_question([], rng) is None
    assert opening_question(slot, rng) is canonical
    assert opening_question(slot, rng, exclude_ids={"unrelated.id"}) in slot
    everything_newest_first = [alternatives[0].id, canonical.id, *[q.id for q in alternatives[1:]]]
    assert opening_question(slot, rng, exclude_ids=everything_newest_first) is alternatives[-1]
    assert opening_question(slot, rng, exclude_ids=set(everything_newest_first)) is canonical
    only_fresh = [q.id for q in slot if q is not alternatives[0]]
    assert all(opening_question(slot, random.Random(s), exclude_ids=only_fresh) is alternatives[0]
               for s in range(5))


def test_opening_can_be_turned_off(bank):
    profile = make_profile(name="Maple FM", country="ca")
    for seed in range(10):
        drawn = draw(profile, count=8, seed=seed, bank=bank, opening=False)
        assert len(drawn) == 8
        assert all(d.question.opening is None for d in drawn)


def test_short_session_is_the_start_of_the_trio(bank):
    profile = make_profile(name="Maple FM", country="ca")
    assert [d.question.opening for d in draw(profile, count=2, seed=1, bank=bank)] == [1, 2]


def test_only_questions_for_the_country_and_specialty(bank):
    us = make_profile(name="A", country="us", specialty="psychiatry")
    ca = make_profile(name="B", country="ca", specialty="pediatrics")
    for seed in SEEDS:
        for d in draw(us, count=15, seed=seed, bank=bank):
            assert "us" in d.question.countries and d.category != "ca_system"
            assert not d.question.specialties or "psychiatry" in d.question.specialties
        for d in draw(ca, count=15, seed=seed, bank=bank):
            assert "ca" in d.question.countries and d.category != "us_system"
            assert not d.question.specialties or "pediatrics" in d.question.specialties


def test_no_specialty_means_no_specialty_specific_questions(bank):
    profile = make_profile(name="A", country="us")
    for seed in range(20):
        assert all(not d.question.specialties for d in draw(profile, count=15, seed=seed, bank=bank))


def test_specialty_program_draws_its_specialty_questions(bank):
    profile = make_profile(name="A", country="us", specialty="emergency_medicine")
    hits = per_session(profile, lambda d: "emergency_medicine" in d.question.specialties, bank)
    assert hits >= 0.7


def test_category_balance(bank):
    profile = make_profile(name="Balanced", country="us", specialty="internal_medicine", features=["research"])
    for seed in SEEDS:
        drawn = draw(profile, count=15, seed=seed, bank=bank)
        counts = Counter(d.category for d in drawn)
        # 3 openers + 12 more from at least 11 categories: never more than 2 from one category
        assert max(counts.values()) <= 2, counts
        assert len(counts) >= 11
    # a long session still spreads over categories round by round
    counts = Counter(d.category for d in draw(profile, count=40, seed=7, bank=bank))
    # no ca_system, and no MMI station (only the MMI format draws those)
    assert max(counts.values()) <= 4 and len(counts) == len(bank.categories) - 2
    assert "mmi" not in counts


def test_an_mmi_circuit_draws_stations_only(bank):
    for country in ("us", "ca"):
        profile = make_profile(name="Stations", country=country)
        drawn = draw(profile, count=3, seed=3, bank=bank, categories=("mmi",))
        assert len(drawn) == 3 and {d.category for d in drawn} == {"mmi"}


def test_research_program_draws_more_research_questions(bank):
    research = make_profile(name="Academic IM", country="us", specialty="internal_medicine",
                            features=["research", "academic"])
    community = make_profile(name="Community IM", country="us", specialty="internal_medicine",
                             features=["community"])
    with_research = per_session(research, is_research, bank)
    without = per_session(community, is_research, bank)
    assert with_research >= 0.8
    assert with_research > 2.5 * without


def test_research_recognised_in_the_mission(bank):
    mission = make_profile(name="M", country="ca", specialty="psychiatry",
                           mission="We train clinician-investigators who lead research in mental health.")
    plain = make_profile(name="P", country="ca", specialty="psychiatry")
    assert "research" in mission.all_features
    assert per_session(mission, is_research, bank) > 2 * per_session(plain, is_research, bank)


def test_rural_program_draws_rural_questions(bank):
    rural = make_profile(name="Prairie FM", country="ca", specialty="family_medicine", region="SK",
                         mission="Training family physicians for rural and small-town Saskatchewan.")
    urban = make_profile(name="Downtown FM", country="ca", specialty="family_medicine", features=["academic"])
    assert "rural" in rural.all_features
    with_rural = per_session(rural, is_rural, bank)
    assert with_rural >= 1.0
    assert with_rural > 2.5 * per_session(urban, is_rural, bank)
    # in (almost) every session of a rural program, at least one rural question comes up
    sessions_with_rural = sum(any(is_rural(d) for d in draw(rural, 10, seed=s, bank=bank)) for s in SEEDS)
    assert sessions_with_rural >= 0.8 * len(SEEDS)


def test_feature_weighting():
    bank = load_bank(ROOT / "question_bank")
    q = bank.get("questions_for_us.research-opportunities")
    assert question_weight(q, make_profile(name="R", country="us", features=["research"])) > 1
    assert question_weight(q, make_profile(name="N", country="us")) < 1
    assert question_weight(bank.get("behavioural.teamwork"), make_profile(name="N", country="us")) == 1


def test_program_name_appears_in_rendered_questions(bank):
    profile = make_profile(name="St. Brigid Pediatrics", country="ca", specialty="pediatrics", city="Halifax", region="NS")
    drawn = draw(profile, count=12, seed=5, bank=bank)
    assert drawn[1].text == "Why did you apply to St. Brigid Pediatrics?"
    named = sum("St. Brigid Pediatrics" in d.text or any("St. Brigid" in f for f in d.follow_ups)
                for s in range(10) for d in draw(profile, 12, seed=s, bank=bank))
    assert named >= 20
    for d in drawn:
        assert "{{" not in d.text and all("{{" not in f for f in d.follow_ups)


def test_applicant_questions_close_the_session(bank):
    profile = make_profile(name="Close", country="us")
    seen = 0
    for seed in SEEDS:
        drawn = draw(profile, count=16, seed=seed, bank=bank)
        kinds = [d.question.kind for d in drawn]
        if "applicant_questions" in kinds:
            seen += 1
            # asked once, at the end
            assert kinds.count("applicant_questions") == 1 and kinds[-1] == "applicant_questions"
    assert seen > 0
    # a long session still asks "any questions for us?" only once
    for seed in range(10):
        kinds = [d.question.kind for d in draw(profile, count=60, seed=seed, bank=bank)]
        assert kinds.count("applicant_questions") == 1 and kinds[-1] == "applicant_questions"


def test_more_applicant_questions_only_when_nothing_else_is_left(tmp_path):
    (tmp_path / "questions_for_us.yaml").write_text(textwrap.dedent("""\
        category: questions_for_us
        questions:
          - id: questions_for_us.a
            text: "Any questions?"
            kind: applicant_questions
            look_for: "x"
          - id: questions_for_us.b
            text: "Anything to ask?"
            kind: applicant_questions
            look_for: "x"
        """), encoding="utf-8")
    (tmp_path / "personal.yaml").write_text(textwrap.dedent("""\
        category: personal
        questions:
          - id: personal.a
            text: "Why medicine?"
            kind: motivation
            look_for: "x"
        """), encoding="utf-8")
    bank = load_bank(tmp_path)
    profile = make_profile(name="Tiny", country="us")
    for seed in range(5):
        two = draw(profile, count=2, seed=seed, bank=bank, opening=False)
        assert [d.question.kind for d in two] == ["motivation", "applicant_questions"]
        three = draw(profile, count=3, seed=seed, bank=bank, opening=False)
        assert ids(three)[0] == "personal.a" and len(three) == 3


def test_exclude_ids_avoids_recent_questions(bank):
    profile = make_profile(name="X", country="us", specialty="general_surgery")
    recent = set(ids(draw(profile, count=15, seed=1, bank=bank)[3:]))
    for seed in range(10):
        fresh = draw(profile, count=15, seed=seed, bank=bank, exclude_ids=recent)
        assert not recent & set(ids(fresh))
    # excluding everything still gives a full session (avoided questions are a last resort)
    everything = {q.id for q in bank}
    drawn = draw(profile, count=10, seed=3, bank=bank, exclude_ids=everything)
    assert len(drawn) == 10 and [d.question.opening for d in drawn[:3]] == [1, 2, 3]


def test_small_bank_returns_what_it_has(tmp_path):
    (tmp_path / "personal.yaml").write_text(textwrap.dedent("""\
        category: personal
        questions:
          - id: personal.a
            text: "A at {{ program.name }}"
            kind: motivation
            look_for: "x"
          - id: personal.b
            text: "B"
            kind: motivation
            countries: [ca]
            look_for: "x"
        """), encoding="utf-8")
    bank = load_bank(tmp_path)
    drawn = draw(make_profile(name="Tiny", country="us"), count=5, seed=0, bank=bank)
    assert [d.text for d in drawn] == ["A at Tiny"]
    with pytest.raises(BankError, match="count must be at least 1"):
        draw(make_profile(name="Tiny", country="us"), count=0, bank=bank)


# --------------------------------------------------------------------------- CLI

def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "INTERVIEW_BANK_DIR"}
    return subprocess.run([sys.executable, "-m", "interview", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=env)


def test_cli_questions_json_shape_and_determinism():
    args = ["questions", "--country", "us", "--specialty", "internal_medicine",
            "--program-name", "Harbor Internal Medicine", "--feature", "research", "visa_j1",
            "--count", "8", "--seed", "11", "--json"]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert isinstance(items, list) and len(items) == 8
    for item in items:
        assert {"id", "text", "category", "kind", "follow_ups", "look_for", "suggested_seconds"} <= set(item)
        assert isinstance(item["text"], str) and "{{" not in item["text"]
    assert items[1]["text"] == "Why did you apply to Harbor Internal Medicine?"
    profile = make_profile(name="Harbor Internal Medicine", country="us", specialty="internal_medicine",
                           features=["research", "visa_j1"])
    assert [i["id"] for i in items] == ids(draw(profile, count=8, seed=11))
    assert json.loads(run_cli(*args).stdout) == items


def test_cli_questions_all_and_readable_list():
    result = run_cli("questions", "--country", "ca", "--all", "--json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    bank = load_bank(ROOT / "question_bank")
    assert len(items) == len(bank.suiting("ca", None, any_specialty=True))
    assert all("ca" in bank.get(i["id"]).countries for i in items)
    assert any(i["text"] == "Why did you apply to this program?" for i in items)

    text = run_cli("questions", "--country", "ca", "--program-mission", "rural and remote care",
                   "--count", "5", "--seed", "2", "--no-opening")
    assert text.returncode == 0
    lines = [ln for ln in text.stdout.splitlines() if ln.strip() and ln.strip()[0].isdigit()]
    assert [ln.split(".")[0].strip() for ln in lines] == ["1", "2", "3", "4", "5"]
    assert "Tell me about yourself." not in text.stdout


def test_cli_questions_bad_input_is_a_clear_error():
    bad_country = run_cli("questions", "--country", "uk", "--json")
    assert bad_country.returncode == 2 and "Traceback" not in bad_country.stderr
    assert "unknown country 'uk'" in bad_country.stderr
    bad_feature = run_cli("questions", "--country", "us", "--feature", "golf", "--json")
    assert bad_feature.returncode == 2 and "unknown feature 'golf'" in bad_feature.stderr
    bad_count = run_cli("questions", "--country", "us", "--count", "0")
    assert bad_count.returncode == 2 and "must be at least 1" in bad_count.stderr
