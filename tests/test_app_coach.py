"""The coach pages through Streamlit's AppTest, on real stored sessions in a temp data dir:
review (comment, override with reason — both scores kept and shown — reviewed mark,
filters), progress charts, reports downloads, and who may see what (login, roles)."""

from __future__ import annotations


import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coach_data import STRONG_US, WEAK_US, Answer, store_session
from conftest import ROOT
from interview.storage import Store

TIMEOUT = 60
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=TIMEOUT)


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "success",
                 "warning", "error", "text"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


@pytest.fixture
def sessions(data_dir, monkeypatch):
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    with Store.open() as store:
        s1 = store_session(store, [Answer(WEAK_US, category="personal")])
        s2 = store_session(store, [Answer(STRONG_US, category="personal"),
                                   Answer(WEAK_US, category="us_system")])
        other = store_session(store, [Answer(STRONG_US, category="personal")], applicant="Li Wei",
                              email="li@example.org", coach_email="coach.lee@example.org",
                              program="Lakeside Family Medicine")
    return s1, s2, other


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def pick_session(at: AppTest, session_id: str) -> AppTest:
    at.selectbox(key="review_pick").set_value(session_id)
    return ran(at)


def test_review_lists_sessions_with_overall_scores(sessions):
    s1, s2, other = sessions
    at = ran(page("review"))
    assert at.title[0].value == "Coach review"
    table = at.dataframe[0].value
    assert len(table) == 3
    assert set(table["Applicant"]) == {"Amina Diallo", "Li Wei"}
    with Store.open() as store:
        overall = {s.id: s.overall for s in store.list_sessions()}
    assert sorted(table["Overall"].round(2)) == sorted(round(v, 2) for v in overall.values())


def test_review_filters(sessions):
    s1, s2, other = sessions
    at = ran(page("review"))
    at.selectbox(key="review_applicant").set_value(other.applicant_id)
    ran(at)
    assert list(at.dataframe[0].value["Applicant"]) == ["Li Wei"]
    at.selectbox(key="review_applicant").set_value("All")
    at.selectbox(key="review_program").set_value("Lakeside Family Medicine")
    ran(at)
    assert list(at.dataframe[0].value["Program"]) == ["Lakeside Family Medicine"]
    at.selectbox(key="review_program").set_value("All")
    at.radio(key="review_status").set_value("Reviewed")
    ran(at)
    assert "No session matches these filters." in texts(at)


def test_comment_is_stored_and_shown(sessions):
    _, s2, _ = sessions
    at = pick_session(ran(page("review")), s2.id)
    a2 = s2.answers[1]
    at.text_input(key="coach_reviewer_name").input("Dr Kim")
    at.text_area(key=f"comment_{a2.id}").input("Slow down <script>x</script> and give an example.")
    at.button(key=f"comment_submit_{a2.id}").click()
    ran(at)
    assert "Comment saved." in [s.value for s in at.success]
    with Store.open() as store:
        comments = store.get_answer(a2.id).comments
    assert [(c.author, c.body) for c in comments] == [
        ("Dr Kim", "Slow down <script>x</script> and give an example.")]
    # shown as plain text, not as markup
    assert "Slow down <script>x</script> and give an example." in [t.value for t in at.text]


def test_empty_comment_is_refused(sessions):
    _, s2, _ = sessions
    at = pick_session(ran(page("review")), s2.id)
    a1 = s2.answers[0]
    at.button(key=f"comment_submit_{a1.id}").click()
    ran(at)
    assert any("cannot be empty" in e.value for e in at.error)
    with Store.open() as store:
        assert store.get_answer(a1.id).comments == []


def test_override_keeps_automatic_score_and_shows_both(sessions):
    _, s2, _ = sessions
    at = pick_session(ran(page("review")), s2.id)
    a1 = s2.answers[0]
    crit = a1.criteria[-1]
    new = 1 if crit["score"] >= 3 else 5
    at.selectbox(key=f"ov_crit_{a1.id}").set_value(crit["id"])
    at.number_input(key=f"ov_score_{a1.id}").set_value(new)
    at.text_input(key=f"ov_reason_{a1.id}").input("The example had no result.")
    at.button(key=f"ov_submit_{a1.id}").click()
    ran(at)
    with Store.open() as store:
        answer = store.get_answer(a1.id)
    o = answer.override(crit["id"])
    assert o.score == new and o.auto_score == crit["score"] and o.reason == "The example had no result."
    assert answer.auto_score(crit["id"]) == crit["score"]  # automatic score untouched
    # the scores table of that answer shows both
    tables = [d.value for d in at.dataframe if "Automatic" in d.value.columns]
    row = tables[0][tables[0]["Criterion"] == crit["name"]].iloc[0]
    assert row["Automatic"] == crit["score"] and row["Override"] == new
    assert row["Reason"] == "The example had no result."
    assert any("Override saved" in s.value for s in at.success)


def test_override_can_be_reverted_to_the_automatic_score_keeping_the_history(sessions):
    _, s2, _ = sessions
    at = pick_session(ran(page("review")), s2.id)
    a1 = s2.answers[0]
    crit = a1.criteria[-1]
    new = 1 if crit["score"] >= 3 else 5
    assert f"rv_submit_{a1.id}" not in [b.key for b in at.button]  # nothing overridden yet
    at.text_input(key="coach_reviewer_name").input("Dr Kim")
    at.selectbox(key=f"ov_crit_{a1.id}").set_value(crit["id"])
    at.number_input(key=f"ov_score_{a1.id}").set_value(new)
    at.text_input(key=f"ov_reason_{a1.id}").input("The example had no result.")
    at.button(key=f"ov_submit_{a1.id}").click()
    ran(at)
    with Store.open() as store:
        assert store.get_answer(a1.id).final_overall != a1.overall

    # the revert control is offered for the overridden criterion; a reason is required
    assert f"rv_submit_{a1.id}" in [b.key for b in at.button]
    assert at.selectbox(key=f"rv_crit_{a1.id}").options == [crit["name"]]
    at.button(key=f"rv_submit_{a1.id}").click()
    ran(at)
    assert any("needs a reason" in e.value for e in at.error)
    with Store.open() as store:
        assert store.get_answer(a1.id).override(crit["id"]).score == new

    at.text_input(key=f"rv_reason_{a1.id}").input("Discussed with the applicant: fair score.")
    at.button(key=f"rv_submit_{a1.id}").click()
    ran(at)
    assert any("back to its automatic score" in s.value for s in at.success)
    with Store.open() as store:
        answer = store.get_answer(a1.id)
    assert answer.override(crit["id"]) is None
    assert answer.final_scores[crit["id"]] == crit["score"]
    assert answer.final_overall == a1.overall
    # both steps are kept, in order, and shown
    assert [(o.score, o.author) for o in answer.overrides] == [(new, "Dr Kim"), (None, "Dr Kim")]
    assert answer.overrides[1].reason == "Discussed with the applicant: fair score."
    tables = [d.value for d in at.dataframe if "Automatic" in d.value.columns]
    row = tables[0][tables[0]["Criterion"] == crit["name"]].iloc[0]
    assert row["Automatic"] == crit["score"] and pd.isna(row["Override"])
    page_text = texts(at)
    assert "Override history" in page_text
    assert "The example had no result." in page_text and "reverted to the automatic score" in page_text
    # nothing left to revert
    assert f"rv_submit_{a1.id}" not in [b.key for b in at.button]


def test_override_without_reason_is_refused(sessions):
    _, s2, _ = sessions
    at = pick_session(ran(page("review")), s2.id)
    a1 = s2.answers[0]
    at.number_input(key=f"ov_score_{a1.id}").set_value(5)
    at.button(key=f"ov_submit_{a1.id}").click()
    ran(at)
    assert any("needs a reason" in e.value for e in at.error)
    with Store.open() as store:
        assert store.get_answer(a1.id).overrides == []


def test_mark_reviewed_and_clear(sessions):
    _, s2, _ = sessions
    at = pick_session(ran(page("review")), s2.id)
    at.text_input(key="coach_reviewer_name").input("Dr Kim")
    at.button(key="review_mark").click()
    ran(at)
    with Store.open() as store:
        sess = store.get_session(s2.id)
    assert sess.reviewed and sess.reviewed_by == "Dr Kim"
    assert "Reviewed by Dr Kim" in texts(at)
    at.radio(key="review_status").set_value("Reviewed")
    ran(at)
    assert len(at.dataframe[0].value) == 1
    at.button(key="review_unmark").click()
    ran(at)
    with Store.open() as store:
        assert not store.get_session(s2.id).reviewed


def test_review_shows_transcript_and_audio(data_dir, monkeypatch):
    from coach_data import fixture_audio

    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    with Store.open() as store:
        s = store_session(store, [Answer(WEAK_US, category="personal", audio=fixture_audio(),
                                         filename="a.wav")])
    at = ran(page("review"))
    assert len(at.get("audio")) == 1
    page_text = texts(at)
    assert "<mark" in page_text  # highlighted transcript
    assert "basically" in page_text


def test_progress_page_charts(sessions):
    s1, s2, _ = sessions
    at = page("progress")
    ran(at)
    at.selectbox(key="progress_applicant").set_value(s1.applicant_id)
    ran(at)
    assert at.title[0].value == "Progress"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1  # criterion scores; typed answers have no speaking rate to chart
    assert "Score (1-5)" in charts[0].proto.spec
    assert "Words per minute needs recorded (not typed) answers." in texts(at)
    table = at.dataframe[0].value
    assert len(table) == 2  # two sessions, oldest first
    assert table["Overall"].iloc[1] > table["Overall"].iloc[0]
    assert "Question categories not practised yet" in [s.value for s in at.subheader]
    assert "U.S. health system" not in [m.value.lstrip("- ") for m in at.markdown]


def test_reports_page_downloads(sessions):
    _, s2, _ = sessions
    at = page("reports")
    ran(at)
    at.selectbox(key="reports_pick").set_value(s2.id)
    ran(at)
    assert at.title[0].value == "Reports"
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download HTML", "Download Markdown", "Download JSON"]
    md = [c.value for c in at.code][0]
    assert md.startswith("# Interview practice report")
    at.button(key="reports_export").click()
    ran(at)
    assert "Download export zip" in [b.label for b in at.get("download_button")]


# ---------------------------------------------------------------------------- access
def test_login_required_when_auth_configured(sessions):
    at = page("review")
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    ran(at)
    assert "Log in" in [b.label for b in at.button]
    assert not at.dataframe  # nothing listed before login


def test_coach_sees_only_their_applicants(sessions):
    s1, s2, other = sessions
    at = page("review")
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "coach.lee@example.org", "name": "Lee"}
    ran(at)
    assert list(at.dataframe[0].value["Applicant"]) == ["Li Wei"]
    assert "Signed in as coach.lee@example.org (coach)" in texts(at)


def test_applicant_sees_own_sessions_and_admin_all(sessions):
    at = page("reports")
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "Amina@Example.org"}
    ran(at)
    options = at.selectbox(key="reports_pick").options
    assert len(options) == 2 and all("Amina Diallo" in o for o in options)

    admin = page("review")
    admin.secrets["auth"] = AUTH
    admin.secrets["access"] = {"admins": ["boss@example.org"]}
    admin.user = {"is_logged_in": True, "email": "boss@example.org"}
    ran(admin)
    assert len(admin.dataframe[0].value) == 3


def test_shared_database_without_auth_is_refused(sessions, data_dir, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data_dir / 'interview.db'}")
    at = ran(page("progress"))
    assert any("no identity provider is configured" in e.value for e in at.error)
    assert not at.selectbox


def test_applicant_reads_review_but_cannot_write_it(sessions):
    s1, s2, other = sessions
    with Store.open() as store:
        store.add_comment(s2.id, "Good progress", author="kim", answer_id=s2.answers[0].id)
    at = page("review")
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "amina@example.org"}
    ran(at)
    assert set(at.dataframe[0].value["Applicant"]) == {"Amina Diallo"}
    pick_session(at, s2.id)
    assert "Good progress" in [t.value for t in at.text]
    assert not at.text_area and not at.number_input
    assert "review_mark" not in [b.key for b in at.button]


def test_coach_pages_in_the_app_navigation(sessions):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ran(at)
    for path, title in [("app_pages/review.py", "Coach review"),
                        ("app_pages/progress.py", "Progress"),
                        ("app_pages/reports.py", "Reports")]:
        at.switch_page(path)
        ran(at)
        assert at.title[0].value == title


def test_review_shows_timers_and_the_follow_up_with_its_answer(data_dir, monkeypatch):
    from interview.formats import AnswerTiming
    from interview.practice import start_session, submit_answer, submit_follow_up
    from interview.profile import make_profile

    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    with Store.open() as store:
        who = store.get_or_add_applicant("Amina Diallo")
        sess = start_session(store, who.id, make_profile(name="Prairie FM", country="ca"),
                             format="svi", question_ids=["mmi.disclosing-an-error"])
        main = submit_answer(store, sess.id, 1, text=WEAK_US, timing=AnswerTiming(
            read_seconds=30, answer_seconds=180, timed_out=True, read_limit=30, answer_limit=180))
        submit_follow_up(store, main.id, "What would your senior say?", text=STRONG_US)
    at = ran(page("review"))
    page_text = texts(at)
    assert "Timing: Read 0:30 of 0:30 · answered 3:00 of 3:00, stopped at the time limit." in page_text
    assert "**Follow-up:** What would your senior say?" in page_text
