"""Thank-you email drafts (with a session, or standalone)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..errors import StorageError
from .engine import Repository
from .models import EmailDraftRow, SessionRow
from .records import EmailDraftRecord, copy_record, new_id, parse_dt, utcnow


class DraftRepository(Repository):
    """Email drafts, one per interviewer."""

    _DRAFT_FIELDS = {"interviewer_name", "interviewer_title", "interviewer_role",
                     "interviewer_email", "detail", "tone", "subject", "body", "send_by"}

    def save_email_draft(self, session_id: str | None, *, interviewer_name: str,
                         subject: str, body: str, interviewer_title: str | None = None,
                         interviewer_role: str | None = None,
                         interviewer_email: str | None = None, detail: str | None = None,
                         tone: str | None = None, send_by: datetime | str | None = None,
                         id: str | None = None, owner_email: str | None = None) -> EmailDraftRecord:
        """Save a new thank-you draft (with the session, or standalone with None);
        ``owner_email``: the login email of whoever saves it."""
        if not (interviewer_name or "").strip():
            raise StorageError("an email draft needs the interviewer's name")
        now = utcnow()
        with self._db.write() as db:
            if session_id is not None:
                self._db.need(db, SessionRow, session_id, "session")
            row = EmailDraftRow(id=id or new_id(), session_id=session_id,
                              interviewer_name=interviewer_name.strip(),
                              interviewer_title=interviewer_title, interviewer_role=interviewer_role,
                              interviewer_email=interviewer_email, detail=detail, tone=tone,
                              subject=subject or "", body=body or "", send_by=parse_dt(send_by),
                              created_at=now, updated_at=now,
                              owner_email=(owner_email or "").strip().lower() or None)
            db.add(row)
            db.flush()
            return copy_record(EmailDraftRecord, row)

    def get_email_draft(self, draft_id: str) -> EmailDraftRecord:
        with self._db.read() as db:
            return copy_record(EmailDraftRecord, self._db.need(db, EmailDraftRow, draft_id, "email draft"))

    def list_email_drafts(self, session_id: str | None = None) -> list[EmailDraftRecord]:
        """Drafts of one session (or every draft with None), oldest first."""
        q = sa.select(EmailDraftRow)
        if session_id is not None:
            q = q.where(EmailDraftRow.session_id == session_id)
        with self._db.read() as db:
            return [copy_record(EmailDraftRecord, r)
                    for r in db.scalars(q.order_by(EmailDraftRow.created_at))]

    def list_standalone_email_drafts(self) -> list[EmailDraftRecord]:
        """Drafts saved without a session (``session_id`` NULL), newest first.

        :meth:`list_email_drafts` with no session returns *every* draft; this is the list a
        page shows when no practice session is picked, so drafts typed for a program by hand
        stay findable after a reload or restart.
        """
        q = (sa.select(EmailDraftRow).where(EmailDraftRow.session_id.is_(None))
             .order_by(EmailDraftRow.created_at.desc()))
        with self._db.read() as db:
            return [copy_record(EmailDraftRecord, r) for r in db.scalars(q)]

    def update_email_draft(self, draft_id: str, **changes) -> EmailDraftRecord:
        """Edit a draft (subject, body, tone, detail, interviewer_*, send_by)."""
        bad = set(changes) - self._DRAFT_FIELDS
        if bad:
            raise StorageError(f"cannot change email draft field(s) {sorted(bad)}; "
                               f"allowed: {sorted(self._DRAFT_FIELDS)}")
        with self._db.write() as db:
            row = self._db.need(db, EmailDraftRow, draft_id, "email draft")
            for k, v in changes.items():
                setattr(row, k, parse_dt(v) if k == "send_by" else v)
            row.updated_at = utcnow()
            db.flush()
            return copy_record(EmailDraftRecord, row)

    def delete_email_draft(self, draft_id: str) -> None:
        """Delete one draft (explicit user action only)."""
        with self._db.write() as db:
            db.delete(self._db.need(db, EmailDraftRow, draft_id, "email draft"))
