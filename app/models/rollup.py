"""Per-community summaries behind the dashboard, and each community's entry target.

``CommunitySummary`` holds one row per community (totals, activity) and ``CommunityStat`` its
breakdowns as (dimension, key, count) rows, so a district view is a sum over a few hundred rows
instead of a GROUP BY over every resident (app/stats.py keeps them; PERF_FACTS "Rollups").
"""
import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import StampMixin, field
from .org import Organisation

__all__ = ["CommunitySummary", "CommunityStat", "CommunityTarget"]


class CommunitySummary(Model):
    """Totals of one community. Writers bump ``version``; the numbers are current when
    ``computed_version == version`` and ``as_of`` is today (ages and "this week" move with the
    date)."""

    __tablename__ = "community_summary"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    computed_version: Mapped[int] = mapped_column(Integer, nullable=False, default=-1)
    as_of: Mapped[Optional[datetime.date]] = mapped_column(Date)
    residents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    households: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_change: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime)
    changed_this_week: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CommunityStat(Model):
    """One count of one community's breakdown, e.g. ('age', '2:35') or ('entered', '2025-08-04')."""

    __tablename__ = "community_stat"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False)


class CommunityTarget(StampMixin, Model):
    """How many residents and households the community is expected to enter (e.g. census)."""

    __tablename__ = "community_target"
    verbose_name = N_("录入目标")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, unique=True,
        info=field("社区"))
    community: Mapped[Organisation] = relationship(info=field("社区"))
    residents: Mapped[int] = mapped_column(Integer, nullable=False, info=field("目标人数"))
    households: Mapped[int] = mapped_column(Integer, nullable=False, info=field("目标户数"))
