"""One row per Excel export of a list: who, when, which list, filters, preset, rows."""
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import LogEntryMixin, field
from .org import Organisation

__all__ = ["ExportLog", "EXPORT_MODES"]

EXPORT_MODES = {"direct": N_("直接下载"), "job": N_("后台任务")}


class ExportLog(LogEntryMixin, Model):
    """An export; ``organisation_id`` is the exporting account's unit (its scope)."""

    __tablename__ = "export_log"
    verbose_name = N_("导出记录")

    logged_label = N_("导出时间")

    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True, info=field("所属单位"))
    organisation: Mapped[Optional[Organisation]] = relationship(info=field("所属单位"))
    list_name: Mapped[str] = mapped_column(String(100), nullable=False, info=field("列表"))
    filters: Mapped[Optional[str]] = mapped_column(Text, info=field("筛选条件"))
    preset: Mapped[Optional[str]] = mapped_column(String(100), info=field("部门报表"))
    mode: Mapped[str] = mapped_column(String(10), nullable=False, default="direct",
                                      info=field("导出方式", choices=EXPORT_MODES))
    rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0, info=field("行数"))
