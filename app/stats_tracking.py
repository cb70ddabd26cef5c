"""Every write to residents or households marks the rollups of its communities as outdated.

Two listeners, so no writer has to remember anything:
- ORM flushes (forms, API, actions, scripts using the session): the communities of the new, changed
  and deleted objects, before and after a move;
- any other SQLAlchemy statement on those tables (Core bulk inserts of an import, ORM bulk
  statements): an INSERT by the ``community_id`` of its parameter rows, special-group links by
  their residents' communities, anything else (UPDATE or DELETE with a WHERE clause,
  INSERT … SELECT) marks every community.
Only raw SQL strings (``text()``, ``exec_driver_sql``) escape them: call ``mark_stale`` after those.
Marking is one UPDATE in the writer's transaction, so a rolled-back write marks nothing.
"""
import contextvars
from collections.abc import Mapping
from typing import Iterable, Optional

from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert, UpdateBase

from .models import CommunitySummary, Household, Resident

WATCHED_TABLES = {"resident", "household", "resident_special_group"}
_IN_FLUSH = contextvars.ContextVar("stats_in_flush", default=False)
_MOVED_FROM = "stats_moved_from"  # session.info key: communities rows are moved out of


def mark_stale(connection: Connection, community_ids: Optional[Iterable[int]] = None) -> None:
    """Mark these communities' rollups outdated (all when None), in the connection's transaction."""
    table = CommunitySummary.__table__
    statement = table.update().values(version=table.c.version + 1)
    if community_ids is None:
        connection.execute(statement)
        return
    ids = sorted({cid for cid in community_ids if cid is not None})
    for start in range(0, len(ids), 500):
        connection.execute(statement.where(table.c.community_id.in_(ids[start:start + 500])))


def _flushed_communities(session: Session) -> set:
    ids = session.info.pop(_MOVED_FROM, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (Resident, Household)):
            ids.add(inspect(obj).dict.get("community_id"))
    return ids


def _unknown_origin(obj, deleted: bool) -> bool:
    """A moved row (its old community), or a deleted one whose community was never loaded."""
    state = inspect(obj)
    if deleted:
        return "community_id" not in state.dict
    return (state.attrs.community.history.has_changes()
            or state.attrs.community_id.history.has_changes())


def _before_flush(session, _context, _instances) -> None:
    """Note the communities rows leave: read from the database, as the object may no longer hold
    the old value (expired by a commit before the move)."""
    _IN_FLUSH.set(True)
    for model in (Resident, Household):
        ids = [inspect(o).identity[0]
               for objects, deleted in ((session.dirty, False), (session.deleted, True))
               for o in objects if isinstance(o, model) and _unknown_origin(o, deleted)]
        if ids:
            session.info.setdefault(_MOVED_FROM, set()).update(session.connection().scalars(
                select(model.community_id).where(model.id.in_(ids))))


def _after_flush(session, _context) -> None:
    _IN_FLUSH.set(False)
    ids = _flushed_communities(session)
    if ids - {None}:
        mark_stale(session.connection(), ids)


def _flush_ended(session, *_args) -> None:
    _IN_FLUSH.set(False)
    session.info.pop(_MOVED_FROM, None)


def _parameter(rows: list, name: str) -> Optional[set]:
    """The values of one parameter over the statement's parameter rows (None if any lacks it)."""
    values = {row.get(name) for row in rows if isinstance(row, Mapping)}
    return None if not rows or None in values or not values else values


def _statement_communities(connection, statement, multiparams, params) -> Optional[set]:
    """The communities a statement writes to, or None when they cannot be told from it: rows
    inserted with their ``community_id``, or special-group links by their ``resident_id``."""
    rows = multiparams or ([params] if params else [])
    if statement.table.name == "resident_special_group":
        residents = _parameter(rows, "resident_id")
        if residents is None:
            return None
        residents, found = sorted(residents), set()
        for start in range(0, len(residents), 500):
            found.update(connection.scalars(select(Resident.community_id).where(
                Resident.id.in_(residents[start:start + 500]))))
        return found
    return _parameter(rows, "community_id") if isinstance(statement, Insert) else None


def _after_execute(connection, statement, multiparams, params, _options, _result) -> None:
    if _IN_FLUSH.get() or not isinstance(statement, UpdateBase):
        return
    if getattr(statement.table, "name", None) not in WATCHED_TABLES:
        return
    mark_stale(connection, _statement_communities(connection, statement, multiparams, params))


def install_tracking(engine: Engine) -> None:
    """Listen to every session (whoever creates it) and to this engine's statements."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_rollback", _flush_ended)
        event.listen(Session, "after_soft_rollback", _flush_ended)
    if not event.contains(engine, "after_execute", _after_execute):
        event.listen(engine, "after_execute", _after_execute)
