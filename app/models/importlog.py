"""One row per import run (web or command line): who, when, which file, which community, counts."""
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import LogEntryMixin, field
from .org import Organisation

__all__ = ["ImportLog", "IMPORT_STATUS", "IMPORT_MODES", "IMPORT_SOURCES"]

IMPORT_STATUS = {"imported": "已导入", "rejected": "未导入（有错误）", "failed": "失败"}
IMPORT_MODES = {"all": "全部导入或全部不导入", "valid": "只导入无误的行"}
IMPORT_SOURCES = {"web": "网页", "cli": "命令行"}


def _count(label: str) -> Mapped[int]:
    return mapped_column(Integer, nullable=False, default=0, info=field(label))


class ImportLog(LogEntryMixin, Model):
    """An import of residents with their households into one community."""

    __tablename__ = "import_log"
    verbose_name = N_("导入记录")

    logged_label = N_("导入时间")

    community_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False, index=True,
        info=field("导入社区"))
    community: Mapped[Organisation] = relationship(info=field("导入社区"))
    file_name: Mapped[str] = mapped_column(String(200), nullable=False, info=field("文件名"))
    source: Mapped[str] = mapped_column(String(10), nullable=False,
                                        info=field("方式", choices=IMPORT_SOURCES))
    mode: Mapped[str] = mapped_column(String(10), nullable=False,
                                      info=field("导入选项", choices=IMPORT_MODES))
    status: Mapped[str] = mapped_column(String(10), nullable=False,
                                        info=field("结果", choices=IMPORT_STATUS))
    rows: Mapped[int] = _count("总行数")
    created: Mapped[int] = _count("新增人数")
    updated: Mapped[int] = _count("更新人数")
    unchanged: Mapped[int] = _count("未变人数")
    errors: Mapped[int] = _count("错误行数")
    households_created: Mapped[int] = _count("新增户数")
    households_updated: Mapped[int] = _count("更新户数")
    message: Mapped[Optional[str]] = mapped_column(Text, info=field("说明"))
