"""Every page in shared mode, through app.py (the guard runs before navigation), for each
kind of visitor: nobody logged in, an applicant, another applicant, a coach with and without
the assignment, an admin; and shared mode without an identity provider. Each sees exactly
what the rule allows: the other applicant's name, program and transcript appear nowhere in
the rendered page (every element, dataframes included)."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from coach_data import STRONG_CA, STRONG_US, Answer, store_session
from conftest import ROOT
from interview.storage import Store

TIMEOUT = 60
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}
ACCESS = {"admins": ["boss@example.org"], "coaches": ["new.coach@example.org"]}

#: what identifies each applicant's data on a page: name, program, words of the transcript
AMINA = {"name": "Amina Diallo", "program": "Riverside Internal Medicine", "words": "Lagos"}
LI = {"name": "Li Wei", "program": "Lakeside Family Medicine", "words": "Cairo"}

PERSONAS = {
    # email (None: not logged in) -> the applicants whose data the rule lets them see
    "visitor": (None, []),
    "applicant": ("amina@example.org", [AMINA]),
    "another applicant": ("li@example.org", [LI]),
    "coach with the assignment": ("coach.kim@example.org", [AMINA]),
    "coach without it": ("new.coach@example.org", []),
    "admin": ("boss@example.org", [AMINA, LI]),
}

#: page -> which markers it shows of an applicant the viewer may see
PAGES = {
    "history": ("name", "program"),
    "summary": ("name", "program"),
    "review": ("name", "program"),
    "progress": ("name",),
    "reports": ("name", "program"),
    "emails": (),        # lists one's own sessions only: checked separately
    "practice": (),      # one's own programs only: checked separately
    "settings": (),      # admins: the applicants table; checked separately
    "preflight": (),
}


@pytest.fixture
def world(data_dir, monkeypatch):
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    monkeypatch.setenv("INTERVIEW_SHARED", "1")
    with Store.open() as store:
        store_session(store, [Answer(STRONG_CA, category="personal")], applicant=LI["name"],
                      email="li@example.org", coach_email="coach.lee@example.org",
                      country="ca", program=LI["program"])
        store_session(store, [Answer(STRONG_US, category="personal")], applicant=AMINA["name"],
                      email="amina@example.org", coach_email="coach.kim@example.org",
                      program=AMINA["program"])
    return data_dir


def everything(at: AppTest) -> str:
    """The whole rendered page: every element's protobuf (text, options, table bytes)."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        children = getattr(node, "children", None) or {}
        for child in (children.values() if isinstance(children, dict) else children):
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def visit(page: str, email: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.secrets["access"] = ACCESS
    at.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]} if email \
        else {"is_logged_in": False}
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_shows_exactly_what_the_rule_allows(world, page, persona):
    email, allowed = PERSONAS[persona]
    at = visit(page, email)
    shown = everything(at)
    for applicant in (AMINA, LI):
        if applicant in allowed:
            for marker in PAGES[page]:
                assert applicant[marker] in shown, (page, persona, marker)
        else:
            for marker in ("name", "program", "words"):
                assert applicant[marker] not in shown, (page, persona, marker)
    if email is None:
        assert [b.label for b in at.button] == ["Log in"]
        assert not at.dataframe and not at.selectbox
    else:
        assert f"Signed in as {email}" in shown


@pytest.mark.parametrize("persona", ["applicant", "another applicant", "coach with the assignment",
                                     "admin"])
def test_transcripts_on_review_and_reports(world, persona):
    email, allowed = PERSONAS[persona]
    for page in ("review", "reports"):
        at = visit(page, email)
        key = "review_pick" if page == "review" else "reports_pick"
        for applicant in allowed:
            with Store.open() as store:
                sid = store.list_sessions(
                    applicant_id=store.find_applicant(applicant["name"]).id)[0].id
            at.selectbox(key=key).set_value(sid).run()
            assert not at.exception
            shown = everything(at)
            assert applicant["words"] in shown, (page, persona)
            for other in (AMINA, LI):
                if other not in allowed:
                    assert other["words"] not in shown and other["name"] not in shown


def test_own_pages_list_only_ones_own(world):
    """Practice and Thank-you emails list one's own programs and sessions, even for a coach
    or an admin (they practise as themselves)."""
    for email, mine in (("amina@example.org", AMINA), ("li@example.org", LI)):
        other = LI if mine is AMINA else AMINA
        for page in ("practice", "emails"):
            shown = everything(visit(page, email))
            assert mine["program"] in shown, (page, email)
            assert other["program"] not in shown and other["name"] not in shown
    for email in ("coach.kim@example.org", "boss@example.org"):
        for page in ("practice", "emails"):
            shown = everything(visit(page, email))
            assert AMINA["program"] not in shown and LI["program"] not in shown, (page, email)


def test_settings_global_choices_are_admin_only(world):
    admin = visit("settings", "boss@example.org")
    shown = everything(admin)
    assert AMINA["name"] in shown and LI["name"] in shown  # the applicants-and-coaches table
    assert not admin.selectbox(key="settings_backend").disabled
    for email in ("amina@example.org", "coach.kim@example.org"):
        at = visit("settings", email)
        assert at.selectbox(key="settings_backend").disabled
        assert at.text_input(key="settings_model").disabled
        assert "Data directory" not in everything(at)
        assert not [s for s in at.selectbox if s.key == "assign_applicant"]


def test_admin_assigns_an_applicant_to_a_coach_in_the_app(world):
    at = visit("settings", "boss@example.org")
    with Store.open() as store:
        li_id = store.find_applicant(LI["name"]).id
    at.selectbox(key="assign_applicant").set_value(li_id)
    at.text_input(key="assign_coach").input("New.Coach@example.org")
    at.button(key="assign_submit").click().run()
    assert not at.exception
    # the new coach now sees Li (and still not Amina)
    shown = everything(visit("review", "new.coach@example.org"))
    assert LI["name"] in shown and AMINA["name"] not in shown


@pytest.mark.parametrize("page", list(PAGES))
def test_shared_mode_without_identity_provider_shows_no_data(world, page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception
    shown = everything(at)
    assert "no identity provider is configured" in shown and "[auth]" in shown
    for applicant in (AMINA, LI):
        assert all(applicant[m] not in shown for m in ("name", "program", "words"))


def test_local_mode_keeps_the_no_login_experience(world, monkeypatch):
    monkeypatch.delenv("INTERVIEW_SHARED")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("app_pages/history.py")
    at.run()
    assert not at.exception
    shown = everything(at)
    assert AMINA["name"] in shown and LI["name"] in shown
    assert "Log in" not in [b.label for b in at.button]


def test_typed_names_are_plain_text_on_coach_pages(data_dir, monkeypatch):
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    evil = "![pixel](http://evil.example/p.png) [click](http://evil.example) <img src=x>"
    with Store.open() as store:
        store_session(store, [Answer(STRONG_US, category="personal")], applicant=evil,
                      program="[Prog](http://evil.example/x)")
        store.list_sessions()
    at = AppTest.from_file(str(ROOT / "app_pages" / "review.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    for element in list(at.subheader) + list(at.markdown) + list(at.caption):
        # what Markdown would still interpret once backslash-escaped characters are removed
        live = re.sub(r"\\[!-/:-@\[-`{-~]", "", str(element.value))
        assert "](" not in live and "<img" not in live and "![" not in live, element.value
    assert any("\\!\\[pixel\\]" in str(s.value) for s in at.subheader)


def test_unverified_email_sees_nothing(world):
    """Someone who signs up at the provider with another person's email, unverified."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "amina@example.org", "email_verified": False}
    at.switch_page("app_pages/history.py")
    at.run()
    assert not at.exception
    shown = everything(at)
    assert "has not verified" in shown and AMINA["name"] not in shown and AMINA["words"] not in shown


def _quiet_script():
    """A script that asks for the access the way a fragment rerun does (no drawing)."""
    import streamlit as st

    from app_pages import _access

    access = _access.current_quiet()
    st.text("nobody" if access is None else f"{access.viewer.role}:{access.viewer.email}")


@pytest.mark.parametrize("email, expected", [
    (None, "nobody"),
    ("amina@example.org", "applicant:amina@example.org"),
    ("coach.kim@example.org", "coach:coach.kim@example.org"),
])
def test_a_fragment_rerun_gets_the_same_access_rule_without_drawing(world, email, expected):
    # the streaming recorder's fragment reruns alone: it may not draw the login button or
    # the sidebar's "Signed in as" (Streamlit refuses writes outside a fragment's body)
    at = AppTest.from_function(_quiet_script, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.secrets["access"] = ACCESS
    at.user = {"is_logged_in": True, "email": email, "name": "x"} if email \
        else {"is_logged_in": False}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.text] == [expected]
    assert not at.button and not at.sidebar.caption  # nothing drawn by the guard
