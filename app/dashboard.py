"""The dashboard of one organisation's subtree, as tables (each exportable) and charts.

Every number comes from the per-community rollups (app/stats.py) summed in SQL, and links to the
list it counts: the resident/household/organisation list with FAB filter arguments, where the
"属于（含下级单位）" filter selects the subtree (app/scope.OrgSubtreeFilter).
"""
import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional
from urllib.parse import urlencode

from flask import current_app, url_for
from flask_appbuilder.models.sqla.filters import (FilterEqual, FilterGreater,
                                                  FilterRelationManyToManyEqual, FilterSmaller,
                                                  FilterStartsWith)
from sqlalchemy import exists, func, select

from . import stats
from .charts import Bar, bar_chart, pyramid
from .display import code_tables
from .extensions import db
from .models import (Account, CodeItem, CommunitySummary, CommunityTarget, Equipment,
                     Organisation, TrainingRecord)
from .progress import entry_phase, lagging
from .scope import OrgSubtreeFilter

UNFILLED = "（未填）"
EDUCATION_CLASSES = {"1": "研究生", "2": "大学本科", "3": "大学专科", "4": "中等职业教育",
                     "6": "普通高中", "7": "初中", "8": "小学", "9": "其他"}
SEXES = {"1": "男", "2": "女"}


@dataclass
class Cell:
    text: str
    href: Optional[str] = None
    value: Any = None  # what the Excel export writes (the number, not its formatted text)
    css: str = ""


@dataclass
class Table:
    key: str
    title: str
    header: list
    rows: list = field(default_factory=list)
    chart: Any = None
    row_css: list = field(default_factory=list)


def number(value: int, href: Optional[str] = None) -> Cell:
    return Cell(f"{value:,}", href, value)


def percent(share: Optional[float], css: str = "") -> Cell:
    return Cell("—" if share is None else f"{share:.1%}",
                value=None if share is None else round(share, 4), css=css)


def when(moment) -> Cell:
    return Cell(f"{moment:%Y-%m-%d %H:%M}" if moment else "从未", value=moment)


# -- links to the lists behind the numbers ----------------------------------------------------
@lru_cache(maxsize=None)
def filter_arg(view_name: str, column: str, filter_class) -> str:
    """``_flt_<n>_<column>``: n is the position of ``filter_class`` (or of the view's own version
    of it, e.g. the escaped text filters) among the view's filters."""
    view = next(v for v in current_app.appbuilder.baseviews if type(v).__name__ == view_name)
    filters = view._filters._all_filters[column]
    return f"_flt_{next(i for i, f in enumerate(filters) if isinstance(f, filter_class))}_{column}"


def _url(endpoint: str, args: dict) -> str:
    """``url_for`` without arguments plus an encoded query: a page has hundreds of links."""
    return f"{url_for(endpoint)}?{urlencode(args)}"


def list_url(view_name: str, org_id: int, *conditions) -> str:
    """The list of ``view_name`` restricted to the subtree of ``org_id`` and (column, filter, value)
    conditions."""
    relation = "parent" if view_name == "OrganisationView" else "community"
    args = {filter_arg(view_name, relation, OrgSubtreeFilter): org_id}
    args.update({filter_arg(view_name, c, f): v for c, f, v in conditions})
    return _url(f"{view_name}.list", args)


ACTIVE = ("status", FilterEqual, "active")


def residents_url(org_id: int, *conditions) -> str:
    return list_url("ResidentView", org_id, ACTIVE, *conditions)


def households_url(org_id: int) -> str:
    return list_url("HouseholdView", org_id, ACTIVE)


def communities_url(org: Organisation) -> str:
    if org.level == "community":
        return _url("OrganisationView.list",
                    {filter_arg("OrganisationView", "code", FilterEqual): org.code})
    return list_url("OrganisationView", org.id, ("level", FilterEqual, "community"))


def dashboard_url(org: Organisation) -> str:
    return _url("DashboardView.index", {"org": org.id})


# -- the units ------------------------------------------------------------------------------
def children_of(org: Organisation) -> list[Organisation]:
    """The units the table lists: the children (streets, communities), or a community itself."""
    if org.level == "community":
        return [org]
    return list(db.session.scalars(select(Organisation).where(Organisation.parent_id == org.id)
                                   .order_by(Organisation.code)))


@dataclass
class Unit:
    org: Organisation
    residents: int = 0
    households: int = 0
    communities: int = 0
    last_change: Optional[datetime.datetime] = None
    changed_this_week: int = 0
    target_residents: Optional[int] = None
    target_households: Optional[int] = None
    last_login: Optional[datetime.datetime] = None

    @property
    def average_size(self) -> Optional[float]:
        return self.residents / self.households if self.households else None

    def share(self, entered: int, target: Optional[int]) -> Optional[float]:
        return entered / target if target else None


def units_of(org: Organisation) -> list[Unit]:
    s, t = CommunitySummary, CommunityTarget
    totals = stats.child_groups(org, s.community_id, func.sum(s.residents),
                                func.sum(s.households), func.count(), func.max(s.last_change),
                                func.sum(s.changed_this_week))
    targets = stats.child_groups(org, t.community_id, func.sum(t.residents),
                                 func.sum(t.households))
    logins = stats.child_groups(org, Account.organisation_id, func.max(Account.last_login))
    units = []
    for child in children_of(org):
        residents, households, count, last, changed = totals.get(child.path, (0, 0, 0, None, 0))
        target = targets.get(child.path, (None, None))
        units.append(Unit(child, residents or 0, households or 0, count, last, changed or 0,
                          target[0], target[1], logins.get(child.path, (None,))[0]))
    return units


# -- the dashboard --------------------------------------------------------------------------
@dataclass
class Dashboard:
    org: Organisation
    today: datetime.date
    units: list
    total: Unit
    phase: Any
    required: float
    counts: dict = field(default_factory=dict)  # {dimension: {key: residents}} of the subtree
    tables: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)  # the lists behind the totals
    updating: int = 0  # communities whose numbers are being refreshed in the background

    def add(self, table: Table) -> Table:
        self.tables[table.key] = table
        return table


def build(org: Organisation, today: Optional[datetime.date] = None) -> Dashboard:
    today = today or datetime.date.today()
    updating = len(stats.ensure_fresh(org.path, today))
    units = units_of(org)
    total = Unit(org, **{name: sum(getattr(u, name) for u in units)
                         for name in ("residents", "households", "communities")},
                 **{name: sum(getattr(u, name) or 0 for u in units) or None
                    for name in ("target_residents", "target_households")})
    phase = entry_phase(current_app.config, today)
    board = Dashboard(org, today, units, total, phase, phase.required_share(today),
                      counts=stats.breakdowns(org.path), updating=updating)
    board.links = {"residents": residents_url(org.id), "households": households_url(org.id),
                   "communities": communities_url(org)}
    board.add(units_table(board))
    for table in breakdown_tables(board):
        board.add(table)
    board.add(pyramid_table(board))
    board.add(progress_table(board))
    board.add(lagging_table(board))
    board.add(weekly_table(board))
    board.add(coverage_table(org, "untrained", "尚无培训人员的社区", TrainingRecord))
    board.add(coverage_table(org, "no_computer", "尚无电脑的社区", Equipment,
                             Equipment.kind == "computer"))
    board.add(activity_table(board))
    return board


def units_table(board: Dashboard) -> Table:
    table = Table("units", "各单位汇总", ["单位", "社区数", "居民人数", "户数", "平均每户人数",
                                         "目标人数", "人数录入比例", "目标户数", "户数录入比例"])
    for unit in [*board.units, board.total]:
        org = unit.org
        is_total = unit is board.total
        name = Cell("合计" if is_total else org.name, None if is_total else dashboard_url(org))
        targets = (unit.target_residents, unit.target_households)
        table.rows.append([
            name, number(unit.communities, communities_url(org)),
            number(unit.residents, residents_url(org.id)),
            number(unit.households, households_url(org.id)),
            Cell("—" if unit.average_size is None else f"{unit.average_size:.2f}",
                 value=unit.average_size and round(unit.average_size, 2)),
            number(targets[0]) if targets[0] else Cell("未设定"),
            percent(unit.share(unit.residents, targets[0])),
            number(targets[1]) if targets[1] else Cell("未设定"),
            percent(unit.share(unit.households, targets[1])),
        ])
        table.row_css.append("active" if is_total else "")
    return table


def _count_table(key: str, title: str, label: str, bars: list[Bar]) -> Table:
    total = sum(b.value for b in bars) or 1
    table = Table(key, title, [label, "人数", "占比"], chart=bar_chart(title, bars))
    table.rows = [[Cell(b.label), number(b.value, b.href), percent(b.value / total)]
                  for b in bars]
    return table


def _age_counts(board: Dashboard) -> dict[tuple[str, int], int]:
    """{(sex, lower age of the finest band): residents} of the subtree."""
    counts = {}
    for key, value in board.counts.get("age", {}).items():
        sex, _, band = key.partition(":")
        counts[sex, int(band)] = value
    return counts


def _age_conditions(today: datetime.date, lower: int, upper: Optional[int]) -> list:
    """List filters for ``lower <= age < upper`` on birth_date (FAB's </> are strict)."""
    born_by = stats.years_before(today, lower) + datetime.timedelta(days=1)
    conditions = [("birth_date", FilterSmaller, born_by.isoformat())]
    if upper is not None:
        conditions.append(("birth_date", FilterGreater,
                           stats.years_before(today, upper).isoformat()))
    return conditions


def _band_sum(counts: dict, lower: int, upper: Optional[int], sex: Optional[str] = None) -> int:
    return sum(v for (s, band), v in counts.items()
               if lower <= band and (upper is None or band < upper) and sex in (None, s))


def _code_bars(board: Dashboard, column: str) -> list[Bar]:
    """One bar per code of the column's code table that has residents, in the table's order."""
    counts = board.counts.get(column, {})
    bars = [Bar(name, counts[code], residents_url(board.org.id, (column, FilterEqual, code)))
            for code, (name, _active) in code_tables().get(column, {}).items()
            if counts.get(code)]
    return bars + _unfilled(counts)


def _unfilled(counts: dict) -> list[Bar]:
    return [Bar(UNFILLED, counts[""])] if counts.get("") else []


def breakdown_tables(board: Dashboard) -> list[Table]:
    org, today, counts = board.org, board.today, _age_counts(board)
    sexes = {s for s, _ in counts}
    sex_bars = [Bar(code_tables().get("sex", {}).get(s, (s,))[0], _band_sum(counts, 0, None, s),
                    residents_url(org.id, ("sex", FilterEqual, s))) for s in sorted(sexes)]
    bands = list(zip(stats.AGE_BANDS, [*stats.AGE_BANDS[1:], None]))
    age_bars = [Bar(f"{lo}–{hi - 1}岁" if hi else f"{lo}岁及以上", _band_sum(counts, lo, hi),
                    residents_url(org.id, *_age_conditions(today, lo, hi))) for lo, hi in bands]
    ethnic = sorted(_code_bars(board, "ethnic"), key=lambda b: -b.value)
    return [
        _count_table("sex", "性别", "性别", sex_bars),
        _count_table("age", "年龄段", "年龄段", age_bars),
        _count_table("ethnic", "民族", "民族", ethnic),
        _count_table("residence_status", "居住状态", "居住状态",
                     _code_bars(board, "residence_status")),
        _count_table("special_group", "特殊人群", "类别", special_bars(board)),
        _count_table("education", "学历", "学历", education_bars(board)),
    ]


def special_bars(board: Dashboard) -> list[Bar]:
    counts = board.counts.get("special_group", {})
    items = db.session.execute(select(CodeItem.code, CodeItem.name, CodeItem.id)
                               .where(CodeItem.table == "special_group")
                               .order_by(CodeItem.sort_order, CodeItem.code))
    return [Bar(name, counts.get(code, 0), residents_url(
        board.org.id, ("special_groups", FilterRelationManyToManyEqual, item_id)))
        for code, name, item_id in items]


def education_bars(board: Dashboard) -> list[Bar]:
    """GB/T 4658 codes summed by their first digit (the level of education)."""
    counts = board.counts.get("education", {})
    bars = [Bar(name, sum(v for code, v in counts.items() if code[:1] == digit),
                residents_url(board.org.id, ("education", FilterStartsWith, digit)))
            for digit, name in EDUCATION_CLASSES.items()]
    return [b for b in bars if b.value] + _unfilled(counts)


def pyramid_table(board: Dashboard) -> Table:
    org, today, counts = board.org, board.today, _age_counts(board)
    step, top = stats.PYRAMID_STEP, stats.PYRAMID_TOP
    bands = []
    for lower in range(0, top + 1, step):
        upper = lower + step if lower < top else None
        label = f"{lower}–{upper - 1}" if upper else f"{lower}+"
        age = _age_conditions(today, lower, upper)
        bands.append((label, *(Bar(SEXES[s], _band_sum(counts, lower, upper, s),
                                   residents_url(org.id, ("sex", FilterEqual, s), *age))
                               for s in SEXES)))
    table = Table("pyramid", "人口金字塔（按性别、五岁年龄组）", ["年龄组", "男", "女"],
                  chart=pyramid("人口金字塔", bands))
    table.rows = [[Cell(label), number(m.value, m.href), number(f.value, f.href)]
                  for label, m, f in bands]
    return table


# -- entry progress -------------------------------------------------------------------------
def progress_table(board: Dashboard) -> Table:
    table = Table("progress", "录入进度（按单位）",
                  ["单位", "目标人数", "已录入人数", "完成比例", "应达进度", "目标户数", "已录入户数",
                   "完成比例", "是否落后"])
    for unit in board.units:
        behind = lagging(unit.residents, unit.target_residents, board.required)
        table.rows.append([
            Cell(unit.org.name, dashboard_url(unit.org)),
            number(unit.target_residents or 0),
            number(unit.residents, residents_url(unit.org.id)),
            percent(unit.share(unit.residents, unit.target_residents),
                    "text-danger" if behind else ""),
            percent(board.required),
            number(unit.target_households or 0),
            number(unit.households, households_url(unit.org.id)),
            percent(unit.share(unit.households, unit.target_households)),
            Cell("落后" if behind else ("未设定目标" if not unit.target_residents else "正常")),
        ])
        table.row_css.append("danger" if behind else "")
    return table


def community_progress(org: Organisation):
    """(community, street, entered residents, target residents) per community of the subtree."""
    street = Organisation.__table__.alias("street")
    s, t = CommunitySummary, CommunityTarget
    return db.session.execute(
        select(Organisation, street.c.name, s.residents, t.residents)
        .join(s, s.community_id == Organisation.id)
        .outerjoin(t, t.community_id == Organisation.id)
        .outerjoin(street, street.c.id == Organisation.parent_id)
        .where(Organisation.level == "community",
               Organisation.path.startswith(org.path, autoescape=True))
        .order_by(Organisation.code)).all()


def lagging_table(board: Dashboard) -> Table:
    table = Table("lagging", "进度落后的社区（完成比例从低到高）",
                  ["社区", "所属街道", "目标人数", "已录入人数", "完成比例", "应达进度"])
    behind = [row for row in community_progress(board.org)
              if lagging(row[2], row[3], board.required)]
    for community, street, entered, target in sorted(behind, key=lambda r: r[2] / r[3]):
        table.rows.append([Cell(community.name, dashboard_url(community)), Cell(street or ""),
                           number(target), number(entered, residents_url(community.id)),
                           percent(entered / target, "text-danger"), percent(board.required)])
    return table


def weekly_table(board: Dashboard) -> Table:
    """Residents entered per week of the entry phase (by the day each record was created)."""
    per_day = board.counts.get("entered", {})
    bars = []
    for monday in board.phase.weeks():
        first = max(monday, board.phase.start)
        last = min(monday + datetime.timedelta(days=6), board.phase.end)
        count = sum(v for day, v in per_day.items()
                    if first.isoformat() <= day <= last.isoformat())
        bars.append(Bar(f"{first.month}月{first.day}日–{last.month}月{last.day}日", count))
    table = Table("weekly", f"每周录入人数（{board.phase.start:%Y年%m月%d日}至"
                            f"{board.phase.end:%m月%d日}）", ["周", "录入人数"],
                  chart=bar_chart("每周录入人数", bars))
    table.rows = [[Cell(b.label), number(b.value)] for b in bars]
    return table


# -- coverage and activity ------------------------------------------------------------------
def coverage_table(org: Organisation, key: str, title: str, model, *where) -> Table:
    """Communities of the subtree with no row of ``model`` (training, computer) of their own."""
    street = Organisation.__table__.alias("street")
    has = exists().where(model.organisation_id == Organisation.id, *where)
    rows = db.session.execute(
        select(Organisation, street.c.name)
        .outerjoin(street, street.c.id == Organisation.parent_id)
        .where(Organisation.level == "community", Organisation.active.is_(True),
               Organisation.path.startswith(org.path, autoescape=True), ~has)
        .order_by(Organisation.code)).all()
    table = Table(key, f"{title}（{len(rows)}个）", ["社区", "所属街道"])
    table.rows = [[Cell(c.name, dashboard_url(c)), Cell(s or "")] for c, s in rows]
    return table


def activity_table(board: Dashboard) -> Table:
    table = Table("activity", "工作动态（按单位）",
                  ["单位", "账号最近登录", "最近记录修改", "本周修改记录数"])
    for unit in board.units:
        table.rows.append([Cell(unit.org.name, dashboard_url(unit.org)), when(unit.last_login),
                           when(unit.last_change), number(unit.changed_this_week)])
        table.row_css.append("" if unit.changed_this_week else "warning")
    return table
