"""Posts (职务) with seat quotas per organisation level, and per-organisation overrides."""
from typing import Optional

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import field
from .org import LEVELS, Organisation

__all__ = ["Post", "QuotaOverride", "Account"]


class Post(Model):
    """A named seat of the district plan, e.g. 居委会副主任 at 社区 level with quota 4.
    ``quota`` None means outside the quotas (市级 system administrators)."""

    __tablename__ = "post"
    verbose_name = N_("职务")
    __table_args__ = (UniqueConstraint("level", "name", name="uq_post_level_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False, info=field("职务"))
    level: Mapped[str] = mapped_column(String(10), nullable=False,
                                       info=field("层级", choices=LEVELS))
    quota: Mapped[Optional[int]] = mapped_column(Integer, info=field("名额"))
    role_name: Mapped[Optional[str]] = mapped_column(String(64), info=field("默认角色"))
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                            info=field("排序"))

    def __repr__(self) -> str:
        return self.name


class QuotaOverride(Model):
    """A different quota for one post in one organisation."""

    __tablename__ = "quota_override"
    verbose_name = N_("名额调整")
    __table_args__ = (UniqueConstraint("organisation_id", "post_id",
                                       name="uq_quota_override_org_post"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, info=field("单位"))
    organisation: Mapped[Organisation] = relationship(info=field("单位"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"),
                                         nullable=False, info=field("职务"))
    post: Mapped[Post] = relationship(info=field("职务"))
    quota: Mapped[int] = mapped_column(Integer, nullable=False, info=field("名额"))


class Account(User):
    """FAB's user, extended with the organisation it belongs to and the post (seat) it holds."""

    __tablename__ = "ab_user"
    label_column = "username"  # names an account in exports (app/exporting.py)

    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT", use_alter=True,
                   name="fk_ab_user_organisation_id"), index=True, info=field("所属单位"))
    organisation: Mapped[Optional[Organisation]] = relationship(
        foreign_keys=[organisation_id], info=field("所属单位"))
    post_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("post.id", ondelete="RESTRICT", use_alter=True, name="fk_ab_user_post_id"),
        index=True, info=field("职务"))
    post: Mapped[Optional[Post]] = relationship(info=field("职务"))


# FAB's own account and role fields get their Chinese labels here, declared once like every other column.
for _name, _label in {"username": "用户名", "first_name": "名", "last_name": "姓",
                      "email": "电子邮箱", "active": "启用", "password": "密码"}.items():
    User.__table__.c[_name].info.setdefault("label", _label)
User.__mapper__.relationships["roles"].info.setdefault("label", "角色")
Role.__table__.c["name"].info.setdefault("label", "名称")
Role.__mapper__.relationships["permissions"].info.setdefault("label", "权限")
