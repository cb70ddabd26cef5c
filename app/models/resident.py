"""Residents (居民). People are not deleted in normal work: leaving is 迁出 or 死亡 with a reason."""
import datetime
from typing import List, Optional

from flask_appbuilder import Model
from sqlalchemy import (Column, Date, ForeignKey, Index, Integer, String, Table, Text, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..i18n import N_
from ..idcard import IdNumberError, parse_id_number
from .base import StampMixin, VersionedMixin, code_column, field
from .codes import CodeItem
from .household import Household
from .org import Organisation

__all__ = ["Resident", "RESIDENT_STATUS", "HEAD_RELATION", "resident_special_group"]

RESIDENT_STATUS = {"active": N_("在册"), "moved_out": N_("迁出"), "deceased": N_("死亡")}
HEAD_RELATION = "02"  # GB/T 4761-2008: 02 户主

resident_special_group = Table(
    "resident_special_group",
    Model.metadata,
    Column("resident_id", ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True),
    Column("code_item_id", ForeignKey("code_item.id", ondelete="RESTRICT"), primary_key=True,
           index=True),
)

_ACTIVE = text("status = 'active'")


class Resident(StampMixin, VersionedMixin, Model):
    """A resident. ``community_id`` is stored on the row for fast scoping and always equals the
    household's community (kept so by the form and import rules)."""

    __tablename__ = "resident"
    verbose_name = N_("居民")
    __table_args__ = (
        # 公民身份号码 is unique among residents still registered (在册).
        Index("uq_resident_active_id_card", "id_card_no", unique=True,
              sqlite_where=_ACTIVE, postgresql_where=_ACTIVE),
        # At most one 户主 per household among registered members.
        Index("uq_resident_household_head", "household_id", unique=True,
              sqlite_where=text("status = 'active' AND relation = '02'"),
              postgresql_where=text("status = 'active' AND relation = '02'")),
        Index("ix_resident_community_id_id", "community_id", "id"),
        Index("ix_resident_community_status", "community_id", "status"),
        # name prefix and name order within a community's list (PostgreSQL also gets a trigram
        # index on name for "contains": migrations 0110_prod, app/db.py DATABASE_SPECIFIC_INDEXES)
        Index("ix_resident_community_name", "community_id", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False, index=True, info=field("姓名"))
    id_card_no: Mapped[str] = mapped_column(
        String(18), nullable=False, index=True, info=field("公民身份号码", sensitive="id_card", kind="identifier")
    )
    id_card_original: Mapped[Optional[str]] = mapped_column(
        String(15), info=field("原15位身份证号", sensitive="id_card")
    )
    sex: Mapped[str] = code_column("sex", "性别", nullable=False)
    birth_date: Mapped[datetime.date] = mapped_column(Date, nullable=False, index=True,
                                                      info=field("出生日期"))
    ethnic: Mapped[Optional[str]] = code_column("ethnic", "民族")
    relation: Mapped[Optional[str]] = code_column("relation", "与户主关系")
    household_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True, info=field("所属户")
    )
    household: Mapped[Optional[Household]] = relationship(back_populates="members",
                                                          info=field("所属户"))
    community_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False,
        info=field("所属社区"),
    )
    community: Mapped[Organisation] = relationship(info=field("所属社区"))
    hukou_nature: Mapped[Optional[str]] = code_column("hukou_nature", "户口性质")
    hukou_address: Mapped[Optional[str]] = mapped_column(String(200), info=field("户籍地址"))
    residence_status: Mapped[Optional[str]] = code_column("residence_status", "居住状态")
    education: Mapped[Optional[str]] = code_column("education", "学历")
    marital: Mapped[Optional[str]] = code_column("marital", "婚姻状况")
    political: Mapped[Optional[str]] = code_column("political", "政治面貌")
    employment: Mapped[Optional[str]] = code_column("employment", "从业状况")
    phone: Mapped[Optional[str]] = mapped_column(String(20),
                                                 info=field("联系电话", sensitive="phone"))
    special_groups: Mapped[List[CodeItem]] = relationship(
        secondary=resident_special_group, info=field("特殊人群", codes="special_group")
    )
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="active",
                                        info=field("状态", choices=RESIDENT_STATUS))
    status_date: Mapped[Optional[datetime.date]] = mapped_column(Date,
                                                                 info=field("变动日期"))
    status_reason: Mapped[Optional[str]] = mapped_column(String(200), info=field("变动原因"))
    notes: Mapped[Optional[str]] = mapped_column(Text, info=field("备注"))

    def __repr__(self) -> str:
        return self.name

    @validates("id_card_no")
    def _normalise_id(self, _key, value: str) -> str:
        """Stored as 18 characters; a 15-digit legacy number is upgraded and kept as the original.
        Invalid input is left as typed: forms, import and API reject it before it gets here."""
        try:
            parsed = parse_id_number(value)
        except IdNumberError:
            return value
        if parsed.original:
            self.id_card_original = parsed.original
        return parsed.number

    @validates("household")
    def _follow_household(self, _key, household: Optional[Household]):
        """A resident's community is always its household's (denormalised for fast scoping)."""
        if household is not None:
            self.community = household.community
        return household

    @property
    def age(self) -> Optional[int]:
        if not self.birth_date:
            return None
        today = datetime.date.today()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
