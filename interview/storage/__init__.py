"""Where sessions are kept: a real database behind a small, typed API.

SQLite in the data directory by default (``data_dir()/interview.db``, WAL journal, foreign
keys on), or any SQLAlchemy URL in ``DATABASE_URL`` (e.g. ``postgresql+psycopg://...``) for
a coaching team sharing one server. The schema is versioned with alembic
(``interview/migrations``) and upgraded automatically when a store is opened, so that a new
version of the tool never loses a saved session.

The package, by concern:

- :mod:`.models`: the ORM tables (private);
- :mod:`.records`: the frozen records every method returns;
- :mod:`.engine`: engine, transactions and migrations;
- :mod:`.files`: the answers' audio files;
- one repository per area: :mod:`.applicants` (applicants and profiles), :mod:`.sessions`
  (sessions and answers), :mod:`.reviews` (comments, overrides, reviewed mark),
  :mod:`.drafts` (email drafts), :mod:`.transfer` (export / import);
- :mod:`.store`: :class:`Store`, which owns them and offers their methods.

Every public method returns plain, frozen records, never live ORM objects, so the UI can
cache them and pass them between threads. Unknown ids raise
:class:`~interview.errors.NotFound` with a message naming the id. Nothing is deleted as a
side effect: attempts, comments and overrides accumulate; only ``delete_email_draft`` and
``delete_session`` remove rows, and only when asked to.

Audio is written to ``data_dir()/audio/<session_id>/<answer_id>.<ext>`` *before* the answer
row is inserted (and long before transcription starts): fsync'd, renamed into place, with a
sidecar from which ``interview recover`` adds back a take whose row was never committed.
``AnswerRecord.audio_path`` is relative to the data directory. The answer to an
interviewer's follow-up is an answer row of its own, a child of the main answer
(``parent_answer_id``, ``follow_up`` >= 1), saved the same way; reads hang it under its
main answer (``AnswerRecord.follow_up_answers``), and exports list it after it. A process saving or
processing an answer holds its claim (:meth:`Store.claim_answer`, an OS file lock), so that
recovery can tell live work from work a dead process left behind.

Concurrency and faults: SQLite writes begin with ``BEGIN IMMEDIATE`` and wait for the busy
timeout; migrations run under an inter-process lock (and an SQLite file is copied to
``backups/`` before an upgrade); every database error is a :class:`DatabaseError` with a
one-line message (see :mod:`.engine`).

Typical use::

    with Store.open() as store:
        who = store.get_or_add_applicant("Amina Diallo")
        prof = store.find_or_add_profile(profile, applicant_id=who.id)
        sess = store.create_session(who.id, prof.id, mode="practice", seed=7,
                                    questions=[{"id": "q1", "text": "Tell me..."}])
        ans = store.add_answer(sess.id, 1, question_id="q1", question_text="Tell me...",
                               audio=wav_bytes, filename="answer.wav", source="upload")
        store.update_answer(ans.id, status="scored", transcript=..., scores=..., overall=3.4)
        full = store.get_session(sess.id)       # answers (latest attempt) + attempts
"""

from __future__ import annotations

from .engine import (
    MIGRATIONS_DIR,
    DatabaseError,
    alembic_config,
    create_db_engine,
    current_revision,
    database_url,
    head_revision,
    upgrade,
)
from .files import AnswerBusy
from .models import Base, UTCDateTime
from .records import (
    FORMAT_IDS,
    MODES,
    SOURCES,
    STATUSES,
    AnswerRecord,
    ApplicantRecord,
    CommentRecord,
    EmailDraftRecord,
    Mode,
    OverrideRecord,
    ProfileRecord,
    SessionRecord,
    new_id,
    utcnow,
)
from .store import Store

__all__ = [
    "AnswerBusy", "FORMAT_IDS", "MIGRATIONS_DIR", "MODES", "SOURCES", "STATUSES", "AnswerRecord", "ApplicantRecord",
    "Base", "CommentRecord", "DatabaseError", "EmailDraftRecord", "Mode", "OverrideRecord", "ProfileRecord",
    "SessionRecord", "Store", "UTCDateTime", "alembic_config", "create_db_engine",
    "current_revision", "database_url", "head_revision", "new_id", "upgrade", "utcnow",
]
