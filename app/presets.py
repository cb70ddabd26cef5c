"""Department export presets (部门报表), declared as data in this one place.

Each preset is a column set plus row conditions over residents, offered in the 导出Excel dropdown of
the resident list. Conditions: ``sex`` (code), ``age`` (inclusive range in whole years on the
export day), ``codes`` ({column: codes}), ``groups`` (特殊人群 codes, any of), ``active`` (在册
only). The list's own filters, search and scope still apply on top.
"""
import datetime
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import and_

from .i18n import N_

BASE = ("name", "id_card_no", "sex", "birth_date", "community", "household")


@dataclass(frozen=True)
class Preset:
    department: str
    title: str
    columns: tuple
    sex: Optional[str] = None
    age: Optional[tuple] = None  # (youngest, oldest), either may be None
    codes: dict = field(default_factory=dict)
    groups: tuple = ()
    active: bool = True

    @property
    def label(self) -> str:
        """部门：报表, in the current language."""
        from flask_babel import gettext as _

        return _("%(department)s：%(title)s", department=_(self.department), title=_(self.title))


PRESETS = {
    "women_15_49": Preset(N_("人口计生"), N_("育龄妇女（15–49岁）"),
                          BASE + ("marital", "education", "employment", "phone",
                                  "residence_status"), sex="2", age=(15, 49)),
    "children_0_14": Preset(N_("人口计生"), N_("儿童（0–14岁）"),
                            BASE + ("relation", "residence_status", "hukou_nature"),
                            age=(0, 14)),
    "employment": Preset(N_("人力社保"), N_("劳动年龄人口从业状况（16–59岁）"),
                         BASE + ("education", "employment", "phone"), age=(16, 59)),
    "unemployed": Preset(N_("人力社保"), N_("失业和无业人员"),
                         BASE + ("education", "employment", "phone", "special_groups"),
                         codes={"employment": ("70",)}, groups=("05",)),
    "culture": Preset(N_("文化"), N_("居民文化程度"),
                      BASE + ("ethnic", "education", "political")),
    "hukou": Preset(N_("公安"), N_("户籍与居住状态"),
                    BASE + ("ethnic", "relation", "hukou_nature", "hukou_address",
                            "residence_status", "phone"), active=False),
    "elderly": Preset(N_("卫生"), N_("60岁及以上老年人"),
                      BASE + ("phone", "special_groups", "residence_status"), age=(60, None)),
    "disabled": Preset(N_("卫生"), N_("残疾人"),
                       BASE + ("phone", "special_groups", "residence_status"), groups=("02",)),
    "school_age": Preset(N_("教育"), N_("学龄儿童（6–15岁）"),
                         BASE + ("relation", "education", "hukou_nature",
                                 "residence_status"), age=(6, 15)),
}


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_clause(born, youngest, oldest, today: datetime.date):
    """Born such that the age on ``today`` lies in [youngest, oldest]."""
    parts = []
    if youngest is not None:
        parts.append(born <= _years_before(today, youngest))
    if oldest is not None:
        parts.append(born > _years_before(today, oldest + 1))
    return and_(*parts)


def conditions(preset: Preset, model, today: Optional[datetime.date] = None) -> list:
    """The preset's row conditions as SQL clauses over ``model`` (Resident)."""
    from .models import CodeItem

    today = today or datetime.date.today()
    where = []
    if preset.active:
        where.append(model.status == "active")
    if preset.sex:
        where.append(model.sex == preset.sex)
    if preset.age:
        where.append(age_clause(model.birth_date, *preset.age, today))
    alternatives = [getattr(model, name).in_(codes) for name, codes in preset.codes.items()]
    if preset.groups:
        alternatives.append(model.special_groups.any(and_(
            CodeItem.table == "special_group", CodeItem.code.in_(preset.groups))))
    if alternatives:
        from sqlalchemy import or_

        where.append(or_(*alternatives))
    return where


def presets_for(model) -> dict:
    """The presets offered on the list of ``model`` (residents only)."""
    from .models import Resident

    return PRESETS if model is Resident else {}
