"""Investors' enquiries and the privacy-light usage statistics.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-27

- ``enquiries``: one row per enquiry (:class:`atlas.enquiries.model.Enquiry`); ``number`` from an
  identity column, so a number is never reused after a purge; ``time`` indexed for the purge.
  No column for an IP address, a browser or a cookie: they are never kept.
- ``usage_counts``: how often each entity's profile was viewed, each filter value used, and
  each search that found nothing was made, per day (China Standard Time) — counts only.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE TABLE enquiries (
            number bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            time timestamptz NOT NULL,
            name text NOT NULL,
            organisation text NOT NULL DEFAULT '',
            contact text NOT NULL,
            need text NOT NULL,
            entity_id text NOT NULL DEFAULT '',
            link text NOT NULL DEFAULT '',
            lang text NOT NULL DEFAULT 'zh',
            consent boolean NOT NULL CHECK (consent),
            status text NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'in_progress', 'answered', 'closed')),
            assignee text NOT NULL DEFAULT '',
            notes text NOT NULL DEFAULT '',
            updated_by text NOT NULL DEFAULT '',
            updated_at timestamptz
        )
    """)
    op.execute("CREATE INDEX enquiries_time ON enquiries (time)")
    op.execute("CREATE INDEX enquiries_status ON enquiries (status, number)")
    op.execute("""
        CREATE TABLE usage_counts (
            day date NOT NULL,
            kind text NOT NULL,
            key text NOT NULL,
            count bigint NOT NULL CHECK (count > 0),
            PRIMARY KEY (day, kind, key)
        )
    """)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS enquiries, usage_counts")
