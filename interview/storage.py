"""Where sessions are kept: a real database behind a small, typed API.

SQLite in the data directory by default (``data_dir()/interview.db``, WAL journal, foreign
keys on), or any SQLAlchemy URL in ``DATABASE_URL`` (e.g. ``postgresql+psycopg://...``) for
a coaching team sharing one server. The schema is versioned with alembic
(``interview/migrations``) and upgraded automatically when a store is opened, so that a new
version of the tool never loses a saved session.

Every public method returns plain, frozen records (dataclasses below), never live ORM
objects, so the UI can cache them and pass them between threads. Unknown ids raise
:class:`~interview.errors.NotFound` with a message naming the id. Nothing is deleted as a
side effect: attempts, comments and overrides accumulate; only ``delete_email_draft`` and
``delete_session`` remove rows, and only when asked to.

Audio is written to ``data_dir()/audio/<session_id>/<answer_id>.<ext>`` *before* the answer
row is inserted (and long before transcription starts), so a crash or a failed transcription
never loses a recording; ``AnswerRecord.audio_path`` is relative to the data directory.

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

import os
import shutil
import statistics
import threading
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Literal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from .errors import NotFound, StorageError
from .paths import data_dir as _data_dir
from .profile import ProgramProfile

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

Mode = Literal["practice", "interview"]
MODES = ("practice", "interview")
SOURCES = ("audio", "upload", "microphone", "typed")
STATUSES = ("recorded", "transcribing", "scored", "failed")


def new_id() -> str:
    """A fresh string id (uuid4 hex, 32 characters)."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------------------
# ORM (private: callers get the records below)
# --------------------------------------------------------------------------------------


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class _Applicant(Base):
    __tablename__ = "applicants"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(64))
    aamc_id: Mapped[str | None] = mapped_column(sa.String(64))
    carms_id: Mapped[str | None] = mapped_column(sa.String(64))
    coach_email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class _Profile(Base):
    __tablename__ = "profiles"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    applicant_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("applicants.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    country: Mapped[str] = mapped_column(sa.String(2))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    city: Mapped[str | None] = mapped_column(sa.String(200))
    specialty: Mapped[str | None] = mapped_column(sa.String(100))
    mission: Mapped[str] = mapped_column(sa.Text, default="")
    features: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class _Session(Base):
    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    applicant_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("applicants.id"), index=True)
    profile_id: Mapped[str | None] = mapped_column(sa.ForeignKey("profiles.id"), index=True)
    mode: Mapped[str] = mapped_column(sa.String(16), default="practice")
    seed: Mapped[int | None] = mapped_column(sa.Integer)
    question_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    questions: Mapped[list | None] = mapped_column(sa.JSON)  # added in 0002
    format: Mapped[str | None] = mapped_column(sa.String(16))  # added in 0004
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(320))


class _Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        sa.Index("ix_answers_take", "session_id", "position", "follow_up", "attempt",
                 unique=True),
    )
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.ForeignKey("sessions.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    attempt: Mapped[int] = mapped_column(sa.Integer, default=1)
    question_id: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    question_text: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str | None] = mapped_column(sa.String(100))
    kind: Mapped[str | None] = mapped_column(sa.String(50))
    suggested_seconds: Mapped[int | None] = mapped_column(sa.Integer)
    follow_ups: Mapped[list] = mapped_column(sa.JSON, default=list)
    look_for: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(16))
    audio_path: Mapped[str | None] = mapped_column(sa.String(500))
    text: Mapped[str | None] = mapped_column(sa.Text)
    transcript: Mapped[dict | None] = mapped_column(sa.JSON)
    metrics: Mapped[dict | None] = mapped_column(sa.JSON)
    scores: Mapped[dict | None] = mapped_column(sa.JSON)
    overall: Mapped[float | None] = mapped_column(sa.Float)
    status: Mapped[str] = mapped_column(sa.String(16), default="recorded")
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # added in 0004: follow-up answers and the timing of each take
    parent_answer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("answers.id"), index=True)
    follow_up: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    read_seconds: Mapped[float | None] = mapped_column(sa.Float)
    answer_seconds: Mapped[float | None] = mapped_column(sa.Float)
    read_limit: Mapped[float | None] = mapped_column(sa.Float)
    answer_limit: Mapped[float | None] = mapped_column(sa.Float)
    timed_out: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    recording_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class _Comment(Base):
    __tablename__ = "comments"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    answer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("answers.id"), index=True)
    session_id: Mapped[str] = mapped_column(sa.ForeignKey("sessions.id"), index=True)
    author: Mapped[str] = mapped_column(sa.String(320), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class _Override(Base):
    __tablename__ = "overrides"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    answer_id: Mapped[str] = mapped_column(sa.ForeignKey("answers.id"), index=True)
    criterion_id: Mapped[str] = mapped_column(sa.String(100))
    auto_score: Mapped[float | None] = mapped_column(sa.Float)
    score: Mapped[float | None] = mapped_column(sa.Float)
    reason: Mapped[str] = mapped_column(sa.Text)
    author: Mapped[str] = mapped_column(sa.String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class _EmailDraft(Base):
    __tablename__ = "email_drafts"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    session_id: Mapped[str | None] = mapped_column(sa.ForeignKey("sessions.id"), index=True)
    interviewer_name: Mapped[str] = mapped_column(sa.String(300))
    interviewer_title: Mapped[str | None] = mapped_column(sa.String(300))
    interviewer_role: Mapped[str | None] = mapped_column(sa.String(100))
    interviewer_email: Mapped[str | None] = mapped_column(sa.String(320))
    detail: Mapped[str | None] = mapped_column(sa.Text)
    tone: Mapped[str | None] = mapped_column(sa.String(32))
    subject: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    send_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --------------------------------------------------------------------------------------
# Records (public)
# --------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class _Record:
    def to_dict(self) -> dict:
        """A JSON-ready dict (datetimes as ISO 8601 strings)."""
        return _jsonable(asdict(self))  # type: ignore[arg-type]


@dataclass(frozen=True)
class ApplicantRecord(_Record):
    """An applicant: name and the contact details the email signature uses.

    ``email`` is the applicant's own login email and ``coach_email`` their coach's, which
    the access rule (interview.access) uses on a shared server."""

    id: str
    name: str
    email: str | None = None
    phone: str | None = None
    aamc_id: str | None = None
    carms_id: str | None = None
    coach_email: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class ProfileRecord(_Record):
    """A saved program profile (``to_profile()`` gives the validated ProgramProfile)."""

    id: str
    applicant_id: str | None
    name: str
    country: str
    region: str | None = None
    city: str | None = None
    specialty: str | None = None
    mission: str = ""
    features: list[str] = field(default_factory=list)
    created_at: datetime | None = None

    def to_profile(self) -> ProgramProfile:
        return ProgramProfile(
            name=self.name, country=self.country, region=self.region, city=self.city,
            specialty=self.specialty, mission=self.mission or "", features=list(self.features),
        )


@dataclass(frozen=True)
class CommentRecord(_Record):
    """A coach's comment on one answer (``answer_id``) or the whole session (None)."""

    id: str
    session_id: str
    answer_id: str | None
    author: str
    body: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class OverrideRecord(_Record):
    """A coach's override of one criterion's score. ``auto_score`` is the automatic score
    at the time of the override; ``score`` None means "back to the automatic score"."""

    id: str
    answer_id: str
    criterion_id: str
    auto_score: float | None
    score: float | None
    reason: str
    author: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class AnswerRecord(_Record):
    """One attempt at one question of a session.

    ``transcript`` is ``Transcript.to_dict()``, ``metrics`` ``DeliveryMetrics.to_dict()``,
    ``scores`` ``AnswerScore.to_dict()`` (with ``criteria``: list of dicts with ``id``,
    ``score``...), ``overall`` the automatic overall score. ``comments`` and ``overrides``
    (oldest first) are filled by ``get_session`` / ``get_answer``."""

    id: str
    session_id: str
    position: int
    attempt: int
    question_id: str | None
    question_text: str
    category: str | None = None
    kind: str | None = None
    suggested_seconds: int | None = None
    follow_ups: list[str] = field(default_factory=list)
    look_for: str | None = None
    source: str = "typed"
    audio_path: str | None = None
    text: str | None = None
    transcript: dict | None = None
    metrics: dict | None = None
    scores: dict | None = None
    overall: float | None = None
    status: str = "recorded"
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    comments: list[CommentRecord] = field(default_factory=list)
    overrides: list[OverrideRecord] = field(default_factory=list)
    #: the main answer this follow-up answers (None for a main answer)
    parent_answer_id: str | None = None
    #: 0 for a main answer, 1.. for the interviewer's follow-ups
    follow_up: int = 0
    #: timing of the take (counted from the real start of recording), see interview.formats
    read_seconds: float | None = None
    answer_seconds: float | None = None
    read_limit: float | None = None
    answer_limit: float | None = None
    timed_out: bool = False
    recording_started_at: datetime | None = None
    #: the answers to this answer's follow-ups (latest attempt each, by follow-up number)
    follow_up_answers: list["AnswerRecord"] = field(default_factory=list)

    @property
    def criteria(self) -> list[dict]:
        """The automatic criterion results (dicts), empty before scoring."""
        return list((self.scores or {}).get("criteria") or [])

    def auto_score(self, criterion_id: str) -> float | None:
        for c in self.criteria:
            if c.get("id") == criterion_id:
                return c.get("score")
        return None

    def override(self, criterion_id: str) -> OverrideRecord | None:
        """The latest override of that criterion (None if never overridden or reverted)."""
        latest = None
        for o in self.overrides:
            if o.criterion_id == criterion_id:
                latest = o
        return latest if latest is not None and latest.score is not None else None

    @property
    def final_scores(self) -> dict[str, float]:
        """criterion id -> score, the coach's override where there is one."""
        out: dict[str, float] = {}
        for c in self.criteria:
            o = self.override(c["id"])
            out[c["id"]] = o.score if o is not None else c.get("score")
        return out

    @property
    def final_overall(self) -> float | None:
        """The automatic overall, or, once a coach overrides a criterion, the mean of the
        final criterion scores."""
        if self.overall is None:
            return None
        if not any(self.override(c["id"]) for c in self.criteria):
            return self.overall
        vals = [v for v in self.final_scores.values() if v is not None]
        return round(statistics.fmean(vals), 2) if vals else self.overall

    @property
    def display_text(self) -> str:
        """What the applicant said: the typed text or the transcript's text."""
        if self.text:
            return self.text
        return (self.transcript or {}).get("text", "") or ""


@dataclass(frozen=True)
class EmailDraftRecord(_Record):
    """A saved thank-you email draft, one per interviewer."""

    id: str
    session_id: str | None
    interviewer_name: str
    interviewer_title: str | None = None
    interviewer_role: str | None = None
    interviewer_email: str | None = None
    detail: str | None = None
    tone: str | None = None
    subject: str = ""
    body: str = ""
    send_by: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SessionRecord(_Record):
    """A practice or interview session.

    ``questions`` are the drawn questions as asked (dicts with ``id``, ``text``,
    ``category``, ``kind``, ``suggested_seconds``, ``follow_ups``, ``look_for``).
    ``answers`` holds the latest attempt per position (by position); ``attempts`` maps a
    position to all its attempts (oldest first); ``comments`` every comment of the session.
    ``list_sessions`` fills ``answers`` too (not ``attempts``)."""

    id: str
    applicant_id: str | None
    profile_id: str | None
    mode: str
    seed: int | None
    question_ids: list[str]
    questions: list[dict]
    created_at: datetime | None = None
    finished_at: datetime | None = None
    #: practice | panel | svi | mmi (None for sessions stored before formats: see format_id)
    format: str | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    applicant: ApplicantRecord | None = None
    profile: ProfileRecord | None = None
    answers: list[AnswerRecord] = field(default_factory=list)
    attempts: dict[int, list[AnswerRecord]] = field(default_factory=dict)
    comments: list[CommentRecord] = field(default_factory=list)

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def overall(self) -> float | None:
        """Mean final overall score of the latest scored attempts (None if none scored)."""
        vals = [a.final_overall for a in self.answers if a.final_overall is not None]
        return round(statistics.fmean(vals), 2) if vals else None

    @property
    def format_id(self) -> str:
        """The session's format; older sessions get the one their mode stood for."""
        if self.format:
            return self.format
        return "panel" if self.mode == "interview" else "practice"

    @property
    def applicant_name(self) -> str:
        return self.applicant.name if self.applicant else ""

    @property
    def program_name(self) -> str:
        return self.profile.name if self.profile else ""

    def answer_at(self, position: int) -> AnswerRecord | None:
        """The latest attempt at ``position`` (1-based), or None."""
        for a in self.answers:
            if a.position == position:
                return a
        return None


#: the session formats a session may be stored with (see interview.formats)
FORMAT_IDS = ("practice", "panel", "svi", "mmi")

_TIMING_FIELDS = ("read_seconds", "answer_seconds", "read_limit", "answer_limit", "timed_out")


def _timing_columns(timing: Any) -> dict:
    """The answer columns for a take's timing (an AnswerTiming, its dict, or None)."""
    if timing is None:
        return {}
    d = timing if isinstance(timing, dict) else (
        timing.to_dict() if hasattr(timing, "to_dict") else None)
    if d is None:
        raise StorageError(f"not a timing: {timing!r}")
    out: dict[str, Any] = {}
    for k in _TIMING_FIELDS:
        v = d.get(k)
        if k == "timed_out":
            out[k] = bool(v)
        elif v is not None:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise StorageError(f"timing {k} must be a number of seconds, got {v!r}")
            out[k] = float(v)
    started = d.get("started_at")
    out["recording_started_at"] = _parse_dt(started) if isinstance(started, str) else started
    return out


def _copy(cls, row, **extra):
    names = {f.name for f in fields(cls)}
    values = {n: getattr(row, n) for n in names if hasattr(row, n) and n not in extra}
    values.update(extra)
    # copy JSON containers so records never share mutable state with the ORM
    for k, v in list(values.items()):
        if isinstance(v, (list, dict)):
            values[k] = _deepcopy_json(v)
    return cls(**values)


def _deepcopy_json(v):
    if isinstance(v, dict):
        return {k: _deepcopy_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_deepcopy_json(x) for x in v]
    return v


def _as_json(value: Any) -> Any:
    """Accept a record with ``to_dict()`` (Transcript, DeliveryMetrics, AnswerScore) or a dict."""
    if value is None:
        return None
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def _parse_dt(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


_AUDIO_MAGIC = [
    (b"RIFF", ".wav"), (b"OggS", ".ogg"), (b"fLaC", ".flac"), (b"ID3", ".mp3"),
    (b"\xff\xfb", ".mp3"), (b"\xff\xf3", ".mp3"), (b"\x1a\x45\xdf\xa3", ".webm"),
]


def _audio_ext(data: bytes | None, filename: str | None) -> str:
    if filename:
        ext = Path(filename).suffix.lower()
        if ext and len(ext) <= 6 and ext[1:].isalnum():
            return ext
    if data:
        for magic, ext in _AUDIO_MAGIC:
            if data.startswith(magic):
                return ext
        if data[4:8] == b"ftyp":
            return ".m4a"
    return ".bin"


# --------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------


def database_url() -> str:
    """``DATABASE_URL`` if set, else SQLite at ``data_dir()/interview.db``."""
    url = os.environ.get("DATABASE_URL", "").strip()
    return url or f"sqlite:///{_data_dir() / 'interview.db'}"


def _on_sqlite_connect(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


_MIGRATE_LOCK = threading.Lock()


def alembic_config(connection=None, url: str | None = None):
    """An alembic Config built in code, pointing at the package's migrations folder."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (keeps every row)."""
    from alembic import command

    with _MIGRATE_LOCK, engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode and foreign keys on every connection."""
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = sa.create_engine(url, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(
            f"cannot use database URL {_safe_url(url)}: {exc}. Check DATABASE_URL "
            "(an SQLAlchemy URL such as postgresql+psycopg://user:pass@host/db) and that its "
            "driver is installed."
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def _safe_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for messages
        return "(unparseable URL)"


class Store:
    """The database (and audio folder) of one installation. Thread-safe: each call uses its
    own short transaction. Use as a context manager or call :meth:`close`."""

    def __init__(self, engine: Engine, root: Path | None = None):
        self.engine = engine
        #: the data directory; ``audio_path`` values are relative to it
        self.root = Path(root) if root is not None else _data_dir()
        self._sessions = sessionmaker(engine, expire_on_commit=False)

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
        except (SQLAlchemyError, OSError) as exc:
            engine.dispose()
            raise StorageError(
                f"cannot open the database {_safe_url(url)}: {exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}. Check that the data directory "
                "is writable or that DATABASE_URL points at a running server."
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

    def audio_file(self, answer: AnswerRecord | str) -> Path | None:
        """The absolute path of an answer's saved audio (None for a typed answer)."""
        rel = answer if isinstance(answer, str) else answer.audio_path
        return (self.root / rel) if rel else None

    def _session(self) -> Session:
        return self._sessions()

    def _exists(self, model, id_: str) -> bool:
        with self._session() as db:
            return db.get(model, id_) is not None

    @staticmethod
    def _need(db: Session, model, id_: str | None, what: str):
        row = db.get(model, id_) if id_ else None
        if row is None:
            raise NotFound(f"no {what} with id {id_!r}; list them to find the right id")
        return row

    # ---- applicants -----------------------------------------------------------------

    def add_applicant(self, name: str, *, email: str | None = None, phone: str | None = None,
                      aamc_id: str | None = None, carms_id: str | None = None,
                      coach_email: str | None = None, id: str | None = None) -> ApplicantRecord:
        """Add an applicant (name required)."""
        name = (name or "").strip()
        if not name:
            raise StorageError("an applicant needs a name")
        with self._session() as db, db.begin():
            row = _Applicant(id=id or new_id(), name=name, email=email or None,
                             phone=phone or None, aamc_id=aamc_id or None,
                             carms_id=carms_id or None, coach_email=coach_email or None,
                             created_at=utcnow())
            db.add(row)
            db.flush()
            return _copy(ApplicantRecord, row)

    def get_applicant(self, applicant_id: str) -> ApplicantRecord:
        with self._session() as db:
            return _copy(ApplicantRecord, self._need(db, _Applicant, applicant_id, "applicant"))

    def list_applicants(self, *, coach_email: str | None = None,
                        email: str | None = None) -> list[ApplicantRecord]:
        """Applicants by name, optionally only a coach's (``coach_email``) or one login
        (``email``); emails compare case-insensitively."""
        q = sa.select(_Applicant)
        if coach_email is not None:
            q = q.where(sa.func.lower(_Applicant.coach_email) == coach_email.strip().lower())
        if email is not None:
            q = q.where(sa.func.lower(_Applicant.email) == email.strip().lower())
        with self._session() as db:
            rows = db.scalars(q.order_by(sa.func.lower(_Applicant.name), _Applicant.created_at))
            return [_copy(ApplicantRecord, r) for r in rows]

    def find_applicant(self, name: str) -> ApplicantRecord | None:
        """The earliest applicant with exactly this name (case-insensitive), or None."""
        q = (sa.select(_Applicant)
             .where(sa.func.lower(_Applicant.name) == (name or "").strip().lower())
             .order_by(_Applicant.created_at).limit(1))
        with self._session() as db:
            row = db.scalars(q).first()
            return _copy(ApplicantRecord, row) if row else None

    def get_or_add_applicant(self, name: str, **details) -> ApplicantRecord:
        """The applicant with this name, added (with ``details``) if there is none."""
        return self.find_applicant(name) or self.add_applicant(name, **details)

    def update_applicant(self, applicant_id: str, **changes) -> ApplicantRecord:
        """Change name, email, phone, aamc_id, carms_id or coach_email."""
        allowed = {"name", "email", "phone", "aamc_id", "carms_id", "coach_email"}
        bad = set(changes) - allowed
        if bad:
            raise StorageError(f"cannot change applicant field(s) {sorted(bad)}; "
                               f"allowed: {sorted(allowed)}")
        if "name" in changes and not (changes["name"] or "").strip():
            raise StorageError("an applicant needs a name")
        with self._session() as db, db.begin():
            row = self._need(db, _Applicant, applicant_id, "applicant")
            for k, v in changes.items():
                setattr(row, k, (v.strip() if isinstance(v, str) else v) or None)
            db.flush()
            return _copy(ApplicantRecord, row)

    # ---- profiles -------------------------------------------------------------------

    def add_profile(self, profile: ProgramProfile, *, applicant_id: str | None = None,
                    id: str | None = None) -> ProfileRecord:
        """Save a program profile (optionally owned by an applicant). Profiles are never
        changed in place, so past sessions keep the profile they were drawn for."""
        with self._session() as db, db.begin():
            if applicant_id is not None:
                self._need(db, _Applicant, applicant_id, "applicant")
            row = _Profile(id=id or new_id(), applicant_id=applicant_id, name=profile.name,
                           country=profile.country, region=profile.region, city=profile.city,
                           specialty=profile.specialty, mission=profile.mission or "",
                           features=list(profile.features), created_at=utcnow())
            db.add(row)
            db.flush()
            return _copy(ProfileRecord, row)

    def find_or_add_profile(self, profile: ProgramProfile, *,
                            applicant_id: str | None = None) -> ProfileRecord:
        """An identical saved profile of this applicant (or unowned), else a new one."""
        for rec in self.list_profiles(applicant_id=applicant_id):
            if rec.applicant_id == applicant_id and rec.to_profile() == profile:
                return rec
        return self.add_profile(profile, applicant_id=applicant_id)

    def get_profile(self, profile_id: str) -> ProfileRecord:
        with self._session() as db:
            return _copy(ProfileRecord, self._need(db, _Profile, profile_id, "program profile"))

    def list_profiles(self, *, applicant_id: str | None = None) -> list[ProfileRecord]:
        """All profiles (newest first); with ``applicant_id``, that applicant's and the
        unowned ones."""
        q = sa.select(_Profile)
        if applicant_id is not None:
            q = q.where(sa.or_(_Profile.applicant_id == applicant_id,
                               _Profile.applicant_id.is_(None)))
        with self._session() as db:
            rows = db.scalars(q.order_by(_Profile.created_at.desc()))
            return [_copy(ProfileRecord, r) for r in rows]

    # ---- sessions -------------------------------------------------------------------

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
        with self._session() as db, db.begin():
            if applicant_id is not None:
                self._need(db, _Applicant, applicant_id, "applicant")
            if profile_id is not None:
                self._need(db, _Profile, profile_id, "program profile")
            row = _Session(id=id or new_id(), applicant_id=applicant_id, profile_id=profile_id,
                           mode=mode, seed=seed, question_ids=ids, questions=qs,
                           created_at=utcnow(), format=format)
            db.add(row)
        return self.get_session(row.id)

    def get_session(self, session_id: str) -> SessionRecord:
        """A session with its applicant, profile, answers (latest attempt per position),
        every attempt per position, and comments/overrides."""
        with self._session() as db:
            row = self._need(db, _Session, session_id, "session")
            return self._session_record(db, row, full=True)

    def _session_record(self, db: Session, row: _Session, *, full: bool,
                        cache: dict | None = None) -> SessionRecord:
        cache = cache if cache is not None else {}
        applicant = profile = None
        if row.applicant_id:
            key = ("a", row.applicant_id)
            if key not in cache:
                cache[key] = _copy(ApplicantRecord, db.get(_Applicant, row.applicant_id))
            applicant = cache[key]
        if row.profile_id:
            key = ("p", row.profile_id)
            if key not in cache:
                cache[key] = _copy(ProfileRecord, db.get(_Profile, row.profile_id))
            profile = cache[key]
        answers = list(db.scalars(sa.select(_Answer).where(_Answer.session_id == row.id)
                                  .order_by(_Answer.position, _Answer.attempt)))
        comments = [_copy(CommentRecord, c) for c in db.scalars(
            sa.select(_Comment).where(_Comment.session_id == row.id)
            .order_by(_Comment.created_at))]
        answer_ids = [a.id for a in answers]
        overrides: list[_Override] = []
        if answer_ids:
            overrides = list(db.scalars(sa.select(_Override)
                                        .where(_Override.answer_id.in_(answer_ids))
                                        .order_by(_Override.created_at)))
        attempts: dict[int, list[AnswerRecord]] = {}
        # follow-up answers hang under their main answer (latest attempt per follow-up)
        children: dict[str, dict[int, AnswerRecord]] = {}
        for a in answers:
            if a.parent_answer_id and a.follow_up:
                children.setdefault(a.parent_answer_id, {})[a.follow_up] = _copy(
                    AnswerRecord, a, comments=[c for c in comments if c.answer_id == a.id],
                    overrides=[_copy(OverrideRecord, o) for o in overrides
                               if o.answer_id == a.id])
        for a in answers:
            if a.follow_up:
                continue
            ups = children.get(a.id, {})
            rec = _copy(AnswerRecord, a,
                        comments=[c for c in comments if c.answer_id == a.id],
                        overrides=[_copy(OverrideRecord, o) for o in overrides
                                   if o.answer_id == a.id],
                        follow_up_answers=[ups[k] for k in sorted(ups)])
            attempts.setdefault(a.position, []).append(rec)
        latest = [attempts[p][-1] for p in sorted(attempts)]
        return _copy(SessionRecord, row, questions=list(row.questions or []),
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
        q = sa.select(_Session)
        if applicant_id is not None:
            q = q.where(_Session.applicant_id == applicant_id)
        if applicant_ids is not None:
            q = q.where(_Session.applicant_id.in_(list(applicant_ids)))
        if profile_id is not None:
            q = q.where(_Session.profile_id == profile_id)
        if reviewed is True:
            q = q.where(_Session.reviewed_at.is_not(None))
        elif reviewed is False:
            q = q.where(_Session.reviewed_at.is_(None))
        if since is not None:  # UTCDateTime converts aware datetimes to UTC
            q = q.where(_Session.created_at >= since)
        if until is not None:
            q = q.where(_Session.created_at < until)
        q = q.order_by(_Session.created_at.desc())
        if limit:
            q = q.limit(limit)
        with self._session() as db:
            cache: dict = {}
            return [self._session_record(db, r, full=False, cache=cache) for r in db.scalars(q)]

    def finish_session(self, session_id: str, at: datetime | None = None) -> SessionRecord:
        """Record that the applicant finished the session."""
        with self._session() as db, db.begin():
            row = self._need(db, _Session, session_id, "session")
            row.finished_at = at or utcnow()
        return self.get_session(session_id)

    def set_session_questions(self, session_id: str, questions: Iterable[dict]) -> SessionRecord:
        """Replace the question list of a session that has no answer yet (e.g. redraw)."""
        qs = [dict(q) for q in questions]
        with self._session() as db, db.begin():
            row = self._need(db, _Session, session_id, "session")
            if db.scalar(sa.select(sa.func.count()).select_from(_Answer)
                         .where(_Answer.session_id == session_id)):
                raise StorageError("this session already has answers; start a new session "
                                   "to practise other questions")
            row.questions = qs
            row.question_ids = [q.get("id") for q in qs]
        return self.get_session(session_id)

    def mark_reviewed(self, session_id: str, by: str, *, reviewed: bool = True,
                      at: datetime | None = None) -> SessionRecord:
        """Mark a session reviewed by a coach (``reviewed=False`` clears the mark)."""
        with self._session() as db, db.begin():
            row = self._need(db, _Session, session_id, "session")
            if reviewed:
                row.reviewed_at = at or utcnow()
                row.reviewed_by = (by or "").strip() or None
            else:
                row.reviewed_at = None
                row.reviewed_by = None
        return self.get_session(session_id)

    def delete_session(self, session_id: str, *, delete_audio: bool = True) -> None:
        """Delete a session, its answers, comments, overrides and drafts (explicit only)."""
        with self._session() as db, db.begin():
            row = self._need(db, _Session, session_id, "session")
            answer_ids = list(db.scalars(sa.select(_Answer.id)
                                         .where(_Answer.session_id == session_id)))
            if answer_ids:
                db.execute(sa.delete(_Override).where(_Override.answer_id.in_(answer_ids)))
            db.execute(sa.delete(_Comment).where(_Comment.session_id == session_id))
            db.execute(sa.delete(_EmailDraft).where(_EmailDraft.session_id == session_id))
            db.execute(sa.delete(_Answer).where(_Answer.session_id == session_id))
            db.delete(row)
        if delete_audio:
            shutil.rmtree(self.root / "audio" / session_id, ignore_errors=True)

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
        if bool(parent_answer_id) != (follow_up > 0):
            raise StorageError("a follow-up answer needs both its main answer and its "
                               "follow-up number (1 or more)")
        with self._session() as db:  # fail early on an unknown session, before writing
            self._need(db, _Session, session_id, "session")
            if parent_answer_id:
                parent = self._need(db, _Answer, parent_answer_id, "main answer")
                if parent.session_id != session_id or parent.position != position \
                        or parent.follow_up:
                    raise StorageError(f"answer {parent_answer_id} is not the main answer to "
                                       f"question {position} of session {session_id}")
        times = _timing_columns(timing)
        answer_id = id or new_id()
        rel = None
        if audio is not None:
            rel = self._save_audio(session_id, answer_id, audio, filename)
        now = utcnow()
        for tries in range(8):
            try:
                with self._session() as db, db.begin():
                    attempt = (db.scalar(sa.select(sa.func.max(_Answer.attempt))
                                         .where(_Answer.session_id == session_id,
                                                _Answer.position == position,
                                                _Answer.follow_up == follow_up)) or 0) + 1
                    db.add(_Answer(id=answer_id, session_id=session_id, position=position,
                                   attempt=attempt, question_id=question_id,
                                   question_text=question_text or "", category=category,
                                   kind=kind, suggested_seconds=suggested_seconds,
                                   follow_ups=list(follow_ups or []), look_for=look_for,
                                   source=source, audio_path=rel, text=text,
                                   status="recorded", created_at=now, updated_at=now,
                                   parent_answer_id=parent_answer_id, follow_up=follow_up,
                                   **times))
                break
            except SQLAlchemyError as exc:
                # a concurrent attempt at the same position took this attempt number: retry
                # with the next one; anything else (e.g. a duplicate id) is an error
                race = isinstance(exc, sa.exc.IntegrityError) and tries < 7 and \
                    not self._exists(_Answer, answer_id)
                if race:
                    continue
                where = f" The recording is kept at {self.root / rel}." if rel else ""
                raise StorageError(f"could not save the answer: {exc.__class__.__name__}.{where}"
                                   ) from exc
        return self.get_answer(answer_id)

    def _save_audio(self, session_id: str, answer_id: str, audio, filename: str | None) -> str:
        data: bytes | None = None
        src: Path | None = None
        if isinstance(audio, (bytes, bytearray, memoryview)):
            data = bytes(audio)
        else:
            src = Path(audio)
            if not src.is_file():
                raise StorageError(f"audio file {src} does not exist; check the path")
            if src.stat().st_size == 0:
                raise StorageError(f"audio file {src} is empty (0 bytes); record it again")
            filename = filename or src.name
        if data is not None and not data:
            raise StorageError("the recording is empty (0 bytes); record again")
        head = data[:16] if data is not None else src.open("rb").read(16)  # type: ignore[union-attr]
        ext = _audio_ext(head, filename)
        rel = Path("audio") / session_id / f"{answer_id}{ext}"
        dest = self.root / rel
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_suffix(dest.suffix + ".part")
            if data is not None:
                tmp.write_bytes(data)
            else:
                shutil.copyfile(src, tmp)  # type: ignore[arg-type]
            os.replace(tmp, dest)
        except OSError as exc:
            raise StorageError(f"could not save the recording to {dest}: {exc.strerror or exc}; "
                               "check that the data directory is writable") from None
        return rel.as_posix()

    def get_answer(self, answer_id: str) -> AnswerRecord:
        """One attempt, with its comments and overrides."""
        with self._session() as db:
            row = self._need(db, _Answer, answer_id, "answer")
            comments = [_copy(CommentRecord, c) for c in db.scalars(
                sa.select(_Comment).where(_Comment.answer_id == answer_id)
                .order_by(_Comment.created_at))]
            overrides = [_copy(OverrideRecord, o) for o in db.scalars(
                sa.select(_Override).where(_Override.answer_id == answer_id)
                .order_by(_Override.created_at))]
            ups: dict[int, AnswerRecord] = {}
            for child in db.scalars(sa.select(_Answer).where(_Answer.parent_answer_id == answer_id)
                                    .order_by(_Answer.follow_up, _Answer.attempt)):
                ups[child.follow_up] = _copy(AnswerRecord, child)
            return _copy(AnswerRecord, row, comments=comments, overrides=overrides,
                         follow_up_answers=[ups[k] for k in sorted(ups)])

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
        with self._session() as db, db.begin():
            row = self._need(db, _Answer, answer_id, "answer")
            for k, v in changes.items():
                if k in ("transcript", "metrics", "scores"):
                    v = _as_json(v)
                setattr(row, k, v)
            row.updated_at = utcnow()
        return self.get_answer(answer_id)

    def recent_question_ids(self, applicant_id: str | None, limit: int = 20) -> list[str]:
        """Ids of the questions this applicant answered most recently (distinct, newest
        first), to pass to ``draw(exclude_ids=...)``. Empty without an applicant."""
        if not applicant_id or limit <= 0:
            return []
        q = (sa.select(_Answer.question_id, sa.func.max(_Answer.created_at).label("last"))
             .join(_Session, _Session.id == _Answer.session_id)
             .where(_Session.applicant_id == applicant_id, _Answer.question_id.is_not(None))
             .group_by(_Answer.question_id)
             .order_by(sa.desc("last"), _Answer.question_id)
             .limit(limit))
        with self._session() as db:
            return [qid for qid, _ in db.execute(q)]

    # ---- coach review ---------------------------------------------------------------

    def add_comment(self, session_id: str, body: str, *, author: str = "",
                    answer_id: str | None = None) -> CommentRecord:
        """A coach's comment on the session or on one of its answers."""
        body = (body or "").strip()
        if not body:
            raise StorageError("a comment cannot be empty")
        with self._session() as db, db.begin():
            self._need(db, _Session, session_id, "session")
            if answer_id is not None:
                ans = self._need(db, _Answer, answer_id, "answer")
                if ans.session_id != session_id:
                    raise StorageError(f"answer {answer_id!r} is not part of session "
                                       f"{session_id!r}")
            row = _Comment(id=new_id(), session_id=session_id, answer_id=answer_id,
                           author=(author or "").strip(), body=body, created_at=utcnow())
            db.add(row)
            db.flush()
            return _copy(CommentRecord, row)

    def list_comments(self, session_id: str, *, answer_id: str | None = None) -> list[CommentRecord]:
        with self._session() as db:
            self._need(db, _Session, session_id, "session")
            q = sa.select(_Comment).where(_Comment.session_id == session_id)
            if answer_id is not None:
                q = q.where(_Comment.answer_id == answer_id)
            return [_copy(CommentRecord, c) for c in db.scalars(q.order_by(_Comment.created_at))]

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
        with self._session() as db, db.begin():
            row = self._need(db, _Answer, answer_id, "answer")
            criteria = list((row.scores or {}).get("criteria") or [])
            if not criteria:
                raise StorageError("this answer has no automatic scores yet; score it (or "
                                   "retry it) before overriding")
            match = [c for c in criteria if c.get("id") == criterion_id]
            if not match:
                raise StorageError(f"unknown criterion {criterion_id!r} for this answer; known: "
                                   f"{', '.join(str(c.get('id')) for c in criteria)}")
            o = _Override(id=new_id(), answer_id=answer_id, criterion_id=criterion_id,
                          auto_score=match[0].get("score"),
                          score=float(score) if score is not None else None,
                          reason=reason, author=(author or "").strip(), created_at=utcnow())
            db.add(o)
            db.flush()
            return _copy(OverrideRecord, o)

    def list_overrides(self, answer_id: str) -> list[OverrideRecord]:
        return list(self.get_answer(answer_id).overrides)

    # ---- email drafts ---------------------------------------------------------------

    _DRAFT_FIELDS = {"interviewer_name", "interviewer_title", "interviewer_role",
                     "interviewer_email", "detail", "tone", "subject", "body", "send_by"}

    def save_email_draft(self, session_id: str | None, *, interviewer_name: str,
                         subject: str, body: str, interviewer_title: str | None = None,
                         interviewer_role: str | None = None,
                         interviewer_email: str | None = None, detail: str | None = None,
                         tone: str | None = None, send_by: datetime | str | None = None,
                         id: str | None = None) -> EmailDraftRecord:
        """Save a new thank-you draft (with the session, or standalone with None)."""
        if not (interviewer_name or "").strip():
            raise StorageError("an email draft needs the interviewer's name")
        now = utcnow()
        with self._session() as db, db.begin():
            if session_id is not None:
                self._need(db, _Session, session_id, "session")
            row = _EmailDraft(id=id or new_id(), session_id=session_id,
                              interviewer_name=interviewer_name.strip(),
                              interviewer_title=interviewer_title, interviewer_role=interviewer_role,
                              interviewer_email=interviewer_email, detail=detail, tone=tone,
                              subject=subject or "", body=body or "", send_by=_parse_dt(send_by),
                              created_at=now, updated_at=now)
            db.add(row)
            db.flush()
            return _copy(EmailDraftRecord, row)

    def get_email_draft(self, draft_id: str) -> EmailDraftRecord:
        with self._session() as db:
            return _copy(EmailDraftRecord, self._need(db, _EmailDraft, draft_id, "email draft"))

    def list_email_drafts(self, session_id: str | None = None) -> list[EmailDraftRecord]:
        """Drafts of one session (or every draft with None), oldest first."""
        q = sa.select(_EmailDraft)
        if session_id is not None:
            q = q.where(_EmailDraft.session_id == session_id)
        with self._session() as db:
            return [_copy(EmailDraftRecord, r)
                    for r in db.scalars(q.order_by(_EmailDraft.created_at))]

    def list_standalone_email_drafts(self) -> list[EmailDraftRecord]:
        """Drafts saved without a session (``session_id`` NULL), newest first.

        :meth:`list_email_drafts` with no session returns *every* draft; this is the list a
        page shows when no practice session is picked, so drafts typed for a program by hand
        stay findable after a reload or restart.
        """
        q = (sa.select(_EmailDraft).where(_EmailDraft.session_id.is_(None))
             .order_by(_EmailDraft.created_at.desc()))
        with self._session() as db:
            return [_copy(EmailDraftRecord, r) for r in db.scalars(q)]

    def update_email_draft(self, draft_id: str, **changes) -> EmailDraftRecord:
        """Edit a draft (subject, body, tone, detail, interviewer_*, send_by)."""
        bad = set(changes) - self._DRAFT_FIELDS
        if bad:
            raise StorageError(f"cannot change email draft field(s) {sorted(bad)}; "
                               f"allowed: {sorted(self._DRAFT_FIELDS)}")
        with self._session() as db, db.begin():
            row = self._need(db, _EmailDraft, draft_id, "email draft")
            for k, v in changes.items():
                setattr(row, k, _parse_dt(v) if k == "send_by" else v)
            row.updated_at = utcnow()
            db.flush()
            return _copy(EmailDraftRecord, row)

    def delete_email_draft(self, draft_id: str) -> None:
        """Delete one draft (explicit user action only)."""
        with self._session() as db, db.begin():
            db.delete(self._need(db, _EmailDraft, draft_id, "email draft"))

    # ---- export / import (ids kept) -------------------------------------------------

    def export_session(self, session_id: str) -> dict:
        """Every row of a session as JSON-ready dicts, ids kept: ``{"format":
        "interview-session", "version": 1, "applicant", "profile", "session", "answers"
        (all attempts), "comments", "overrides", "email_drafts"}``. Audio files are referred
        to by ``answers[i]["audio_path"]`` (relative to the data directory)."""
        with self._session() as db:
            s = self._need(db, _Session, session_id, "session")
            answers = list(db.scalars(sa.select(_Answer).where(_Answer.session_id == session_id)
                                      .order_by(_Answer.position, _Answer.attempt)))
            ids = [a.id for a in answers]
            overrides = list(db.scalars(sa.select(_Override).where(_Override.answer_id.in_(ids))
                                        .order_by(_Override.created_at))) if ids else []
            comments = list(db.scalars(sa.select(_Comment).where(_Comment.session_id == session_id)
                                       .order_by(_Comment.created_at)))
            drafts = list(db.scalars(sa.select(_EmailDraft)
                                     .where(_EmailDraft.session_id == session_id)
                                     .order_by(_EmailDraft.created_at)))
            app = db.get(_Applicant, s.applicant_id) if s.applicant_id else None
            prof = db.get(_Profile, s.profile_id) if s.profile_id else None

            def cols(row) -> dict:
                return _jsonable({c.key: getattr(row, c.key) for c in sa.inspect(row).mapper.column_attrs})

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
        models = [("answers", _Answer), ("comments", _Comment), ("overrides", _Override),
                  ("email_drafts", _EmailDraft)]

        def build(model, d: dict):
            cols = {c.key: c for c in sa.inspect(model).mapper.column_attrs}
            values = {}
            for k, v in d.items():
                if k not in cols:
                    continue
                if isinstance(cols[k].columns[0].type, UTCDateTime):
                    v = _parse_dt(v)
                values[k] = v
            return model(**values)

        try:
            sess = data["session"]
            with self._session() as db, db.begin():
                if db.get(_Session, sess["id"]) is not None:
                    raise StorageError(f"session {sess['id']} is already in this database; "
                                       "nothing was imported")
                for key, model in models:
                    for d in data.get(key) or []:
                        if db.get(model, d["id"]) is not None:
                            raise StorageError(f"{key[:-1].replace('_', ' ')} {d['id']} already "
                                               "exists here; nothing was imported")
                if data.get("applicant") and db.get(_Applicant, data["applicant"]["id"]) is None:
                    db.add(build(_Applicant, data["applicant"]))
                if data.get("profile") and db.get(_Profile, data["profile"]["id"]) is None:
                    db.add(build(_Profile, data["profile"]))
                db.flush()
                db.add(build(_Session, sess))
                db.flush()
                for key, model in models:
                    for d in data.get(key) or []:
                        db.add(build(model, d))
                    db.flush()
        except StorageError:
            raise
        except (KeyError, TypeError, ValueError, SQLAlchemyError) as exc:
            raise StorageError(f"the exported session is malformed ({exc.__class__.__name__}: "
                               f"{exc}); nothing was imported") from None
        return self.get_session(sess["id"])
