"""The enterprises layer (issue 13): an empty layer row, so a database made before it existed
keeps serving (``atlas db load`` fills it from the files).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        INSERT INTO layers (layer, collection)
        VALUES ('enterprises', '{"type": "FeatureCollection", "name": "enterprises", "features": []}')
        ON CONFLICT (layer) DO NOTHING
    """)


def downgrade() -> None:
    op.execute("DELETE FROM layers WHERE layer = 'enterprises'")
