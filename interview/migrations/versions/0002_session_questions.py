"""Sessions keep their questions as asked; one row per (session, position, attempt).

``sessions.questions`` (JSON list of the drawn questions: id, text, category, kind,
suggested_seconds, follow_ups, look_for) lets the app resume a session after a closed tab
without redrawing. Existing sessions get their questions rebuilt from their answers.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("questions", sa.JSON()))
    op.create_index("ix_answers_attempt", "answers", ["session_id", "position", "attempt"],
                    unique=True)

    # backfill: the questions of existing sessions, from their first attempts
    conn = op.get_bind()
    sessions = sa.table("sessions", sa.column("id", sa.String), sa.column("questions", sa.JSON))
    answers = sa.table(
        "answers", sa.column("session_id", sa.String), sa.column("position", sa.Integer),
        sa.column("attempt", sa.Integer), sa.column("question_id", sa.String),
        sa.column("question_text", sa.Text), sa.column("category", sa.String),
        sa.column("kind", sa.String), sa.column("suggested_seconds", sa.Integer),
        sa.column("follow_ups", sa.JSON), sa.column("look_for", sa.Text),
    )
    rows = conn.execute(sa.select(answers).where(answers.c.attempt == 1)
                        .order_by(answers.c.session_id, answers.c.position)).mappings().all()
    by_session: dict[str, list[dict]] = {}
    for r in rows:
        by_session.setdefault(r["session_id"], []).append({
            "id": r["question_id"], "text": r["question_text"], "category": r["category"],
            "kind": r["kind"], "suggested_seconds": r["suggested_seconds"],
            "follow_ups": r["follow_ups"] or [], "look_for": r["look_for"],
        })
    for sid, qs in by_session.items():
        conn.execute(sessions.update().where(sessions.c.id == sid).values(questions=qs))


def downgrade() -> None:
    op.drop_index("ix_answers_attempt", table_name="answers")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("questions")
