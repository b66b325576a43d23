"""Who may see what: the access rule for sessions, as pure functions.

Four kinds of viewer:

* ``local`` — the app runs on one person's machine with no authentication configured and no
  shared database: the single user sees everything.
* ``admin`` — sees everything (listed by email in ``.streamlit/secrets.toml``, ``[access]
  admins = [...]``).
* ``coach`` — sees the sessions of the applicants whose ``coach_email`` is the coach's email.
* ``applicant`` — sees their own sessions (``applicant.email`` is the viewer's email).

Emails are compared case-insensitively, ignoring surrounding spaces; an empty email never
matches anything (an applicant with no email is visible only to admins and the local user).

The Streamlit glue (reading ``st.user`` and whether ``[auth]`` is configured) lives in
``app_pages/_access.py``; this module imports no Streamlit so that the rule itself is tested
directly.
"""

from __future__ import annotations

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
    if viewer.role == "coach":
        return normalise_email(_get(applicant, "coach_email")) == viewer.email
    if viewer.role == "applicant":
        return normalise_email(_get(applicant, "email")) == viewer.email
    return False


def can_review(viewer: Viewer, applicant: Any) -> bool:
    """Whether ``viewer`` may comment, override scores and mark sessions reviewed for
    ``applicant``: coaches (of that applicant), admins and the local user — not applicants,
    who may read their own reviews but not write them."""
    return viewer.role != "applicant" and can_view(viewer, applicant)


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
) -> Viewer | None:
    """Decide who is looking, from the deployment and the login state.

    * No authentication configured and no shared database (``DATABASE_URL`` unset): the
      single local user, who sees everything.
    * Shared database without authentication: refused (:class:`AccessError`) — everyone
      would see everyone's sessions.
    * Authentication configured but nobody logged in yet: ``None`` (the page shows a login
      button).
    * Logged in: admin if listed in ``settings.admins``; coach if listed in
      ``settings.coaches`` or named as some applicant's coach (``coach_emails``); otherwise
      applicant.
    """
    if not auth_configured:
        if shared:
            raise AccessError(
                "this app uses a shared database (DATABASE_URL) but no authentication is "
                "configured; add an [auth] section (OIDC) to .streamlit/secrets.toml"
            )
        return LOCAL_VIEWER
    if not logged_in:
        return None
    address = normalise_email(email)
    if not address:
        raise AccessError("your login did not provide an email address; ask an administrator")
    settings = settings or AccessSettings()
    if address in settings.admins:
        role: Role = "admin"
    elif address in settings.coaches or address in {normalise_email(e) for e in coach_emails}:
        role = "coach"
    else:
        role = "applicant"
    return Viewer(email=address, role=role, name=name or "")
