"""Reference data shipped in seed/: code tables and the post catalogue.
Loading is idempotent and keeps admins' edits."""
import csv
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .auth.passwords import PasswordPolicyError, generate_password, password_faults, policy_message
from .extensions import db
from .models import CodeItem, Post

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"


def _add_missing(filename: str, model, key: tuple, build) -> tuple[int, int]:
    """Add the rows of seed/<filename> whose ``key`` is not in the table yet; existing rows keep
    what admins made of them. Returns (added, already there)."""
    existing = {tuple(row) for row in db.session.execute(select(*(getattr(model, k) for k in key)))}
    added = 0
    with open(SEED_DIR / filename, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if tuple(row[k] for k in key) not in existing:
                db.session.add(build(row))
                added += 1
    db.session.commit()
    return added, len(existing)


def load_code_tables() -> str:
    """Add codes missing from the database; existing codes keep their (possibly edited) name."""
    added, kept = _add_missing("code_tables.csv", CodeItem, ("table", "code"), lambda row: CodeItem(
        table=row["table"], code=row["code"], name=row["name"],
        sort_order=int(row["sort_order"]), active=True))
    return f"字典：新增 {added} 项，已有 {kept} 项"


def load_posts() -> str:
    """The post catalogue with quotas per level; existing posts keep their (edited) quota."""
    added, kept = _add_missing("posts.csv", Post, ("level", "name"), lambda row: Post(
        level=row["level"], name=row["name"], quota=int(row["quota"]) if row["quota"] else None,
        role_name=row["role_name"] or None, sort_order=int(row["sort_order"])))
    return f"职务名额：新增 {added} 个职务，已有 {kept} 个"


def load_reference_data() -> list[str]:
    return [load_code_tables(), load_posts()]


def ensure_admin(password: str | None) -> str | None:
    """Create the admin account when no user exists; the password is printed only when generated.
    A given password must satisfy the password policy (PasswordPolicyError otherwise)."""
    sm = current_app.appbuilder.sm
    if sm.count_users() > 0:
        return None
    generated = not password
    if password and (faults := password_faults(password, "admin")):
        raise PasswordPolicyError(policy_message(faults, "环境变量 ADMIN_PASSWORD 的密码"))
    password = password or generate_password("admin")
    role = sm.find_role(current_app.config["AUTH_ROLE_ADMIN"])
    user = sm.add_user("admin", "系统", "管理员", "admin@localhost", role, password=password)
    if not user:
        raise RuntimeError("无法创建管理员账号")
    if generated:
        return f"已创建管理员账号：用户名 admin，密码 {password}（仅显示这一次，请登录后修改）"
    return "已创建管理员账号：用户名 admin，密码为环境变量 ADMIN_PASSWORD 的值"
