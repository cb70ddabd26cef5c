"""`flask users ...`: the operator's way back in when the web is no help (the only admin is
locked out or has lost the phone). Passwords: FAB's `flask fab reset-password`, which obeys the
policy through the security manager."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..cli import users_group
from . import lockout, loginlog, totp


def _account(username: str):
    account = current_app.appbuilder.sm.find_user(username=username)
    if account is None:
        raise click.ClickException(f"账号不存在：{username}")
    return account


@users_group.command("unlock")
@click.argument("username")
@with_appcontext
def unlock_command(username):
    """Lift the lock after repeated failed logins."""
    account = _account(username)
    click.echo(f"已解除 {username} 的登录锁定" if lockout.unlock(account, "命令行")
               else f"{username} 未被锁定")


@users_group.command("reset-totp")
@click.argument("username")
@with_appcontext
def reset_totp_command(username):
    """Remove the second factor; the account enrols again at its next login."""
    account = _account(username)
    if totp.reset(account):
        loginlog.record("totp_reset", account.username, account, "由命令行重置")
        click.echo(f"已重置 {username} 的两步验证")
    else:
        click.echo(f"{username} 未启用两步验证")
