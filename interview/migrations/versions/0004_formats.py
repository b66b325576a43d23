"""Session formats, answer timings and follow-up answers.

``sessions.format``: practice | panel | svi | mmi (NULL for older sessions: their ``mode``
says practice or panel). ``answers`` gain the timing of each take (``read_seconds``,
``answer_seconds`` counted from the real start of recording, ``timed_out``, the limits in
force and ``recording_started_at``) and follow-up answers: ``parent_answer_id`` (the main
answer a follow-up belongs to) and ``follow_up`` (0 for a main answer, 1.. for its
follow-ups). Attempt numbers are unique per (session, position, follow_up), so a follow-up
never counts as another attempt at its question.

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"  # the head on main when written; see the issue 15 note if 0003 exists
branch_labels = None
depends_on = None


def _foreign_keys(on: bool) -> None:
    """SQLite: the downgrade rebuilds ``answers`` by copy, drop and rename, and comments and
    overrides point at answers; their foreign keys are switched off for the rebuild."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def upgrade() -> None:
    # plain ALTER TABLE ... ADD COLUMN on every backend: no table rebuild on SQLite, so the
    # comments and overrides that point at answers are never in the way
    op.add_column("sessions", sa.Column("format", sa.String(16)))
    op.drop_index("ix_answers_attempt", table_name="answers")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a REFERENCES clause in place (alembic only by rebuilding)
        op.execute("ALTER TABLE answers ADD COLUMN parent_answer_id VARCHAR(32) "
                   "REFERENCES answers (id)")
    else:
        op.add_column("answers", sa.Column(
            "parent_answer_id", sa.String(32),
            sa.ForeignKey("answers.id", name="fk_answers_parent_answer_id")))
    op.add_column("answers", sa.Column("follow_up", sa.Integer(), nullable=False,
                                       server_default="0"))
    for name in ("read_seconds", "answer_seconds", "read_limit", "answer_limit"):
        op.add_column("answers", sa.Column(name, sa.Float()))
    op.add_column("answers", sa.Column("timed_out", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column("answers", sa.Column("recording_started_at", sa.DateTime()))
    op.create_index("ix_answers_parent_answer_id", "answers", ["parent_answer_id"])
    op.create_index("ix_answers_take", "answers",
                    ["session_id", "position", "follow_up", "attempt"], unique=True)


def downgrade() -> None:
    _foreign_keys(False)
    op.drop_index("ix_answers_take", table_name="answers")
    op.drop_index("ix_answers_parent_answer_id", table_name="answers")
    # follow-up answers cannot exist without the column that marks them
    for table in ("overrides", "comments"):
        op.execute(f"DELETE FROM {table} WHERE answer_id IN "
                   "(SELECT id FROM answers WHERE follow_up <> 0)")
    op.execute("DELETE FROM answers WHERE follow_up <> 0")
    with op.batch_alter_table("answers") as batch:
        if op.get_bind().dialect.name != "sqlite":
            batch.drop_constraint("fk_answers_parent_answer_id", type_="foreignkey")
        for col in ("recording_started_at", "timed_out", "answer_limit", "read_limit",
                    "answer_seconds", "read_seconds", "follow_up", "parent_answer_id"):
            batch.drop_column(col)
    op.create_index("ix_answers_attempt", "answers", ["session_id", "position", "attempt"],
                    unique=True)
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("format")
    _foreign_keys(True)
