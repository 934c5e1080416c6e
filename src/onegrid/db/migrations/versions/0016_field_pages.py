"""field pages: a report's submission key, the hotline's callback wish, a user's language,
notifications read

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

- case_submission: the key a browser gives a report it sends (an idempotency key), so a
  report sent again after the network dropped opens no second case; its digest (a hash of
  the report and its photos) tells the same report from another one sent with the same key.
- case_record.callback_wanted: the 12345 caller asked to be called back once the case closes;
  ix_case_record_callbacks finds the closed cases whose caller waits (the callback list).
- app_user.language: the language the pages speak to the user, chosen on any page;
  app_user.notifications_read_upto: "mark all read" reads every notification up to this id.
- notification_read: which user has read which in-app notification (a notification may be
  addressed to a whole unit or department, so reading is kept per user); notification's
  unit_code and department_code (with the district) indexed: by them a user's inbox and
  unread count find theirs.
- ix_case_record_tasks (district_code, state, stage_deadline): a field worker's tasks (cases
  waiting in a few states, due soonest first) without reading the year's closed cases.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_case_submission_case_id", "case_submission", ["case_id"])
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("callback_wanted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_case_record_callbacks",
        "case_record",
        ["district_code", "state", "callback_wanted", "closed_at"],
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("notifications_read_upto", sa.Integer(), nullable=True))
    op.create_table(
        "notification_read",
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("notification_id", "user_id"),
    )
    op.create_index("ix_notification_unit_code", "notification", ["unit_code"])
    op.create_index(
        "ix_notification_department", "notification", ["department_code", "district_code"]
    )
    op.create_index(
        "ix_case_record_tasks", "case_record", ["district_code", "state", "stage_deadline"]
    )


def downgrade() -> None:
    op.drop_index("ix_case_record_tasks", table_name="case_record")
    op.drop_index("ix_notification_department", table_name="notification")
    op.drop_index("ix_notification_unit_code", table_name="notification")
    op.drop_table("notification_read")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("notifications_read_upto")
        batch_op.drop_column("language")
    op.drop_index("ix_case_record_callbacks", table_name="case_record")
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_column("callback_wanted")
    op.drop_index("ix_case_submission_case_id", table_name="case_submission")
    op.drop_table("case_submission")
