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


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("format", sa.String(16)))
    op.drop_index("ix_answers_attempt", table_name="answers")
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("parent_answer_id", sa.String(32)))
        batch.add_column(sa.Column("follow_up", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("read_seconds", sa.Float()))
        batch.add_column(sa.Column("answer_seconds", sa.Float()))
        batch.add_column(sa.Column("read_limit", sa.Float()))
        batch.add_column(sa.Column("answer_limit", sa.Float()))
        batch.add_column(sa.Column("timed_out", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("recording_started_at", sa.DateTime()))
        batch.create_foreign_key("fk_answers_parent_answer_id", "answers",
                                 ["parent_answer_id"], ["id"])
        batch.create_index("ix_answers_parent_answer_id", ["parent_answer_id"])
    op.create_index("ix_answers_take", "answers",
                    ["session_id", "position", "follow_up", "attempt"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_answers_take", table_name="answers")
    # follow-up answers cannot exist without the column that marks them
    for table in ("overrides", "comments"):
        op.execute(f"DELETE FROM {table} WHERE answer_id IN "
                   "(SELECT id FROM answers WHERE follow_up <> 0)")
    op.execute("DELETE FROM answers WHERE follow_up <> 0")
    with op.batch_alter_table("answers") as batch:
        batch.drop_index("ix_answers_parent_answer_id")
        batch.drop_constraint("fk_answers_parent_answer_id", type_="foreignkey")
        for col in ("recording_started_at", "timed_out", "answer_limit", "read_limit",
                    "answer_seconds", "read_seconds", "follow_up", "parent_answer_id"):
            batch.drop_column(col)
    op.create_index("ix_answers_attempt", "answers", ["session_id", "position", "attempt"],
                    unique=True)
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("format")
