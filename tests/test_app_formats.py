"""Session formats in the app (AppTest): practice, panel, SVI style and MMI, with a clock the
test controls (``st.session_state["clock"]``), real storage and the real scorer.

Browser recordings come in as the recorder component's value (what the browser sends:
base64 audio and its timings), the narrowest boundary AppTest can reach; the component
itself runs in Chromium in tests/test_recorder_browser.py.
"""

from __future__ import annotations

import base64

import pytest

from conftest import FIXTURES
from test_app import app, create_profile, plain, start, store, texts, type_answer  # noqa: F401 (app: fixture)

ETHICS_ANSWER = (
    "First I would make sure the patient is safe and gather more information: what does he "
    "understand, what are his values and fears. I would assess his capacity. If he is capable, "
    "his autonomy means his informed refusal must be respected, while I weigh beneficence and "
    "the daughter's perspective without breaching confidentiality. I would involve the "
    "attending and, if needed, the ethics service, document clearly, and offer comfort care, "
    "and if he lost capacity I would turn to his substitute decision-maker."
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock(app):
    c = Clock()
    app.session_state["clock"] = c
    return c


def test_practice_format_gives_feedback_after_each_answer(app, clock):
    create_profile(app)
    start(app, count=1, mode="practice", method="typed")
    sess = store().get_session(app.session_state["active_session_id"])
    assert sess.format == "practice" and sess.mode == "practice"
    assert "Reading time" not in texts(app) and "Time on this question" in texts(app)
    type_answer(app)
    assert any(m.label == "Overall" for m in app.metric)
    assert app.button(key=f"again:{sess.id}:1")  # retakes allowed


def test_svi_read_timer_then_answer_timer_and_a_timed_out_take_is_saved(app, clock):
    create_profile(app)
    start(app, count=2, mode="svi", method="typed")
    sid = app.session_state["active_session_id"]
    sess = store().get_session(sid)
    assert sess.format == "svi"
    page = texts(app)
    assert "0:30 to read" in page and "3:00 to answer" in page and "one take" in page
    assert "Reading time left: 0:30" in page
    assert not app.text_area  # nothing to answer while reading
    clock.advance(12)
    app.run()
    assert "Reading time left: 0:18" in texts(app) and not app.text_area
    clock.advance(19)  # the read time is over: answering has begun, from its end
    app.run()
    page = texts(app)
    assert "Answer time left: 2:59" in page and app.text_area
    clock.advance(200)  # well past the limit
    app.run()
    assert "Time is up" in texts(app)
    type_answer(app)  # submitted late: saved, not lost
    first = store().get_session(sid).answer_at(1)
    assert first.status == "scored" and first.timed_out
    assert first.read_seconds == pytest.approx(30) and first.answer_seconds == pytest.approx(180)
    assert first.read_limit == 30 and first.answer_limit == 180
    # one take: straight on to the next prompt, no retakes
    assert "Question 2 of 2" in texts(app)

    # the second prompt, answered in the browser: the recorder's take with its own timings
    app.selectbox(key=f"method:{sid}:2:0").set_value("browser").run()
    assert not app.text_area
    take = {"take_key": f"{sid}:2:0:0", "take_id": "t-1", "mime": "audio/wav",
            "audio_b64": base64.b64encode((FIXTURES / "answer.wav").read_bytes()).decode(),
            "started_at_ms": 1_790_000_000_000, "read_seconds": 12.5, "answer_seconds": 180.0,
            "timed_out": True, "warned": False, "read_limit": 30, "answer_limit": 180}
    app.session_state[f"recorder:live:main:{sid}:2:0:0"] = take
    app.run(timeout=240)
    assert not app.exception, app.exception
    second = store().get_session(sid).answer_at(2)
    assert second.source == "audio" and second.timed_out and second.audio_path
    assert second.status == "scored", second.error
    assert second.read_seconds == 12.5 and second.answer_seconds == 180.0
    assert second.recording_started_at.year == 2026
    assert store().audio_file(second).is_file()
    page = texts(app)
    assert "end of this session" in page
    assert not [b for b in app.button if (b.key or "").startswith("again:")]


def test_mmi_station_read_time_warning_then_one_follow_up(app, clock):
    create_profile(app, country="ca", name="Prairie Family Medicine")
    start(app, count=1, mode="mmi", method="typed")
    sid = app.session_state["active_session_id"]
    sess = store().get_session(sid)
    assert sess.format == "mmi" and sess.questions[0]["category"] == "mmi"
    limit = sess.questions[0]["suggested_seconds"]
    assert 360 <= limit <= 480
    page = texts(app)
    assert "2:00 to read" in page and "a warning one minute before the end" in page
    assert "Reading time left: 2:00" in page
    clock.advance(50)
    app.button(key=f"begin:began:{sid}:1:0:0").click().run()  # ready before the time is up
    clock.advance(limit - 70)
    app.run()
    assert "One minute left" not in texts(app)
    clock.advance(15)  # 55 s left
    app.run()
    assert "One minute left" in texts(app)
    type_answer(app, ETHICS_ANSWER)
    main = store().get_session(sid).answer_at(1)
    assert main.status == "scored" and not main.timed_out
    assert main.read_seconds == pytest.approx(50) and main.answer_seconds == pytest.approx(limit - 55)
    # then one follow-up, answered and stored with the station
    assert "The interviewer follows up" in texts(app)
    type_answer(app, "I would still act in his best interests and involve his family.")
    sess = store().get_session(sid)
    (reply,) = sess.answer_at(1).follow_up_answers
    assert reply.status == "scored" and reply.follow_up == 1
    page = texts(app)
    assert "end of this session" in page and "Follow-up: " + plain(reply.question_text) in page


def test_panel_follow_up_is_chosen_by_what_the_answer_said(app, clock):
    create_profile(app)
    start(app, count=1, mode="panel", method="typed")
    sid = app.session_state["active_session_id"]
    assert store().get_session(sid).questions[0]["follow_up_triggers"]  # an opening question
    type_answer(app, "I trained in Cairo, then did a four-week externship in internal medicine "
                     "in Detroit, where I presented patients on rounds every morning.")
    page = texts(app)
    assert "What surprised you about the way medicine is practised here" in page
    assert "How are you preparing" not in page


def _voices(at) -> list[dict]:
    """The interviewer's voice components on the page, with their arguments."""
    import json

    out = []
    for el in at.get("component_instance"):
        args = json.loads(el.proto.json_args)
        if "question_key" in args:
            out.append(args)
    return out


def test_questions_are_read_aloud_in_interview_formats_with_a_toggle(app, clock):
    create_profile(app, country="ca", name="Prairie Family Medicine")
    start(app, count=1, mode="svi", method="typed")
    sid = app.session_state["active_session_id"]
    question = store().get_session(sid).questions[0]["text"]
    (spoken,) = _voices(app)
    assert spoken["text"] == question and spoken["lang"] == "en-CA" and spoken["enabled"]
    assert question in texts(app)  # the text still shows
    app.toggle(key=f"voice_on:{sid}").set_value(False).run()
    assert _voices(app) == [] and question in texts(app)


def test_practice_is_silent_by_default_and_settings_turn_the_voice_off(app, clock):
    create_profile(app)
    start(app, count=1, mode="practice", method="typed")
    assert _voices(app) == []
    app.session_state["active_session_id"] = None
    app.session_state["user_settings"] = {"max_seconds": 600, "verbatim": True, "voice": False}
    app.run()
    start(app, count=1, mode="panel", method="typed")
    assert _voices(app) == []
    sid = app.session_state["active_session_id"]
    assert app.toggle(key=f"voice_on:{sid}").value is False
