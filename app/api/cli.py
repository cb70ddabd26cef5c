"""`flask apikeys create|list|revoke`: API keys of department accounts."""
import datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import KEY_ACCESS, Account, ApiKey
from . import keys


@click.group("apikeys")
def apikeys_group():
    """接口密钥 (API keys) of accounts."""


@apikeys_group.command("create")
@click.argument("username")
@click.option("--read-only/--read-write", "read_only", default=True, show_default=True,
              help="只读（默认）或读写")
@click.option("--name", default="部门接口", show_default=True, help="用途，列表中显示")
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="有效期至（含当天），如 2027-12-31；不填则长期有效")
@with_appcontext
def create_command(username, read_only, name, expires):
    """Issue a key for USERNAME; the key is printed once and stored only as a hash."""
    account = db.session.scalar(select(Account).where(Account.username == username))
    if account is None or not account.is_active:
        raise click.ClickException(f"账号不存在或已停用：{username}")
    until = expires + datetime.timedelta(days=1) if expires else None
    key, raw = keys.issue(account, name, "read" if read_only else "write", until)
    click.echo(f"已为 {username} 创建{KEY_ACCESS[key.access]}接口密钥（编号 {key.id}）。"
               "密钥只显示这一次，请妥善保存：")
    click.echo(raw)


@apikeys_group.command("list")
@click.argument("username", required=False)
@with_appcontext
def list_command(username):
    """List keys (of USERNAME, or all): number, account, access, state."""
    query = select(ApiKey).join(ApiKey.account).order_by(ApiKey.id)
    if username:
        query = query.where(Account.username == username)
    now = datetime.datetime.now()
    for key in db.session.scalars(query):
        state = ("已吊销" if key.revoked_on else "已过期" if not key.usable(now) else "有效")
        until = f"{key.expires_on:%Y-%m-%d %H:%M}" if key.expires_on else "长期"
        used = f"{key.last_used_on:%Y-%m-%d %H:%M}" if key.last_used_on else "未使用"
        click.echo(f"{key.id}\t{key.account.username}\t{key.prefix}…\t{KEY_ACCESS[key.access]}"
                   f"\t{state}\t有效期至 {until}\t最近使用 {used}\t{key.name}")


@apikeys_group.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def revoke_command(key_id):
    """Revoke key KEY_ID (see `list`): refused from the next request on."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.ClickException(f"没有编号为 {key_id} 的接口密钥")
    keys.revoke(key)
    db.session.commit()
    click.echo(f"已吊销接口密钥 {key.id}（{key.account.username}，{key.prefix}…）。")
