"""Background jobs (large exports and imports): state kept in the database so any worker can
report progress and serve the result."""
import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..i18n import N_
from .base import field

__all__ = ["Job", "JOB_STATUS"]

JOB_STATUS = {"queued": N_("排队中"), "running": N_("进行中"), "done": N_("已完成"),
              "failed": N_("失败")}


class Job(Model):
    """One background task of one account."""

    __tablename__ = "job"
    verbose_name = N_("任务")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, info=field("类型"))
    title: Mapped[str] = mapped_column(String(200), nullable=False, info=field("任务"))
    user_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True, info=field("提交人"))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued",
                                        info=field("状态", choices=JOB_STATUS))
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=field("已处理"))
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=field("总数"))
    message: Mapped[Optional[str]] = mapped_column(Text, info=field("结果说明"))
    file_path: Mapped[Optional[str]] = mapped_column(String(500))
    file_name: Mapped[Optional[str]] = mapped_column(String(200), info=field("文件名"))
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=datetime.datetime.now, info=field("提交时间"))
    finished_on: Mapped[Optional[datetime.datetime]] = mapped_column(
        DateTime, info=field("完成时间"))

