"""Sessions and their answers (every attempt), and the audio each answer keeps."""

from __future__ import annotations

import os
import shutil
from contextlib import nullcontext
from datetime import datetime
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..errors import StorageError
from .engine import DatabaseError, Repository
from .files import _fsync_dir, claim, contained, drop_sidecar, save_audio, session_folder
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
    FORMAT_IDS,
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
    timing_columns,
    utcnow,
)


class SessionRepository(Repository):
    """Sessions (the questions as drawn) and answers (attempts, transcripts, scores)."""

    def create_session(self, applicant_id: str | None, profile_id: str | None, *,
                       mode: str = "practice", seed: int | None = None,
                       questions: Iterable[dict] | None = None,
                       question_ids: Iterable[str] | None = None,
                       id: str | None = None, format: str | None = None) -> SessionRecord:
        """Start a session. ``questions``: the drawn questions as asked (dicts with at least
        ``id`` and ``text``); ``question_ids`` defaults to their ids. ``format``: the
        session format (interview.formats), stored as given."""
        if mode not in MODES:
            raise StorageError(f"unknown mode {mode!r}: use 'practice' or 'interview'")
        if format is not None and format not in FORMAT_IDS:
            raise StorageError(f"unknown session format {format!r}; use one of {FORMAT_IDS}")
        qs = [dict(q) for q in (questions or [])]
        ids = list(question_ids) if question_ids is not None else [q.get("id") for q in qs]
        with self._db.write() as db:
            if applicant_id is not None:
                self._db.need(db, ApplicantRow, applicant_id, "applicant")
            if profile_id is not None:
                self._db.need(db, ProfileRow, profile_id, "program profile")
            row = SessionRow(id=id or new_id(), applicant_id=applicant_id, profile_id=profile_id,
                           mode=mode, seed=seed, question_ids=ids, questions=qs,
                           created_at=utcnow(), format=format)
            db.add(row)
        return self.get_session(row.id)

    def get_session(self, session_id: str) -> SessionRecord:
        """A session with its applicant, profile, answers (latest attempt per position),
        every attempt per position, and comments/overrides."""
        with self._db.read() as db:
            row = self._db.need(db, SessionRow, session_id, "session")
            return self._session_records(db, [row], full=True)[0]

    def _session_records(self, db: Session, rows: list[SessionRow], *,
                         full: bool) -> list[SessionRecord]:
        """Records for ``rows`` in a fixed number of queries (one per table, in chunks),
        whatever the number of sessions: never one query per session."""
        if not rows:
            return []
        session_ids = [r.id for r in rows]
        applicants = {a.id: copy_record(ApplicantRecord, a) for a in _in_chunks(
            db, ApplicantRow, ApplicantRow.id, {r.applicant_id for r in rows if r.applicant_id})}
        profiles = {p.id: copy_record(ProfileRecord, p) for p in _in_chunks(
            db, ProfileRow, ProfileRow.id, {r.profile_id for r in rows if r.profile_id})}
        answers = _in_chunks(db, AnswerRow, AnswerRow.session_id, session_ids,
                             order=(AnswerRow.position, AnswerRow.attempt))
        comments = [copy_record(CommentRecord, c) for c in _in_chunks(
            db, CommentRow, CommentRow.session_id, session_ids, order=(CommentRow.created_at,))]
        overrides = [copy_record(OverrideRecord, o) for o in _in_chunks(
            db, OverrideRow, OverrideRow.answer_id, [a.id for a in answers],
            order=(OverrideRow.created_at,))]
        comments_of: dict[str, list[CommentRecord]] = {}
        for c in comments:
            comments_of.setdefault(c.session_id, []).append(c)
            if c.answer_id:
                comments_of.setdefault("answer:" + c.answer_id, []).append(c)
        overrides_of: dict[str, list[OverrideRecord]] = {}
        for o in overrides:
            overrides_of.setdefault(o.answer_id, []).append(o)
        # follow-up answers hang under their main answer (latest attempt per follow-up)
        children: dict[str, dict[int, AnswerRecord]] = {}
        for a in answers:
            if a.parent_answer_id and a.follow_up:
                children.setdefault(a.parent_answer_id, {})[a.follow_up] = copy_record(
                    AnswerRecord, a, comments=comments_of.get("answer:" + a.id, []),
                    overrides=overrides_of.get(a.id, []))
        attempts_of: dict[str, dict[int, list[AnswerRecord]]] = {}
        for a in answers:
            if a.follow_up:
                continue
            ups = children.get(a.id, {})
            rec = copy_record(AnswerRecord, a, comments=comments_of.get("answer:" + a.id, []),
                              overrides=overrides_of.get(a.id, []),
                              follow_up_answers=[ups[k] for k in sorted(ups)])
            attempts_of.setdefault(a.session_id, {}).setdefault(a.position, []).append(rec)
        out = []
        for row in rows:
            attempts = attempts_of.get(row.id, {})
            latest = [attempts[p][-1] for p in sorted(attempts)]
            out.append(copy_record(
                SessionRecord, row, questions=list(row.questions or []),
                applicant=applicants.get(row.applicant_id), profile=profiles.get(row.profile_id),
                answers=latest, attempts=attempts if full else {},
                comments=comments_of.get(row.id, [])))
        return out

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
            return self._session_records(db, list(db.scalars(q)), full=False)

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
                   id: str | None = None, parent_answer_id: str | None = None,
                   follow_up: int = 0, timing: Any = None) -> AnswerRecord:
        """Store a new attempt at ``position`` (1-based; attempt numbers count up).

        A follow-up answer names its main answer (``parent_answer_id``, same session and
        position) and its follow-up number (``follow_up`` >= 1); its attempts count apart
        from the main answer's. ``timing``: an ``interview.formats.AnswerTiming`` (or its
        dict) for a timed take.

        ``audio`` (bytes, or a path to copy) is written durably to
        ``audio/<session>/<answer>.<ext>`` first (``ext`` from ``filename``, the path, or
        the bytes' signature; fsync'd, atomic rename, with a sidecar for recovery); only
        then is the row inserted and committed with status "recorded". ``text`` alone
        stores a typed answer (source "typed"). If the row cannot be committed, the
        recording stays on disk and ``interview recover`` adds it back."""
        if position < 1:
            raise StorageError(f"answer position must be 1 or more, got {position}")
        if audio is None and text is None:
            raise StorageError("an answer needs audio or typed text")
        source = source or ("typed" if audio is None else "upload")
        if source not in SOURCES:
            raise StorageError(f"unknown answer source {source!r}; use one of {SOURCES}")
        if isinstance(follow_up, bool) or not isinstance(follow_up, int) or follow_up < 0:
            raise StorageError(f"a follow-up number must be 0 or more, got {follow_up!r}")
        if bool(parent_answer_id) != (follow_up > 0):
            raise StorageError("a follow-up answer needs both its main answer and its "
                               "follow-up number (1 or more)")
        times = timing_columns(timing)
        try:  # fail early on an unknown session or main answer, before writing
            with self._db.read() as db:
                self._db.need(db, SessionRow, session_id, "session")
                if parent_answer_id:
                    parent = self._db.need(db, AnswerRow, parent_answer_id, "main answer")
                    if parent.session_id != session_id or parent.position != position \
                            or parent.follow_up:
                        raise StorageError(f"answer {parent_answer_id} is not the main answer "
                                           f"to question {position} of session {session_id}")
        except DatabaseError:
            if audio is None:
                raise
            # the database cannot be reached: keep the recording on disk all the same (the
            # insert below then fails, saying where it is and that recovery adds it back)
        answer_id = id or new_id()
        fields = dict(session_id=session_id, position=position, question_id=question_id,
                      question_text=question_text or "", category=category, kind=kind,
                      suggested_seconds=suggested_seconds, follow_ups=list(follow_ups or []),
                      look_for=look_for, source=source, text=text,
                      created_at=utcnow().isoformat(), parent_answer_id=parent_answer_id,
                      follow_up=follow_up, timing=_timing_json(times))
        rel = None
        # claimed while the file exists without its row, so that recovery leaves it alone
        with claim(self._store.root, answer_id) if audio is not None else nullcontext():
            if audio is not None:
                rel = save_audio(self._store.root, session_id, answer_id, audio, filename,
                                 meta=dict(fields, answer_id=answer_id))
            try:
                self._insert_answer(answer_id, fields, rel)
            except StorageError as exc:
                if rel is None:
                    raise
                raise DatabaseError(f"could not save the answer ({exc}). The recording is kept "
                                    f"at {self._store.root / rel}; run `interview recover` once "
                                    "the database works to add it back") from exc
            if rel is not None:
                drop_sidecar(self._store.root, rel)
        return self.get_answer(answer_id)

    def _insert_answer(self, answer_id: str, fields: dict, rel: str | None) -> None:
        """Insert the row as the next attempt at its position (committed on return)."""
        created = fields["created_at"]
        created = datetime.fromisoformat(created) if isinstance(created, str) else created
        now = utcnow()
        for tries in range(8):
            try:
                with self._db.write() as db:  # BEGIN IMMEDIATE on SQLite: no attempt race
                    follow_up = int(fields.get("follow_up") or 0)
                    attempt = (db.scalar(sa.select(sa.func.max(AnswerRow.attempt))
                                         .where(AnswerRow.session_id == fields["session_id"],
                                                AnswerRow.position == fields["position"],
                                                AnswerRow.follow_up == follow_up))
                               or 0) + 1
                    db.add(AnswerRow(
                        id=answer_id, session_id=fields["session_id"],
                        position=fields["position"], attempt=attempt,
                        question_id=fields.get("question_id"),
                        question_text=fields.get("question_text") or "",
                        category=fields.get("category"), kind=fields.get("kind"),
                        suggested_seconds=fields.get("suggested_seconds"),
                        follow_ups=list(fields.get("follow_ups") or []),
                        look_for=fields.get("look_for"), source=fields.get("source") or "upload",
                        audio_path=rel, text=fields.get("text"), status="recorded",
                        created_at=created or now, updated_at=now,
                        parent_answer_id=fields.get("parent_answer_id") or None,
                        follow_up=follow_up, **timing_columns(fields.get("timing"))))
                return
            except DatabaseError as exc:
                # on PostgreSQL a concurrent attempt at the same position can take this
                # attempt number: retry with the next; anything else is an error
                race = isinstance(exc.__cause__, sa.exc.IntegrityError) and tries < 7 and \
                    not self._db.exists(AnswerRow, answer_id)
                if not race:
                    raise

    def adopt_audio(self, meta: dict) -> AnswerRecord:
        """Insert the row of a recording saved without one (from its sidecar ``meta``), as
        a new attempt with status "recorded". Used by recovery."""
        answer_id, rel = meta["answer_id"], meta["audio_path"]
        if not self._db.exists(AnswerRow, answer_id):
            self._insert_answer(answer_id, meta, rel)
        drop_sidecar(self._store.root, rel)
        return self.get_answer(answer_id)

    def unfinished_answers(self) -> list[AnswerRecord]:
        """Answers not scored (status recorded, transcribing or failed), oldest first; one
        query, without comments or overrides."""
        q = (sa.select(AnswerRow).where(AnswerRow.status != "scored")
             .order_by(AnswerRow.created_at, AnswerRow.id))
        with self._db.read() as db:
            return [copy_record(AnswerRecord, a) for a in db.scalars(q)]

    def latest_attempts(self, session_ids: Iterable[str]) -> dict[tuple[str, int, int], int]:
        """(session id, position, follow-up number) -> the number of its latest attempt
        (follow-up 0: the main answer), for these sessions (one query per 500 sessions)."""
        ids = list(set(session_ids))
        out: dict[tuple[str, int], int] = {}
        with self._db.read() as db:
            for i in range(0, len(ids), CHUNK):
                q = (sa.select(AnswerRow.session_id, AnswerRow.position, AnswerRow.follow_up,
                               sa.func.max(AnswerRow.attempt))
                     .where(AnswerRow.session_id.in_(ids[i:i + CHUNK]))
                     .group_by(AnswerRow.session_id, AnswerRow.position, AnswerRow.follow_up))
                out.update({(sid, pos, up or 0): n for sid, pos, up, n in db.execute(q)})
        return out

    def existing_answer_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` have an answer row."""
        with self._db.read() as db:
            return {a.id for a in _in_chunks(db, AnswerRow, AnswerRow.id, set(ids))}

    def existing_session_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are sessions."""
        with self._db.read() as db:
            return {r.id for r in _in_chunks(db, SessionRow, SessionRow.id, set(ids))}

    def get_answer(self, answer_id: str) -> AnswerRecord:
        """One attempt, with its comments and overrides (and, for a main answer, the latest
        attempt at each of its follow-ups)."""
        with self._db.read() as db:
            row = self._db.need(db, AnswerRow, answer_id, "answer")
            comments = [copy_record(CommentRecord, c) for c in db.scalars(
                sa.select(CommentRow).where(CommentRow.answer_id == answer_id)
                .order_by(CommentRow.created_at))]
            overrides = [copy_record(OverrideRecord, o) for o in db.scalars(
                sa.select(OverrideRow).where(OverrideRow.answer_id == answer_id)
                .order_by(OverrideRow.created_at))]
            ups: dict[int, AnswerRecord] = {}
            for child in db.scalars(sa.select(AnswerRow)
                                    .where(AnswerRow.parent_answer_id == answer_id)
                                    .order_by(AnswerRow.follow_up, AnswerRow.attempt)):
                ups[child.follow_up] = copy_record(AnswerRecord, child)
            return copy_record(AnswerRecord, row, comments=comments, overrides=overrides,
                               follow_up_answers=[ups[k] for k in sorted(ups)])

    def answer_attempts(self, session_id: str, position: int) -> list[AnswerRecord]:
        """Every attempt at one position of a session, oldest first."""
        return list(self.get_session(session_id).attempts.get(position, []))

    _UPDATABLE = {"text", "transcript", "metrics", "scores", "overall", "status", "error",
                  "question_text", "timing"}

    def update_answer(self, answer_id: str, **changes) -> AnswerRecord:
        """Set any of text, transcript, metrics, scores (records with ``to_dict()`` or dicts),
        overall, status ('recorded'|'transcribing'|'scored'|'failed'), error, timing (an
        ``AnswerTiming`` known only once a streamed take ends)."""
        bad = set(changes) - self._UPDATABLE
        if bad:
            raise StorageError(f"cannot change answer field(s) {sorted(bad)}; "
                               f"allowed: {sorted(self._UPDATABLE)}")
        if "status" in changes and changes["status"] not in STATUSES:
            raise StorageError(f"unknown answer status {changes['status']!r}; use one of {STATUSES}")
        with self._db.write() as db:
            row = self._db.need(db, AnswerRow, answer_id, "answer")
            for k, v in changes.items():
                if k == "timing":
                    for column, value in timing_columns(v).items():
                        setattr(row, column, value)
                    continue
                if k in ("transcript", "metrics", "scores"):
                    v = as_json(v)
                setattr(row, k, v)
            row.updated_at = utcnow()
        return self.get_answer(answer_id)

    # ---- answer videos (retention) -------------------------------------------------

    def stored_videos(self, session_ids: Iterable[str] | None = None) -> list[AnswerRecord]:
        """Answers that still keep a video recording (their presence figures are stored and
        their ``audio_path`` names a video file), oldest first. ``session_ids``: only these
        sessions. A row whose file is already gone is listed too, so that a deletion a crash
        interrupted is finished by the next :meth:`delete_video`."""
        q = (sa.select(AnswerRow).where(AnswerRow.audio_path.is_not(None))
             .order_by(AnswerRow.created_at, AnswerRow.id))
        allowed = set(session_ids) if session_ids is not None else None
        with self._db.read() as db:
            rows = [a for a in db.scalars(q) if allowed is None or a.session_id in allowed]
            return [copy_record(AnswerRecord, a) for a in rows if _is_video_answer(a)]

    def delete_video(self, answer_id: str, at: datetime | None = None) -> AnswerRecord:
        """Delete a scored answer's video and clear its recording; the transcript, scores and
        presence figures stay (``metrics['video_deleted']`` and ``video_deleted_at`` say
        when). Only an answer whose presence figures are stored may lose its video.

        The file goes first (its path proved inside ``audio/``), then the row is cleared:
        a crash between the two leaves a *scored* row naming a missing file, which recovery
        never touches (it works on unscored answers only) and which the next call (listed
        by :meth:`stored_videos`) clears. The other order could leave a video on disk that
        no row names any more, kept against the applicant's wish."""
        with claim(self._store.root, answer_id):  # not while it is being (re)processed
            with self._db.read() as db:
                row = self._db.need(db, AnswerRow, answer_id, "answer")
                rel, status, video = row.audio_path, row.status, _is_video_answer(row)
            if not rel:
                raise StorageError(f"answer {answer_id} keeps no recording")
            if status != "scored" or not video:
                raise StorageError(f"answer {answer_id} has no stored video figures yet; its "
                                   "video is kept until it is scored")
            path = contained(self._store.root, rel)
            if path is None:
                raise StorageError(f"refusing to delete {rel}: it is not inside the data "
                                   f"directory's audio folder {self._store.root / 'audio'}")
            try:
                path.unlink()
            except FileNotFoundError:
                pass  # deleted before a crash: only the row is left to clear
            except OSError as exc:
                raise StorageError(f"could not delete the video {path}: "
                                   f"{exc.strerror or exc}; nothing was changed") from None
            else:
                _fsync_dir(path.parent)
            drop_sidecar(self._store.root, rel)
            when = (at or utcnow()).isoformat()
            with self._db.write() as db:
                row = self._db.need(db, AnswerRow, answer_id, "answer")
                metrics = dict(row.metrics or {})
                metrics.update(video_deleted=True, video_deleted_at=when)
                row.metrics = metrics
                row.audio_path = None
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


def _timing_json(times: dict) -> dict | None:
    """Timing columns as JSON (for the recording's sidecar; read back by timing_columns)."""
    if not times:
        return None
    out = {k: v for k, v in times.items() if k != "recording_started_at"}
    started = times.get("recording_started_at")
    out["started_at"] = started.isoformat() if isinstance(started, datetime) else started
    return out


#: file endings of answer videos (MediaRecorder's WebM, uploaded MP4 / QuickTime / Matroska;
#: MP4 bytes saved without a name get ".m4a" from their signature)
VIDEO_SUFFIXES = (".webm", ".mp4", ".m4v", ".m4a", ".mov", ".mkv")


def _is_video_answer(row) -> bool:
    """Whether an answer row keeps a video: presence figures stored, a video file named."""
    metrics = row.metrics if isinstance(row.metrics, dict) else {}
    return bool(metrics.get("presence")) and bool(row.audio_path) and \
        os.path.splitext(row.audio_path)[1].lower() in VIDEO_SUFFIXES


#: ids per ``IN (...)`` query (well under every backend's limit of bound parameters)
CHUNK = 500


def _in_chunks(db: Session, model, column, values, order=()) -> list:
    """Rows of ``model`` whose ``column`` is in ``values``, in as few queries as chunks."""
    values = list(values)
    out: list = []
    for i in range(0, len(values), CHUNK):
        q = sa.select(model).where(column.in_(values[i:i + CHUNK]))
        if order:
            q = q.order_by(*order)
        out.extend(db.scalars(q))
    if order and len(values) > CHUNK:  # chunks are each ordered; order the whole
        out.sort(key=lambda r: tuple(getattr(r, c.key) for c in order))
    return out
