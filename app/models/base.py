"""Shared model pieces: declared labels, code-table references, stamps, optimistic locking.

A column's user-facing facts live once, in ``info``: ``label`` (Chinese), ``codes`` (the code table whose
code the column stores), ``sensitive`` (masked for roles without the 查看完整证件号 permission).
Every surface — forms, lists, export headers, import columns — reads them from here.
"""
import datetime
from typing import Optional

from flask import g, has_request_context
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship


def field(label: str, **info) -> dict:
    """The ``info`` dict of a column: its Chinese label plus any of codes=, sensitive=, kind=."""
    return {"label": label, **info}


def code_column(table: str, label: str, nullable: bool = True, **kw) -> Mapped:
    """A column storing a code of the named code table (字典); screens show the code's name."""
    return mapped_column(String(4), nullable=nullable, info=field(label, codes=table), **kw)


def _current_user_id() -> Optional[int]:
    if has_request_context():
        user = getattr(g, "user", None)
        return getattr(user, "id", None)
    return None


class StampMixin:
    """Created/changed time and user. The user is optional so CLI imports and seeding work
    (FAB's AuditMixin requires one; FAB_NOTES hazard 3). Never part of a form."""

    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=datetime.datetime.now, info=field("创建时间")
    )
    changed_on: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=datetime.datetime.now, onupdate=datetime.datetime.now,
        info=field("修改时间"),
    )

    @declared_attr
    def created_by_id(cls) -> Mapped[Optional[int]]:
        return mapped_column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"),
                             default=_current_user_id, info=field("创建人"))

    @declared_attr
    def changed_by_id(cls) -> Mapped[Optional[int]]:
        return mapped_column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"),
                             default=_current_user_id, onupdate=_current_user_id,
                             info=field("修改人"))


class VersionedMixin:
    """Optimistic locking: an UPDATE whose version no longer matches raises StaleDataError."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


class LogEntryMixin:
    """A row of a log (imports, exports): when, labelled ``logged_label``, and by which account
    (the row outlives the account)."""

    logged_label = "时间"  # subclasses: N_("…") so the label is extracted

    id: Mapped[int] = mapped_column(Integer, primary_key=True)

    @declared_attr
    def created_on(cls) -> Mapped[datetime.datetime]:
        return mapped_column(DateTime, nullable=False, default=datetime.datetime.now, index=True,
                             info=field(cls.logged_label))

    @declared_attr
    def user_id(cls) -> Mapped[Optional[int]]:
        return mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True,
                             info=field("操作人"))

    @declared_attr
    def user(cls):
        return relationship("Account", info=field("操作人"))
