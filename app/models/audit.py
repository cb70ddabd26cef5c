"""Change history (修改记录): one row per added, edited or deleted record, written by app.audit."""
import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import field
from .org import Organisation

__all__ = ["ChangeRecord", "CHANGE_ACTIONS"]

CHANGE_ACTIONS = {"create": "新增", "update": "修改", "delete": "删除"}


class ChangeRecord(Model):
    """Who changed which record when, from where, and each field's old and new value.

    Values are stored as written (codes, ids, full ID numbers); names, masking and labels are
    applied when the record is shown. ``organisation_id`` is the organisation the record belonged
    to (the scope of the history row); it is not a foreign key, so history outlives deletions.
    """

    __tablename__ = "change_record"
    verbose_name = N_("修改记录")
    __table_args__ = (Index("ix_change_record_object", "model", "object_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, index=True,
                                                  default=datetime.datetime.now,
                                                  info=field("时间"))
    user_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True, info=field("操作人"))
    username: Mapped[Optional[str]] = mapped_column(String(100), info=field("操作人"))
    address: Mapped[Optional[str]] = mapped_column(String(50), info=field("来源地址"))
    request_id: Mapped[Optional[str]] = mapped_column(String(32), index=True,
                                                      info=field("请求编号"))
    model: Mapped[str] = mapped_column(String(40), nullable=False, info=field("对象类型"))
    object_id: Mapped[Optional[int]] = mapped_column(Integer, info=field("对象编号"))
    object_label: Mapped[Optional[str]] = mapped_column(String(200), info=field("对象"))
    object_version: Mapped[Optional[int]] = mapped_column(Integer, info=field("版本"))
    organisation_id: Mapped[Optional[int]] = mapped_column(Integer, index=True,
                                                           info=field("所属单位"))
    organisation: Mapped[Optional[Organisation]] = relationship(
        primaryjoin="foreign(ChangeRecord.organisation_id) == Organisation.id", viewonly=True,
        info=field("所属单位"))
    action: Mapped[str] = mapped_column(String(10), nullable=False,
                                        info=field("操作", choices=CHANGE_ACTIONS))
    # [[field, old, new], ...] in model column order
    changes: Mapped[list] = mapped_column(JSON, nullable=False, default=list,
                                          info=field("变更内容"))

    @property
    def details(self) -> "ChangeRecord":
        """The record itself: the 变更内容 column is formatted from the model and the changes."""
        return self
