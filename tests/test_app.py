"""The app's pages through Streamlit's own AppTest, with real storage in a temp data dir.

Recordings go in through ``AppTest``'s ``audio_input`` / ``file_uploader`` ``upload`` (real
WAV bytes, as the browser widget sends them) and are transcribed by the real Whisper model;
typed answers are scored by the real rubric scorer.
"""

from __future__ import annotations

import json
import os

import pytest
from streamlit.testing.v1 import AppTest

from app_pages._ui import plain  # typed text is shown as plain text
from conftest import FIXTURES, ROOT

APP = str(ROOT / "app.py")
#: the first run imports the app's modules; a transcription loads the model
RUN_TIMEOUT = 60
TRANSCRIBE_TIMEOUT = 240

TYPED_ANSWER = (
    "When I was a resident in Lagos, a patient with diabetes kept missing appointments. "
    "My task was to find out why. I spoke with her, with a social worker and with an "
    "interpreter, and we arranged a clinic closer to her home. As a result her HbA1c fell "
    "and she has not missed a visit since. I learned that listening comes first, and I "
    "would bring that to your program during my residency in internal medicine."
)


def references() -> dict:
    return json.loads((FIXTURES / "references.json").read_text())


@pytest.fixture
def app(data_dir, monkeypatch) -> AppTest:
    """The whole app (app.py with its navigation), started once, on the Practice page."""
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")  # load the model when an answer needs it
    monkeypatch.delenv("INTERVIEW_MAX_SECONDS", raising=False)  # the default limit: 600 s
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def wer(text: str) -> float:
    """Word error rate of a transcript of the ``answer`` fixture against its script."""
    import jiwer

    norm = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(),
                          jiwer.RemoveMultipleSpaces(), jiwer.Strip(), jiwer.ReduceToListOfListOfWords()])
    return jiwer.wer(references()["texts"]["answer"], text, reference_transform=norm,
                     hypothesis_transform=norm)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def texts(at: AppTest) -> str:
    """Every piece of text on the page, for 'does it say X' assertions."""
    parts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "success",
                 "warning", "error", "text"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.label for e in at.expander]
    parts += [e.proto.text for e in at.get("progress")]
    return "\n".join(parts)


def create_profile(at: AppTest, *, applicant="Amina Diallo", name="Riverside Internal Medicine",
                   country="us", mission="We train physicians for underserved communities."):
    at.text_input(key="pf_applicant").input(applicant)
    at.text_input(key="pf_name").input(name)
    at.radio(key="pf_country").set_value(country)
    at.selectbox(key="pf_specialty").set_value("internal_medicine")
    at.text_area(key="pf_mission").input(mission)
    at.form_submit_button[0].click()
    at.run()
    assert not at.exception, at.exception


def start(at: AppTest, *, count=2, mode="practice", method="typed"):
    at.number_input(key="question_count").set_value(count)
    # the session format (interview.formats); "interview" is the panel interview
    at.radio(key="mode").set_value({"interview": "panel"}.get(mode, mode))
    at.radio(key="answer_method").set_value(method)
    at.button(key="start").click()
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["active_session_id"]


def type_answer(at: AppTest, text=TYPED_ANSWER):
    at.text_area[0].input(text)
    at.form_submit_button[0].click()
    at.run(timeout=TRANSCRIBE_TIMEOUT)
    assert not at.exception, at.exception


def store():
    from interview.storage import Store

    return Store.open()


# ------------------------------------------------------------------------------- start-up


def test_app_starts_on_practice_with_navigation(app):
    assert app.title[0].value == "Practice"
    # a new user is asked for a program profile
    assert app.text_input(key="pf_name").value == ""
    for page, title in [("app_pages/preflight.py", "Pre-flight check"),
                        ("app_pages/summary.py", "Session summary"),
                        ("app_pages/history.py", "History"),
                        ("app_pages/settings.py", "Settings")]:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        assert app.title[0].value == title


def test_every_page_in_the_navigation_runs_with_a_stored_session(app):
    """Integration: each page of the navigation (the other issues' pages too) opens on a
    database holding a scored session, without an exception."""
    _stored_session(count=1)
    pages = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py") if not p.stem.startswith("_"))
    assert {"practice", "preflight", "summary", "history", "settings"} <= set(pages)
    for page in pages:
        app.switch_page(f"app_pages/{page}.py").run()
        assert not app.exception, (page, app.exception)
        assert app.title, page


# ------------------------------------------------------------------------------- profiles


def test_invalid_profile_shows_errors_and_saves_nothing(app, data_dir):
    app.form_submit_button[0].click()  # everything empty
    app.run()
    msgs = errors(app)
    assert len(msgs) == 1
    assert "your name: must not be empty" in msgs[0].lower()
    assert "name: must not be empty" in msgs[0]
    # an unknown region is not an error, but an invalid feature set cannot be chosen; an
    # empty program name with a name given still fails
    app.text_input(key="pf_applicant").input("Amina")
    app.form_submit_button[0].click()
    app.run()
    assert any("program profile" in m and "name" in m for m in errors(app))
    assert store().list_profiles() == []
    assert store().list_applicants() == []


def test_valid_profile_is_saved_and_reused(app):
    create_profile(app)
    assert not errors(app)
    profiles = store().list_profiles()
    assert [p.name for p in profiles] == ["Riverside Internal Medicine"]
    assert "underserved" in profiles[0].to_profile().all_features
    assert store().list_applicants()[0].name == "Amina Diallo"

    # a new browser session finds the saved profile and starts with it
    again = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    again.run()
    assert again.selectbox(key="profile_choice").value == profiles[0].id
    assert "Riverside Internal Medicine" in texts(again)
    start(again, count=1)
    sess = store().get_session(again.session_state["active_session_id"])
    assert sess.profile_id == profiles[0].id
    assert sess.applicant_name == "Amina Diallo"
    # saving the identical profile again reuses it instead of adding a copy
    third = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()
    third.selectbox(key="profile_choice").set_value("__new__").run()
    create_profile(third)
    assert len(store().list_profiles()) == 1


# ------------------------------------------------------------------------------- answers


def test_typed_answer_gets_scored_feedback_and_record_again_keeps_attempts(app):
    create_profile(app)
    start(app, count=2, method="typed")
    assert "Question 1 of 2" in texts(app)
    type_answer(app)
    assert not errors(app), errors(app)
    page = texts(app)
    assert "Your answer" in page and "diabetes kept missing appointments" in page
    assert "What interviewers look for" in page
    assert any(m.label == "Overall" for m in app.metric)
    sid = app.session_state["active_session_id"]
    answer = store().get_session(sid).answer_at(1)
    assert answer.status == "scored" and answer.source == "typed"
    for crit in answer.criteria:  # every criterion is shown with its score
        assert crit["name"] in page
    skipped = [c for c in answer.criteria if c["score"] is None]  # e.g. questions for the program
    assert skipped and all(f"{c['name']}**: not assessed" in page for c in skipped)

    app.button(key=f"again:{sid}:1").click().run()
    type_answer(app, "I would listen to the patient first and involve the team.")
    attempts = store().answer_attempts(sid, 1)
    assert [a.attempt for a in attempts] == [1, 2]
    assert all(a.status == "scored" for a in attempts)
    assert "All attempts at this question (2)" in texts(app)

    app.button(key=f"next:{sid}:1").click().run()
    assert "Question 2 of 2" in texts(app)


@pytest.mark.slow
def test_browser_recording_is_transcribed_and_scored(app):
    create_profile(app)
    start(app, count=1, method="browser_file")
    wav = (FIXTURES / "answer.wav").read_bytes()
    app.audio_input[0].upload("recording.wav", wav)
    app.run(timeout=TRANSCRIBE_TIMEOUT)
    assert not app.exception, app.exception
    assert not errors(app), errors(app)
    page = texts(app)
    sid = app.session_state["active_session_id"]
    answer = store().get_session(sid).answer_at(1)
    assert answer.status == "scored" and answer.source == "audio"
    assert store().audio_file(answer).read_bytes() == wav  # the recording is kept as sent
    assert wer(answer.text) < 0.3, answer.text
    assert "chronic conditions" in answer.text.lower()
    assert "chronic conditions" in page.lower()
    assert any(m.label == "Speaking rate" and "wpm" in m.value for m in app.metric)


@pytest.mark.slow
def test_failed_transcription_shows_retry_and_retry_succeeds(app, data_dir):
    # the model cannot be loaded (a wrong model directory in Settings)
    (data_dir / "settings.json").write_text(json.dumps({"model": str(data_dir / "no-model")}))
    create_profile(app)
    start(app, count=1, method="upload")
    app.file_uploader[0].upload("answer.mp3", (FIXTURES / "answer.mp3").read_bytes(),
                                "audio/mpeg")
    app.run(timeout=TRANSCRIBE_TIMEOUT)
    assert not app.exception, app.exception
    sid = app.session_state["active_session_id"]
    answer = store().get_session(sid).answer_at(1)
    assert answer.status == "failed"
    assert store().audio_file(answer).is_file()  # the recording was saved before failing
    assert any("could not be processed" in m for m in errors(app))
    retry = app.button(key=f"retry:{answer.id}")

    # fix the setting, then retry from the saved recording
    (data_dir / "settings.json").write_text(json.dumps({"model": ""}))
    retry.click().run(timeout=TRANSCRIBE_TIMEOUT)
    assert not app.exception, app.exception
    fixed = store().get_answer(answer.id)
    assert fixed.status == "scored", fixed.error
    assert wer(fixed.text) < 0.3, fixed.text
    assert "chronic conditions" in texts(app).lower()
    assert len(store().answer_attempts(sid, 1)) == 1  # the same answer, not a new attempt


def set_my_settings(at: AppTest, *, max_seconds: int | None = None,
                    verbatim: bool | None = None, live_captions: bool | None = None,
                    back_to_practice: bool = True):
    """Change this user's settings on the Settings page, then go back to Practice."""
    at.switch_page("app_pages/settings.py").run()
    if max_seconds is not None:
        at.number_input(key="settings_max_seconds").set_value(max_seconds)
    if verbatim is not None:
        at.checkbox(key="settings_verbatim").set_value(verbatim)
    if live_captions is not None:
        at.checkbox(key="settings_live_captions").set_value(live_captions)
    at.form_submit_button[0].click().run()
    assert not at.exception, at.exception
    if back_to_practice:
        at.switch_page("app_pages/practice.py").run()
        assert not at.exception, at.exception


@pytest.mark.slow
def test_recording_over_the_length_limit_fails_clearly_and_retries_after_raising_it(app):
    set_my_settings(app, max_seconds=5)  # answer.wav lasts 8.7 s
    create_profile(app)
    start(app, count=1, method="browser_file")
    app.audio_input[0].upload("recording.wav", (FIXTURES / "answer.wav").read_bytes())
    app.run(timeout=TRANSCRIBE_TIMEOUT)
    assert not app.exception, app.exception
    sid = app.session_state["active_session_id"]
    answer = store().get_session(sid).answer_at(1)
    assert answer.status == "failed" and "too long" in answer.error
    assert store().audio_file(answer).is_file()
    assert any("too long" in m for m in errors(app))
    set_my_settings(app, max_seconds=600)
    app.button(key=f"retry:{answer.id}").click().run(timeout=TRANSCRIBE_TIMEOUT)
    assert not app.exception, app.exception
    assert store().get_answer(answer.id).status == "scored"


@pytest.mark.slow
def test_settings_are_per_user_on_a_shared_server_and_never_touch_the_environment(
        data_dir, monkeypatch):
    # a coaching team's server: one shared database, two people in two browser sessions
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data_dir / 'shared.db'}")
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    monkeypatch.delenv("INTERVIEW_MAX_SECONDS", raising=False)
    environ = dict(os.environ)
    alice, bob = (AppTest.from_file(APP, default_timeout=RUN_TIMEOUT) for _ in range(2))
    for at, email in ((alice, "alice@example.org"), (bob, "bob@example.org")):
        # shared mode requires a login (issue 11): two applicants, logged in
        at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                              "cookie_secret": "x" * 32, "client_id": "id",
                              "client_secret": "secret", "server_metadata_url":
                              "https://id.example.org/.well-known/openid-configuration"}
        at.user = {"is_logged_in": True, "email": email}
        at.run()
        assert not at.exception, at.exception

    set_my_settings(alice, max_seconds=5, verbatim=False, live_captions=False)
    assert alice.session_state["user_settings"] == {"max_seconds": 5, "verbatim": False,
                                                    "voice": True, "video_answers": False,
                                                    "live_captions": False}
    assert dict(os.environ) == environ
    # an applicant changes nothing global: settings.json (everyone's defaults) is untouched
    assert not (data_dir / "settings.json").exists()

    # Bob still has the defaults, on the Settings page and in the pipeline
    bob.switch_page("app_pages/settings.py").run()
    assert bob.number_input(key="settings_max_seconds").value == 600
    assert bob.checkbox(key="settings_verbatim").value is True
    assert bob.checkbox(key="settings_live_captions").value is True
    bob.switch_page("app_pages/practice.py").run()

    recording = (FIXTURES / "answer.wav").read_bytes()
    results = {}
    for name, at in (("alice", alice), ("bob", bob)):
        create_profile(at, applicant=name.title())
        start(at, count=1, method="browser_file")
        at.audio_input[0].upload("recording.wav", recording)
        at.run(timeout=TRANSCRIBE_TIMEOUT)
        assert not at.exception, at.exception
        results[name] = store().get_session(at.session_state["active_session_id"]).answer_at(1)
    assert results["alice"].status == "failed" and "too long" in results["alice"].error
    assert store().audio_file(results["alice"]).read_bytes() == recording
    assert results["bob"].status == "scored", results["bob"].error
    assert dict(os.environ) == environ


def test_corrupt_upload_is_kept_with_a_clear_error(app):
    create_profile(app)
    start(app, count=1, method="upload")
    corrupt = (FIXTURES / "corrupt.wav").read_bytes()
    app.file_uploader[0].upload("answer.wav", corrupt, "audio/wav")
    app.run(timeout=TRANSCRIBE_TIMEOUT)
    assert not app.exception, app.exception
    sid = app.session_state["active_session_id"]
    answer = store().get_session(sid).answer_at(1)
    assert answer.status == "failed" and answer.error
    assert store().audio_file(answer).read_bytes() == corrupt
    shown = " ".join(errors(app))
    assert "could not be processed" in shown and answer.error in shown
    # retrying the same corrupt file fails again, with the same clear message, and keeps it
    app.button(key=f"retry:{answer.id}").click().run(timeout=TRANSCRIBE_TIMEOUT)
    assert not app.exception, app.exception
    assert store().get_answer(answer.id).status == "failed"
    assert store().audio_file(answer).is_file()
    assert any("could not be processed" in m for m in errors(app))


def test_local_microphone_explains_when_the_app_is_not_local(app):
    # AppTest has no browser talking to localhost: the app must say why, and offer the rest
    create_profile(app)
    app.radio(key="answer_method").set_value("microphone").run()
    assert "only be used when the app runs on the computer you are using" in texts(app)
    start(app, count=1, method="microphone")
    assert "only be used when the app runs on the computer you are using" in texts(app)
    app.selectbox[0].set_value("typed").run()  # switch to another way of answering
    type_answer(app)
    sid = app.session_state["active_session_id"]
    assert store().get_session(sid).answer_at(1).status == "scored"


def test_panel_interview_records_the_follow_up_and_gives_feedback_at_the_end(app):
    create_profile(app)
    start(app, count=2, mode="panel", method="typed")
    sid = app.session_state["active_session_id"]
    sess = store().get_session(sid)
    assert sess.format == "panel" and sess.mode == "interview"
    questions = sess.questions
    assert all(q["follow_ups"] for q in questions)  # every question in the bank has one
    # the question alone first: the follow-up comes after the answer, as on the day
    assert questions[0]["follow_ups"][0] not in texts(app)
    assert "Time on this question" in texts(app)
    type_answer(app)
    page = texts(app)
    # chosen from what the answer said (tests/test_followups.py tests the choice)
    from interview.followups import choose_follow_up

    asked = choose_follow_up(TYPED_ANSWER, questions[0]["follow_ups"],
                             questions[0]["follow_up_triggers"], "us").text
    assert "The interviewer follows up" in page and asked in page
    assert "Question 1 of 2" in page
    assert not any(m.label == "Overall" for m in app.metric)  # no feedback yet
    # the follow-up is answered aloud (here typed) and stored with its main answer
    type_answer(app, "I would tell my senior at once, then reflect with my supervisor and "
                     "change how I hand over patients so that it does not happen again.")
    assert "Question 2 of 2" in texts(app)
    main = store().get_session(sid).answer_at(1)
    (reply,) = main.follow_up_answers
    assert reply.parent_answer_id == main.id and reply.follow_up == 1
    assert reply.question_text == asked and reply.status == "scored"
    assert reply.scores["criteria"] and reply.overall is not None  # the same rubric
    assert questions[1]["follow_ups"][0] not in texts(app)
    type_answer(app, "I would ask for help early, tell my senior, and learn from it.")
    assert questions[1]["follow_ups"][0] in texts(app)
    app.button(key=f"skipfu:{store().get_session(sid).answer_at(2).id}").click().run()
    app.button(key=f"next:{sid}:2").click().run()
    page = texts(app)
    assert "end of this session" in page
    assert "Feedback on each answer" in page
    # shown with its answer, as plain text (Markdown punctuation escaped)
    assert "Follow-up: " + plain(asked) in page
    assert any(m.label == "Overall" for m in app.metric)
    sess = store().get_session(sid)
    assert sess.finished_at is not None and all(a.status == "scored" for a in sess.answers)
    # a follow-up is not another attempt at its question
    assert [len(sess.attempts[p]) for p in (1, 2)] == [1, 1]


# ------------------------------------------------------------------------------- history / summary


def _stored_session(answers=(TYPED_ANSWER,), count=2):
    from interview.practice import start_session, submit_answer
    from interview.profile import make_profile

    st = store()
    who = st.add_applicant("Ravi Kumar")
    prof = make_profile(name="Prairie Family Medicine", country="ca", region="AB",
                        specialty="family_medicine", mission="Rural and Indigenous health.")
    sess = start_session(st, who, prof, count=count, seed=3)
    for i, text in enumerate(answers, 1):
        a = submit_answer(st, sess.id, i, text=text)
        assert a.status == "scored", a.error
    return st.get_session(sess.id)


def test_history_reopens_a_session_where_it_stopped(app):
    sess = _stored_session(count=2)
    app.switch_page("app_pages/history.py").run()
    assert not app.exception, app.exception
    assert app.dataframe[0].value["Program"].tolist() == ["Prairie Family Medicine"]
    app.selectbox(key="history_choice").set_value(sess.id)
    app.button(key="reopen").click().run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Practice"
    assert app.session_state["active_session_id"] == sess.id
    page = texts(app)
    assert "Question 2 of 2" in page  # the first one is answered already
    assert sess.questions[1]["text"] in page


def test_summary_renders_criteria_focus_and_links(app):
    sess = _stored_session(answers=(TYPED_ANSWER, "Um, I like, uh, teaching."), count=2)
    app.switch_page("app_pages/summary.py").run()
    assert not app.exception, app.exception
    assert app.selectbox(key="summary_choice").value == sess.id
    page = texts(app)
    assert "Top three things to work on" in page
    assert "Strongest answer" in page and "Weakest answer" in page
    from interview.summary import summarise_session

    summary = summarise_session(sess)
    table = app.dataframe[0].value
    assert table["Criterion"].tolist() == [c.name for c in summary.criteria]
    assert table["Mean"].tolist() == [c.mean for c in summary.criteria]
    for item in summary.work_on:
        assert item.name in page
    # the applicant can pick another session, and the choice sticks
    other = _stored_session(answers=("I want to teach.",), count=1)
    app.run()
    app.selectbox(key="summary_choice").set_value(sess.id).run()
    assert app.selectbox(key="summary_choice").value == sess.id
    app.selectbox(key="summary_choice").set_value(other.id).run()
    assert app.selectbox(key="summary_choice").value == other.id
    assert "Answers scored" in texts(app) and "1 of 1" in texts(app)
    links = [p.label for p in app.get("page_link")]
    assert any("report" in label.lower() for label in links)
    assert any("thank-you" in label.lower() for label in links)


# ------------------------------------------------------------------------------- pre-flight / settings


@pytest.mark.parametrize("fixture, expect", [
    ("answer.wav", "microphone sounds good"),
    ("silence.wav", "no speech detected"),
    ("clipped.wav", "clipped"),
])
def test_preflight_shows_level_and_warnings(app, fixture, expect):
    app.switch_page("app_pages/preflight.py").run()
    app.audio_input[0].upload("check.wav", (FIXTURES / fixture).read_bytes())
    app.run(timeout=RUN_TIMEOUT)
    assert not app.exception, app.exception
    labels = {m.label: m.value for m in app.metric}
    assert "Peak level" in labels and "Average level (RMS)" in labels
    if fixture != "silence.wav":
        assert labels["Peak level"].endswith("dBFS")
    assert expect in texts(app).lower()
    assert app.get("audio"), "the recording is played back"


def test_settings_are_saved(app, data_dir):
    app.switch_page("app_pages/settings.py").run()
    assert str(data_dir) in texts(app)
    environ = dict(os.environ)
    app.text_input[0].input("base.en")
    app.number_input[0].set_value(300)
    app.form_submit_button[0].click().run()
    assert not app.exception, app.exception
    saved = json.loads((data_dir / "settings.json").read_text())
    assert saved["model"] == "base.en" and saved["max_seconds"] == 300
    assert app.session_state["user_settings"]["max_seconds"] == 300
    assert dict(os.environ) == environ  # nothing process-wide: passed with each answer


def test_keep_answer_videos_setting_is_saved_and_applied(app, data_dir):
    from test_retention import new_session, stored_video

    s = store()
    old = stored_video(s, new_session(s).id, days_ago=40)
    recent = stored_video(s, new_session(s).id, days_ago=2)
    app.switch_page("app_pages/settings.py").run()
    assert app.selectbox(key="settings_video_retention").value == "keep"  # the default
    app.selectbox(key="settings_video_retention").set_value("days")
    app.number_input(key="settings_video_retention_days").set_value(30)
    app.form_submit_button[0].click().run()
    assert not app.exception, app.exception
    saved = json.loads((data_dir / "settings.json").read_text())
    assert saved["video_retention"] == "days" and saved["video_retention_days"] == 30
    assert any("1 answer video(s) deleted" in i.value for i in app.info)
    gone = s.get_answer(old.id)
    assert gone.audio_path is None and gone.metrics["presence"]  # the figures stay
    assert s.audio_file(recent).is_file()
    # the page shows the saved rule when opened again
    app.switch_page("app_pages/practice.py").run()
    app.switch_page("app_pages/settings.py").run()
    assert app.selectbox(key="settings_video_retention").value == "days"
    s.close()


def test_keep_answer_videos_is_for_admins_on_a_shared_server(data_dir, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data_dir / 'shared.db'}")
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                          "cookie_secret": "x" * 32, "client_id": "id",
                          "client_secret": "secret", "server_metadata_url":
                          "https://id.example.org/.well-known/openid-configuration"}
    at.user = {"is_logged_in": True, "email": "alice@example.org"}
    at.run()
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="settings_video_retention").disabled
    assert at.number_input(key="settings_video_retention_days").disabled
    at.form_submit_button[0].click().run()
    assert not (data_dir / "settings.json").exists()  # an applicant changes nothing global


def test_due_answer_videos_go_when_the_app_starts(data_dir, monkeypatch):
    from test_retention import new_session, stored_video

    s = store()
    old = stored_video(s, new_session(s).id, days_ago=40)
    recent = stored_video(s, new_session(s).id, days_ago=2)
    (data_dir / "settings.json").write_text(json.dumps(
        {"video_retention": "days", "video_retention_days": 30}))
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    assert s.get_answer(old.id).audio_path is None
    assert s.audio_file(recent).is_file()
    s.close()


def test_review_says_the_video_was_deleted_and_keeps_its_figures(data_dir, monkeypatch):
    from test_app_coach import page, ran
    from test_retention import new_session, stored_video

    s = store()
    sess = new_session(s)
    s.delete_video(stored_video(s, sess.id).id)
    s.close()
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    at = ran(page("review"))
    if at.selectbox(key="review_pick").value != sess.id:
        at.selectbox(key="review_pick").set_value(sess.id)
        ran(at)
    assert any("video of this answer was deleted" in c.value for c in at.caption)
    assert "On camera" in texts(at)
    assert {m.label: m.value for m in at.metric}["Eye contact"] == "60 %"
    assert not at.get("video")
