"""The database schema: SQLAlchemy ORM tables (private to the storage package).

Callers never see these rows; the repositories copy them into the frozen records of
:mod:`interview.storage.records`. A change here needs an alembic revision in
``interview/migrations/versions``.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class ApplicantRow(Base):
    __tablename__ = "applicants"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(64))
    aamc_id: Mapped[str | None] = mapped_column(sa.String(64))
    carms_id: Mapped[str | None] = mapped_column(sa.String(64))
    coach_email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProfileRow(Base):
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


class SessionRow(Base):
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


class AnswerRow(Base):
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


class CommentRow(Base):
    __tablename__ = "comments"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    answer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("answers.id"), index=True)
    session_id: Mapped[str] = mapped_column(sa.ForeignKey("sessions.id"), index=True)
    author: Mapped[str] = mapped_column(sa.String(320), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OverrideRow(Base):
    __tablename__ = "overrides"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    answer_id: Mapped[str] = mapped_column(sa.ForeignKey("answers.id"), index=True)
    criterion_id: Mapped[str] = mapped_column(sa.String(100))
    auto_score: Mapped[float | None] = mapped_column(sa.Float)
    score: Mapped[float | None] = mapped_column(sa.Float)
    reason: Mapped[str] = mapped_column(sa.Text)
    author: Mapped[str] = mapped_column(sa.String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EmailDraftRow(Base):
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
    #: login email of whoever saved it (added in 0003_access)
    owner_email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
