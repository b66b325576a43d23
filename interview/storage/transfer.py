"""Export and import of one whole session as JSON-ready dicts, ids kept."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StorageError
from .engine import DatabaseError, Repository
from .models import (
    AnswerRow,
    ApplicantRow,
    CommentRow,
    EmailDraftRow,
    OverrideRow,
    ProfileRow,
    SessionRow,
    UTCDateTime,
)
from .records import SessionRecord, jsonable, parse_dt


def _norm_email(value):
    """An email as stored since 0003_access: stripped, lower-case, '' -> None."""
    if not isinstance(value, str):
        return value
    return value.strip().lower() or None


def check_rows(data: dict) -> None:
    """Refuse (StorageError, one line) rows of an exported session that reach outside it:
    every answer, comment and draft must belong to the session itself, and every override,
    comment answer and parent answer must be one of its imported answers."""
    sid = data["session"]["id"]
    answers = data.get("answers") or []
    ids = {a.get("id") for a in answers if isinstance(a, dict)}
    bad = "the exported session is malformed"
    for key in ("answers", "comments", "email_drafts"):
        for d in data.get(key) or []:
            if not isinstance(d, dict) or d.get("session_id") != sid:
                raise StorageError(f"{bad}: {key[:-1].replace('_', ' ')} "
                                   f"{str((d or {}).get('id') if isinstance(d, dict) else d)[:40]} "
                                   f"belongs to another session; nothing was imported")
    for key, field in (("answers", "parent_answer_id"), ("comments", "answer_id"),
                       ("overrides", "answer_id")):
        for d in data.get(key) or []:
            if not isinstance(d, dict):
                raise StorageError(f"{bad}: a row of {key} is not an object; nothing was imported")
            ref = d.get(field)
            if (ref is not None or key == "overrides") and ref not in ids:
                raise StorageError(f"{bad}: {key[:-1]} {str(d.get('id'))[:40]} refers to answer "
                                   f"{str(ref)[:40]}, which is not in this session; nothing "
                                   "was imported")
    applicant = data.get("applicant")
    app_id = data["session"].get("applicant_id")
    if app_id is not None and (not isinstance(applicant, dict) or applicant.get("id") != app_id):
        raise StorageError(f"{bad}: the session's applicant is not the exported applicant; "
                           "nothing was imported")


class TransferRepository(Repository):
    """A session with everything attached, out to a dict and back in."""

    def export_session(self, session_id: str) -> dict:
        """Every row of a session as JSON-ready dicts, ids kept: ``{"format":
        "interview-session", "version": 1, "applicant", "profile", "session", "answers"
        (all attempts), "comments", "overrides", "email_drafts"}``. Audio files are referred
        to by ``answers[i]["audio_path"]`` (relative to the data directory)."""
        with self._db.read() as db:
            s = self._db.need(db, SessionRow, session_id, "session")
            # main answers before their follow-ups, so an import inserts parents first
            answers = list(db.scalars(sa.select(AnswerRow).where(AnswerRow.session_id == session_id)
                                      .order_by(AnswerRow.position, AnswerRow.follow_up,
                                                AnswerRow.attempt)))
            ids = [a.id for a in answers]
            overrides = list(db.scalars(sa.select(OverrideRow).where(OverrideRow.answer_id.in_(ids))
                                        .order_by(OverrideRow.created_at))) if ids else []
            comments = list(db.scalars(sa.select(CommentRow).where(CommentRow.session_id == session_id)
                                       .order_by(CommentRow.created_at)))
            drafts = list(db.scalars(sa.select(EmailDraftRow)
                                     .where(EmailDraftRow.session_id == session_id)
                                     .order_by(EmailDraftRow.created_at)))
            app = db.get(ApplicantRow, s.applicant_id) if s.applicant_id else None
            prof = db.get(ProfileRow, s.profile_id) if s.profile_id else None

            def cols(row) -> dict:
                return jsonable({c.key: getattr(row, c.key) for c in sa.inspect(row).mapper.column_attrs})

            return {
                "format": "interview-session", "version": 1,
                "applicant": cols(app) if app else None,
                "profile": cols(prof) if prof else None,
                "session": cols(s),
                "answers": [cols(a) for a in answers],
                "comments": [cols(c) for c in comments],
                "overrides": [cols(o) for o in overrides],
                "email_drafts": [cols(d) for d in drafts],
            }

    def import_session(self, data: dict) -> SessionRecord:
        """Insert a session exported by :meth:`export_session`, keeping every id.

        Refuses (StorageError) a session id that already exists, or an answer, comment,
        override or draft id that exists: nothing is overwritten. An applicant or profile
        whose id already exists is reused as it is here (not overwritten)."""
        if not isinstance(data, dict) or data.get("format") != "interview-session":
            raise StorageError("not an exported interview session (missing format marker)")
        if data.get("version") != 1:
            raise StorageError(f"unsupported export version {data.get('version')!r}; "
                               "update this tool to import it")
        models = [("answers", AnswerRow), ("comments", CommentRow), ("overrides", OverrideRow),
                  ("email_drafts", EmailDraftRow)]

        def build(model, d: dict):
            cols = {c.key: c for c in sa.inspect(model).mapper.column_attrs}
            values = {}
            for k, v in d.items():
                if k not in cols:
                    continue
                if isinstance(cols[k].columns[0].type, UTCDateTime):
                    v = parse_dt(v)
                values[k] = v
            return model(**values)

        try:
            sess = data["session"]
            check_rows(data)
            applicant = data.get("applicant")
            if applicant:
                applicant = dict(applicant, email=_norm_email(applicant.get("email")),
                                 coach_email=_norm_email(applicant.get("coach_email")))
            with self._db.write() as db:
                if db.get(SessionRow, sess["id"]) is not None:
                    raise StorageError(f"session {sess['id']} is already in this database; "
                                       "nothing was imported")
                for key, model in models:
                    for d in data.get(key) or []:
                        if db.get(model, d["id"]) is not None:
                            raise StorageError(f"{key[:-1].replace('_', ' ')} {d['id']} already "
                                               "exists here; nothing was imported")
                if applicant:
                    here = db.get(ApplicantRow, applicant["id"])
                    if here is None:
                        db.add(build(ApplicantRow, applicant))
                    elif (here.name, _norm_email(here.email)) != (applicant.get("name"),
                                                                 applicant.get("email")):
                        raise StorageError(f"applicant {applicant['id']} already exists here "
                                           "with another name or email; nothing was imported")
                if data.get("profile") and db.get(ProfileRow, data["profile"]["id"]) is None:
                    db.add(build(ProfileRow, data["profile"]))
                db.flush()
                db.add(build(SessionRow, sess))
                db.flush()
                for key, model in models:
                    for d in data.get(key) or []:
                        db.add(build(model, d))
                    db.flush()
        except DatabaseError as exc:
            cause = exc.__cause__
            if cause is None or isinstance(cause, (sa.exc.OperationalError,
                                                   sa.exc.InterfaceError)):
                raise  # the database itself failed (busy, read-only, server gone)
            why = " ".join(str(getattr(cause, "orig", None) or cause).split())[:300]
            raise StorageError(f"the exported session is malformed ({cause.__class__.__name__}"
                               f": {why}); nothing was imported") from None
        except StorageError:
            raise
        except (KeyError, TypeError, ValueError, SQLAlchemyError) as exc:
            raise StorageError(f"the exported session is malformed ({exc.__class__.__name__}: "
                               f"{exc}); nothing was imported") from None
        return self._store.get_session(sess["id"])
