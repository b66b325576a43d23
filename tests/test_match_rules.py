"""Match-safe thank-you emails: the NRMP / CaRMS communication rules checked on drafts and on
hostile edits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest

from conftest import ROOT
from interview.emails import Candidate, Interviewer, draft_emails
from interview.match_rules import RULES, check_email, check_sentence
from interview.profile import make_profile

NOT_ALLOWED = [
    "Will you be ranking me to match?",
    "Where do I stand on your rank list?",
    "Could you let me know where I stand.",
    "Please confirm that I will be ranked to match.",
    "I would be grateful for any indication of my chances of matching with you.",
    "Can you guarantee me a position?",
    "Will your program rank me highly?",
    "Do you plan to rank me?",
    "I really enjoyed our conversation, especially about whether you will be ranking me to match.",
]
REMINDERS = [
    "I promise to rank you first.",
    "Your program is my first choice.",
    "Please know that I will rank Riverside first.",
    "I will be ranking your program highly.",
]
FINE = [
    "Thank you for taking the time to meet with me on Tuesday.",
    "I look forward to the Match.",
    "I ranked first in my class.",
    "I enjoyed hearing how residents rank their electives.",
    "I am committed to serving rural communities.",
    "Could you tell me more about the research track?",
    "I hope to match at a program that values teaching as much as yours does.",
    "I am happy to answer any questions you may have.",
]


@pytest.mark.parametrize("sentence", NOT_ALLOWED)
def test_questions_about_ranking_and_requests_for_commitment_are_not_allowed(sentence):
    w = check_sentence(sentence, "us")
    assert w is not None and w.level == "not_allowed", sentence
    assert "NRMP Match Participation Agreement" in w.message() and w.reason


@pytest.mark.parametrize("sentence", REMINDERS)
def test_own_ranking_intention_is_a_reminder_not_a_block(sentence):
    w = check_sentence(sentence, "ca")
    assert w is not None and w.level == "reminder", sentence
    assert "not binding" in w.reason and "must be true" in w.reason
    assert "CaRMS R-1 Main Residency Match participation agreement" in w.message()


@pytest.mark.parametrize("sentence", FINE)
def test_ordinary_sentences_pass(sentence):
    assert check_sentence(sentence, "us") is None, sentence


def test_each_rule_is_one_sentence_naming_its_document_without_a_url():
    for country, rule in RULES.items():
        assert rule.rule.count(". ") == 0 and rule.rule.endswith(".")
        assert "http" not in rule.cite() and "www" not in rule.cite()
        assert ("NRMP" if country == "us" else "CaRMS") in rule.document
        assert "commitment" in rule.rule and "ranking" in rule.rule


def test_a_hostile_edit_of_a_whole_draft():
    body = ("Dear Dr. Lopez,\n\nThank you for the interview. I promise to rank you first. "
            "Will you be ranking me to match?\n\nBest regards,\nAmina")
    found = check_email("Thank you", body, "us")
    assert [(w.level, w.sentence) for w in found] == [
        ("reminder", "I promise to rank you first."),
        ("not_allowed", "Will you be ranking me to match?")]
    # the subject is checked too
    assert check_email("Am I ranked to match?", "Thanks.", "ca")[0].level == "not_allowed"


@pytest.mark.parametrize("country", ["us", "ca"])
def test_generated_drafts_never_ask_about_ranking(country):
    profile = make_profile(name="Riverside Family Medicine", country=country,
                           mission="We train family physicians for rural communities.")
    people = [Interviewer("Dr. Maria Lopez", "Program Director"),
              Interviewer("Dr. John Chen", "Chief Resident"), Interviewer("Ms. Ada Obi")]
    for tone in ("formal", "warm", "concise"):
        drafts = draft_emails(Candidate("Amina Okafor", email="a@example.com"), profile, people,
                              ["the free clinic", "the night-float system", "the rural rotation"],
                              tone=tone, interview_at=datetime(2026, 1, 15, 10, 30))
        for d in drafts:
            assert check_email(d.subject, d.body, country) == []
            assert not [w for w in d.warnings if "Not allowed" in w or "Reminder" in w]


def _email_cli(*args):
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "interview", "email", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)


def test_cli_json_has_warnings_for_each_draft():
    proc = _email_cli("--candidate", "Amina Okafor", "--program-name", "Riverside IM",
                      "--email", "a@example.com",
                      "--interviewer", "Dr. Maria Lopez|Program Director|lopez@example.org",
                      "--interviewer", "Dr. John Chen||chen@example.org",
                      "--detail", "whether you will be ranking me to match",
                      "--detail", "the night-float system", "--json")
    assert proc.returncode == 0, proc.stderr
    drafts = json.loads(proc.stdout)
    assert all("warnings" in d for d in drafts)
    first, second = drafts[0]["warnings"], drafts[1]["warnings"]
    assert any(w.startswith("Not allowed") and "NRMP" in w for w in first), first
    assert not [w for w in second if w.startswith(("Not allowed", "Reminder"))], second
