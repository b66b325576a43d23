"""A real login (issue 11): the app in shared mode behind Streamlit's st.login, configured
against a real OpenID Connect provider (oidc-provider-mock, started here on loopback), driven
in headless Chromium as an applicant, a coach and an admin. Each sees exactly the sessions the
rule allows; a visitor who has not logged in sees nothing but the login button.

Skips with a reason where Chromium, Playwright or oidc-provider-mock is missing (.ci/run
installs Chromium; the test extra brings the Python packages)."""

from __future__ import annotations

import os

import pytest

from browser import chromium, free_port, open_page, streamlit_server
from coach_data import STRONG_CA, STRONG_US, Answer, store_session
from conftest import ROOT, need, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AMINA, LI = "Amina Diallo", "Li Wei"
USERS = {  # login email -> name claim
    "amina@example.org": "Amina Diallo",
    "coach.kim@example.org": "Kim Coach",
    "boss@example.org": "Head Coach",
}


def _requirements():
    require_chromium()
    try:
        import oidc_provider_mock  # noqa: F401
    except ImportError:
        need("oidc-provider-mock", "pip install '.[test]'")


@pytest.fixture
def provider():
    """The OpenID Connect provider, on loopback, with one predefined user per persona."""
    _requirements()
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=email, claims={"email": email, "email_verified": True, "name": name})
             for email, name in USERS.items()]
    with run_server_in_thread(port=free_port(), user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def app(provider, tmp_path):
    """``streamlit run app.py`` in shared mode with st.login configured against the provider."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(INTERVIEW_DATA_DIR=str(data), INTERVIEW_SHARED="1", INTERVIEW_NO_PRELOAD="1")
    env.pop("DATABASE_URL", None)
    os.environ["INTERVIEW_DATA_DIR"] = str(data)  # seed the same data dir from here
    try:
        from interview.storage import Store

        with Store.open() as store:
            store_session(store, [Answer(STRONG_US, category="personal")], applicant=AMINA,
                          email="amina@example.org", coach_email="coach.kim@example.org")
            store_session(store, [Answer(STRONG_CA, category="personal")], applicant=LI,
                          email="li@example.org", coach_email="coach.lee@example.org",
                          country="ca", program="Lakeside Family Medicine")
    finally:
        os.environ.pop("INTERVIEW_DATA_DIR", None)
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{os.urandom(16).hex()}"
client_id = "img-interview-coach"
client_secret = "test-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[access]
admins = ["boss@example.org"]
""")
    with streamlit_server(ROOT / "app.py", env, tmp_path / "streamlit.log", port=port,
                          host="localhost", args=["--secrets.files", str(secrets)]) as url:
        yield url


@pytest.fixture
def browser():
    _requirements()
    with chromium() as b:
        yield b


def _login(browser, app: str, email: str):
    """A fresh browser profile logs in through the provider's page; returns the page."""
    page = open_page(browser, app, timeout=30_000)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator(f'button[name="sub"][value="{email}"]').click()
    page.get_by_text(f"Signed in as {email}").wait_for()
    return page


def _page_text(page, path: str, wait_for: str) -> str:
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + f"/{path}")
    page.get_by_role("heading", name=wait_for).wait_for()
    # names sit in the first selectbox's options (tables are drawn on a canvas): open it
    box = page.locator('[data-testid="stSelectbox"]').first
    box.wait_for()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):  # a rerun right after login can close the list as it opens
        box.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    options = "\n".join(page.get_by_role("option").all_inner_texts())
    page.keyboard.press("Escape")
    return page.inner_text("body") + "\n" + options


def test_visitor_sees_only_the_login_button(app, browser):
    page = browser.new_page()
    page.goto(app + "/review")
    page.get_by_role("button", name="Log in").wait_for(timeout=30_000)
    text = page.inner_text("body")
    assert AMINA not in text and LI not in text


@pytest.mark.parametrize("email, sees, hidden", [
    ("amina@example.org", [AMINA], [LI]),            # an applicant: her own
    ("coach.kim@example.org", [AMINA], [LI]),        # her coach: his assigned applicant
    ("boss@example.org", [AMINA, LI], []),           # an admin: everything
])
def test_real_login_sees_what_the_rule_allows(app, browser, email, sees, hidden):
    page = _login(browser, app, email)
    role = {"amina@example.org": "applicant", "coach.kim@example.org": "coach",
            "boss@example.org": "admin"}[email]
    assert f"Signed in as {email} ({role})" in page.inner_text("body")
    for path, title in (("review", "Coach review"), ("history", "History")):
        text = _page_text(page, path, title)
        for name in sees:
            assert name in text, (email, path)
        for name in hidden:
            assert name not in text, (email, path)
    page.context.close()
