"""Access: email drafts have an owner; login emails are stored normalised.

* ``email_drafts.owner_email``: the login email of whoever saved a draft, so that a draft
  saved without a session (a program typed by hand) is shown to its owner only on a shared
  server. Existing drafts keep NULL (visible to admins and the local user).
* ``applicants.email`` and ``applicants.coach_email`` are stored lower-case and stripped
  (the access rule compares them so), which lets the queries use their indexes.

Revision ID: 0003_access
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_access"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("email_drafts") as batch:
        batch.add_column(sa.Column("owner_email", sa.String(320)))
        batch.create_index("ix_email_drafts_owner_email", ["owner_email"])
    applicants = sa.table("applicants", sa.column("email", sa.String),
                          sa.column("coach_email", sa.String))
    conn = op.get_bind()
    for col in ("email", "coach_email"):
        c = applicants.c[col]
        conn.execute(applicants.update().where(c.is_not(None))
                     .values({col: sa.func.lower(sa.func.trim(c))}))
        conn.execute(applicants.update().where(c == "").values({col: None}))


def downgrade() -> None:
    with op.batch_alter_table("email_drafts") as batch:
        batch.drop_index("ix_email_drafts_owner_email")
        batch.drop_column("owner_email")
