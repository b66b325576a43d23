"""Session formats, answer timings and follow-up answers.

``sessions.format``: practice | panel | svi | mmi (NULL for older sessions: their ``mode``
says practice or panel). ``answers`` gain the timing of each take (``read_seconds``,
``answer_seconds`` counted from the real start of recording, ``timed_out``, the limits in
force and ``recording_started_at``) and follow-up answers: ``parent_answer_id`` (the main
answer a follow-up belongs to) and ``follow_up`` (0 for a main answer, 1.. for its
follow-ups). Attempt numbers are unique per (session, position, follow_up), so a follow-up
never counts as another attempt at its question.

Revision ID: 0004
Revises: 0003_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003_access"
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # plain ALTER TABLE ... ADD COLUMN on every backend: no table rebuild on SQLite, so the
    # comments and overrides that point at answers are never in the way
    op.add_column("sessions", sa.Column("format", sa.String(16)))
    op.drop_index("ix_answers_attempt", table_name="answers")
    if _sqlite():
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
    op.drop_index("ix_answers_take", table_name="answers")
    op.drop_index("ix_answers_parent_answer_id", table_name="answers")
    # follow-up answers cannot exist without the column that marks them
    for table in ("overrides", "comments"):
        op.execute(f"DELETE FROM {table} WHERE answer_id IN "
                   "(SELECT id FROM answers WHERE follow_up <> 0)")
    op.execute("DELETE FROM answers WHERE follow_up <> 0")
    if _sqlite():
        # SQLite drops the REFERENCES column only by rebuilding ``answers`` (copy, drop,
        # rename). The store runs migrations inside a real transaction, where
        # ``PRAGMA foreign_keys = OFF`` does nothing, so the comments and overrides that
        # point at answers are set aside for the rebuild and put back: all in the one
        # transaction, with foreign keys on.
        op.execute("CREATE TEMP TABLE _keep_comments AS "
                   "SELECT * FROM comments WHERE answer_id IS NOT NULL")
        op.execute("CREATE TEMP TABLE _keep_overrides AS SELECT * FROM overrides")
        op.execute("DELETE FROM overrides")
        op.execute("DELETE FROM comments WHERE answer_id IS NOT NULL")
    with op.batch_alter_table("answers") as batch:
        if not _sqlite():
            batch.drop_constraint("fk_answers_parent_answer_id", type_="foreignkey")
        for col in ("recording_started_at", "timed_out", "answer_limit", "read_limit",
                    "answer_seconds", "read_seconds", "follow_up", "parent_answer_id"):
            batch.drop_column(col)
    if _sqlite():
        op.execute("INSERT INTO comments SELECT * FROM _keep_comments")
        op.execute("INSERT INTO overrides SELECT * FROM _keep_overrides")
        op.execute("DROP TABLE _keep_comments")
        op.execute("DROP TABLE _keep_overrides")
    op.create_index("ix_answers_attempt", "answers", ["session_id", "position", "attempt"],
                    unique=True)
    if _sqlite():
        # a plain DROP COLUMN (SQLite 3.35+): no rebuild of the table answers point at
        op.execute("ALTER TABLE sessions DROP COLUMN format")
    else:
        op.drop_column("sessions", "format")
