"""Seats: every active account holds one post (职务) of one organisation, within the post's quota.

One rule, ``check_seat``, decides whether an account may take a seat. ``install`` runs it at flush
for every account whose organisation, post or active flag changed, so it holds on every path
(account forms, ``flask users add``, an API, scripts); forms call it earlier too, for a message
next to the field. It locks the organisation's seats until the transaction ends: of two admins filling the
last seat at once, the second waits for the first and is then refused.
"""
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.orm import Session

from .errors import UserFacingError
from .models import LEVELS, Account, Organisation, Post, QuotaOverride

__all__ = ["SeatError", "check_post_level", "check_seat", "install", "seat_rows", "SeatRow"]

_SEAT_ATTRIBUTES = ("active", "organisation", "organisation_id", "post", "post_id")


class SeatError(UserFacingError):
    """A seat that cannot be given; the message names organisation, post and count."""


def quota_of(session, org_id: int, post: Post) -> Optional[int]:
    """The organisation's override, else the post's quota per level (None: outside the quotas)."""
    override = session.scalar(select(QuotaOverride.quota).where(
        QuotaOverride.organisation_id == org_id, QuotaOverride.post_id == post.id))
    return post.quota if override is None else override


def holders_count(session, org_id: int, post_id: int, excluding: Optional[int]) -> int:
    """Active accounts holding the seat, other than ``excluding`` (the account being placed)."""
    query = select(func.count(Account.id)).where(
        Account.organisation_id == org_id, Account.post_id == post_id, Account.active.is_(True))
    if excluding is not None:
        query = query.where(Account.id != excluding)
    return session.scalar(query)


def lock_seats(session, org_id: int) -> None:
    """Hold the organisation's seats until the transaction ends, on both databases, with one
    statement: a no-op UPDATE of its row is a row lock on PostgreSQL (a concurrent placement blocks
    here, then counts afresh once this transaction commits) and takes the database write lock on
    SQLite (BEGIN IMMEDIATE semantics: the other writer waits here, up to busy_timeout)."""
    table = Organisation.__table__
    session.execute(update(table).where(table.c.id == org_id).values(id=table.c.id))


def check_post_level(org: Organisation, post: Post) -> None:
    """A post is a seat of organisations of its level only."""
    if post.level != org.level:
        raise SeatError(f"{org.name}：职务「{post.name}」属于{LEVELS[post.level]}级单位，"
                        f"不能设在{org.level_name}级单位")


def check_seat(session, account: Optional[Account], org: Optional[Organisation],
               post: Optional[Post], also_taken: int = 0) -> None:
    """Refuse (SeatError) to place ``account`` (None for one not yet saved) in the seat ``post`` of
    ``org``: the post must belong to the organisation's level and the seat must have a vacancy.
    ``also_taken`` counts placements in the same flush not yet in the database."""
    if org is None or post is None:
        return
    check_post_level(org, post)
    lock_seats(session, org.id)
    quota = quota_of(session, org.id, post)
    if quota is None:
        return
    held = holders_count(session, org.id, post.id, getattr(account, "id", None)) + also_taken
    if held >= quota:
        raise SeatError(f"{org.name}：{post.name}名额已满（{held}/{quota}）")


def _seat_changed(session, account: Account) -> bool:
    state = inspect(account)
    return account in session.new or any(
        state.attrs[name].history.has_changes() for name in _SEAT_ATTRIBUTES)


def _target(session, account: Account, relation: str, model):
    """The organisation or post the account holds after this flush (its key may have been set
    directly, leaving the loaded relation stale)."""
    if inspect(account).attrs[f"{relation}_id"].history.has_changes():
        key = getattr(account, f"{relation}_id")
        return session.get(model, key) if key is not None else None
    return getattr(account, relation)


def _check_changed_seats(session, _flush_context, _instances) -> None:
    taken: Counter = Counter()
    for account in [*session.new, *session.dirty]:
        if not (isinstance(account, Account) and account.active
                and _seat_changed(session, account)):
            continue
        org = _target(session, account, "organisation", Organisation)
        post = _target(session, account, "post", Post)
        seat = (getattr(org, "id", None), getattr(post, "id", None))
        check_seat(session, account, org, post, also_taken=taken[seat])
        taken[seat] += 1


def install() -> None:
    """Check seats at every flush of every session (idempotent)."""
    if not event.contains(Session, "before_flush", _check_changed_seats):
        event.listen(Session, "before_flush", _check_changed_seats)


# -- 席位总览 -----------------------------------------------------------------------------------
@dataclass
class SeatRow:
    organisation: Organisation
    post: Post
    quota: Optional[int]
    holders: list = field(default_factory=list)

    @property
    def filled(self) -> int:
        return len(self.holders)

    @property
    def vacancies(self) -> Optional[int]:
        return None if self.quota is None else max(self.quota - self.filled, 0)


def _holder_name(username: str, first_name: str, last_name: str) -> str:
    name = f"{last_name or ''}{first_name or ''}".strip()
    return f"{name}（{username}）" if name and name != username else username


def seat_rows(session, prefix: str) -> list[SeatRow]:
    """Every seat (organisation × post of its level) of the active organisations whose path starts
    with ``prefix``, with its quota and active holders; four queries whatever the size."""
    in_subtree = Organisation.path.startswith(prefix, autoescape=True)
    posts: dict = {}
    for post in session.scalars(select(Post).order_by(Post.sort_order, Post.id)):
        posts.setdefault(post.level, []).append(post)
    orgs = session.scalars(select(Organisation).where(
        in_subtree, Organisation.active.is_(True), Organisation.level.in_(list(posts)))
        .order_by(Organisation.path)).all()
    overrides = dict(((o, p), q) for o, p, q in session.execute(
        select(QuotaOverride.organisation_id, QuotaOverride.post_id, QuotaOverride.quota)
        .join(Organisation, QuotaOverride.organisation_id == Organisation.id).where(in_subtree)))
    holders: dict = {}
    for org_id, post_id, *names in session.execute(
            select(Account.organisation_id, Account.post_id, Account.username,
                   Account.first_name, Account.last_name)
            .join(Organisation, Account.organisation_id == Organisation.id)
            .where(in_subtree, Account.active.is_(True)).order_by(Account.username)):
        holders.setdefault((org_id, post_id), []).append(_holder_name(*names))
    return [SeatRow(org, post, overrides.get((org.id, post.id), post.quota),
                    holders.get((org.id, post.id), []))
            for org in orgs for post in posts[org.level]]
