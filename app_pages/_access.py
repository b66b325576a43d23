"""The one guard for every page: who is looking, and the store they may use.

``app.py`` calls :func:`resolve` once per run, before ``st.navigation(...).run()``: a visitor
who may not see anything gets a login button (or, in shared mode without an identity
provider, the message saying how to configure one) and no page runs at all. The pages then
call :func:`current`, which hands them the :class:`Access` resolved for this run: the viewer
and a store bound to them (``Store.for_viewer``), whose every query applies the access rule
(:mod:`interview.access`). There is no other way for a page to reach the database, so a new
page cannot forget the rule. (A page run on its own, as AppTest does, resolves through the
same :func:`resolve`.)

Modes (see :func:`interview.access.shared_mode`):

* local: no ``DATABASE_URL``, no ``INTERVIEW_SHARED``, no ``[auth]`` in
  ``.streamlit/secrets.toml``, and the server on loopback: the single user sees everything
  without logging in;
* shared: any of those, or a server listening beyond loopback: ``st.login`` is required;
  without ``[auth]`` no data is shown and the page says how to configure it.

Roles: admins listed in ``[access] admins``; coaches listed in ``[access] coaches`` or named
as some applicant's coach (an admin assigns them on the Settings page or with
``interview applicants assign``); anyone else an applicant who sees their own sessions.

Example ``.streamlit/secrets.toml`` for a coaching team's server::

    [auth]
    redirect_uri = "https://coach.example.org/oauth2callback"
    cookie_secret = "a long random string"
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"

    [access]
    admins = ["head.coach@example.org"]
    coaches = ["kim@example.org"]
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

import streamlit as st

from interview.access import (
    AccessError,
    AccessSettings,
    Viewer,
    is_admin,
    resolve_viewer,
    shared_mode,
)
from interview.errors import InterviewError

#: addresses that only this computer can reach
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass(frozen=True)
class Access:
    """What a page may use: the viewer and a store bound to them."""

    viewer: Viewer
    #: ``interview.storage.scoped.ViewerStore``: every query filtered for ``viewer``
    store: Any
    #: several people use this app (shared mode): per-user choices stay per user
    shared: bool

    @property
    def admin(self) -> bool:
        """May change what affects everyone (speech model, coach assignments)."""
        return is_admin(self.viewer)


_CURRENT: contextvars.ContextVar[Access | None] = contextvars.ContextVar("interview_access",
                                                                         default=None)


def _secrets_section(name: str) -> Any:
    try:
        return st.secrets[name] if name in st.secrets else None
    except Exception:  # noqa: BLE001 - no secrets.toml at all: nothing configured
        return None


def auth_configured() -> bool:
    """Whether Streamlit's authentication is configured (``[auth]`` in secrets.toml)."""
    return _secrets_section("auth") is not None


def network_exposed() -> bool:
    """Whether the server listens beyond this computer (``server.address`` unset or not a
    loopback address): then the app is treated as shared, whatever else is configured."""
    try:
        address = (st.get_option("server.address") or "").strip().lower()
    except Exception:  # noqa: BLE001 - no config: Streamlit's default is every interface
        address = ""
    return address not in LOOPBACK


def shared() -> bool:
    """Shared mode: ``DATABASE_URL``, ``INTERVIEW_SHARED=1``, logins configured, or a server
    reachable from the network."""
    return shared_mode() or auth_configured() or network_exposed()


def _logged_in() -> tuple[bool, str, str, bool | None]:
    """(logged in, email, name, email_verified claim or None when the provider sends none)."""
    try:
        user = st.user
        if not user.get("is_logged_in", False):
            return False, "", "", None
        verified = user.get("email_verified")
        return (True, str(user.get("email") or ""), str(user.get("name") or ""),
                None if verified is None else verified is True or str(verified).lower() == "true")
    except Exception:  # noqa: BLE001 - st.user unavailable: treat as not logged in
        return False, "", "", None


def _raw_store():
    """The unscoped store (cached per location). Only this module hands it out, bound."""
    from app_pages import _ui

    return _ui.open_store()


def _viewer(store) -> Viewer | None:
    """The viewer; ``None`` when a login is needed; AccessError when unsafe."""
    configured = auth_configured()
    if not configured and network_exposed() and not shared_mode():
        address = st.get_option("server.address") or "every network interface"
        raise AccessError(
            f"this app listens on {address}, so anyone on the network could open it, and no "
            "identity provider is configured: start it with `make run` (127.0.0.1 only) to "
            "practise alone, or configure a login for a team (an [auth] section in "
            ".streamlit/secrets.toml; see README, \"Serving a coaching team\")")
    logged_in, email, name, verified = _logged_in() if configured else (False, "", "", None)
    access = _secrets_section("access")
    coach_emails = ([a.coach_email for a in store.list_applicants() if a.coach_email]
                    if logged_in else [])
    return resolve_viewer(
        shared=shared(),
        auth_configured=configured,
        logged_in=logged_in,
        email=email,
        name=name,
        settings=AccessSettings.from_mapping(dict(access) if access is not None else None),
        coach_emails=coach_emails,
        email_verified=verified,
    )


def resolve() -> Access:
    """Decide who is looking (once per run, in ``app.py``), or stop the run with a login
    button / the reason nothing can be shown. Nothing of the data is rendered before this."""
    try:
        store = _raw_store()
        viewer = _viewer(store)
    except AccessError as exc:
        st.error(str(exc), icon=":material/lock:")
        st.stop()
    except InterviewError as exc:
        st.error(f"The data store cannot be opened: {exc}", icon=":material/error:")
        st.stop()
    if viewer is None:
        st.title("IMG Interview Coach")
        st.info("Log in to practise and to see the sessions you may review.",
                icon=":material/lock:")
        st.button("Log in", key="access_login", on_click=st.login, type="primary")
        st.stop()
    if viewer.role != "local":
        with st.sidebar:
            st.caption(f"Signed in as {viewer.email} ({viewer.role})")
            st.button("Log out", key="access_logout", on_click=st.logout)
    return Access(viewer=viewer, store=store.for_viewer(viewer), shared=shared())


def begin(access: Access) -> contextvars.Token:
    """Make ``access`` what :func:`current` returns while the pages of this run execute."""
    return _CURRENT.set(access)


def end(token: contextvars.Token) -> None:
    _CURRENT.reset(token)


def current() -> Access:
    """The access resolved for this run (by ``app.py``); a page run on its own resolves it
    here, through the same guard."""
    return _CURRENT.get() or resolve()


def current_quiet() -> Access | None:
    """The access of this run for code that may not draw (a fragment rerun, which only
    redraws its own part of the page): the same guard as :func:`resolve`, but None instead
    of a login button or a message when nothing may be shown."""
    if _CURRENT.get() is not None:
        return _CURRENT.get()
    try:
        store = _raw_store()
        viewer = _viewer(store)
    except InterviewError:  # AccessError too
        return None
    if viewer is None:
        return None
    return Access(viewer=viewer, store=store.for_viewer(viewer), shared=shared())


def reviewer_name(viewer: Viewer) -> str:
    """How comments and overrides are signed: the login email, or a name typed locally."""
    if viewer.email:
        return viewer.email
    return (st.session_state.get("coach_reviewer_name") or "").strip() or "Coach"
