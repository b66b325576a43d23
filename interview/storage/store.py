"""The Store: one installation's database and audio folder, behind one small API.

The work is done by one repository per area (:mod:`.applicants`, :mod:`.sessions`,
:mod:`.reviews`, :mod:`.drafts`, :mod:`.transfer`); the Store owns the engine and the data
directory, builds the repositories, and offers each repository method under its usual
name (``store.get_session(...)`` is ``store.sessions.get_session(...)``).
"""

from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StorageError
from ..paths import data_dir as _data_dir
from . import files
from .applicants import ApplicantRepository
from .drafts import DraftRepository
from .engine import (
    Database,
    DatabaseError,
    create_db_engine,
    database_url,
    describe_db_error,
    safe_url,
    upgrade,
)
from .files import contained
from .records import AnswerRecord
from .reviews import ReviewRepository
from .sessions import SessionRepository
from .transfer import TransferRepository


def _delegate(repo: str, func):
    """A Store method that calls ``func`` on the repository in attribute ``repo``."""

    @functools.wraps(func)
    def method(self, *args, **kwargs):
        try:
            return func(getattr(self, repo), *args, **kwargs)
        except SQLAlchemyError as exc:  # the repositories translate; this is a safety net
            raise self.database.error(exc) from exc

    return method


class Store:
    """The database (and audio folder) of one installation. Thread-safe: each call uses its
    own short transaction. Use as a context manager or call :meth:`close`.

    Repositories: ``applicants`` (applicants and profiles), ``sessions`` (sessions and
    answers), ``reviews`` (comments, overrides, reviewed mark), ``drafts`` (email drafts),
    ``transfer`` (export / import)."""

    def __init__(self, engine: Engine, root: Path | None = None):
        self.engine = engine
        #: the data directory; ``audio_path`` values are relative to it
        self.root = Path(root) if root is not None else _data_dir()
        self.database = Database(engine)
        self.applicants = ApplicantRepository(self.database, self)
        self.sessions = SessionRepository(self.database, self)
        self.reviews = ReviewRepository(self.database, self)
        self.drafts = DraftRepository(self.database, self)
        self.transfer = TransferRepository(self.database, self)

    # ---- lifecycle ------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> "Store":
        """Open (and create or upgrade) the database: ``url``, else ``DATABASE_URL``, else
        SQLite at ``data_dir()/interview.db``. Raises StorageError if it cannot be used."""
        url = url or database_url()
        engine = create_db_engine(url)
        try:
            if migrate:
                upgrade(engine)
            else:
                with engine.connect():
                    pass
        except StorageError:
            engine.dispose()
            raise
        except (SQLAlchemyError, OSError) as exc:
            engine.dispose()
            raise DatabaseError(
                f"cannot open the database {safe_url(url)}: {describe_db_error(exc, url)}. "
                "Check that the data directory is writable or that DATABASE_URL points at a "
                "running server."
            ) from None
        return cls(engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        """Release every connection (the database file can then be moved or deleted)."""
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def journal_mode(self) -> str | None:
        """SQLite's journal mode ('wal'), None on other databases."""
        if self.dialect != "sqlite":
            return None
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA journal_mode").scalar()

    def for_viewer(self, viewer):
        """This store as ``viewer`` may use it: every query filtered by the access rule
        (:class:`~interview.storage.scoped.ViewerStore`). The app's pages get only this."""
        from .scoped import ViewerStore

        return ViewerStore(self, viewer)

    def audio_file(self, answer: AnswerRecord | str) -> Path | None:
        """The absolute path of an answer's saved audio (None for a typed answer, or for a
        path that would lead outside the data directory's ``audio/`` folder)."""
        rel = answer if isinstance(answer, str) else answer.audio_path
        return contained(self.root, rel) if rel else None

    def claim_answer(self, answer_id: str, *, wait: float = 0):
        """A context manager holding this process's claim on an answer while it is saved or
        processed (an OS lock, freed if the process dies); raises
        :class:`~interview.storage.files.AnswerBusy` if another live process holds it."""
        return files.claim(self.root, answer_id, wait=wait)

    def hold_claim(self, answer_id: str) -> files.HeldClaim:
        """This process's claim on an answer until ``.release()`` (a take streamed over many
        requests); raises :class:`~interview.storage.files.AnswerBusy` if it is held."""
        return files.HeldClaim(self.root, answer_id)

    def append_audio(self, answer: AnswerRecord, pcm: bytes) -> int:
        """Append 16-bit PCM to an answer's growing WAV recording, durably (see
        :func:`.files.append_pcm`); returns the bytes of samples now on disk."""
        path = self.audio_file(answer)
        if path is None or not path.is_file():
            raise StorageError(f"the recording of answer {answer.id} is missing; record again")
        return files.append_pcm(path, pcm)

    def answer_claimed(self, answer_id: str) -> bool:
        """Whether a live process is saving or processing this answer right now."""
        return files.is_claimed(self.root, answer_id)

    def sweep_claims(self) -> int:
        """Remove claim files left by dead processes (see :func:`.files.sweep_claims`)."""
        return files.sweep_claims(self.root)

    def audio_files(self):
        """Every answer file under ``audio/`` (recordings, sidecars, partial writes)."""
        return list(files.scan_audio(self.root))

    # ---- applicants and profiles ----------------------------------------------------

    add_applicant = _delegate("applicants", ApplicantRepository.add_applicant)
    get_applicant = _delegate("applicants", ApplicantRepository.get_applicant)
    list_applicants = _delegate("applicants", ApplicantRepository.list_applicants)
    find_applicant = _delegate("applicants", ApplicantRepository.find_applicant)
    get_or_add_applicant = _delegate("applicants", ApplicantRepository.get_or_add_applicant)
    update_applicant = _delegate("applicants", ApplicantRepository.update_applicant)
    add_profile = _delegate("applicants", ApplicantRepository.add_profile)
    find_or_add_profile = _delegate("applicants", ApplicantRepository.find_or_add_profile)
    get_profile = _delegate("applicants", ApplicantRepository.get_profile)
    list_profiles = _delegate("applicants", ApplicantRepository.list_profiles)

    # ---- sessions and answers -------------------------------------------------------

    create_session = _delegate("sessions", SessionRepository.create_session)
    get_session = _delegate("sessions", SessionRepository.get_session)
    list_sessions = _delegate("sessions", SessionRepository.list_sessions)
    finish_session = _delegate("sessions", SessionRepository.finish_session)
    set_session_questions = _delegate("sessions", SessionRepository.set_session_questions)
    delete_session = _delegate("sessions", SessionRepository.delete_session)
    add_answer = _delegate("sessions", SessionRepository.add_answer)
    get_answer = _delegate("sessions", SessionRepository.get_answer)
    answer_attempts = _delegate("sessions", SessionRepository.answer_attempts)
    update_answer = _delegate("sessions", SessionRepository.update_answer)
    recent_question_ids = _delegate("sessions", SessionRepository.recent_question_ids)
    adopt_audio = _delegate("sessions", SessionRepository.adopt_audio)
    unfinished_answers = _delegate("sessions", SessionRepository.unfinished_answers)
    latest_attempts = _delegate("sessions", SessionRepository.latest_attempts)
    existing_answer_ids = _delegate("sessions", SessionRepository.existing_answer_ids)
    existing_session_ids = _delegate("sessions", SessionRepository.existing_session_ids)
    stored_videos = _delegate("sessions", SessionRepository.stored_videos)
    delete_video = _delegate("sessions", SessionRepository.delete_video)

    # ---- coach review ---------------------------------------------------------------

    mark_reviewed = _delegate("reviews", ReviewRepository.mark_reviewed)
    add_comment = _delegate("reviews", ReviewRepository.add_comment)
    list_comments = _delegate("reviews", ReviewRepository.list_comments)
    set_override = _delegate("reviews", ReviewRepository.set_override)
    list_overrides = _delegate("reviews", ReviewRepository.list_overrides)

    # ---- email drafts ---------------------------------------------------------------

    save_email_draft = _delegate("drafts", DraftRepository.save_email_draft)
    get_email_draft = _delegate("drafts", DraftRepository.get_email_draft)
    list_email_drafts = _delegate("drafts", DraftRepository.list_email_drafts)
    list_standalone_email_drafts = _delegate("drafts",
                                             DraftRepository.list_standalone_email_drafts)
    update_email_draft = _delegate("drafts", DraftRepository.update_email_draft)
    delete_email_draft = _delegate("drafts", DraftRepository.delete_email_draft)

    # ---- export / import (ids kept) -------------------------------------------------

    export_session = _delegate("transfer", TransferRepository.export_session)
    import_session = _delegate("transfer", TransferRepository.import_session)
