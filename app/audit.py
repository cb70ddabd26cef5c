"""Change history, written once at the session level (FAB_NOTES hazard 20).

Every ORM flush of a tracked model — forms, actions, the API, imports through the ORM, command-line
scripts — writes one ``ChangeRecord`` per added, edited or deleted row: who (account id and a
snapshot of the user name), when, from which address, the request id, the record and its
organisation (for scope), and the changed fields as ``[field, old, new]``.

- ``before_flush`` snapshots rows about to be deleted (their values may not be loaded afterwards)
  and reads the old values of columns overwritten without ever being loaded (objects expired by a
  commit, as in scripts);
- ``after_flush`` diffs the attribute history of new and dirty rows — it still sees the pre-flush
  history, now with foreign keys synchronised and primary keys assigned — and inserts the records
  with one Core statement on the flush's own connection: they commit or roll back with the change.

Core bulk writes (import, demo) bypass the ORM and must call ``record_bulk`` themselves.
Values are stored as written; ``app.history`` turns them into labels, names and masks.
"""
import datetime
import functools
import getpass
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Optional

from flask import current_app, g, has_request_context, request
from flask_appbuilder.security.sqla.models import PermissionView, Role
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from .models import (Account, ChangeRecord, CodeItem, Feedback, Household, Organisation, Post,
                     QuotaOverride, Resident)

SECRET = "（已修改）"  # stored instead of the value of a secret field (password hashes)
CLI_ADDRESS = "命令行"  # changes made from the command line (flask ...), not a web request
_CLI_RUN = uuid.uuid4().hex  # one request id per command-line run: its changes group together
_DELETED = "audit_deleted"  # session.info keys: snapshots of rows deleted in this flush,
_OVERWRITTEN = "audit_overwritten"  # and old values of columns overwritten without being loaded


@dataclass(frozen=True)
class Tracked:
    """How one model is recorded. ``org``: the column holding the organisation that scopes the
    history (None: only unrestricted accounts see it); ``title``: the column naming the record;
    ``only``: record just these fields (default: every column and many-to-many collection but
    the bookkeeping ones); ``secret``: record that these changed, never their values."""

    name: str
    org: Optional[str] = None
    title: Optional[str] = None
    only: tuple = ()
    skip: tuple = ()
    secret: tuple = ()


# Bookkeeping columns never recorded (stamps, the lock version, derived paths).
BOOKKEEPING = ("id", "version", "created_on", "changed_on", "created_by_id", "changed_by_id")

TRACKED: dict[type, Tracked] = {
    Resident: Tracked("居民", org="community_id", title="name"),
    Household: Tracked("户", org="community_id", title="household_no"),
    Organisation: Tracked("组织机构", org="id", title="name", skip=("path",)),
    Post: Tracked("职务", title="name"),
    QuotaOverride: Tracked("职务名额", org="organisation_id"),
    # Accounts: only what an administrator sets; login counters and security state are not
    # history (login records are kept by the login log).
    Account: Tracked("账号", org="organisation_id", title="username",
                     only=("username", "first_name", "last_name", "email", "active", "roles",
                           "organisation_id", "post_id", "password"),
                     secret=("password",)),
    CodeItem: Tracked("字典项", title="name"),
    # Roles: their name and permissions (FAB's security screens, role sync at `flask setup`).
    Role: Tracked("角色", title="name", only=("name", "permissions")),
    Feedback: Tracked("问题反馈", org="organisation_id", title="title",
                      skip=("created_on", "closed_on")),
}
MODEL_NAMES = {model.__name__: t.name for model, t in TRACKED.items()}
MODELS = {model.__name__: model for model in TRACKED}


@functools.cache
def tracked_fields(model) -> tuple[str, ...]:
    """The recorded fields of a model, in mapper order: columns by attribute name and
    many-to-many collections (their items are recorded by name)."""
    spec = TRACKED[model]
    mapper = inspect(model)
    names = [a.key for a in mapper.column_attrs]
    names += [r.key for r in mapper.relationships if r.secondary is not None]
    if spec.only:
        return tuple(n for n in names if n in spec.only)
    return tuple(n for n in names if n not in BOOKKEEPING and n not in spec.skip)


# -- who and where ---------------------------------------------------------------------------------
def assign_request_id() -> None:
    """before_request: a fresh id groups every change made by one request."""
    g.request_id = uuid.uuid4().hex


def origin() -> dict:
    """Who is changing data and from where: the request's account and address, a background job's
    submitter (``g.audit_origin``, set by app.jobs), or the command line."""
    if not has_request_context():
        return {"user_id": None, "username": _os_user(), "address": CLI_ADDRESS,
                "request_id": _CLI_RUN}
    if "audit_origin" in g:
        return g.audit_origin
    user = _account()
    return {"user_id": getattr(user, "id", None), "username": getattr(user, "username", None),
            "address": request.remote_addr, "request_id": g.get("request_id")}


def _account():
    """The signed-in account: a browser session, or an API token (FAB's current_user)."""
    user = getattr(g, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    try:
        return current_app.appbuilder.sm.current_user
    except RuntimeError:  # outside a token-protected API call
        return None


def _os_user() -> str:
    try:
        return f"{CLI_ADDRESS}:{getpass.getuser()}"
    except (KeyError, OSError):
        return CLI_ADDRESS


# -- values ----------------------------------------------------------------------------------------
_PLAIN = (str, int, float, type(None))  # stored as they are (bool is an int)


def item_name(item) -> str:
    """How an item of a recorded collection is stored: its name; a permission by its technical
    names ``"can_read|Resident"``, which app.history shows translated in the reader's language."""
    if isinstance(item, PermissionView):
        return f"{item.permission.name}|{item.view_menu.name}"
    return str(item)


def stored(value):
    """A value as JSON keeps it: dates as ISO text, decimals as text, collections as sorted
    names (``item_name``); empty text and empty collections as no value (None)."""
    if isinstance(value, _PLAIN):
        return None if value == "" else value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple, set)):
        return sorted(item_name(v) for v in value) or None
    return value


def same(a, b) -> bool:
    """Equal as stored values (empty text and empty collections count as no value)."""
    return stored(a) == stored(b)


def _record(model, action: str, obj_id, values: dict, changes: list, who: dict,
            version=None) -> dict:
    spec = TRACKED[model]
    label = values.get(spec.title) if spec.title else None
    return {**who, "at": datetime.datetime.now(), "model": model.__name__, "object_id": obj_id,
            "object_label": str(label)[:200] if label is not None else None,
            "object_version": version, "organisation_id": values.get(spec.org),
            "action": action, "changes": changes}


def _changes(model, before: dict, after: dict) -> list:
    """[field, old, new] for each recorded field whose value differs, secrets hidden."""
    secret = TRACKED[model].secret
    rows = []
    for name in tracked_fields(model):
        old, new = before.get(name), after.get(name)
        if old is new:
            continue
        old, new = stored(old), stored(new)
        if old != new:
            rows.append([name, SECRET, SECRET] if name in secret else [name, old, new])
    return rows


# -- ORM path --------------------------------------------------------------------------------------
def _values(obj) -> dict:
    """Current values of the recorded fields (loads them if expired), plus id and scope column."""
    spec = TRACKED[type(obj)]
    names = {*tracked_fields(type(obj)), "id", *(c for c in (spec.org, spec.title) if c)}
    return {name: getattr(obj, name) for name in names}


def _old_values(obj, current: dict, overwritten: dict) -> dict:
    """Values before this flush, from the attribute history; unchanged fields as they are now."""
    state = inspect(obj)
    collections = inspect(type(obj)).relationships
    old = dict(current)
    for name in tracked_fields(type(obj)):
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        if name in collections:
            old[name] = [*(history.unchanged or ()), *history.deleted]
        else:
            old[name] = history.deleted[0] if history.deleted else overwritten.get(name)
    return old


def _overwritten(session: Session) -> dict:
    """{object state: {column: old value}} for columns set without their old value ever loaded
    (on objects expired by a commit, as in scripts): read from the rows before the flush changes
    them, one SELECT per model and 500 rows."""
    pending: dict = {}  # model -> {id: (state, [column keys])}
    for obj in session.dirty:
        if type(obj) in TRACKED and (keys := _unloaded_old_values(obj)):
            pending.setdefault(type(obj), {})[inspect(obj).identity[0]] = (inspect(obj), keys)
    found = {}
    for model, by_id in pending.items():
        mapper = inspect(model)
        keys = list(dict.fromkeys(k for _state, ks in by_id.values() for k in ks))
        columns = [mapper.get_property(k).columns[0] for k in keys]
        ids = list(by_id)
        for start in range(0, len(ids), 500):
            rows = session.connection().execute(select(mapper.primary_key[0], *columns).where(
                mapper.primary_key[0].in_(ids[start:start + 500])))
            for pk, *values in rows:
                state, wanted = by_id[pk]
                found[state] = {k: v for k, v in zip(keys, values) if k in wanted}
    return found


def _unloaded_old_values(obj) -> list[str]:
    """Recorded columns whose old value is not loaded: set directly, or foreign keys behind a
    changed many-to-one relationship (the flush sets those)."""
    state, mapper = inspect(obj), inspect(type(obj))
    tracked = tracked_fields(type(obj))
    keys = [name for name in tracked if name in mapper.column_attrs
            and state.attrs[name].history.added and not state.attrs[name].history.deleted]
    for rel in mapper.relationships:
        if rel.secondary is None and state.attrs[rel.key].history.has_changes():
            keys += [c.key for c in rel.local_columns if c.key in tracked
                     and c.key in state.unloaded and c.key not in keys]
    return keys


def _before_flush(session: Session, _context, _instances) -> None:
    session.info[_DELETED] = [(type(obj), _values(obj)) for obj in session.deleted
                              if type(obj) in TRACKED]
    session.info[_OVERWRITTEN] = _overwritten(session)


def _after_flush(session: Session, _context) -> None:
    who = origin()
    if any(isinstance(obj, Account) and obj.id == who["user_id"] for obj in session.deleted):
        who = {**who, "user_id": None}  # an account deleting itself: keep its name only
    rows = []
    for obj in session.new:
        if type(obj) in TRACKED:
            values = _values(obj)
            rows.append(_record(type(obj), "create", obj.id, values,
                                _changes(type(obj), {}, values), who, _version(obj)))
    for obj in session.dirty:
        if type(obj) in TRACKED and session.is_modified(obj):
            values = _values(obj)
            overwritten = session.info.get(_OVERWRITTEN, {}).get(inspect(obj), {})
            changes = _changes(type(obj), _old_values(obj, values, overwritten), values)
            if changes:
                rows.append(_record(type(obj), "update", obj.id, values, changes, who,
                                    _version(obj)))
    session.info.pop(_OVERWRITTEN, None)
    for model, values in session.info.pop(_DELETED, ()):
        rows.append(_record(model, "delete", values["id"], values,
                            _changes(model, values, {}), who))
    if rows:
        session.connection().execute(insert(ChangeRecord.__table__), rows)


def _version(obj):
    return getattr(obj, "version", None)


def install(app) -> None:
    """Listen on every session of the app's session factory; give each request an id."""
    from .extensions import db

    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "before_flush", _before_flush)
        event.listen(db.session, "after_flush", _after_flush)
    app.before_request(assign_request_id)


# -- Core bulk path --------------------------------------------------------------------------------
def record_bulk(session: Session, model, action: str, rows: Iterable) -> int:
    """Record rows written with Core statements (bulk import, demo data), which the session
    listeners cannot see. Call it in the same transaction as the write, after it:

    - ``action="create"``: ``rows`` are the inserted rows as dicts of column values, each with its
      ``id`` (allocate ids or use ``RETURNING``);
    - ``action="delete"``: ``rows`` are the deleted rows as they were;
    - ``action="update"``: ``rows`` are ``(before, after)`` pairs of dicts, each with the ``id``.

    Many-to-many collections (e.g. ``special_groups``) may be given as lists of names. Who and where
    come from the current request, background job or command line, as for ORM changes.
    Returns the number of history rows written.
    """
    if action not in ("create", "update", "delete"):
        raise ValueError(f"unknown action {action!r}")
    who = origin()
    records = []
    for row in rows:
        if action == "update":
            before, after = row
        else:
            before, after = ({}, row) if action == "create" else (row, {})
        current = after or before
        changes = _changes(model, before, after)
        if changes or action != "update":
            records.append(_record(model, action, current["id"], current, changes, who,
                                   current.get("version")))
    if records:
        session.execute(insert(ChangeRecord.__table__), records)
    return len(records)
