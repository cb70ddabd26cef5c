"""问题反馈: problems reported by any account, seen, assigned and closed by administrators."""
import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import field
from .org import Organisation
from .seat import Account

__all__ = ["Feedback", "FEEDBACK_STATUS"]

FEEDBACK_STATUS = {"open": "待处理", "assigned": "处理中", "closed": "已关闭"}


class Feedback(Model):
    """One report. It belongs to the reporter's organisation (its scope); the reporter always
    sees their own reports."""

    __tablename__ = "feedback"
    verbose_name = N_("问题反馈")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False, info=field("问题"))
    description: Mapped[str] = mapped_column(Text, nullable=False, info=field("详细描述"))
    page_url: Mapped[Optional[str]] = mapped_column(String(500), info=field("出问题的页面"))
    screenshot: Mapped[Optional[str]] = mapped_column(String(100), info=field("截图"))
    reporter_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True, info=field("反馈人"))
    reporter: Mapped[Optional[Account]] = relationship(foreign_keys=[reporter_id],
                                                       info=field("反馈人"))
    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True, info=field("反馈单位"))
    organisation: Mapped[Optional[Organisation]] = relationship(info=field("反馈单位"))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open", index=True,
                                        info=field("状态", choices=FEEDBACK_STATUS))
    assignee_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True, info=field("处理人"))
    assignee: Mapped[Optional[Account]] = relationship(foreign_keys=[assignee_id],
                                                       info=field("处理人"))
    response: Mapped[Optional[str]] = mapped_column(Text, info=field("处理说明"))
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime, nullable=False, default=datetime.datetime.now, info=field("提交时间"))
    closed_on: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime,
                                                                  info=field("关闭时间"))

    def __repr__(self) -> str:
        return self.title
