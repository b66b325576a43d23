"""Thank-you emails: real Jinja2 rendering of the shipped templates, sandboxing, exports, CLI."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import subprocess
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

from conftest import ROOT, run_cli_in_process
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
    return run_cli_in_process("email", *args, cwd=ROOT, env=env)  # the script: test_cli_entrypoints.py


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


# --------------------------------------------------------------------------- personal drafts

#: A title per shipped role and a phrase of that role's sentence (None: the generic sentence).
ROLE_TITLES = {
    "Program Director": ("program_director", "your vision for the program"),
    "Associate Program Director": ("associate_program_director", "curriculum and feedback"),
    "Chief Resident": ("chief_resident", "candid view of resident life"),
    "PGY-2 Resident": ("resident", "day-to-day life as a resident"),
    "Residency Program Coordinator": ("coordinator", "smooth interview day"),
    "Chair, Department of Medicine": ("department_chair", "where the department is heading"),
    "Assistant Professor of Medicine": ("faculty", "teach and mentor residents"),
    "Visiting Speaker": (None, "thoughtful questions"),
}
ROLE_PHRASES = [phrase for _, phrase in ROLE_TITLES.values()]


def blank_personal(body: str, person: Interviewer, detail: str) -> str:
    """The body with the interviewer's name, greeting and title and the detail blanked out."""
    for text in (detail, person.name, greeting_name(person.name), person.title):
        if text:
            body = body.replace(text, "<>")
    return " ".join(body.split())


@pytest.mark.parametrize("country", ["us", "ca"])
@pytest.mark.parametrize("tone", ["formal", "warm", "concise"])
def test_every_tone_country_and_role_renders_its_own_sentence(tone, country):
    people = [Interviewer(f"Dr. Person{n} Test", title) for n, title in enumerate(ROLE_TITLES)]
    drafts = draft_emails(candidate(), profile(country), people, ["the clinic"] * len(people),
                          tone=tone, interview_at=AT)
    labels = {r.id: r.label for r in load_templates().roles.roles}
    for d, (title, (role_id, phrase)) in zip(drafts, ROLE_TITLES.items()):
        assert phrase in d.body, (title, d.body)
        # no other role's sentence slips in
        assert [p for p in ROLE_PHRASES if p in d.body] == [phrase]
        assert d.role == (labels[role_id] if role_id else "")
        assert 40 <= d.word_count < WORD_LIMIT and "{{" not in d.body and "{%" not in d.body
        assert ("practise" if country == "ca" else "practice") + " family medicine" in d.body
        assert d.body.rstrip().endswith("+1 555 0100")
        assert not any("reads the same" in w for w in d.warnings)


@pytest.mark.parametrize("country", ["us", "ca"])
@pytest.mark.parametrize("tone", ["formal", "warm", "concise"])
def test_drafts_for_one_program_never_share_a_body(tone, country):
    # the worst case: eight interviewers with the same role, all given the same detail
    people = [Interviewer(f"Dr. Name{n} Faculty{n}", "Faculty") for n in range(8)]
    detail = "the mentorship opportunities you offer"
    drafts = draft_emails(candidate(), profile(country), people, [detail] * 8, tone=tone,
                          interview_at=AT)
    skeletons = [blank_personal(d.body, p, detail) for d, p in zip(drafts, people)]
    assert len(set(skeletons)) == len(skeletons)
    assert not any("reads the same" in w for d in drafts for w in d.warnings)
    # the first three differ in both the opening and the closing sentence
    openings = [d.body.split("\n\n")[1].split(". ")[0] for d in drafts[:3]]
    closings = [d.body.split("\n\n")[-3] for d in drafts[:3]]
    assert len(set(openings)) == 3 and len(set(closings)) == 3, (openings, closings)
    # deterministic: drafting again gives the same emails in the same order
    again = draft_emails(candidate(), profile(country), people, [detail] * 8, tone=tone,
                         interview_at=AT)
    assert [d.body for d in again] == [d.body for d in drafts]


def test_the_issue_example_gives_two_different_personal_emails():
    r = run_cli("--candidate", "Dr. Ade Bello", "--program-name", "Riverside Internal Medicine",
                "--program-mission", "Serving the underserved of the Bronx",
                "--interviewer", "Dr. Maria Lopez|Program Director",
                "--interviewer", "Dr. Sam Chen|Chief Resident",
                "--detail", "the resident-run free clinic",
                "--detail", "how seniors teach on night float",
                "--date", "2026-11-20", "--tone", "warm", "--json")
    assert r.returncode == 0, r.stderr
    lopez, chen = json.loads(r.stdout)
    assert {"to", "subject", "body", "send_by"} <= set(lopez)
    assert "your vision for the program" in lopez["body"]
    assert "candid view of resident life" in chen["body"]
    assert lopez["role"] == "Program director" and chen["role"] == "Chief resident"
    a = blank_personal(lopez["body"], Interviewer("Dr. Maria Lopez", "Program Director"),
                       "the resident-run free clinic")
    b = blank_personal(chen["body"], Interviewer("Dr. Sam Chen", "Chief Resident"),
                       "how seniors teach on night float")
    a_lines = [s for s in re.split(r"(?<=[.;,])\s+", a)]
    b_lines = set(re.split(r"(?<=[.;,])\s+", b))
    shared = [s for s in a_lines if s in b_lines]
    assert len(a_lines) - len(shared) >= 4     # opening, role, closing and sign-off differ
    assert lopez["send_by"] == chen["send_by"] == "2026-11-21T09:00"


@pytest.mark.parametrize("title, role_id", [(t, r) for t, (r, _) in ROLE_TITLES.items()] + [
    ("Program Director and Professor of Medicine", "program_director"),
    ("Resident Physician", "resident"),
    ("chief resident (PGY-4)", "chief_resident"),
    ("APD", "associate_program_director"),
    ("Attending Physician, Hospital Medicine", "faculty"),
    ("Interviewer", None),
    ("", None),
])
def test_role_is_inferred_from_the_title(title, role_id):
    role = load_templates().roles.resolve("", title)
    assert (role.id if role else None) == role_id


def test_given_role_wins_over_title_and_other_is_generic():
    roles = load_templates().roles
    assert roles.resolve("Chief resident", "Program Director").id == "chief_resident"
    assert roles.resolve("program director").id == "program_director"   # old free-text roles
    assert roles.resolve("faculty_member", "").id == "faculty"   # label with underscores
    assert roles.resolve("Other", "Program Director") is None
    d = draft_emails(candidate(), profile(), [Interviewer("Dr. Lopez", "Program Director",
                                                          "other")], ["the clinic"],
                     interview_at=AT)[0]
    assert "thoughtful questions" in d.body and "vision" not in d.body and d.role == ""


def test_identical_phrasings_are_flagged(tmp_path):
    folder = copy_templates(tmp_path)
    write(folder, "phrasings.yaml", "warm:\n  openings: [Thank you.]\n  closings: [Thanks again.]\n"
          "  signoffs: ['Best,']\n")
    people = [Interviewer("Dr. A One", "Faculty"), Interviewer("Dr. B Two", "Faculty")]
    drafts = draft_emails(candidate(), profile(), people, ["the clinic", "the wards"],
                          interview_at=AT, templates_dir=folder)
    assert drafts[0].body.count("Thank you.") == 1
    assert not any("reads the same" in w for w in drafts[0].warnings)
    assert any("reads the same as the draft to Dr. A One" in w for w in drafts[1].warnings)


def test_role_line_per_tone_and_fields(tmp_path):
    folder = copy_templates(tmp_path)
    text = (folder / "roles.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  line: Thank you for your candid view of resident life, from the schedule to the way "
        "residents look out for one another.",
        "  line:\n    default: Thank you, {{ interviewer.role_label }}, for the tour of "
        "{{ program.name }}.\n    concise: Thanks for the tour.")
    write(folder, "roles.yaml", text)
    chen = [Interviewer("Dr. John Chen", "Chief Resident")]
    warm = draft_emails(candidate(), profile(), chen, ["x y"], interview_at=AT,
                        templates_dir=folder)[0]
    concise = draft_emails(candidate(), profile(), chen, ["x y"], tone="concise",
                           interview_at=AT, templates_dir=folder)[0]
    assert "Thank you, Chief resident, for the tour of Riverside Family Medicine." in warm.body
    assert "Thanks for the tour." in concise.body and "Chief resident," not in concise.body


@pytest.mark.parametrize("content, message", [
    ("chief_resident:\n  label: Chief\n  titels: [chief]\n  line: Hi.\ngeneric:\n  line: Hi.\n",
     r"chief_resident\.titels: is not a known field"),
    ("chief_resident:\n  label: Chief\n  titles: []\n  line: Hi.\ngeneric:\n  line: Hi.\n",
     r"chief_resident\.titles"),
    ("chief_resident:\n  label: Chief\n  titles: [chief]\n  line: Hi.\n",
     "add a 'generic' role"),
    ("chief_resident:\n  label: Chief\n  titles: [chief]\n  line: {warm: Hi.}\n"
     "generic:\n  line: Hi.\n", "needs a 'default' sentence"),
    ("chief_resident:\n  label: Chief\n  titles: [chief]\n  line: {default: Hi., frmal: Yo.}\n"
     "generic:\n  line: Hi.\n", "unknown tone 'frmal'"),
    ("chief_resident:\n  label: Chief\n  titles: [chief]\n  line: 'Hi {{ program.name '\n"
     "generic:\n  line: Hi.\n", r"chief_resident\.line: Jinja2 syntax error"),
    ("Chief Resident:\n  label: Chief\n  titles: [chief]\n  line: Hi.\ngeneric:\n  line: Hi.\n",
     "role id 'Chief Resident' must be lower case"),
    ("a:\n  label: Chief\n  titles: [x]\n  line: Hi.\nb:\n  label: chief\n  titles: [y]\n"
     "  line: Hi.\ngeneric:\n  line: Hi.\n", "same label"),
    ("chief_resident: [chief]\n", "must have label, titles and line"),
    ("chief_resident:\n  label: [unclosed\n", "invalid YAML"),
])
def test_bad_roles_yaml_is_reported(tmp_path, content, message):
    folder = copy_templates(tmp_path)
    write(folder, "roles.yaml", content)
    with pytest.raises(TemplateError, match=message) as info:
        load_templates(folder)
    assert "roles.yaml" in str(info.value)


@pytest.mark.parametrize("content, message", [
    ("wram:\n  openings: [Hi.]\n  closings: [Bye.]\n  signoffs: [Best]\n", "unknown tone 'wram'"),
    ("warm:\n  openings: [Hi.]\n  signoffs: [Best]\n", r"warm\.closings: is required"),
    ("warm:\n  openings: [Hi., hi.]\n  closings: [Bye.]\n  signoffs: [Best]\n", "same sentence twice"),
    ("warm:\n  openings: ['{% if x %}']\n  closings: [Bye.]\n  signoffs: [Best]\n",
     r"warm\.openings #1: Jinja2 syntax error"),
])
def test_bad_phrasings_yaml_is_reported(tmp_path, content, message):
    folder = copy_templates(tmp_path)
    write(folder, "phrasings.yaml", content)
    with pytest.raises(TemplateError, match=message) as info:
        load_templates(folder)
    assert "phrasings.yaml" in str(info.value)


def test_missing_phrasings_for_a_tone_names_the_field(tmp_path):
    folder = copy_templates(tmp_path)
    (folder / "phrasings.yaml").unlink()
    with pytest.raises(TemplateError, match="missing field 'opening'"):
        draft_emails(candidate(), profile(), [LOPEZ], DETAILS[:1], interview_at=AT,
                     templates_dir=folder)


SAID_RURAL = "Um, I want to work in rural communities because I grew up in a small town."
SAID_CLINIC = "I volunteered at a free clinic run by residents in Lagos for two years."


@pytest.mark.parametrize("tone, sentence", [
    ("formal", "This is close to my heart, as I grew up in a small town."),
    ("warm", "It means a lot to me because I grew up in a small town."),
    ("concise", "It resonated with me, as I grew up in a small town."),
])
def test_detail_tied_to_the_applicants_own_experience(tone, sentence):
    answers = [SAID_RURAL, {"text": SAID_CLINIC}, "I like football."]
    rural = "how I want to work in rural communities"
    d = draft_emails(candidate(), profile(), [LOPEZ, CHEN], [rural, "the resident-run free clinic"],
                     tone=tone, answers=answers, interview_at=AT)
    assert sentence in d[0].body
    assert "I volunteered at a free clinic run by residents in Lagos for two years." in d[1].body
    # without answers, or with an unrelated detail, no such sentence
    plain = draft_emails(candidate(), profile(), [LOPEZ], [rural], tone=tone, interview_at=AT)[0]
    assert "small town" not in plain.body
    other = draft_emails(candidate(), profile(), [LOPEZ], ["the night float schedule"], tone=tone,
                         answers=answers, interview_at=AT)[0]
    assert "small town" not in other.body and "Lagos" not in other.body


@pytest.mark.parametrize("detail, said, expected", [
    ("how I want to work in rural communities", SAID_RURAL, "I grew up in a small town"),
    ("the resident-run free clinic", SAID_CLINIC, SAID_CLINIC.rstrip(".")),
    ("the rural training sites", SAID_RURAL, ""),           # one shared word is not enough
    ("the free clinic", "I volunteered at your free clinic last year.", ""),   # addresses them
    ("rural communities", "I want to serve rural communities.", ""),    # no experience clause
    ("the free clinic", "I did it at a free clinic.", ""),   # "it": unclear out of context
    ("the free clinic", "I worked at a free clinic in Lagos every weekend for three years "
     "with nurses and pharmacists and social workers.", ""),   # too long to quote
])
def test_experience_clause(detail, said, expected):
    from interview.emails import experience_for

    assert experience_for(detail, [said]) == expected
