"""Who may manage which accounts, and creating an account in a seat.

An account manager (区级管理, or Admin) manages the accounts inside its organisation subtree,
and grants only roles no higher than its own (``roles.ROLE_RANK``) and seats of organisations
inside its subtree — so never a seat above its own level. Admins grant anything. The views filter their lists and options
with these rules and re-check every saved account with ``management_problem``.
"""
from typing import Optional

from flask import current_app, g
from flask_appbuilder.security.sqla.models import Group, Role
from sqlalchemy import and_, or_, select, true

from .auth.passwords import generate_password
from .errors import UserFacingError
from .extensions import db
from .models import LEVELS, Account, Organisation, Post
from .roles import ROLE_RANK
from .scope import UNRESTRICTED, current_scope, path_in_scope, scope_clause

EVERY = None  # grantable_roles(): every role


def _role_names(user) -> set:
    return {role.name for role in current_app.appbuilder.sm.get_user_roles(user)}


def grantable_roles(user) -> Optional[set]:
    """Names of the roles ``user`` may grant (EVERY for admins)."""
    names = _role_names(user)
    if current_app.config["AUTH_ROLE_ADMIN"] in names:
        return EVERY
    height = max((ROLE_RANK.get(name, 0) for name in names), default=0)
    return {name for name, rank in ROLE_RANK.items() if rank <= height}


def grantable_levels() -> list[str]:
    """Organisation levels whose seats the current account may give: its own level and below."""
    scope, levels = current_scope(), list(LEVELS)
    if scope == UNRESTRICTED:
        return levels
    if scope is None:
        return []
    return levels[levels.index(g.user.organisation.level):]


def roles_clause(names: Optional[set]):
    """Roles among ``names`` (a Role WHERE clause)."""
    return true() if names is EVERY else Role.name.in_(names)


def manageable_clause(user, manager: bool = True):
    """Accounts ``user`` may see: its own, and if it is an account ``manager`` those inside its
    subtree holding no role (directly or through a group) it could not grant."""
    if not manager:
        return Account.id == getattr(user, "id", None)
    names = grantable_roles(user)
    others = scope_clause(Account.organisation_id)
    if names is not EVERY:
        others = and_(others, ~Account.roles.any(Role.name.not_in(names)),
                      ~Account.groups.any(Group.roles.any(Role.name.not_in(names))))
    return or_(Account.id == getattr(user, "id", None), others)


def management_problem(account: Account) -> Optional[str]:
    """Why the current account may not save ``account`` as it is (None: it may)."""
    names = grantable_roles(g.user)
    granted = {r.name for r in account.roles} | {r.name for grp in account.groups
                                                  for r in grp.roles}
    if names is not EVERY and granted - names:
        return f"无权授予角色：{'、'.join(sorted(granted - names))}"
    if account.organisation is None:
        return None if names is EVERY else "请选择所属单位"
    if not path_in_scope(account.organisation.path):
        return "无权操作：所选单位不在您的管辖范围内。"
    return None


def default_role(post: Post):
    """The role an account gets when created in ``post`` (seed/posts.csv: role_name)."""
    role = current_app.appbuilder.sm.find_role(post.role_name) if post.role_name else None
    if role is None:
        raise UserFacingError(f"职务「{post.name}」没有设置默认角色，请先在职务名额中设置")
    return role


def find_seat(org_code: str, post_name: str) -> tuple[Organisation, Post]:
    org = db.session.scalar(select(Organisation).where(Organisation.code == org_code))
    if org is None:
        raise UserFacingError(f"找不到区划代码为 {org_code} 的单位")
    posts = db.session.scalars(select(Post).where(Post.level == org.level)
                               .order_by(Post.sort_order)).all()
    post = next((p for p in posts if p.name == post_name), None)
    if post is None:
        offered = "、".join(p.name for p in posts) or "无"
        raise UserFacingError(f"{org.name}（{org.level_name}级）没有职务「{post_name}」；"
                              f"可选：{offered}")
    return org, post


def create_account(username: str, org_code: str, post_name: str, password: Optional[str] = None,
                   name: Optional[str] = None, email: Optional[str] = None) -> tuple[Account, str]:
    """Create an active account in a seat, with the post's default role. The seat rule is checked
    when it is saved (app/seats.py). Returns the account and its password (generated if none)."""
    sm = current_app.appbuilder.sm
    if sm.find_user(username=username):
        raise UserFacingError(f"用户名「{username}」已存在")
    org, post = find_seat(org_code, post_name)
    password = password or generate_password(username)
    account = sm.add_user(username, name or username, "", email or f"{username}@localhost",
                          default_role(post), password=password, commit=False)
    if not account:
        db.session.rollback()
        raise UserFacingError(f"无法创建账号「{username}」：邮箱可能已被使用")
    account.organisation, account.post = org, post
    try:
        db.session.commit()
    except UserFacingError:
        db.session.rollback()
        raise
    return account, password
