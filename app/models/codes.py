"""Code tables (字典): one generic model holding the national tables (GB/T 3304, 4761, 4658, 2261.x, 4762)
and the product's own (居住状态, 特殊人群). Records store codes; screens and exports show names."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..i18n import N_
from .base import field

__all__ = ["CodeItem", "CODE_TABLES"]

# table key -> Chinese name of the table, with the standard it comes from.
CODE_TABLES = {
    "sex": N_("性别（GB/T 2261.1）"),
    "ethnic": N_("民族（GB/T 3304）"),
    "relation": N_("与户主关系（GB/T 4761）"),
    "education": N_("学历（GB/T 4658）"),
    "marital": N_("婚姻状况（GB/T 2261.2）"),
    "political": N_("政治面貌（GB/T 4762）"),
    "employment": N_("从业状况（GB/T 2261.4）"),
    "household_type": N_("户别"),
    "hukou_nature": N_("户口性质"),
    "residence_status": N_("居住状态"),
    "special_group": N_("特殊人群类别"),
}


class CodeItem(Model):
    """One code of one code table. Admins may rename, reorder and deactivate; codes are fixed."""

    __tablename__ = "code_item"
    verbose_name = N_("字典项")
    __table_args__ = (UniqueConstraint("table", "code", name="uq_code_item_table_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table: Mapped[str] = mapped_column(String(30), nullable=False,
                                       info=field("字典", choices=CODE_TABLES))
    code: Mapped[str] = mapped_column(String(4), nullable=False, info=field("代码"))
    name: Mapped[str] = mapped_column(String(60), nullable=False, info=field("名称"))
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                            info=field("排序"))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True,
                                         info=field("启用"))

    def __repr__(self) -> str:
        return self.name
