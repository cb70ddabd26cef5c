"""Writing a validated plan inside the session's transaction with SQLAlchemy Core executemany
(never an ORM object per row): households first (new ids come back by RETURNING), then residents,
then their special groups. The caller commits, or rolls back on any error."""
import datetime
from collections import defaultdict
from itertools import islice

from sqlalchemy import bindparam, delete, insert, text, update

from ..columns import RESIDENT_IMPORT, ImportSpec
from ..extensions import db
from ..models import HEAD_RELATION, Household, Resident
from ..models import resident_special_group as links
from .known import resident_columns
from .validate import Plan

BATCH = 5000
ANALYZE_AFTER = 1000  # rows written
HOUSEHOLDS, RESIDENTS = Household.__table__, Resident.__table__


class ConcurrentChange(Exception):
    """A record changed between validation and writing (optimistic version check)."""


def _batches(items, size: int = BATCH):
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def write_plan(plan: Plan, user_id, spec: ImportSpec = RESIDENT_IMPORT) -> None:
    conn = db.session.connection()
    now = datetime.datetime.now()
    changed = {"changed_on": now, "changed_by_id": user_id}
    created = {**changed, "created_on": now, "created_by_id": user_id, "version": 1,
               "status": "active", "community_id": plan.community.id}
    household_ids = {number: h.id for number, h in plan.known.households.items()}
    household_ids.update(_insert_households(conn, plan, spec, created))
    _update(conn, HOUSEHOLDS, ({**_key(h), **values, **changed}
                               for h, values in plan.changed_households))

    def placed(row) -> dict:
        return {**row.resident, "household_id": household_ids[row.household[spec.household_key]]}

    # Former heads are updated before new heads, so the one-head index never sees two at once.
    for heads in (False, True):
        _update(conn, RESIDENTS, ({**_key(r), **placed(row), **changed}
                                  for r, row in plan.changed_residents
                                  if (row.resident.get("relation", r.relation) == HEAD_RELATION)
                                  == heads))
    new_ids = _insert_residents(conn, plan, resident_columns(spec), placed, created)
    _set_groups(conn, plan, new_ids)


def _key(known) -> dict:
    return {"_id": known.id, "_version": known.version}


def _insert_households(conn, plan: Plan, spec: ImportSpec, created: dict) -> dict:
    empty = dict.fromkeys(spec.household)
    params = [{**empty, **values, **created} for values in plan.new_households.values()]
    if not params:
        return {}
    stmt = insert(HOUSEHOLDS).returning(HOUSEHOLDS.c.household_no, HOUSEHOLDS.c.id)
    return dict(conn.execute(stmt, params).all())


def _update(conn, table, params) -> None:
    """UPDATE ... SET only the given columns, with the version check; rows giving the same set of
    columns (empty cells give none) go in one executemany."""
    stmt = (update(table)
            .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
            .values(version=table.c.version + 1))
    for batch in _batches(params):
        alike = defaultdict(list)
        for values in batch:
            alike[frozenset(values)].append(values)
        for same in alike.values():
            result = conn.execute(stmt, same)
            if conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(same):
                raise ConcurrentChange()


def _insert_residents(conn, plan: Plan, columns: list, placed, created: dict) -> dict:
    """Inserts the new residents; returns {公民身份号码: id} for those with special groups."""
    empty = dict.fromkeys(columns)
    wanted = any(row.number in plan.groups for row in plan.new_residents)
    stmt = insert(RESIDENTS)
    if wanted:
        stmt = stmt.returning(RESIDENTS.c.id_card_no, RESIDENTS.c.id)
    ids = {}
    for batch in _batches(plan.new_residents):
        result = conn.execute(stmt, [{**empty, **placed(row), **created} for row in batch])
        if wanted:
            ids.update(result.all())
    return ids


def _set_groups(conn, plan: Plan, new_ids: dict) -> None:
    """Special groups given in the file replace the resident's current ones."""
    if not plan.groups:
        return
    replaced = {row.number: r.id for r, row in plan.changed_residents if row.number in plan.groups}
    for batch in _batches(replaced.values()):
        conn.execute(delete(links).where(links.c.resident_id.in_(batch)))
    ids = {**new_ids, **replaced}
    group_ids = plan.known.group_ids
    pairs = [{"resident_id": ids[number], "code_item_id": group_ids[code]}
             for number, codes in plan.groups.items() for code in codes]
    for batch in _batches(pairs):
        conn.execute(insert(links), batch)


def refresh_statistics(written: int) -> None:
    """After a large import, PostgreSQL's planner statistics lag until autovacuum catches up; plans
    made on them meanwhile (the next import's look-ups, list pages) can be very slow."""
    if written >= ANALYZE_AFTER and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE resident, household"))
        db.session.commit()
