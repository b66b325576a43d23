"""The thank-you emails page, driven through Streamlit's own AppTest against a real database."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from interview.profile import make_profile

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "app_pages" / "emails.py")
SAID = "Um, I want to work in rural communities because I grew up in a small town."


@pytest.fixture
def saved_session(store):
    """A Canadian applicant's practice session with one typed answer."""
    who = store.add_applicant("Amina Okafor", email="amina@example.com", phone="+1 555 0100",
                              carms_id="CR-4455")
    prof = store.add_profile(make_profile(
        name="Prairie Family Medicine", country="ca", region="AB", specialty="family_medicine",
        mission="Our mission is to train family physicians for rural Alberta."),
        applicant_id=who.id)
    sess = store.create_session(who.id, prof.id, questions=[{"id": "q1", "text": "Why us?"}])
    store.add_answer(sess.id, 1, question_id="q1", question_text="Why us?", text=SAID,
                     source="typed")
    return sess


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60).run()


def no_problems(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]


def test_page_loads_without_sessions(data_dir):
    at = page()
    no_problems(at)
    assert at.title[0].value == "Thank-you emails"
    assert any("enter the program" in i.value for i in at.info)
    assert not [t for t in at.text_area if t.key.startswith("email_body_")]  # no drafts yet


def test_drafts_from_a_saved_session_are_saved_with_it(store, saved_session):
    at = page()
    at.selectbox(key="email_session").set_value(saved_session.id).run()
    no_problems(at)
    sfx = saved_session.id
    # the signature comes from the applicant; the ID field is the Canadian one
    assert at.text_input(key=f"email_cand_name_{sfx}").value == "Amina Okafor"
    assert at.text_input(key=f"email_cand_id_{sfx}_ca").value == "CR-4455"
    # what the applicant said is offered as a detail, first
    pick0 = at.selectbox(key=f"email_pick_0_{sfx}")
    assert pick0.options[0] == "how I want to work in rural communities"
    assert any("rural training sites" in o for o in pick0.options)

    at.number_input(key="email_count").set_value(2).run()
    at.text_input(key="email_iv_name_0").set_value("Dr. Maria Lopez")
    at.text_input(key="email_iv_title_0").set_value("Program Director")
    at.text_input(key="email_iv_email_0").set_value("lopez@example.org")
    at.text_input(key="email_iv_name_1").set_value("Dr. John Chen")
    at.text_input(key="email_detail_1").set_value("your residents' free clinic downtown")
    at.radio(key="email_tone").set_value("formal")
    at.button(key="email_generate").click().run()
    no_problems(at)
    assert any("2 draft(s)" in s.value for s in at.success)

    drafts = store.list_email_drafts(saved_session.id)
    assert [d.interviewer_name for d in drafts] == ["Dr. Maria Lopez", "Dr. John Chen"]
    assert drafts[0].detail == "how I want to work in rural communities"
    assert drafts[1].detail == "your residents' free clinic downtown"
    assert drafts[0].interviewer_email == "lopez@example.org"
    assert all(d.tone == "formal" for d in drafts)
    for d in drafts:
        assert d.detail in d.body and "practise" in d.body and "CaRMS ID: CR-4455" in d.body
        assert d.send_by is not None
    # personal: the program director's role inferred from the title, a general sentence for
    # the interviewer without one, and the applicant's own experience from the saved answer
    assert drafts[0].interviewer_role == "Program director" and drafts[1].interviewer_role is None
    assert "your vision for the program" in drafts[0].body
    assert "thoughtful questions" in drafts[1].body and "vision" not in drafts[1].body
    assert "This is close to my heart, as I grew up in a small town." in drafts[0].body
    assert "small town" not in drafts[1].body
    assert drafts[0].body.split("\n\n")[1][:40] != drafts[1].body.split("\n\n")[1][:40]
    # shown on the page, editable, with the deadline, copy, .eml and mailto
    bodies = {t.key: t.value for t in at.text_area}
    assert bodies[f"email_body_{drafts[0].id}"] == drafts[0].body
    assert sum("Send by" in m.value for m in at.markdown) == 2
    assert any("Dear Dr. Lopez" in c.value for c in at.code)
    assert len(at.get("download_button")) == 2 and len(at.get("link_button")) == 2

    # an edit is saved to the database as soon as the field changes
    at.text_area(key=f"email_body_{drafts[1].id}").set_value("Dear Dr. Chen,\n\nThanks!\n").run()
    no_problems(at)
    assert store.get_email_draft(drafts[1].id).body == "Dear Dr. Chen,\n\nThanks!\n"

    # a fresh visit lists the saved drafts of the session
    again = page()
    again.selectbox(key="email_session").set_value(saved_session.id).run()
    no_problems(again)
    assert again.text_area(key=f"email_body_{drafts[1].id}").value == "Dear Dr. Chen,\n\nThanks!\n"


def test_program_entered_by_hand_and_deleting_a_draft(store):
    at = page()
    at.text_input(key="email_program_name_none").set_value("Riverside Internal Medicine")
    at.radio(key="email_country_none").set_value("us")
    at.text_input(key="email_region_none").set_value("NY")
    at.run()
    at.text_input(key="email_cand_name_none").set_value("Amina Okafor")
    at.text_input(key="email_iv_name_0").set_value("Maria Lopez")
    at.text_input(key="email_detail_0").set_value("the mentorship opportunities you offer")
    at.radio(key="email_tone").set_value("concise")
    at.button(key="email_generate").click().run()
    no_problems(at)
    drafts = store.list_email_drafts()
    assert len(drafts) == 1 and drafts[0].session_id is None
    body = at.text_area(key=f"email_body_{drafts[0].id}").value
    assert "the mentorship opportunities you offer" in body and "practice medicine in New York" in body
    assert any("No email address for Maria Lopez" in w.value for w in at.warning)

    at.button(key=f"email_delete_{drafts[0].id}").click().run()
    no_problems(at)
    assert store.list_email_drafts() == []
    assert not [t for t in at.text_area if t.key.startswith("email_body_")]


def test_missing_interviewer_name_is_an_error_and_nothing_is_saved(store, saved_session):
    at = page()
    at.selectbox(key="email_session").set_value(saved_session.id).run()
    at.button(key="email_generate").click().run()
    assert not at.exception
    assert any("interviewer.name" in e.value for e in at.error)
    assert store.list_email_drafts(saved_session.id) == []


def test_html_in_names_is_shown_as_text(store):
    who = store.add_applicant('Amina <script>alert("x")</script>', email="a@example.com")
    prof = store.add_profile(make_profile(name="<b>Bold</b> FM", country="us"), applicant_id=who.id)
    sess = store.create_session(who.id, prof.id)
    at = page()
    at.selectbox(key="email_session").set_value(sess.id).run()
    at.text_input(key="email_iv_name_0").set_value("Dr. <img src=x onerror=alert(1)>")
    at.text_input(key="email_detail_0").set_value("the clinic")
    at.button(key="email_generate").click().run()
    no_problems(at)
    body = store.list_email_drafts(sess.id)[0].body
    assert 'Amina <script>alert("x")</script>' in body   # plain text keeps it as typed
    for m in at.markdown:                                # markdown never carries raw HTML
        assert "<script" not in m.value and "<img" not in m.value and "<b>" not in m.value
    assert any("&lt;img" in m.value for m in at.markdown)


def test_role_picked_in_the_page_overrides_the_title(store):
    at = page()
    at.text_input(key="email_program_name_none").set_value("Riverside Internal Medicine")
    at.run()
    role = at.selectbox(key="email_iv_role_0")
    assert role.value == "From the title"
    assert {"Program director", "Chief resident", "Program coordinator", "Other"} <= set(role.options)
    at.number_input(key="email_count").set_value(2).run()
    at.text_input(key="email_cand_name_none").set_value("Ade Bello")
    at.text_input(key="email_iv_name_0").set_value("Kim Lee")
    at.text_input(key="email_iv_title_0").set_value("Assistant")
    at.selectbox(key="email_iv_role_0").set_value("Program coordinator")
    at.text_input(key="email_detail_0").set_value("the interview day schedule")
    at.text_input(key="email_iv_name_1").set_value("Dr. Sam Chen")
    at.text_input(key="email_iv_title_1").set_value("Chief Resident")
    at.text_input(key="email_detail_1").set_value("how seniors teach on night float")
    at.button(key="email_generate").click().run()
    no_problems(at)
    kim, chen = store.list_email_drafts()
    assert kim.interviewer_role == "Program coordinator" and "smooth interview day" in kim.body
    assert chen.interviewer_role == "Chief resident" and "candid view of resident life" in chen.body
    # the role is shown next to a title that does not say it
    assert any("Assistant (program coordinator)" in m.value for m in at.markdown)


def _draft_by_hand(at: AppTest, program: str, interviewer: str, detail: str) -> None:
    """Type a program (no saved session), one interviewer and a detail, and draft."""
    at.text_input(key="email_program_name_none").set_value(program)
    at.run()
    at.text_input(key="email_cand_name_none").set_value("Ade Bello")
    at.text_input(key="email_iv_name_0").set_value(interviewer)
    at.text_input(key="email_detail_0").set_value(detail)
    at.button(key="email_generate").click().run()
    no_problems(at)


def test_standalone_drafts_are_listed_after_a_restart(store, saved_session):
    # a draft saved with a practice session, which must not appear among standalone drafts
    with_session = store.save_email_draft(saved_session.id, interviewer_name="Dr. Session",
                                          subject="Thank you", body="Dear Dr. Session")
    at = page()
    _draft_by_hand(at, "Riverside Internal Medicine", "Dr. Maria Lopez", "the night-float teaching")
    _draft_by_hand(at, "Lakeshore Pediatrics", "Dr. John Chen", "the NICU rotation")
    older, newer = [d for d in store.list_email_drafts() if d.session_id is None]
    assert "Riverside" in older.subject and "Lakeshore" in newer.subject

    # a restart: no cached store, a fresh page run on the same data dir, nothing typed
    st.cache_resource.clear()
    again = page()
    no_problems(again)
    bodies = [t.key.removeprefix("email_body_") for t in again.text_area
              if t.key.startswith("email_body_")]
    assert bodies == [newer.id, older.id]                        # from the database, newest first
    assert with_session.id not in bodies
    assert again.text_area(key=f"email_body_{older.id}").value == older.body
    assert "the night-float teaching" in older.body
    assert any("without a practice session" in c.value for c in again.caption)
    assert any("enter the program" in i.value for i in again.info)  # the form still asks

    # an edit and a delete on the fresh page reach the database
    again.text_area(key=f"email_body_{newer.id}").set_value("Dear Dr. Chen,\n\nThank you.\n").run()
    no_problems(again)
    assert store.get_email_draft(newer.id).body == "Dear Dr. Chen,\n\nThank you.\n"
    again.button(key=f"email_delete_{older.id}").click().run()
    no_problems(again)
    assert [d.id for d in store.list_standalone_email_drafts()] == [newer.id]
    assert [t.key for t in again.text_area if t.key.startswith("email_body_")] == [
        f"email_body_{newer.id}"]

    # picking the session shows only its own draft
    again.selectbox(key="email_session").set_value(saved_session.id).run()
    no_problems(again)
    assert [t.key for t in again.text_area if t.key.startswith("email_body_")] == [
        f"email_body_{with_session.id}"]


def test_hostile_edits_get_the_match_rule_with_the_reason(store, saved_session):
    at = page()
    at.selectbox(key="email_session").set_value(saved_session.id).run()
    at.text_input(key="email_iv_name_0").set_value("Dr. Maria Lopez")
    at.button(key="email_generate").click().run()
    no_problems(at)
    (draft,) = store.list_email_drafts(saved_session.id)
    assert not [e for e in at.info if "Reminder" in e.value]  # the draft itself is Match-safe
    key = f"email_body_{draft.id}"
    at.text_area(key=key).set_value(
        "Dear Dr. Lopez,\n\nThank you for the interview. Will you be ranking me to match?\n").run()
    assert not at.exception
    (err,) = [e.value for e in at.error]
    assert "Not allowed" in err and "ranking intentions" in err
    assert "CaRMS R\\-1 Main Residency Match contract" in err  # a Canadian program
    # still saved: a warning, not a block
    assert "Will you be ranking me" in store.get_email_draft(draft.id).body

    at.text_area(key=key).set_value("Dear Dr. Lopez,\n\nI promise to rank you first.\n").run()
    assert not [e.value for e in at.error]
    (note,) = [i.value for i in at.info if "Reminder" in i.value]
    assert "not binding" in note and "must be true" in note
