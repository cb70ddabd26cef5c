"""The plan's training and equipment records: who was trained, which unit has which devices."""
import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..i18n import N_
from .base import StampMixin, field
from .org import Organisation
from .seat import Account

__all__ = ["TrainingRecord", "Equipment", "EQUIPMENT_KINDS"]

EQUIPMENT_KINDS = {"computer": "电脑", "usb_key": "U盾", "server": "服务器"}


class OrganisationRecordMixin(StampMixin):
    """A record kept for one unit of the tree (scoped by its ``organisation_id``)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False,
                             index=True, info=field("单位"))

    @declared_attr
    def organisation(cls) -> Mapped[Organisation]:
        return relationship(info=field("单位"))


class TrainingRecord(OrganisationRecordMixin, Model):
    """One person's attendance of one course: an account of the system, or a name typed in."""

    __tablename__ = "training_record"
    verbose_name = N_("培训记录")

    account_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True, info=field("账号"))
    account: Mapped[Optional[Account]] = relationship(foreign_keys=[account_id],
                                                      info=field("账号"))
    person_name: Mapped[Optional[str]] = mapped_column(String(50), info=field("姓名"))
    course: Mapped[str] = mapped_column(String(100), nullable=False, info=field("培训课程"))
    trained_on: Mapped[datetime.date] = mapped_column(Date, nullable=False,
                                                      info=field("培训日期"))
    notes: Mapped[Optional[str]] = mapped_column(Text, info=field("备注"))

    def __repr__(self) -> str:
        return f"{self.person_name or self.account} {self.course}"


class Equipment(OrganisationRecordMixin, Model):
    """A device given to a unit: computer, USB key (U盾) or server."""

    __tablename__ = "equipment"
    verbose_name = N_("设备")

    kind: Mapped[str] = mapped_column(String(10), nullable=False,
                                      info=field("设备类型", choices=EQUIPMENT_KINDS))
    serial_no: Mapped[str] = mapped_column(String(60), nullable=False, info=field("序列号"))
    registered_on: Mapped[datetime.date] = mapped_column(Date, nullable=False,
                                                         info=field("登记日期"))
    notes: Mapped[Optional[str]] = mapped_column(Text, info=field("备注"))

    def __repr__(self) -> str:
        return f"{EQUIPMENT_KINDS.get(self.kind, self.kind)} {self.serial_no}"
