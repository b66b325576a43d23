"""Sessions and their answers (every attempt), and the audio each answer keeps."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import StorageError
from .engine import Repository
from .files import save_audio, session_folder
from .models import (
    AnswerRow,
    ApplicantRow,
    CommentRow,
    EmailDraftRow,
    OverrideRow,
    ProfileRow,
    SessionRow,
)
from .records import (
    MODES,
    SOURCES,
    STATUSES,
    AnswerRecord,
    ApplicantRecord,
    CommentRecord,
    OverrideRecord,
    ProfileRecord,
    SessionRecord,
    as_json,
    copy_record,
    new_id,
    utcnow,
)


class SessionRepository(Repository):
    """Sessions (the questions as drawn) and answers (attempts, transcripts, scores)."""

    def create_session(self, applicant_id: str | None, profile_id: str | None, *,
                       mode: str = "practice", seed: int | None = None,
                       questions: Iterable[dict] | None = None,
                       question_ids: Iterable[str] | None = None,
                       id: str | None = None) -> SessionRecord:
        """Start a session. ``questions``: the drawn questions as asked (dicts with at least
        ``id`` and ``text``); ``question_ids`` defaults to their ids."""
        if mode not in MODES:
            raise StorageError(f"unknown mode {mode!r}: use 'practice' or 'interview'")
        qs = [dict(q) for q in (questions or [])]
        ids = list(question_ids) if question_ids is not None else [q.get("id") for q in qs]
        with self._db.write() as db:
            if applicant_id is not None:
                self._db.need(db, ApplicantRow, applicant_id, "applicant")
            if profile_id is not None:
                self._db.need(db, ProfileRow, profile_id, "program profile")
            row = SessionRow(id=id or new_id(), applicant_id=applicant_id, profile_id=profile_id,
                           mode=mode, seed=seed, question_ids=ids, questions=qs,
                           created_at=utcnow())
            db.add(row)
        return self.get_session(row.id)

    def get_session(self, session_id: str) -> SessionRecord:
        """A session with its applicant, profile, answers (latest attempt per position),
        every attempt per position, and comments/overrides."""
        with self._db.read() as db:
            row = self._db.need(db, SessionRow, session_id, "session")
            return self._session_record(db, row, full=True)

    def _session_record(self, db: Session, row: SessionRow, *, full: bool,
                        cache: dict | None = None) -> SessionRecord:
        cache = cache if cache is not None else {}
        applicant = profile = None
        if row.applicant_id:
            key = ("a", row.applicant_id)
            if key not in cache:
                cache[key] = copy_record(ApplicantRecord, db.get(ApplicantRow, row.applicant_id))
            applicant = cache[key]
        if row.profile_id:
            key = ("p", row.profile_id)
            if key not in cache:
                cache[key] = copy_record(ProfileRecord, db.get(ProfileRow, row.profile_id))
            profile = cache[key]
        answers = list(db.scalars(sa.select(AnswerRow).where(AnswerRow.session_id == row.id)
                                  .order_by(AnswerRow.position, AnswerRow.attempt)))
        comments = [copy_record(CommentRecord, c) for c in db.scalars(
            sa.select(CommentRow).where(CommentRow.session_id == row.id)
            .order_by(CommentRow.created_at))]
        answer_ids = [a.id for a in answers]
        overrides: list[OverrideRow] = []
        if answer_ids:
            overrides = list(db.scalars(sa.select(OverrideRow)
                                        .where(OverrideRow.answer_id.in_(answer_ids))
                                        .order_by(OverrideRow.created_at)))
        attempts: dict[int, list[AnswerRecord]] = {}
        for a in answers:
            rec = copy_record(AnswerRecord, a,
                        comments=[c for c in comments if c.answer_id == a.id],
                        overrides=[copy_record(OverrideRecord, o) for o in overrides
                                   if o.answer_id == a.id])
            attempts.setdefault(a.position, []).append(rec)
        latest = [attempts[p][-1] for p in sorted(attempts)]
        return copy_record(SessionRecord, row, questions=list(row.questions or []),
                     applicant=applicant, profile=profile, answers=latest,
                     attempts=attempts if full else {}, comments=comments)

    def list_sessions(self, *, applicant_id: str | None = None, profile_id: str | None = None,
                      reviewed: bool | None = None, since: datetime | None = None,
                      until: datetime | None = None,
                      applicant_ids: Iterable[str] | None = None,
                      limit: int | None = None) -> list[SessionRecord]:
        """Sessions, newest first, with applicant, profile and latest answers.
        Filters: one applicant, a set of applicants (``applicant_ids``, for the access rule),
        one profile, reviewed or not, created in [since, until)."""
        q = sa.select(SessionRow)
        if applicant_id is not None:
            q = q.where(SessionRow.applicant_id == applicant_id)
        if applicant_ids is not None:
            q = q.where(SessionRow.applicant_id.in_(list(applicant_ids)))
        if profile_id is not None:
            q = q.where(SessionRow.profile_id == profile_id)
        if reviewed is True:
            q = q.where(SessionRow.reviewed_at.is_not(None))
        elif reviewed is False:
            q = q.where(SessionRow.reviewed_at.is_(None))
        if since is not None:  # UTCDateTime converts aware datetimes to UTC
            q = q.where(SessionRow.created_at >= since)
        if until is not None:
            q = q.where(SessionRow.created_at < until)
        q = q.order_by(SessionRow.created_at.desc())
        if limit:
            q = q.limit(limit)
        with self._db.read() as db:
            cache: dict = {}
            return [self._session_record(db, r, full=False, cache=cache) for r in db.scalars(q)]

    def finish_session(self, session_id: str, at: datetime | None = None) -> SessionRecord:
        """Record that the applicant finished the session."""
        with self._db.write() as db:
            row = self._db.need(db, SessionRow, session_id, "session")
            row.finished_at = at or utcnow()
        return self.get_session(session_id)

    def set_session_questions(self, session_id: str, questions: Iterable[dict]) -> SessionRecord:
        """Replace the question list of a session that has no answer yet (e.g. redraw)."""
        qs = [dict(q) for q in questions]
        with self._db.write() as db:
            row = self._db.need(db, SessionRow, session_id, "session")
            if db.scalar(sa.select(sa.func.count()).select_from(AnswerRow)
                         .where(AnswerRow.session_id == session_id)):
                raise StorageError("this session already has answers; start a new session "
                                   "to practise other questions")
            row.questions = qs
            row.question_ids = [q.get("id") for q in qs]
        return self.get_session(session_id)

    def delete_session(self, session_id: str, *, delete_audio: bool = True) -> None:
        """Delete a session, its answers, comments, overrides and drafts (explicit only)."""
        with self._db.write() as db:
            row = self._db.need(db, SessionRow, session_id, "session")
            answer_ids = list(db.scalars(sa.select(AnswerRow.id)
                                         .where(AnswerRow.session_id == session_id)))
            if answer_ids:
                db.execute(sa.delete(OverrideRow).where(OverrideRow.answer_id.in_(answer_ids)))
            db.execute(sa.delete(CommentRow).where(CommentRow.session_id == session_id))
            db.execute(sa.delete(EmailDraftRow).where(EmailDraftRow.session_id == session_id))
            db.execute(sa.delete(AnswerRow).where(AnswerRow.session_id == session_id))
            db.delete(row)
        if delete_audio:
            folder = session_folder(self._store.root, session_id)  # proven inside audio/
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    # ---- answers --------------------------------------------------------------------

    def add_answer(self, session_id: str, position: int, *, question_id: str | None,
                   question_text: str, category: str | None = None, kind: str | None = None,
                   suggested_seconds: int | None = None, follow_ups: Iterable[str] = (),
                   look_for: str | None = None, source: str | None = None,
                   audio: bytes | str | os.PathLike | None = None,
                   filename: str | None = None, text: str | None = None,
                   id: str | None = None) -> AnswerRecord:
        """Store a new attempt at ``position`` (1-based; attempt numbers count up).

        ``audio`` (bytes, or a path to copy) is written to
        ``audio/<session>/<answer>.<ext>`` first (``ext`` from ``filename``, the path, or
        the bytes' signature); only then is the row inserted with status "recorded".
        ``text`` alone stores a typed answer (source "typed")."""
        if position < 1:
            raise StorageError(f"answer position must be 1 or more, got {position}")
        if audio is None and text is None:
            raise StorageError("an answer needs audio or typed text")
        source = source or ("typed" if audio is None else "upload")
        if source not in SOURCES:
            raise StorageError(f"unknown answer source {source!r}; use one of {SOURCES}")
        with self._db.read() as db:  # fail early on an unknown session, before writing
            self._db.need(db, SessionRow, session_id, "session")
        answer_id = id or new_id()
        rel = None
        if audio is not None:
            rel = save_audio(self._store.root, session_id, answer_id, audio, filename)
        now = utcnow()
        for tries in range(8):
            try:
                with self._db.write() as db:
                    attempt = (db.scalar(sa.select(sa.func.max(AnswerRow.attempt))
                                         .where(AnswerRow.session_id == session_id,
                                                AnswerRow.position == position)) or 0) + 1
                    db.add(AnswerRow(id=answer_id, session_id=session_id, position=position,
                                   attempt=attempt, question_id=question_id,
                                   question_text=question_text or "", category=category,
                                   kind=kind, suggested_seconds=suggested_seconds,
                                   follow_ups=list(follow_ups or []), look_for=look_for,
                                   source=source, audio_path=rel, text=text,
                                   status="recorded", created_at=now, updated_at=now))
                break
            except SQLAlchemyError as exc:
                # a concurrent attempt at the same position took this attempt number: retry
                # with the next one; anything else (e.g. a duplicate id) is an error
                race = isinstance(exc, sa.exc.IntegrityError) and tries < 7 and \
                    not self._db.exists(AnswerRow, answer_id)
                if race:
                    continue
                where = f" The recording is kept at {self._store.root / rel}." if rel else ""
                raise StorageError(f"could not save the answer: {exc.__class__.__name__}.{where}"
                                   ) from exc
        return self.get_answer(answer_id)

    def get_answer(self, answer_id: str) -> AnswerRecord:
        """One attempt, with its comments and overrides."""
        with self._db.read() as db:
            row = self._db.need(db, AnswerRow, answer_id, "answer")
            comments = [copy_record(CommentRecord, c) for c in db.scalars(
                sa.select(CommentRow).where(CommentRow.answer_id == answer_id)
                .order_by(CommentRow.created_at))]
            overrides = [copy_record(OverrideRecord, o) for o in db.scalars(
                sa.select(OverrideRow).where(OverrideRow.answer_id == answer_id)
                .order_by(OverrideRow.created_at))]
            return copy_record(AnswerRecord, row, comments=comments, overrides=overrides)

    def answer_attempts(self, session_id: str, position: int) -> list[AnswerRecord]:
        """Every attempt at one position of a session, oldest first."""
        return list(self.get_session(session_id).attempts.get(position, []))

    _UPDATABLE = {"text", "transcript", "metrics", "scores", "overall", "status", "error",
                  "question_text"}

    def update_answer(self, answer_id: str, **changes) -> AnswerRecord:
        """Set any of text, transcript, metrics, scores (records with ``to_dict()`` or dicts),
        overall, status ('recorded'|'transcribing'|'scored'|'failed'), error."""
        bad = set(changes) - self._UPDATABLE
        if bad:
            raise StorageError(f"cannot change answer field(s) {sorted(bad)}; "
                               f"allowed: {sorted(self._UPDATABLE)}")
        if "status" in changes and changes["status"] not in STATUSES:
            raise StorageError(f"unknown answer status {changes['status']!r}; use one of {STATUSES}")
        with self._db.write() as db:
            row = self._db.need(db, AnswerRow, answer_id, "answer")
            for k, v in changes.items():
                if k in ("transcript", "metrics", "scores"):
                    v = as_json(v)
                setattr(row, k, v)
            row.updated_at = utcnow()
        return self.get_answer(answer_id)

    def recent_question_ids(self, applicant_id: str | None, limit: int = 20) -> list[str]:
        """Ids of the questions this applicant answered most recently (distinct, newest
        first), to pass to ``draw(exclude_ids=...)``. Empty without an applicant."""
        if not applicant_id or limit <= 0:
            return []
        q = (sa.select(AnswerRow.question_id, sa.func.max(AnswerRow.created_at).label("last"))
             .join(SessionRow, SessionRow.id == AnswerRow.session_id)
             .where(SessionRow.applicant_id == applicant_id, AnswerRow.question_id.is_not(None))
             .group_by(AnswerRow.question_id)
             .order_by(sa.desc("last"), AnswerRow.question_id)
             .limit(limit))
        with self._db.read() as db:
            return [qid for qid, _ in db.execute(q)]
