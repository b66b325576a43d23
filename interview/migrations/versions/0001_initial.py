"""Initial schema: applicants, profiles, sessions, answers, comments, overrides, email drafts.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicants",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(64)),
        sa.Column("aamc_id", sa.String(64)),
        sa.Column("carms_id", sa.String(64)),
        sa.Column("coach_email", sa.String(320)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_applicants_email", "applicants", ["email"])
    op.create_index("ix_applicants_coach_email", "applicants", ["coach_email"])

    op.create_table(
        "profiles",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("applicant_id", sa.String(32), sa.ForeignKey("applicants.id")),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("region", sa.String(100)),
        sa.Column("city", sa.String(200)),
        sa.Column("specialty", sa.String(100)),
        sa.Column("mission", sa.Text(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_profiles_applicant_id", "profiles", ["applicant_id"])

    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("applicant_id", sa.String(32), sa.ForeignKey("applicants.id")),
        sa.Column("profile_id", sa.String(32), sa.ForeignKey("profiles.id")),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("seed", sa.Integer()),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("reviewed_at", sa.DateTime()),
        sa.Column("reviewed_by", sa.String(320)),
    )
    op.create_index("ix_sessions_applicant_id", "sessions", ["applicant_id"])
    op.create_index("ix_sessions_profile_id", "sessions", ["profile_id"])
    op.create_index("ix_sessions_created_at", "sessions", ["created_at"])

    op.create_table(
        "answers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(200)),
        sa.Column("question_text", sa.Text(), nullable=False),
        sa.Column("category", sa.String(100)),
        sa.Column("kind", sa.String(50)),
        sa.Column("suggested_seconds", sa.Integer()),
        sa.Column("follow_ups", sa.JSON(), nullable=False),
        sa.Column("look_for", sa.Text()),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("audio_path", sa.String(500)),
        sa.Column("text", sa.Text()),
        sa.Column("transcript", sa.JSON()),
        sa.Column("metrics", sa.JSON()),
        sa.Column("scores", sa.JSON()),
        sa.Column("overall", sa.Float()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_answers_session_id", "answers", ["session_id"])
    op.create_index("ix_answers_question_id", "answers", ["question_id"])

    op.create_table(
        "comments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("answer_id", sa.String(32), sa.ForeignKey("answers.id")),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("author", sa.String(320), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_comments_answer_id", "comments", ["answer_id"])
    op.create_index("ix_comments_session_id", "comments", ["session_id"])

    op.create_table(
        "overrides",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("answer_id", sa.String(32), sa.ForeignKey("answers.id"), nullable=False),
        sa.Column("criterion_id", sa.String(100), nullable=False),
        sa.Column("auto_score", sa.Float()),
        sa.Column("score", sa.Float()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_overrides_answer_id", "overrides", ["answer_id"])

    op.create_table(
        "email_drafts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id")),
        sa.Column("interviewer_name", sa.String(300), nullable=False),
        sa.Column("interviewer_title", sa.String(300)),
        sa.Column("interviewer_role", sa.String(100)),
        sa.Column("interviewer_email", sa.String(320)),
        sa.Column("detail", sa.Text()),
        sa.Column("tone", sa.String(32)),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("send_by", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_email_drafts_session_id", "email_drafts", ["session_id"])


def downgrade() -> None:
    for table in ("email_drafts", "overrides", "comments", "answers", "sessions", "profiles",
                  "applicants"):
        op.drop_table(table)
