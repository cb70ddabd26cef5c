"""API keys (接口密钥) of department accounts: the key is shown once and stored only as a hash."""
import datetime
import hashlib
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import field
from .seat import Account

__all__ = ["ApiKey", "KEY_ACCESS", "hash_key"]

KEY_ACCESS = {"read": N_("只读"), "write": N_("读写")}


def hash_key(raw: str) -> str:
    """SHA-256 of the key: keys are 256-bit random strings, so a fast hash suffices (no guessing
    by dictionary), and lookup by hash needs no per-key salt."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(Model):
    """A key lets programs use the API as its account: the same roles, scope and masking, and
    read-only keys (``access`` = read) may change nothing. Revoked or expired keys are refused."""

    __tablename__ = "api_key"
    verbose_name = N_("接口密钥")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True,
        info=field("账号"))
    account: Mapped[Account] = relationship(info=field("账号"))
    name: Mapped[str] = mapped_column(String(100), nullable=False, info=field("用途"))
    prefix: Mapped[str] = mapped_column(String(16), nullable=False, info=field("密钥开头"))
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    access: Mapped[str] = mapped_column(String(10), nullable=False, default="read",
                                        info=field("权限", choices=KEY_ACCESS))
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime, nullable=False, default=datetime.datetime.now, info=field("创建时间"))
    expires_on: Mapped[Optional[datetime.datetime]] = mapped_column(
        DateTime, info=field("有效期至"))
    revoked_on: Mapped[Optional[datetime.datetime]] = mapped_column(
        DateTime, info=field("吊销时间"))
    last_used_on: Mapped[Optional[datetime.datetime]] = mapped_column(
        DateTime, info=field("最近使用"))

    def __repr__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @property
    def read_only(self) -> bool:
        return self.access != "write"

    def usable(self, now: Optional[datetime.datetime] = None) -> bool:
        now = now or datetime.datetime.now()
        return (self.revoked_on is None and (self.expires_on is None or self.expires_on > now)
                and self.account is not None and self.account.is_active)
