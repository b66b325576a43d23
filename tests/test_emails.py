"""Thank-you emails: real Jinja2 rendering of the shipped templates, sandboxing, exports, CLI."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from interview.emails import (
    WORD_LIMIT,
    Candidate,
    EmailDraft,
    Interviewer,
    count_words,
    draft_emails,
    greeting_name,
    load_templates,
    mailto_url,
    send_by_for,
    suggest_details,
    to_eml,
)
from interview.errors import TemplateError
from interview.profile import make_profile

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "templates" / "email"

AT = datetime(2026, 1, 15, 10, 30)


def profile(country: str = "us", **extra):
    fields = dict(name="Riverside Family Medicine", country=country,
                  region="NY" if country == "us" else "AB", specialty="family_medicine",
                  mission="We train family physicians for rural and underserved communities.")
    fields.update(extra)
    return make_profile(**fields)


def candidate(**extra) -> Candidate:
    fields = dict(name="Amina Okafor", email="amina@example.com", phone="+1 555 0100",
                  aamc_id="12345678", carms_id="CR-4455")
    fields.update(extra)
    return Candidate(**fields)


LOPEZ = Interviewer("Dr. Maria Lopez", "Program Director", "program director", "lopez@example.org")
CHEN = Interviewer("Dr. John Chen", "Chief Resident", "chief resident", "chen@example.org")
DETAILS = ["your residents' free clinic at the FQHC", "the mentorship opportunities you offer"]


def copy_templates(tmp_path: Path) -> Path:
    dest = tmp_path / "email"
    shutil.copytree(SHIPPED, dest)
    return dest


# --------------------------------------------------------------------------- shipped templates


def test_shipped_templates_load_with_three_tones():
    t = load_templates()
    assert t.tones[:3] == ["formal", "warm", "concise"]
    assert "signature.j2" in t.files


@pytest.mark.parametrize("country", ["us", "ca"])
@pytest.mark.parametrize("tone", ["formal", "warm", "concise"])
def test_every_tone_renders_for_both_countries(tone, country):
    drafts = draft_emails(candidate(), profile(country), [LOPEZ, CHEN], DETAILS, tone=tone,
                          interview_at=AT)
    assert len(drafts) == 2
    for d, person, detail in zip(drafts, [LOPEZ, CHEN], DETAILS):
        assert d.tone == tone and d.to == person.name and d.to_email == person.email
        assert detail in d.body                      # the detail, in the right order
        assert "Riverside Family Medicine" in d.subject + d.body
        assert d.body.startswith(f"Dear {greeting_name(person.name)},")
        assert "Amina Okafor" in d.body and "amina@example.com" in d.body
        assert "+1 555 0100" in d.body
        assert "{{" not in d.body and "{%" not in d.body and "{{" not in d.subject
        assert 40 <= d.word_count < WORD_LIMIT
        assert d.word_count == count_words(d.body)
        assert not any("words" in w for w in d.warnings)
        assert d.send_by == datetime(2026, 1, 16, 10, 30)
        # the signature's ID is the country's
        if country == "us":
            assert "AAMC ID: 12345678" in d.body and "CaRMS" not in d.body
        else:
            assert "CaRMS ID: CR-4455" in d.body and "AAMC" not in d.body


@pytest.mark.parametrize("tone", ["formal", "warm", "concise"])
def test_country_register_spelling(tone):
    us = draft_emails(candidate(), profile("us"), [LOPEZ], DETAILS[:1], tone=tone, interview_at=AT)[0]
    ca = draft_emails(candidate(), profile("ca"), [LOPEZ], DETAILS[:1], tone=tone, interview_at=AT)[0]
    assert "practise family medicine in Alberta" in ca.body
    assert "honoured" in ca.body and "honored" not in ca.body
    assert "practice family medicine in New York" in us.body
    assert "honored" in us.body and "honoured" not in us.body


def test_optional_signature_lines_are_left_out_not_left_empty():
    d = draft_emails(Candidate("Amina Okafor"), profile(), [Interviewer("Maria Lopez")],
                     ["the clinic"], interview_at=AT)[0]
    assert d.body.rstrip().endswith("Amina Okafor")
    assert "None" not in d.body and "AAMC" not in d.body
    assert d.body.startswith("Dear Maria Lopez,")
    assert any("no email address in your signature" in w for w in d.warnings)


def test_long_detail_gets_the_word_warning():
    long_detail = " ".join(["the community outreach program in the valley"] * 12)
    d = draft_emails(candidate(), profile(), [LOPEZ], [long_detail], interview_at=AT)[0]
    assert d.word_count > WORD_LIMIT
    assert any(f"{d.word_count} words" in w for w in d.warnings)


def test_html_sensitive_input_is_kept_as_plain_text():
    name = 'Amina <script>alert("x")</script> & Co'
    d = draft_emails(candidate(name=name), profile(), [Interviewer("Dr. <b>Lopez</b>")],
                     ["the <i>free</i> clinic & {{ not a tag }}"], interview_at=AT)[0]
    assert name in d.body                       # plain text: as typed, not escaped, not run
    assert "the <i>free</i> clinic & {{ not a tag }}" in d.body
    assert "&lt;" not in d.body
    msg = email.message_from_bytes(to_eml(d, "amina@example.com"), policy=email.policy.default)
    assert msg.get_content().rstrip("\n") == d.body.rstrip("\n")


def test_names_with_line_breaks_cannot_inject_headers():
    d = draft_emails(candidate(), profile(), [Interviewer("Dr. Lopez\nBcc: evil@example.com",
                                                          email="lopez@example.org")],
                     ["the clinic"], interview_at=AT)[0]
    raw = to_eml(d, "amina@example.com")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Bcc"] is None
    assert "\n" not in d.to


# --------------------------------------------------------------------------- details and dates


def test_fewer_details_are_suggested_and_flagged():
    drafts = draft_emails(candidate(), profile(), [LOPEZ, CHEN], DETAILS[:1], interview_at=AT)
    assert DETAILS[0] in drafts[0].body and not any("suggested" in w for w in drafts[0].warnings)
    assert drafts[1].detail and drafts[1].detail in drafts[1].body
    assert drafts[1].detail != DETAILS[0]
    assert any("suggested" in w for w in drafts[1].warnings)


def test_more_details_than_interviewers_is_an_error():
    with pytest.raises(TemplateError, match="3 details for 2 interviewer"):
        draft_emails(candidate(), profile(), [LOPEZ, CHEN], DETAILS + ["x"], interview_at=AT)


def test_required_fields_are_named():
    with pytest.raises(TemplateError, match="candidate.name"):
        draft_emails(Candidate("  "), profile(), [LOPEZ], DETAILS[:1], interview_at=AT)
    with pytest.raises(TemplateError, match="interviewer.name"):
        draft_emails(candidate(), profile(), [Interviewer("")], DETAILS[:1], interview_at=AT)
    with pytest.raises(TemplateError, match="unknown tone 'rude'"):
        draft_emails(candidate(), profile(), [LOPEZ], DETAILS[:1], tone="rude", interview_at=AT)


def test_send_by_is_24_hours_after_the_interview():
    assert send_by_for(datetime(2026, 2, 28, 16, 45)) == datetime(2026, 3, 1, 16, 45)
    assert send_by_for(date(2026, 1, 15)) == datetime(2026, 1, 16, 9, 0)
    d = draft_emails(candidate(), profile(), [LOPEZ], DETAILS[:1], interview_at=date(2026, 1, 15))[0]
    assert d.to_dict()["send_by"] == "2026-01-16T09:00"
    assert EmailDraft.from_dict(d.to_dict()) == d


def test_suggestions_from_profile_and_answers():
    p = profile("ca", mission="Our mission is to train physicians for rural Alberta.",
                features=["research"])
    plain = suggest_details(p)
    assert any("rural training sites" in s for s in plain)
    assert any("research" in s for s in plain)
    assert any("commitment to train physicians for rural Alberta" in s for s in plain)
    said = suggest_details(p, answers=[
        "Um, I think I want to work in rural communities because I grew up in a small town.",
        {"text": "My research on diabetes care in Lagos taught me a lot."},
        "I like football.",
    ])
    assert said[0] == "how I want to work in rural communities"
    assert any("research on diabetes care in Lagos" in s for s in said)
    assert not any("football" in s for s in said)
    assert len(said) == len({s.lower() for s in said})


# --------------------------------------------------------------------------- template safety


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_missing_field_in_a_template_is_named(tmp_path):
    folder = copy_templates(tmp_path)
    write(folder, "warm.body.j2", "Dear {{ interviewer.greeting }},\n\n{{ interviewer.nickname }}\n")
    with pytest.raises(TemplateError, match=r"warm\.body\.j2, line 3: missing field 'interviewer\.nickname'"):
        draft_emails(candidate(), profile(), [LOPEZ], DETAILS[:1], interview_at=AT,
                     templates_dir=folder)
    write(folder, "warm.body.j2", "{{ signature_text }}\n")
    with pytest.raises(TemplateError, match="missing field 'signature_text'"):
        draft_emails(candidate(), profile(), [LOPEZ], DETAILS[:1], interview_at=AT,
                     templates_dir=folder)


@pytest.mark.parametrize("expression", [
    "{{ candidate.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ interviewer._values }}",
    "{{ program.__init__.__globals__ }}",
    "{{ range(10**9)|list }}",
])
def test_sandbox_blocks_unsafe_attributes(tmp_path, expression):
    folder = copy_templates(tmp_path)
    write(folder, "formal.body.j2", f"Dear {{{{ interviewer.greeting }}}},\n{expression}\n")
    with pytest.raises(TemplateError) as info:
        draft_emails(candidate(), profile(), [LOPEZ], DETAILS[:1], tone="formal",
                     interview_at=AT, templates_dir=folder)
    message = str(info.value)
    assert "formal.body.j2" in message
    assert "may not use" in message or "Range too big" in message


def test_syntax_error_names_file_and_line(tmp_path):
    folder = copy_templates(tmp_path)
    write(folder, "concise.body.j2", "Dear {{ interviewer.greeting }},\n\n{% if detail %}\nno end\n")
    with pytest.raises(TemplateError, match=r"concise\.body\.j2, line \d+"):
        load_templates(folder)


def test_literal_tag_from_template_is_refused(tmp_path):
    folder = copy_templates(tmp_path)
    write(folder, "warm.body.j2", "Dear {{ interviewer.greeting }},\n{{ '{{' }} detail }}\n")
    with pytest.raises(TemplateError, match="literal"):
        draft_emails(candidate(), profile(), [LOPEZ], DETAILS[:1], interview_at=AT,
                     templates_dir=folder)


def test_tone_without_subject_is_reported(tmp_path):
    folder = copy_templates(tmp_path)
    (folder / "concise.subject.j2").unlink()
    with pytest.raises(TemplateError, match="'concise'.*concise.subject.j2"):
        load_templates(folder)


def test_country_specific_template_overrides(tmp_path):
    folder = copy_templates(tmp_path)
    write(folder, "concise.body.ca.j2", "Bonjour {{ interviewer.greeting }}, {{ detail }}.\n"
          "{% include 'signature.j2' %}")
    ca = draft_emails(candidate(), profile("ca"), [LOPEZ], ["la clinique"], tone="concise",
                      interview_at=AT, templates_dir=folder)[0]
    us = draft_emails(candidate(), profile("us"), [LOPEZ], ["the clinic"], tone="concise",
                      interview_at=AT, templates_dir=folder)[0]
    assert ca.body.startswith("Bonjour Dr. Lopez, la clinique.")
    assert us.body.startswith("Dear Dr. Lopez,")


def test_bad_details_yaml_is_reported(tmp_path):
    folder = copy_templates(tmp_path)
    write(folder, "details.yaml", "rurall:\n  - somewhere\n")
    with pytest.raises(TemplateError, match="unknown feature 'rurall'"):
        load_templates(folder)


# --------------------------------------------------------------------------- exports


def test_eml_parses_back():
    d = draft_emails(candidate(), profile("ca"), [LOPEZ], ["l'équipe — the team"], interview_at=AT)[0]
    raw = to_eml(d, "Amina Okafor <amina@example.com>")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == d.subject
    assert msg["To"].addresses[0].addr_spec == "lopez@example.org"
    assert msg["To"].addresses[0].display_name == "Dr. Maria Lopez"
    assert msg["From"].addresses[0].addr_spec == "amina@example.com"
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().rstrip("\n") == d.body.rstrip("\n")
    assert "l'équipe — the team" in msg.get_content()


def test_mailto_url_is_encoded():
    d = draft_emails(candidate(), profile(), [LOPEZ], ["Q&A = 100% fun? #yes"], interview_at=AT)[0]
    url = mailto_url(d)
    parts = urlsplit(url)
    assert parts.scheme == "mailto" and parts.path == "lopez@example.org"
    assert " " not in url and "\n" not in url and "#" not in url
    query = parse_qs(parts.query)
    assert query["subject"] == [d.subject]
    assert query["body"][0] == d.body.replace("\n", "\r\n")
    assert "Q&A = 100% fun? #yes" in unquote(url)


# --------------------------------------------------------------------------- CLI


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("INTERVIEW_TEMPLATES_DIR", None)
    return subprocess.run([sys.executable, "-m", "interview", "email", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def test_cli_json_one_draft_per_interviewer_in_order():
    r = run_cli("--candidate", "Amina Okafor", "--program-name", "Riverside FM",
                "--program-mission", "Rural training", "--country", "ca",
                "--interviewer", "Dr. Maria Lopez|Program Director",
                "--interviewer", "Dr. John Chen",
                "--detail", DETAILS[0], "--detail", DETAILS[1], "--tone", "formal",
                "--date", "2026-01-15", "--time", "10:30", "--email", "amina@example.com",
                "--phone", "555-0100", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [d["to"] for d in data] == ["Dr. Maria Lopez", "Dr. John Chen"]
    for d, detail in zip(data, DETAILS):
        assert {"to", "subject", "body", "send_by"} <= set(d)
        assert detail in d["body"] and "Riverside FM" in d["subject"] + d["body"]
        assert d["send_by"] == "2026-01-16T10:30"
        assert "practise" in d["body"] and "amina@example.com" in d["body"]
        assert d["tone"] == "formal"


def test_cli_readable_output():
    r = run_cli("--candidate", "Amina Okafor", "--program-name", "Riverside FM",
                "--interviewer", "Dr. Maria Lopez", "--detail", "the clinic",
                "--date", "2026-01-15")
    assert r.returncode == 0, r.stderr
    assert "To: Dr. Maria Lopez" in r.stdout and "Subject:" in r.stdout
    assert "Send by:" in r.stdout and "the clinic" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--detail", "a", "--detail", "b"], "2 details for 1 interviewer"),
    (["--date", "2026-13-40"], "--date '2026-13-40' is not a date"),
    (["--time", "25:99"], "--time '25:99' is not a time"),
    (["--tone", "rude"], "unknown tone 'rude'"),
])
def test_cli_errors_are_one_line(args, message):
    r = run_cli("--candidate", "Amina", "--program-name", "Riverside",
                "--interviewer", "Dr. Lopez", *args)
    assert r.returncode != 0
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_suggestions_use_local_system_terms_but_not_exam_hurdles():
    p = make_profile(name="Bronx Internal Medicine", country="us")
    said = suggest_details(p, answers=[
        "At my observership I saw how an FQHC serves uninsured patients, which inspired me.",
        "I passed USMLE Step 2 CK and have my ECFMG certification.",
    ])
    assert said[0] == "how an FQHC serves uninsured patients"
    assert not any("USMLE" in s or "ECFMG" in s for s in said)
