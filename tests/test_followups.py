"""The follow-up is chosen from what the answer said (bank triggers), else the first."""

from __future__ import annotations

import pytest

from interview.bank import load_bank
from interview.draw import render
from interview.followups import choose_follow_up
from interview.profile import make_profile

UPS = ["What is one thing about you that is not in your application?",
       "What surprised you about the way medicine is practised here during that experience?",
       "How are you preparing to work in a hospital here?"]
TRIGGERS = [None, {"mentions": ["us_clinical_experience", "canadian_experience"], "misses": []},
            {"mentions": [], "misses": ["us_clinical_experience", "canadian_experience"]}]

WITH_EXTERNSHIP = ("I trained in Cairo, then did a four-week externship in internal medicine in "
                   "Detroit, where I presented patients on rounds every morning.")
WITHOUT = "I trained in Cairo and worked for three years in a district hospital in Upper Egypt."
CANADIAN = "After my degree in Manila I did a clinical observership at a family practice in Winnipeg."


@pytest.mark.parametrize("country, answer, index", [
    ("us", WITH_EXTERNSHIP, 1),   # mentioned an externship: what surprised you there?
    ("us", WITHOUT, 2),           # no local experience: how are you preparing?
    ("ca", CANADIAN, 1),          # the Canadian concept for a Canadian program
    ("ca", WITHOUT, 2),
])
def test_the_trigger_decides(country, answer, index):
    chosen = choose_follow_up(answer, UPS, TRIGGERS, country)
    assert chosen.index == index and chosen.text == UPS[index]
    assert chosen.reason and ("mentions" in chosen.reason or "does not mention" in chosen.reason)


def test_falls_back_to_the_first_when_no_trigger_fires():
    ups = UPS[:2]
    chosen = choose_follow_up(WITHOUT, ups, TRIGGERS[:2], "us")
    assert chosen.index == 0 and chosen.reason is None
    # old sessions and questions without triggers: the first
    assert choose_follow_up(WITH_EXTERNSHIP, ups, None, "us").index == 0
    assert choose_follow_up("anything", [], None, "us") is None


def test_a_plain_phrase_trigger_matches_whole_words_and_plurals():
    ups = ["General?", "Tell me about the interpreters you worked with."]
    trig = [None, {"mentions": ["interpreter"], "misses": []}]
    assert choose_follow_up("We used interpreters daily.", ups, trig, "ca").index == 1
    assert choose_follow_up("We were uninterpretable.", ups, trig, "ca").index == 0


def test_the_shipped_bank_has_triggered_follow_ups_rendered_for_a_session():
    bank = load_bank()
    q = bank.get("personal.tell-me-about-yourself")
    d = render(q, make_profile(name="Lakeside IM", country="us")).to_dict()
    assert d["follow_up_triggers"][0] is None and d["follow_up_triggers"][3]["misses"]
    chosen = choose_follow_up(WITH_EXTERNSHIP, d["follow_ups"], d["follow_up_triggers"], "us")
    assert "surprised" in chosen.text
    triggered = [x for x in bank if any(x.follow_up_triggers)]
    assert len(triggered) >= 5


def test_a_malformed_trigger_is_a_load_error_naming_the_field(tmp_path):
    from interview.bank import bank_problems

    (tmp_path / "personal.yaml").write_text(
        "category: personal\nquestions:\n  - id: personal.x\n    text: Hi\n    kind: opening\n"
        "    follow_ups:\n      - text: Why?\n        when: [externship]\n    look_for: A story\n",
        encoding="utf-8")
    _, _, problems = bank_problems(tmp_path)
    assert problems and "follow_ups" in problems[0] and "when" in problems[0]
