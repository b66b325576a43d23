"""Streamlit glue for the access rule (interview.access): who is looking, what they may see.

* Locally (no ``[auth]`` in ``.streamlit/secrets.toml`` and no ``DATABASE_URL``) the single
  user sees everything.
* With ``[auth]`` configured (Streamlit's built-in OIDC login), the viewer logs in with
  ``st.login()``; ``st.user.email`` decides the role: admins listed in ``[access] admins``,
  coaches listed in ``[access] coaches`` or named as an applicant's ``coach_email``, anyone
  else an applicant who sees their own sessions.
* A shared database without authentication is refused with a message saying what to add.

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

import os
from typing import Any

import streamlit as st

from interview.access import (
    AccessError,
    AccessSettings,
    Viewer,
    filter_applicants,
    filter_sessions,
    resolve_viewer,
)


def _secrets_section(name: str) -> Any:
    try:
        return st.secrets[name] if name in st.secrets else None
    except Exception:  # noqa: BLE001 - no secrets.toml at all: nothing configured
        return None


def auth_configured() -> bool:
    """Whether Streamlit's authentication is configured (``[auth]`` in secrets.toml)."""
    return _secrets_section("auth") is not None


def _logged_in() -> tuple[bool, str, str]:
    try:
        user = st.user
        if not user.get("is_logged_in", False):
            return False, "", ""
        return True, str(user.get("email") or ""), str(user.get("name") or "")
    except Exception:  # noqa: BLE001 - st.user unavailable: treat as not logged in
        return False, "", ""


def current_viewer(store) -> Viewer | None:
    """The viewer, ``None`` when a login is needed; raises AccessError when unsafe."""
    configured = auth_configured()
    logged_in, email, name = _logged_in() if configured else (False, "", "")
    access = _secrets_section("access")
    coach_emails = [a.coach_email for a in store.list_applicants() if a.coach_email] if logged_in else []
    return resolve_viewer(
        shared=bool(os.environ.get("DATABASE_URL", "").strip()),
        auth_configured=configured,
        logged_in=logged_in,
        email=email,
        name=name,
        settings=AccessSettings.from_mapping(dict(access) if access is not None else None),
        coach_emails=coach_emails,
    )


def require_viewer(store) -> Viewer:
    """The viewer, or stop the page with a login button / an explanation."""
    try:
        viewer = current_viewer(store)
    except AccessError as exc:
        st.error(str(exc), icon=":material/lock:")
        st.stop()
    if viewer is None:
        st.info("Log in to see the sessions you may review.", icon=":material/lock:")
        st.button("Log in", key="access_login", on_click=st.login, type="primary")
        st.stop()
    if viewer.role != "local":
        with st.sidebar:
            st.caption(f"Signed in as {viewer.email} ({viewer.role})")
            st.button("Log out", key="access_logout", on_click=st.logout)
    return viewer


def visible_applicants(store, viewer: Viewer) -> list:
    return filter_applicants(viewer, store.list_applicants())


def visible_sessions(store, viewer: Viewer, **filters) -> list:
    """Sessions (newest first) the viewer may see, with ``Store.list_sessions`` filters."""
    applicants = store.list_applicants()
    if viewer.sees_everything:
        return store.list_sessions(**filters)
    allowed = filter_applicants(viewer, applicants)
    if not allowed:
        return []
    sessions = store.list_sessions(applicant_ids=[a.id for a in allowed], **filters)
    return filter_sessions(viewer, sessions, applicants)


def reviewer_name(viewer: Viewer) -> str:
    """How comments and overrides are signed: the login email, or a name typed locally."""
    if viewer.email:
        return viewer.email
    return (st.session_state.get("coach_reviewer_name") or "").strip() or "Coach"
