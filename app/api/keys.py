"""API keys: issuing, checking and revoking them, and how a request presents one.

A request shows its key as ``Authorization: Bearer ck_…`` or ``X-API-Key: ck_…``. FAB's ``protect``
asks the security manager for the key (FAB_API_KEY_ENABLED) and then checks the permission as
usual, so a key's account gets exactly its roles' permissions, scope and masking. A read-only key
holds only the read permissions (``allows``), whatever its account's roles.
"""
import datetime
import secrets
from typing import Optional

from flask import g, request
from sqlalchemy import select, update

from ..extensions import db
from ..models import Account, ApiKey, hash_key

PREFIX = "ck_"
# What a read-only key may do: read records and documentation, see what its account may see.
READ_PERMISSIONS = frozenset({"can_read", "can_get", "can_info", "can_see", "can_list",
                              "can_show", "menu_access"})
TOUCH_EVERY = datetime.timedelta(minutes=1)  # last_used_on is written at most this often


def issue(account: Account, name: str, access: str = "read",
          expires_on: Optional[datetime.datetime] = None) -> tuple[ApiKey, str]:
    """A new key for ``account``; returns it and the raw key (shown once, never stored)."""
    raw = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(account=account, name=name, access=access, prefix=raw[:10],
                 key_hash=hash_key(raw), expires_on=expires_on)
    db.session.add(key)
    db.session.commit()
    return key, raw


def revoke(key: ApiKey) -> None:
    if key.revoked_on is None:
        key.revoked_on = datetime.datetime.now()


def presented_key() -> Optional[str]:
    """The key this request presents, if any (a bearer token not of our form is no key)."""
    header = request.headers.get("X-API-Key", "").strip()
    if header:
        return header
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    return token if token.startswith(PREFIX) else None


def account_for(raw: str) -> Optional[Account]:
    """The account of a usable key, which is then the request's user (None: refused)."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw)))
    now = datetime.datetime.now()
    if key is None or not key.usable(now):
        return None
    if key.last_used_on is None or now - key.last_used_on > TOUCH_EVERY:
        db.session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_on=now))
        db.session.commit()
    g.user, g._api_key_user, g.api_key_read_only = key.account, True, key.read_only
    return key.account


def allows(permission: str) -> bool:
    """False when the request's read-only key may not use ``permission``."""
    return not g.get("api_key_read_only") or permission in READ_PERMISSIONS
