"""The access rule: who may see which applicant's sessions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from interview.access import (
    LOCAL_VIEWER,
    AccessError,
    AccessSettings,
    Viewer,
    can_review,
    can_view,
    check_can_view,
    filter_applicants,
    filter_sessions,
    resolve_viewer,
)


@dataclass
class Applicant:
    id: str
    email: str | None
    coach_email: str | None


ANA = Applicant("a1", "ana@example.org", "coach.kim@example.org")
BEN = Applicant("a2", "Ben@Example.org", "coach.lee@example.org")
NOEMAIL = Applicant("a3", None, None)
APPLICANTS = [ANA, BEN, NOEMAIL]
SESSIONS = [
    {"id": "s1", "applicant_id": "a1"},
    {"id": "s2", "applicant_id": "a2"},
    {"id": "s3", "applicant_id": "a1"},
    {"id": "s4", "applicant_id": "a3"},
    {"id": "s5", "applicant_id": "gone"},
]


def ids(rows):
    return [r["id"] for r in rows]


def test_local_user_sees_everything():
    assert all(can_view(LOCAL_VIEWER, a) for a in APPLICANTS)
    assert ids(filter_sessions(LOCAL_VIEWER, SESSIONS, APPLICANTS)) == ["s1", "s2", "s3", "s4", "s5"]


def test_admin_sees_everything():
    admin = Viewer("boss@example.org", "admin")
    assert ids(filter_sessions(admin, SESSIONS, APPLICANTS)) == ["s1", "s2", "s3", "s4", "s5"]


def test_coach_sees_only_their_applicants():
    kim = Viewer("coach.kim@example.org", "coach")
    assert can_view(kim, ANA)
    assert not can_view(kim, BEN)
    assert not can_view(kim, NOEMAIL)
    assert ids(filter_sessions(kim, SESSIONS, APPLICANTS)) == ["s1", "s3"]
    assert filter_applicants(kim, APPLICANTS) == [ANA]


def test_applicant_sees_only_own_sessions_case_insensitive():
    ben = Viewer("  ben@EXAMPLE.org ", "applicant")
    assert ben.email == "ben@example.org"
    assert ids(filter_sessions(ben, SESSIONS, {a.id: a for a in APPLICANTS})) == ["s2"]
    ana = Viewer("ana@example.org", "applicant")
    assert ids(filter_sessions(ana, SESSIONS, APPLICANTS)) == ["s1", "s3"]


def test_applicant_cannot_see_as_coach_and_coach_cannot_see_as_applicant():
    # Ana's email used as a coach finds nobody coached by her: she sees her own practice
    # (a coach may practise too) but cannot review it.
    assert filter_applicants(Viewer("ana@example.org", "coach"), APPLICANTS) == [ANA]
    assert not can_review(Viewer("ana@example.org", "coach"), ANA)
    # The coach's email used as an applicant finds no own sessions.
    assert not can_view(Viewer("coach.kim@example.org", "applicant"), ANA)


def test_empty_email_never_matches():
    assert not can_view(Viewer("", "applicant"), NOEMAIL)
    assert not can_view(Viewer("", "coach"), NOEMAIL)
    assert filter_sessions(Viewer("", "coach"), SESSIONS, APPLICANTS) == []


def test_unknown_applicant_hidden_from_non_admins():
    kim = Viewer("coach.kim@example.org", "coach")
    assert "s5" not in ids(filter_sessions(kim, SESSIONS, APPLICANTS))


def test_mappings_work_as_applicants():
    row = {"email": "x@example.org", "coach_email": "c@example.org"}
    assert can_view(Viewer("c@example.org", "coach"), row)
    assert can_view(Viewer("x@example.org", "applicant"), row)
    with pytest.raises(AccessError, match="not allowed"):
        check_can_view(Viewer("y@example.org", "applicant"), row)


def test_unknown_role_rejected():
    with pytest.raises(AccessError, match="unknown role"):
        Viewer("x@example.org", "superuser")  # type: ignore[arg-type]


def test_resolve_viewer_local_without_auth():
    assert resolve_viewer(shared=False, auth_configured=False, logged_in=False) == LOCAL_VIEWER


def test_resolve_viewer_refuses_shared_database_without_auth():
    with pytest.raises(AccessError, match=r"\[auth\]"):
        resolve_viewer(shared=True, auth_configured=False, logged_in=False)


def test_resolve_viewer_needs_login_when_auth_configured():
    assert resolve_viewer(shared=True, auth_configured=True, logged_in=False) is None


def test_resolve_viewer_roles():
    settings = AccessSettings.from_mapping({"admins": ["Boss@example.org"], "coaches": "lee@example.org"})
    common = dict(shared=True, auth_configured=True, logged_in=True, settings=settings,
                  coach_emails=["coach.kim@example.org"])
    assert resolve_viewer(email="boss@example.org", **common).role == "admin"
    assert resolve_viewer(email="lee@example.org", **common).role == "coach"
    assert resolve_viewer(email="COACH.KIM@example.org", **common).role == "coach"
    viewer = resolve_viewer(email="ana@example.org", **common)
    assert viewer == Viewer("ana@example.org", "applicant")
    with pytest.raises(AccessError, match="email"):
        resolve_viewer(email="", **common)


def test_who_may_review():
    assert can_review(LOCAL_VIEWER, ANA)
    assert can_review(Viewer("boss@example.org", "admin"), BEN)
    assert can_review(Viewer("coach.kim@example.org", "coach"), ANA)
    assert not can_review(Viewer("coach.kim@example.org", "coach"), BEN)
    # applicants read their own reviews but do not write them
    assert can_view(Viewer("ana@example.org", "applicant"), ANA)
    assert not can_review(Viewer("ana@example.org", "applicant"), ANA)


def test_unverified_login_email_is_refused():
    common = dict(shared=True, auth_configured=True, logged_in=True, email="ana@example.org")
    with pytest.raises(AccessError, match="not verified"):
        resolve_viewer(email_verified=False, **common)
    assert resolve_viewer(email_verified=True, **common).email == "ana@example.org"
    assert resolve_viewer(**common).role == "applicant"  # providers that send no claim
