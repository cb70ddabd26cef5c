"""Households (户), each registered in one 社区-level organisation."""
import datetime
from decimal import Decimal
from typing import List, Optional

from flask_appbuilder import Model
from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates

from ..i18n import N_
from .base import StampMixin, VersionedMixin, code_column, field
from .org import Organisation

__all__ = ["Household", "HOUSEHOLD_STATUS"]

HOUSEHOLD_STATUS = {"active": N_("在册"), "cancelled": N_("已注销")}


class Household(StampMixin, VersionedMixin, Model):
    """A household. Its head is the member whose relation is 户主 (GB/T 4761 code 02)."""

    __tablename__ = "household"
    verbose_name = N_("户")
    label_column = "household_no"  # names a household in exports (app/exporting.py)
    __table_args__ = (
        UniqueConstraint("community_id", "household_no", name="uq_household_community_no"),
        Index("ix_household_community_status", "community_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_no: Mapped[str] = mapped_column(String(30), nullable=False, index=True,
                                              info=field("户编号"))
    household_type: Mapped[Optional[str]] = code_column("household_type", "户别")
    community_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False, index=True,
        info=field("所属社区"),
    )
    community: Mapped[Organisation] = relationship(info=field("所属社区"))
    estate: Mapped[Optional[str]] = mapped_column(String(100), info=field("小区/路"))
    building: Mapped[Optional[str]] = mapped_column(String(20), info=field("楼栋"))
    unit: Mapped[Optional[str]] = mapped_column(String(20), info=field("单元"))
    door: Mapped[Optional[str]] = mapped_column(String(20), info=field("门牌号"))
    floor_area: Mapped[Optional[Decimal]] = mapped_column(
        Numeric(8, 2), info=field("住房建筑面积（㎡）")
    )
    rooms: Mapped[Optional[int]] = mapped_column(Integer, info=field("住房间数"))
    phone: Mapped[Optional[str]] = mapped_column(String(20),
                                                 info=field("联系电话", sensitive="phone"))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="active",
                                        index=True, info=field("状态", choices=HOUSEHOLD_STATUS))
    status_date: Mapped[Optional[datetime.date]] = mapped_column(Date, info=field("注销日期"))
    status_reason: Mapped[Optional[str]] = mapped_column(String(200), info=field("注销原因"))
    notes: Mapped[Optional[str]] = mapped_column(Text, info=field("备注"))

    # passive_deletes="all": deleting a household with members is refused by the database
    # (RESTRICT) instead of the ORM silently detaching its residents.
    members: Mapped[List["Resident"]] = relationship(  # noqa: F821
        back_populates="household", passive_deletes="all", info=field("家庭成员")
    )

    def __repr__(self) -> str:
        return f"{self.household_no} {self.address}".strip()

    @validates("community", "community_id")
    def _take_members_along(self, key, value):
        """Moving a household moves its members: a resident's community is always its
        household's (Resident._follow_household), whoever moves it (form, API, script)."""
        session = object_session(self)
        if self.id is None or session is None:
            return value
        with session.no_autoflush:  # a lazy load must not flush a form half-applied
            if getattr(self, key) != value:
                for member in self.members:
                    setattr(member, key, value)
        return value

    @property
    def address(self) -> str:
        parts = (self.estate, self.building and f"{self.building}号楼",
                 self.unit and f"{self.unit}单元", self.door)
        return "".join(p for p in parts if p)
