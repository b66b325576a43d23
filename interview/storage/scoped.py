"""The store as one viewer may use it: every query filtered by the access rule.

:meth:`Store.for_viewer` returns a :class:`ViewerStore`. Its reads apply
:func:`interview.access.scope` in SQL (a session, answer, profile or draft of an applicant the
viewer may not see is not found, exactly like an unknown id), and its writes check the rule
first (only coaches of the applicant, admins and the local user review; only the applicant
themself answers, practises and drafts emails; only admins assign coaches). Methods it does
not offer (import, delete, raw ids of other people) are simply not there: the app's pages get
nothing else, so a new page cannot forget the rule.

The CLI uses the unscoped :class:`~interview.storage.store.Store`: it is the server owner's
tool (whoever holds the database credentials).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import sqlalchemy as sa

from ..access import AccessError, Scope, Viewer, can_review, is_admin, normalise_email, owns, scope
from ..errors import NotFound
from .models import AnswerRow, ApplicantRow, EmailDraftRow, ProfileRow, SessionRow
from .records import AnswerRecord, ApplicantRecord, EmailDraftRecord, ProfileRecord, SessionRecord


def applicant_filter(s: Scope):
    """The SQL condition on ``applicants`` for a scope (None: no filter)."""
    if s.everything:
        return None
    conds = []
    if s.applicant_email:
        conds.append(ApplicantRow.email == s.applicant_email)
    if s.coach_email:
        conds.append(ApplicantRow.coach_email == s.coach_email)
    return sa.or_(*conds) if conds else sa.false()


def _not_found(what: str, id_: str | None) -> NotFound:
    return NotFound(f"no {what} with id {id_!r}; list them to find the right id")


class ViewerStore:
    """A :class:`Store` bound to one :class:`Viewer` (see the module docstring)."""

    def __init__(self, store, viewer: Viewer):
        self._store = store
        self.viewer = viewer
        self._scope = scope(viewer)

    # ---- plumbing ---------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self._store.root

    def audio_file(self, answer: AnswerRecord | str) -> Path | None:
        """The recording of an answer read through this store (paths proven inside)."""
        return self._store.audio_file(answer)

    def _visible_applicant_ids(self) -> list[str] | None:
        """Ids of the applicants the viewer may see (None: every one)."""
        cond = applicant_filter(self._scope)
        if cond is None:
            return None
        with self._store.database.read() as db:
            return list(db.scalars(sa.select(ApplicantRow.id).where(cond)))

    def _session_visible(self, session_id: str | None) -> bool:
        if not session_id:
            return False
        q = sa.select(SessionRow.id).where(SessionRow.id == session_id)
        cond = applicant_filter(self._scope)
        if cond is not None:
            q = q.join(ApplicantRow, ApplicantRow.id == SessionRow.applicant_id).where(cond)
        with self._store.database.read() as db:
            return db.scalar(q) is not None

    def _need_session(self, session_id: str) -> SessionRecord:
        if not self._session_visible(session_id):
            raise _not_found("session", session_id)
        return self._store.get_session(session_id)

    def _need_own_session(self, session_id: str) -> SessionRecord:
        """A session the viewer practises themself (answers, finishing, email drafts)."""
        sess = self._need_session(session_id)
        if not owns(self.viewer, sess.applicant) and not self.viewer.sees_everything:
            raise AccessError("only the applicant can answer or change this session")
        return sess

    def _need_reviewable(self, session_id: str) -> SessionRecord:
        sess = self._need_session(session_id)
        if not (can_review(self.viewer, sess.applicant) if sess.applicant
                else self.viewer.sees_everything):
            raise AccessError("only the applicant's coach or an admin can review this session")
        return sess

    def _answer_session(self, answer_id: str) -> str:
        with self._store.database.read() as db:
            sid = db.scalar(sa.select(AnswerRow.session_id).where(AnswerRow.id == answer_id))
        if sid is None or not self._session_visible(sid):
            raise _not_found("answer", answer_id)
        return sid

    # ---- applicants and profiles ------------------------------------------------------

    def list_applicants(self) -> list[ApplicantRecord]:
        """The applicants the viewer may see, by name."""
        ids = self._visible_applicant_ids()
        everyone = self._store.list_applicants()
        return everyone if ids is None else [a for a in everyone if a.id in set(ids)]

    def get_applicant(self, applicant_id: str) -> ApplicantRecord:
        ids = self._visible_applicant_ids()
        if ids is not None and applicant_id not in ids:
            raise _not_found("applicant", applicant_id)
        return self._store.get_applicant(applicant_id)

    def own_applicant(self, name: str = "") -> ApplicantRecord:
        """The applicant the viewer practises as.

        Logged in: the applicant linked to the login email, created (with ``name``, else the
        email) on first use; a typed ``name`` renames it. Locally (no login): the applicant
        with this typed name, added if new, as before logins existed."""
        name = (name or "").strip()
        if self.viewer.role == "local":
            return self._store.get_or_add_applicant(name)
        email = self.viewer.email
        if not email:
            raise AccessError("your login did not provide an email address; ask an administrator")
        mine = self._store.list_applicants(email=email)
        if mine:
            rec = mine[0]
            if name and name != rec.name:
                rec = self._store.update_applicant(rec.id, name=name)
            return rec
        return self._store.add_applicant(name or self.viewer.name or email, email=email)

    def find_applicant(self, name: str) -> ApplicantRecord | None:
        wanted = (name or "").strip().lower()
        return next((a for a in self.list_applicants() if a.name.lower() == wanted), None)

    def get_or_add_applicant(self, name: str, **details) -> ApplicantRecord:
        """Kept for the pipeline: the viewer's own applicant (see :meth:`own_applicant`)."""
        if self.viewer.role == "local":
            return self._store.get_or_add_applicant(name, **details)
        return self.own_applicant(name)

    def assign_coach(self, applicant_id: str, coach_email: str | None) -> ApplicantRecord:
        """Admins: make ``coach_email`` the applicant's coach (None or '' removes it)."""
        if not is_admin(self.viewer):
            raise AccessError("only an administrator can assign applicants to coaches")
        return self._store.update_applicant(applicant_id,
                                            coach_email=normalise_email(coach_email) or None)

    def list_profiles(self, *, applicant_id: str | None = None) -> list[ProfileRecord]:
        """Program profiles of the applicants the viewer may see (unowned ones only for
        those who see everything), newest first."""
        everyone = self._store.list_profiles(applicant_id=applicant_id)
        ids = self._visible_applicant_ids()
        if ids is None:
            return everyone
        allowed = set(ids)
        return [p for p in everyone if p.applicant_id in allowed]

    def get_profile(self, profile_id: str) -> ProfileRecord:
        rec = self._store.get_profile(profile_id)
        ids = self._visible_applicant_ids()
        if ids is not None and rec.applicant_id not in set(ids):
            raise _not_found("program profile", profile_id)
        return rec

    def find_or_add_profile(self, profile, *, applicant_id: str | None = None) -> ProfileRecord:
        self._need_own_applicant(applicant_id)
        return self._store.find_or_add_profile(profile, applicant_id=applicant_id)

    def _need_own_applicant(self, applicant_id: str | None) -> None:
        if self.viewer.sees_everything:
            return
        if applicant_id is None:
            raise AccessError("log in and practise as yourself")
        if not owns(self.viewer, self.get_applicant(applicant_id)):
            raise AccessError("you can only practise as yourself")

    # ---- sessions and answers ---------------------------------------------------------

    def list_sessions(self, *, applicant_ids: Iterable[str] | None = None,
                      **filters: Any) -> list[SessionRecord]:
        """Sessions the viewer may see, newest first (``Store.list_sessions`` filters)."""
        ids = self._visible_applicant_ids()
        if ids is not None:
            ids = [i for i in ids if applicant_ids is None or i in set(applicant_ids)]
            if not ids:
                return []
            applicant_ids = ids
        return self._store.list_sessions(applicant_ids=applicant_ids, **filters)

    def get_session(self, session_id: str) -> SessionRecord:
        return self._need_session(session_id)

    def get_answer(self, answer_id: str) -> AnswerRecord:
        self._answer_session(answer_id)
        return self._store.get_answer(answer_id)

    def answer_attempts(self, session_id: str, position: int) -> list[AnswerRecord]:
        return list(self._need_session(session_id).attempts.get(position, []))

    def recent_question_ids(self, applicant_id: str | None, limit: int = 20) -> list[str]:
        if applicant_id is not None:
            self.get_applicant(applicant_id)
        return self._store.recent_question_ids(applicant_id, limit)

    def create_session(self, applicant_id: str | None, profile_id: str | None,
                       **kwargs: Any) -> SessionRecord:
        self._need_own_applicant(applicant_id)
        if profile_id is not None:
            self.get_profile(profile_id)
        return self._store.create_session(applicant_id, profile_id, **kwargs)

    def set_session_questions(self, session_id: str, questions) -> SessionRecord:
        self._need_own_session(session_id)
        return self._store.set_session_questions(session_id, questions)

    def finish_session(self, session_id: str, at=None) -> SessionRecord:
        self._need_own_session(session_id)
        return self._store.finish_session(session_id, at)

    def add_answer(self, session_id: str, position: int, **kwargs: Any) -> AnswerRecord:
        self._need_own_session(session_id)
        return self._store.add_answer(session_id, position, **kwargs)

    def update_answer(self, answer_id: str, **changes: Any) -> AnswerRecord:
        self._need_own_session(self._answer_session(answer_id))
        return self._store.update_answer(answer_id, **changes)

    # ---- claims and recovery (the Practice page finishes one's own unfinished answers) --

    def claim_answer(self, answer_id: str, *, wait: float = 0):
        """This process's claim on an answer id (a lock; it reads nothing)."""
        return self._store.claim_answer(answer_id, wait=wait)

    def hold_claim(self, answer_id: str):
        """This process's claim on an answer until released (a streamed take)."""
        return self._store.hold_claim(answer_id)

    def append_audio(self, answer, pcm: bytes) -> int:
        """Append samples to the viewer's own answer's growing recording."""
        self._need_own_session(self._answer_session(answer.id))
        return self._store.append_audio(self._store.get_answer(answer.id), pcm)

    def answer_claimed(self, answer_id: str) -> bool:
        return self._store.answer_claimed(answer_id)

    def _own_session_ids(self) -> set[str] | None:
        """Sessions the viewer practised themself (None: every session, for those who see
        everything)."""
        if self.viewer.sees_everything:
            return None
        if not self.viewer.email:
            return set()
        with self._store.database.read() as db:
            return set(db.scalars(
                sa.select(SessionRow.id).join(ApplicantRow, ApplicantRow.id == SessionRow.applicant_id)
                .where(ApplicantRow.email == self.viewer.email)))

    def unfinished_answers(self) -> list[AnswerRecord]:
        own = self._own_session_ids()
        return [a for a in self._store.unfinished_answers() if own is None or a.session_id in own]

    def audio_files(self):
        own = self._own_session_ids()
        return [f for f in self._store.audio_files() if own is None or f.session_id in own]

    def existing_answer_ids(self, ids: Iterable[str]) -> set[str]:
        return self._store.existing_answer_ids(ids)

    def sweep_claims(self) -> int:
        """Remove claim files left by dead processes (they name no one's data)."""
        return self._store.sweep_claims()

    def latest_attempts(self, session_ids: Iterable[str]) -> dict[tuple[str, int, int], int]:
        """(session, position, follow-up number) -> latest attempt, for the viewer's own
        sessions among ``session_ids`` (recovery of one's own failed answers)."""
        own = self._own_session_ids()
        ids = [s for s in session_ids if own is None or s in own]
        return self._store.latest_attempts(ids)

    def existing_session_ids(self, ids: Iterable[str]) -> set[str]:
        own = self._own_session_ids()
        found = self._store.existing_session_ids(ids)
        return found if own is None else found & own

    def stored_videos(self) -> list[AnswerRecord]:
        """The viewer's own answer videos (everyone's for those who see everything): only
        the applicant (or an admin) decides when their videos go."""
        return self._store.stored_videos(session_ids=self._own_session_ids())

    def delete_video(self, answer_id: str, at=None) -> AnswerRecord:
        self._need_own_session(self._answer_session(answer_id))
        return self._store.delete_video(answer_id, at=at)

    def adopt_audio(self, meta: dict) -> AnswerRecord:
        own = self._own_session_ids()
        if own is not None and meta.get("session_id") not in own:
            raise AccessError("only the applicant can finish this answer")
        return self._store.adopt_audio(meta)

    # ---- coach review -----------------------------------------------------------------

    def mark_reviewed(self, session_id: str, by: str, **kwargs: Any) -> SessionRecord:
        self._need_reviewable(session_id)
        return self._store.mark_reviewed(session_id, by, **kwargs)

    def add_comment(self, session_id: str, body: str, **kwargs: Any):
        self._need_reviewable(session_id)
        answer_id = kwargs.get("answer_id")
        if answer_id is not None and self._answer_session(answer_id) != session_id:
            raise _not_found("answer", answer_id)
        return self._store.add_comment(session_id, body, **kwargs)

    def set_override(self, answer_id: str, criterion_id: str, score, **kwargs: Any):
        self._need_reviewable(self._answer_session(answer_id))
        return self._store.set_override(answer_id, criterion_id, score, **kwargs)

    def list_comments(self, session_id: str, **kwargs: Any):
        self._need_session(session_id)
        return self._store.list_comments(session_id, **kwargs)

    def list_overrides(self, answer_id: str):
        self._answer_session(answer_id)
        return self._store.list_overrides(answer_id)

    # ---- email drafts -----------------------------------------------------------------

    def _draft_visible(self, rec: EmailDraftRecord) -> bool:
        if self.viewer.sees_everything:
            return True
        if rec.session_id is not None:
            return self._session_visible(rec.session_id)
        return bool(self.viewer.email) and normalise_email(rec.owner_email) == self.viewer.email

    def _draft_writable(self, rec: EmailDraftRecord) -> bool:
        if self.viewer.sees_everything:
            return True
        if rec.session_id is not None:
            try:
                self._need_own_session(rec.session_id)
            except (AccessError, NotFound):
                return False
            return True
        return normalise_email(rec.owner_email) == self.viewer.email != ""

    def save_email_draft(self, session_id: str | None, **kwargs: Any) -> EmailDraftRecord:
        if session_id is not None:
            self._need_own_session(session_id)
        elif self.viewer.role != "local" and not self.viewer.email:
            raise AccessError("log in to save email drafts")
        kwargs.pop("owner_email", None)
        return self._store.save_email_draft(session_id, owner_email=self.viewer.email or None,
                                            **kwargs)

    def get_email_draft(self, draft_id: str) -> EmailDraftRecord:
        rec = self._store.get_email_draft(draft_id)
        if not self._draft_visible(rec):
            raise _not_found("email draft", draft_id)
        return rec

    def list_email_drafts(self, session_id: str | None = None) -> list[EmailDraftRecord]:
        if session_id is not None:
            self._need_session(session_id)
        return [d for d in self._store.list_email_drafts(session_id) if self._draft_visible(d)]

    def list_standalone_email_drafts(self) -> list[EmailDraftRecord]:
        """Drafts saved without a session: the viewer's own (everyone's for the local user
        and admins), newest first. Filtered in SQL by owner."""
        if self.viewer.sees_everything:
            return self._store.list_standalone_email_drafts()
        if not self.viewer.email:
            return []
        with self._store.database.read() as db:
            ids = set(db.scalars(sa.select(EmailDraftRow.id).where(
                EmailDraftRow.session_id.is_(None), EmailDraftRow.owner_email == self.viewer.email)))
        return [d for d in self._store.list_standalone_email_drafts() if d.id in ids]

    def update_email_draft(self, draft_id: str, **changes: Any) -> EmailDraftRecord:
        if not self._draft_writable(self.get_email_draft(draft_id)):
            raise AccessError("only whoever saved this draft can change it")
        return self._store.update_email_draft(draft_id, **changes)

    def delete_email_draft(self, draft_id: str) -> None:
        if not self._draft_writable(self.get_email_draft(draft_id)):
            raise AccessError("only whoever saved this draft can delete it")
        self._store.delete_email_draft(draft_id)

    # ---- export -----------------------------------------------------------------------

    def export_session(self, session_id: str) -> dict:
        self._need_session(session_id)
        return self._store.export_session(session_id)
