"""Per-community rollups: computed in SQL, kept current with the writes, summed for any subtree.

How the numbers stay right whoever writes (see also app/stats_tracking.py):
- every write to residents or households bumps ``CommunitySummary.version`` of the communities it
  touches (ORM flushes precisely; Core statements by their parameters, or all communities when a
  statement's reach is unknown), in the writer's own transaction;
- a reader first recomputes the communities of its subtree whose ``computed_version`` differs from
  ``version`` or whose ``as_of`` is not today (ages and "this week" move with the date), then sums;
- bulk paths may call ``refresh_stats(ids)`` after committing so the next reader pays nothing, and a
  writer using raw SQL (``text()``) must call ``mark_stale(ids)`` itself; ``flask stats refresh``
  recomputes everything (e.g. nightly, so the first view of the day is fast).

Nothing here loads resident rows into Python: each breakdown is one ``INSERT … SELECT … GROUP BY``.
"""
import datetime
import threading
from typing import Iterable, Optional

from flask import current_app
from sqlalchemy import (String, and_, bindparam, case, delete, func, insert, literal, or_,
                        select)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from .extensions import db
from .models import (CodeItem, CommunityStat, CommunitySummary, Household, Organisation, Resident,
                     resident_special_group)
from .scope import org_ids_in_scope

# Age bands of the dashboard and the five-year bands of the pyramid share one set of boundaries, so
# one pass over the residents gives both: residents are counted per (sex, finest band).
AGE_BANDS = (0, 7, 18, 35, 60, 80)
PYRAMID_STEP, PYRAMID_TOP = 5, 90
FINE_BANDS = tuple(sorted(set(AGE_BANDS) | set(range(0, PYRAMID_TOP + 1, PYRAMID_STEP))))
CHUNK = 500  # ids per IN list
SYNC_LIMIT = 20  # changed communities refreshed within the request (~25 ms each, unloaded)

# dimension -> the resident column it counts (special groups and ages are built separately)
CODE_DIMENSIONS = {"ethnic": Resident.ethnic, "residence_status": Resident.residence_status,
                   "education": Resident.education}


class day_of(ColumnElement):
    """The calendar day of a DateTime column as 'YYYY-MM-DD' text, on SQLite and PostgreSQL."""

    inherit_cache = True
    type = String()

    def __init__(self, column):
        self.column = column


@compiles(day_of)
def _day_of_default(element, compiler, **kw):
    return f"substr({compiler.process(element.column, **kw)}, 1, 10)"


@compiles(day_of, "postgresql")
def _day_of_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.column, **kw)}, 'YYYY-MM-DD')"


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The latest birth date of someone aged ``years`` on ``day`` (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _chunks(ids: list) -> Iterable[list]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


# -- computing ------------------------------------------------------------------------------
def _age_key(today: datetime.date):
    """'<sex>:<lower age of the finest band, two digits>' computed from birth_date in SQL."""
    band = case(*[(Resident.birth_date <= years_before(today, age), f"{age:02d}")
                  for age in reversed(FINE_BANDS[1:])], else_="00")
    return Resident.sex + literal(":") + band


def _stat_selects(ids: list, today: datetime.date) -> list:
    """One SELECT per dimension giving (community_id, dimension, key, count)."""
    active = and_(Resident.community_id.in_(ids), Resident.status == "active")

    def grouped(dimension: str, key, *where, source=Resident):
        key = func.coalesce(key, "")
        return (select(Resident.community_id, literal(dimension), key, func.count())
                .select_from(source).where(*where).group_by(Resident.community_id, key))

    selects = [grouped("age", _age_key(today), active)]
    selects += [grouped(name, column, active) for name, column in CODE_DIMENSIONS.items()]
    special = Resident.__table__.join(resident_special_group).join(CodeItem.__table__)
    selects.append(grouped("special_group", CodeItem.code, active, source=special))
    selects.append(grouped("entered", day_of(Resident.created_on),
                           Resident.community_id.in_(ids)))
    return selects


def _activity(ids: list, monday: datetime.datetime) -> dict:
    """{community: [households, last change, records changed since monday]} over both tables."""
    result = {cid: [0, None, 0] for cid in ids}
    for model in (Household, Resident):
        this_week = func.sum(case((model.changed_on >= monday, 1), else_=0))
        active = func.sum(case((model.status == "active", 1), else_=0))
        rows = db.session.execute(
            select(model.community_id, active, func.max(model.changed_on), this_week)
            .where(model.community_id.in_(ids)).group_by(model.community_id))
        for cid, active_count, last, changed in rows:
            entry = result[cid]
            if model is Household:
                entry[0] = active_count
            entry[1] = max(filter(None, (entry[1], last)), default=None)
            entry[2] += changed or 0
    return result


def refresh_stats(community_ids: Optional[Iterable[int]] = None,
                  today: Optional[datetime.date] = None) -> int:
    """Recompute the rollups of these communities (every community when None) inside the current
    transaction; the caller commits. Returns how many communities were refreshed."""
    today = today or datetime.date.today()
    if community_ids is None:
        community_ids = db.session.scalars(
            select(Organisation.id).where(Organisation.level == "community"))
    ids = sorted(set(community_ids))
    for chunk in _chunks(ids):
        _refresh_chunk(chunk, today)
    return len(ids)


def _refresh_chunk(ids: list, today: datetime.date) -> None:
    session = db.session
    versions = dict(session.execute(select(CommunitySummary.community_id, CommunitySummary.version)
                                    .where(CommunitySummary.community_id.in_(ids))).all())
    session.execute(delete(CommunityStat).where(CommunityStat.community_id.in_(ids)))
    columns = ["community_id", "dimension", "key", "value"]
    for query in _stat_selects(ids, today):
        session.execute(insert(CommunityStat).from_select(columns, query))
    residents = dict(session.execute(
        select(CommunityStat.community_id, func.sum(CommunityStat.value))
        .where(CommunityStat.community_id.in_(ids), CommunityStat.dimension == "age")
        .group_by(CommunityStat.community_id)).all())
    monday = datetime.datetime.combine(week_start(today), datetime.time())
    rows = {cid: {"residents": residents.get(cid, 0), "households": households,
                  "last_change": last, "changed_this_week": changed, "as_of": today,
                  "computed_version": versions.get(cid, 0)}
            for cid, (households, last, changed) in _activity(ids, monday).items()}
    _write_summaries(rows, versions)


def _write_summaries(rows: dict, versions: dict) -> None:
    """Existing summaries are updated in place (never deleted: a writer may be bumping their
    version right now); missing ones are inserted."""
    connection = db.session.connection()
    table = CommunitySummary.__table__
    existing = [{"b_id": cid, **{f"b_{k}": v for k, v in row.items()}}
                for cid, row in rows.items() if cid in versions]
    if existing:
        names = next(iter(rows.values())).keys()
        connection.execute(table.update().where(table.c.community_id == bindparam("b_id"))
                           .values({k: bindparam(f"b_{k}") for k in names}), existing)
    new = [{**row, "community_id": cid, "version": 0}
           for cid, row in rows.items() if cid not in versions]
    if new:
        connection.execute(table.insert(), new)


def stale_communities(path: str, today: datetime.date) -> dict[str, list[int]]:
    """Communities of the subtree whose rollups are ``missing``, ``changed`` since computed, or
    computed on an earlier day (``dated``)."""
    summary = CommunitySummary
    rows = db.session.execute(
        select(Organisation.id, summary.community_id.is_(None),
               summary.computed_version != summary.version)
        .outerjoin(summary, summary.community_id == Organisation.id)
        .where(Organisation.level == "community",
               Organisation.path.startswith(path, autoescape=True),
               or_(summary.community_id.is_(None), summary.computed_version != summary.version,
                   summary.as_of.is_(None), summary.as_of != today)))
    found = {"missing": [], "changed": [], "dated": []}
    for cid, missing, changed in rows:
        found["missing" if missing else "changed" if changed else "dated"].append(cid)
    return found


def _refresh_committed(ids: list, today: datetime.date, chunk: int = CHUNK) -> None:
    """Refresh and commit in chunks, so SQLite's write lock is never held for long."""
    for start in range(0, len(ids), chunk):
        try:
            refresh_stats(ids[start:start + chunk], today)
            db.session.commit()
        except (IntegrityError, DBAPIError):
            # Another request refreshed the same communities at the same moment: keep its numbers.
            db.session.rollback()


_BACKGROUND = threading.Lock()


def _refresh_in_background(ids: list, today: datetime.date) -> None:
    """One refresh thread per process at a time; readers meanwhile see the previous numbers."""
    if not _BACKGROUND.acquire(blocking=False):
        return
    app = current_app._get_current_object()

    def run():
        try:
            with app.app_context():
                _refresh_committed(ids, today, chunk=20)
                db.session.remove()
        finally:
            _BACKGROUND.release()

    threading.Thread(target=run, name="stats-refresh", daemon=True).start()


def ensure_fresh(path: str, today: Optional[datetime.date] = None) -> list[int]:
    """Bring the subtree's rollups up to date before they are read. Missing ones and a few changed
    ones are computed now; many changed ones (after a bulk write) and those merely from an earlier
    day (ages, "this week") are refreshed in a background thread (config STATS_BACKGROUND_REFRESH,
    on by default; ``flask stats refresh`` at night avoids it). Returns the communities whose
    numbers are still being refreshed."""
    today = today or datetime.date.today()
    stale = stale_communities(path, today)
    now = stale["missing"] + (stale["changed"] if len(stale["changed"]) <= SYNC_LIMIT else [])
    later = sorted(set(stale["changed"] + stale["dated"]) - set(now))
    if not current_app.config.get("STATS_BACKGROUND_REFRESH", True):
        now, later = now + later, []
    if now:
        _refresh_committed(now, today)
    if later:
        _refresh_in_background(later, today)
    return later


# -- reading --------------------------------------------------------------------------------
def child_key(org: Organisation):
    """SQL expression: the path of the child of ``org`` a row's organisation lies under (codes are
    fixed-length, so it is a prefix of known length); for a community, its own path."""
    length = len(org.path) + (0 if org.level == "community" else len(org.code) + 1)
    return func.substr(Organisation.path, 1, length)


def child_groups(org: Organisation, org_column, *aggregates) -> dict[str, tuple]:
    """{child path: aggregates} over the rows of ``org_column``'s table in the subtree of ``org``,
    grouped by the child unit they fall under (one GROUP BY in SQL)."""
    key = child_key(org)
    rows = db.session.execute(
        select(key, *aggregates).select_from(org_column.class_)
        .join(Organisation, Organisation.id == org_column)
        .where(Organisation.path.startswith(org.path, autoescape=True))
        .group_by(key))
    return {row[0]: tuple(row[1:]) for row in rows}


def breakdowns(path: str) -> dict[str, dict[str, int]]:
    """{dimension: {key: count}} summed over the subtree, every dimension in one query."""
    result: dict = {}
    rows = db.session.execute(
        select(CommunityStat.dimension, CommunityStat.key, func.sum(CommunityStat.value))
        .where(CommunityStat.community_id.in_(org_ids_in_scope(path)))
        .group_by(CommunityStat.dimension, CommunityStat.key))
    for dimension, key, value in rows:
        result.setdefault(dimension, {})[key] = int(value)
    return result
