"""Who may see what: the one access rule, as pure functions.

Every page gets its viewer from one guard (``app_pages/_access.py``, called by ``app.py``
before any page runs) and reads the database only through a store bound to that viewer
(:class:`interview.storage.scoped.ViewerStore`), whose queries apply :func:`scope`.

Two modes (:func:`shared_mode`):

* local: SQLite in the user's own data directory, on loopback, no ``DATABASE_URL`` and no
  ``INTERVIEW_SHARED``: the one user sees everything, no login (today's experience);
* shared: ``DATABASE_URL`` set or ``INTERVIEW_SHARED=1`` (or a login configured): everyone
  logs in with ``st.login``; without an identity provider no data is shown at all.

Four kinds of viewer:

* ``local`` — the app runs on one person's machine with no authentication configured and no
  shared database: the single user sees everything.
* ``admin`` — sees everything (listed by email in ``.streamlit/secrets.toml``, ``[access]
  admins = [...]``).
* ``coach`` — sees the sessions of the applicants whose ``coach_email`` is the coach's email
  (and their own, if they practise).
* ``applicant`` — sees their own sessions (``applicant.email`` is the viewer's email).

Emails are compared case-insensitively, ignoring surrounding spaces; an empty email never
matches anything (an applicant with no email is visible only to admins and the local user).

The Streamlit glue (reading ``st.user`` and whether ``[auth]`` is configured) lives in
``app_pages/_access.py``; this module imports no Streamlit so that the rule itself is tested
directly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import InterviewError

Role = Literal["applicant", "coach", "admin", "local"]
ROLES: tuple[str, ...] = ("applicant", "coach", "admin", "local")


class AccessError(InterviewError):
    """The viewer may not see this, or access cannot be decided safely."""


def normalise_email(email: str | None) -> str:
    """Lower-case, stripped email ('' for None)."""
    return (email or "").strip().lower()


@dataclass(frozen=True)
class Viewer:
    """The person looking at the app: an email and a role."""

    email: str = ""
    role: Role = "local"
    name: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise AccessError(f"unknown role {self.role!r}; expected one of {', '.join(ROLES)}")
        object.__setattr__(self, "email", normalise_email(self.email))

    @property
    def sees_everything(self) -> bool:
        return self.role in ("admin", "local")


LOCAL_VIEWER = Viewer(email="", role="local")

#: environment variable that turns on shared mode without a DATABASE_URL
SHARED_ENV = "INTERVIEW_SHARED"
_TRUE = {"1", "true", "yes", "on"}

HOW_TO_CONFIGURE = (
    "no identity provider is configured: this app is in shared mode (DATABASE_URL or "
    "INTERVIEW_SHARED=1) and shows no data until "
    "people log in: add an [auth] section for your identity provider (redirect_uri, "
    "cookie_secret, client_id, client_secret, server_metadata_url) and an [access] section "
    "(admins = [\"you@example.org\"]) to .streamlit/secrets.toml, then restart; see README, "
    "\"Serving a coaching team\""
)


def shared_mode(environ: Mapping[str, str] | None = None) -> bool:
    """Whether several people may use this installation: ``DATABASE_URL`` is set, or
    ``INTERVIEW_SHARED`` is 1/true/yes/on."""
    env = os.environ if environ is None else environ
    return bool((env.get("DATABASE_URL") or "").strip()) or \
        (env.get(SHARED_ENV) or "").strip().lower() in _TRUE


@dataclass(frozen=True)
class Scope:
    """What a viewer's queries may return, as the store applies it in SQL.

    ``everything``: no filter. Otherwise only applicants whose login email is
    ``applicant_email`` (one's own) or whose coach is ``coach_email`` (a coach's); a session
    or draft with no applicant is outside every such scope."""

    everything: bool = False
    applicant_email: str | None = None
    coach_email: str | None = None


def scope(viewer: Viewer) -> Scope:
    """The one access rule, in the form queries apply (see :func:`can_view`, its
    row-by-row twin, which the tests hold equal to it)."""
    if viewer.sees_everything:
        return Scope(everything=True)
    if not viewer.email:
        return Scope()  # matches nothing
    return Scope(applicant_email=viewer.email,
                 coach_email=viewer.email if viewer.role == "coach" else None)


def is_admin(viewer: Viewer) -> bool:
    """Admins (and the single local user) change settings that affect everyone and assign
    applicants to coaches."""
    return viewer.role in ("admin", "local")


def owns(viewer: Viewer, applicant: Any) -> bool:
    """Whether ``applicant`` is the viewer themself (their login email), so the viewer may
    answer, practise and draft emails as them. The local user owns every applicant."""
    if viewer.role == "local":
        return True
    if applicant is None or not viewer.email:
        return False
    return normalise_email(_get(applicant, "email")) == viewer.email


def _get(record: Any, key: str) -> Any:
    """Read ``key`` from a mapping or an attribute of a record (ORM row, dataclass...)."""
    if isinstance(record, Mapping):
        return record.get(key)
    return getattr(record, key, None)


def can_view(viewer: Viewer, applicant: Any) -> bool:
    """Whether ``viewer`` may see ``applicant``'s sessions.

    ``applicant`` is anything with ``email`` and ``coach_email`` (attributes or keys).
    """
    if viewer.sees_everything:
        return True
    if applicant is None or not viewer.email:
        return False
    if normalise_email(_get(applicant, "email")) == viewer.email:
        return True  # one's own sessions (a coach may practise too)
    if viewer.role == "coach":
        return normalise_email(_get(applicant, "coach_email")) == viewer.email
    return False


def can_review(viewer: Viewer, applicant: Any) -> bool:
    """Whether ``viewer`` may comment, override scores and mark sessions reviewed for
    ``applicant``: coaches (of that applicant), admins and the local user — not applicants,
    who may read their own reviews but not write them (nor a coach their own practice)."""
    if viewer.sees_everything:
        return True
    if viewer.role != "coach" or applicant is None or not viewer.email:
        return False
    return normalise_email(_get(applicant, "coach_email")) == viewer.email


def filter_applicants(viewer: Viewer, applicants: Iterable[Any]) -> list[Any]:
    """The applicants ``viewer`` may see, in the given order."""
    return [a for a in applicants if can_view(viewer, a)]


def filter_sessions(
    viewer: Viewer,
    sessions: Iterable[Any],
    applicants: Mapping[str, Any] | Iterable[Any],
) -> list[Any]:
    """The sessions ``viewer`` may see, in the given order.

    Each session names its applicant by ``applicant_id``; ``applicants`` is a mapping
    id -> applicant or an iterable of applicants (with ``id``). A session whose applicant is
    unknown is shown only to viewers who see everything.
    """
    if isinstance(applicants, Mapping):
        by_id = dict(applicants)
    else:
        by_id = {_get(a, "id"): a for a in applicants}
    return [
        s for s in sessions
        if viewer.sees_everything or can_view(viewer, by_id.get(_get(s, "applicant_id")))
    ]


def check_can_view(viewer: Viewer, applicant: Any) -> None:
    """Raise :class:`AccessError` unless ``viewer`` may see ``applicant``."""
    if not can_view(viewer, applicant):
        raise AccessError(
            "you are not allowed to see this applicant's sessions; ask an administrator or "
            "the applicant's coach"
        )


@dataclass(frozen=True)
class AccessSettings:
    """How the deployment decides roles (``[access]`` in ``.streamlit/secrets.toml``)."""

    admins: frozenset[str] = field(default_factory=frozenset)
    coaches: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> "AccessSettings":
        data = data or {}

        def emails(key: str) -> frozenset[str]:
            value = data.get(key) or []
            if isinstance(value, str):
                value = [value]
            return frozenset(normalise_email(e) for e in value if normalise_email(e))

        return cls(admins=emails("admins"), coaches=emails("coaches"))


def resolve_viewer(
    *,
    shared: bool,
    auth_configured: bool,
    logged_in: bool,
    email: str | None = None,
    name: str = "",
    settings: AccessSettings | None = None,
    coach_emails: Iterable[str] = (),
    email_verified: bool | None = None,
) -> Viewer | None:
    """Decide who is looking, from the deployment and the login state.

    * No authentication configured and no shared database (``DATABASE_URL`` unset): the
      single local user, who sees everything.
    * Shared mode without authentication: refused (:class:`AccessError`, saying how to
      configure an identity provider) — everyone would see everyone's sessions.
    * Authentication configured but nobody logged in yet: ``None`` (the page shows a login
      button).
    * Logged in with an email the provider says is unverified (``email_verified`` false):
      refused, since the email decides whose sessions one sees.
    * Logged in: admin if listed in ``settings.admins``; coach if listed in
      ``settings.coaches`` or named as some applicant's coach (``coach_emails``); otherwise
      applicant.
    """
    if not auth_configured:
        if shared:
            raise AccessError(HOW_TO_CONFIGURE)
        return LOCAL_VIEWER
    if not logged_in:
        return None
    address = normalise_email(email)
    if not address:
        raise AccessError("your login did not provide an email address; ask an administrator")
    if email_verified is False:  # the email decides whose sessions one sees: it must be proven
        raise AccessError(f"your identity provider has not verified {address}; verify it "
                          "there, then log in again")
    settings = settings or AccessSettings()
    if address in settings.admins:
        role: Role = "admin"
    elif address in settings.coaches or address in {normalise_email(e) for e in coach_emails}:
        role = "coach"
    else:
        role = "applicant"
    return Viewer(email=address, role=role, name=name or "")
