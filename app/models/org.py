"""The organisation tree 市 > 区 > 街道 > 社区, keyed by 12-digit statistical division codes."""
from typing import List, Optional

from flask_appbuilder import Model
from sqlalchemy import Boolean, ForeignKey, Integer, String, event, func, literal
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import StampMixin, field

__all__ = ["Organisation", "LEVELS", "level_of_code", "parent_code_of"]

# level key -> Chinese name; order is depth.
LEVELS = {"city": N_("市"), "district": N_("区"), "street": N_("街道"), "community": N_("社区")}

# Statistical code segments: province 2, prefecture 2, county 2, township 3, village 3 digits.
_SEGMENTS = (2, 4, 6, 9, 12)


def _significant_length(code: str) -> int:
    """Length of the code without its trailing all-zero segments."""
    for start, end in reversed(list(zip((0,) + _SEGMENTS, _SEGMENTS))):
        if code[start:end].strip("0"):
            return end
    return 0


def level_of_code(code: str) -> str:
    """Level from the code structure: province and prefecture units are both 市 level here."""
    return {2: "city", 4: "city", 6: "district", 9: "street", 12: "community"}.get(
        _significant_length(code), "city"
    )


def parent_code_of(code: str) -> Optional[str]:
    """The code of the enclosing unit: the code with its last significant segment zeroed."""
    length = _significant_length(code)
    if length <= 2:
        return None
    previous = _SEGMENTS[_SEGMENTS.index(length) - 1]
    return code[:previous].ljust(12, "0")


class Organisation(StampMixin, Model):
    """A unit of the four-level network. ``path`` is the chain of codes from the root, used for subtree
    queries (``path LIKE :prefix%``); it is maintained on every insert and re-parent."""

    __tablename__ = "organisation"
    verbose_name = N_("单位")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True, nullable=False,
                                      info=field("区划代码", kind="identifier"))
    name: Mapped[str] = mapped_column(String(100), nullable=False, info=field("名称"))
    level: Mapped[str] = mapped_column(String(10), nullable=False, index=True,
                                       info=field("层级", choices=LEVELS))
    parent_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True, info=field("上级单位")
    )
    parent: Mapped[Optional["Organisation"]] = relationship(
        remote_side=[id], back_populates="children", info=field("上级单位")
    )
    # passive_deletes="all": deleting a unit with sub-units is refused by the database (RESTRICT)
    # instead of the ORM silently detaching the sub-units.
    children: Mapped[List["Organisation"]] = relationship(back_populates="parent",
                                                          passive_deletes="all")
    path: Mapped[str] = mapped_column(String(200), nullable=False, index=True,
                                      info=field("层级路径"))
    unit_type: Mapped[Optional[str]] = mapped_column(String(30), info=field("单位类型"))
    ur_code: Mapped[Optional[str]] = mapped_column(String(3), info=field("城乡分类代码"))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True,
                                         info=field("有效"))

    def __repr__(self) -> str:
        return self.name

    @property
    def level_name(self) -> str:
        return LEVELS.get(self.level, self.level)

    def compute_path(self) -> str:
        return (self.parent.path if self.parent else "/") + self.code + "/"


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def _maintain_path(mapper, connection, org: Organisation) -> None:
    new_path = org.compute_path()
    if org.path and org.path != new_path:
        # Re-parented: move the whole subtree with it, in one statement.
        table = Organisation.__table__
        old = org.path
        connection.execute(
            table.update()
            .where(table.c.path.startswith(old, autoescape=True), table.c.id != org.id)
            .values(path=literal(new_path) + func.substr(table.c.path, len(old) + 1))
        )
    org.path = new_path
