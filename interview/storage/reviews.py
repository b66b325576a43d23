"""Coach review: comments, score overrides, and the "reviewed" mark."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..errors import StorageError
from .engine import Repository
from .models import AnswerRow, CommentRow, OverrideRow, SessionRow
from .records import (
    CommentRecord,
    OverrideRecord,
    SessionRecord,
    copy_record,
    new_id,
    utcnow,
)


class ReviewRepository(Repository):
    """What a coach adds to a session: comments, overrides, the reviewed mark."""

    def mark_reviewed(self, session_id: str, by: str, *, reviewed: bool = True,
                      at: datetime | None = None) -> SessionRecord:
        """Mark a session reviewed by a coach (``reviewed=False`` clears the mark)."""
        with self._db.write() as db:
            row = self._db.need(db, SessionRow, session_id, "session")
            if reviewed:
                row.reviewed_at = at or utcnow()
                row.reviewed_by = (by or "").strip() or None
            else:
                row.reviewed_at = None
                row.reviewed_by = None
        return self._store.get_session(session_id)


    def add_comment(self, session_id: str, body: str, *, author: str = "",
                    answer_id: str | None = None) -> CommentRecord:
        """A coach's comment on the session or on one of its answers."""
        body = (body or "").strip()
        if not body:
            raise StorageError("a comment cannot be empty")
        with self._db.write() as db:
            self._db.need(db, SessionRow, session_id, "session")
            if answer_id is not None:
                ans = self._db.need(db, AnswerRow, answer_id, "answer")
                if ans.session_id != session_id:
                    raise StorageError(f"answer {answer_id!r} is not part of session "
                                       f"{session_id!r}")
            row = CommentRow(id=new_id(), session_id=session_id, answer_id=answer_id,
                           author=(author or "").strip(), body=body, created_at=utcnow())
            db.add(row)
            db.flush()
            return copy_record(CommentRecord, row)

    def list_comments(self, session_id: str, *, answer_id: str | None = None) -> list[CommentRecord]:
        with self._db.read() as db:
            self._db.need(db, SessionRow, session_id, "session")
            q = sa.select(CommentRow).where(CommentRow.session_id == session_id)
            if answer_id is not None:
                q = q.where(CommentRow.answer_id == answer_id)
            return [copy_record(CommentRecord, c) for c in db.scalars(q.order_by(CommentRow.created_at))]

    def set_override(self, answer_id: str, criterion_id: str, score: float | None, *,
                     reason: str, author: str = "") -> OverrideRecord:
        """Override one criterion's score (1-5) with a reason; the automatic score is kept
        beside it. ``score=None`` reverts to the automatic score (also with a reason).
        Every override is kept; the latest one counts."""
        reason = (reason or "").strip()
        if not reason:
            raise StorageError("an override needs a reason (say why the score should change)")
        if score is not None and not (1 <= float(score) <= 5):
            raise StorageError(f"an override score must be between 1 and 5, got {score}")
        with self._db.write() as db:
            row = self._db.need(db, AnswerRow, answer_id, "answer")
            criteria = list((row.scores or {}).get("criteria") or [])
            if not criteria:
                raise StorageError("this answer has no automatic scores yet; score it (or "
                                   "retry it) before overriding")
            match = [c for c in criteria if c.get("id") == criterion_id]
            if not match:
                raise StorageError(f"unknown criterion {criterion_id!r} for this answer; known: "
                                   f"{', '.join(str(c.get('id')) for c in criteria)}")
            o = OverrideRow(id=new_id(), answer_id=answer_id, criterion_id=criterion_id,
                          auto_score=match[0].get("score"),
                          score=float(score) if score is not None else None,
                          reason=reason, author=(author or "").strip(), created_at=utcnow())
            db.add(o)
            db.flush()
            return copy_record(OverrideRecord, o)

    def list_overrides(self, answer_id: str) -> list[OverrideRecord]:
        return list(self._store.get_answer(answer_id).overrides)
