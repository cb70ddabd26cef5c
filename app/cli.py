"""Command-line entry points (`flask --app app ...`). Seeding lives here, never in create_app()."""
import click
from flask import current_app
from flask.cli import with_appcontext


def prepare_database() -> list[str]:
    """Migrate to the newest schema, sync roles and permissions, load reference data.
    Idempotent; run at deploy time (and by the tests), never at app start."""
    from flask_appbuilder.security.manager import BaseSecurityManager
    from flask_migrate import upgrade

    from .reference import load_reference_data
    from .roles import sync_roles

    upgrade(revision="heads")
    # FAB_CREATE_DB is off, so FAB's built-in roles (Admin, Public) are made here, after migrating.
    BaseSecurityManager.create_db(current_app.appbuilder.sm)
    current_app.appbuilder.add_permissions(update_perms=True)
    sync_roles(current_app.appbuilder)
    return load_reference_data()


@click.command("setup")
@with_appcontext
def setup_command():
    """Upgrade the schema, sync permissions, load reference data, ensure an admin exists."""
    from .i18n import compile_catalogues
    from .reference import ensure_admin

    compile_catalogues()
    for line in prepare_database():
        click.echo(line)
    message = ensure_admin(current_app.config.get("ADMIN_PASSWORD"))
    if message:
        click.echo(message)


@click.group("orgs")
def orgs_group():
    """组织机构 (division list) commands."""


@orgs_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def orgs_import(path):
    """Import or update organisations from a CSV/XLSX file (code, name[, level, parent_code])."""
    from .orgimport import import_organisations_file
    from .tabular import FileProblem

    try:
        report = import_organisations_file(path)
    except FileProblem as exc:
        raise click.ClickException(str(exc))
    for line in report.lines():
        click.echo(line)
    if report.rejected and not (report.created or report.updated or report.unchanged):
        raise SystemExit(1)


@click.command("demo")
@click.option("--residents", type=int, required=True, help="how many synthetic residents")
@click.option("--seed", type=int, default=1, show_default=True)
@with_appcontext
def demo_command(residents, seed):
    """Generate synthetic households and residents over the loaded communities."""
    from .demo import generate_demo

    try:
        report = generate_demo(residents, seed)
    except RuntimeError as exc:
        raise click.ClickException(str(exc))
    click.echo(report)


@click.group("users")
def users_group():
    """账号 commands."""


@users_group.command("add")
@click.option("--username", required=True, help="用户名")
@click.option("--org", "org_code", required=True, help="所属单位的区划代码")
@click.option("--post", "post_name", required=True, help="职务，如 居委会副主任")
@click.option("--password", default=None, help="密码（不填则生成并显示一次）")
@click.option("--name", default=None, help="姓名（默认同用户名）")
@with_appcontext
def users_add(username, org_code, post_name, password, name):
    """Create an active account in a seat; its role is the post's default role."""
    from .accounts import create_account
    from .errors import UserFacingError

    try:
        account, used_password = create_account(username, org_code, post_name, password, name)
    except UserFacingError as exc:
        raise click.ClickException(str(exc))
    roles = "、".join(role.name for role in account.roles)
    seat = f"{account.organisation.name} {account.post.name}"
    click.echo(f"已创建账号 {username}：{seat}，角色 {roles}")
    if not password:
        click.echo(f"初始密码：{used_password}（仅显示这一次，请登录后修改）")


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(out):
    """Copy the whole database to OUT, consistently, while the panel keeps running."""
    from .backup import BackupError, backup

    try:
        click.echo(backup(current_app.config["SQLALCHEMY_DATABASE_URI"], out))
    except BackupError as exc:
        raise click.ClickException(str(exc))


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已有数据的数据库（先停止面板）")
@with_appcontext
def restore_command(source, force):
    """Restore a backup made by `flask backup` into the configured database (stop the panel)."""
    from .backup import BackupError, restore
    from .extensions import db

    db.engine.dispose()  # no pooled connection of ours may hold the database during the restore
    try:
        click.echo(restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source, force))
    except BackupError as exc:
        raise click.ClickException(str(exc))


@click.group("stats")
def stats_group():
    """统计汇总 (dashboard rollups) commands."""


@stats_group.command("refresh")
@with_appcontext
def stats_refresh():
    """Recompute every community's rollups now (run nightly, and after raw-SQL bulk writes)."""
    from .extensions import db
    from .stats import refresh_stats

    count = refresh_stats()
    db.session.commit()
    click.echo(f"已重新计算 {count} 个社区的统计汇总")


@click.group("residents")
def residents_group():
    """居民 commands."""


@residents_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--community", "code", required=True, help="区划代码 of the community")
@click.option("--valid-only", is_flag=True, help="import the rows without errors, skip the rest")
@with_appcontext
def residents_import(path, code, valid_only):
    """Import residents with their households from an .xlsx/.csv file into one community.
    Prints the counts; failing rows go to an error sheet next to the file."""
    from pathlib import Path

    from sqlalchemy import select

    from .extensions import db
    from .importing import check_file, error_list, import_plan
    from .importing.sheets import write_error_sheet
    from .models import Organisation
    from .tabular import FileProblem

    community = db.session.scalar(select(Organisation).where(
        Organisation.code == code, Organisation.level == "community"))
    if community is None:
        raise click.ClickException(f"找不到区划代码为 {code} 的社区")
    source = Path(path)
    try:
        plan = check_file(source.read_bytes(), source.name, community)
    except FileProblem as exc:
        raise click.ClickException(str(exc))
    outcome = import_plan(plan, file_name=source.name, valid_only=valid_only, source="cli")
    if plan.columns.unknown:
        click.echo(f"以下列不是导入字段，已忽略：{'、'.join(plan.columns.unknown)}")
    click.echo(outcome.message)
    for row, label, reason in error_list(plan, limit=20):
        click.echo(f"第{row}行 {label}：{reason}")
    if plan.error_rows:
        sheet = source.with_name(f"{source.stem}_错误.xlsx")
        write_error_sheet(plan, str(sheet))
        click.echo(f"错误表（{len(plan.error_rows)} 行）：{sheet}")
    if outcome.status != "imported":
        raise SystemExit(1)


def register_cli(app) -> None:
    from .auth import cli as _auth_commands  # noqa: F401  (adds unlock/reset-totp to `users`)
    from .api.cli import apikeys_group
    from .i18n import translations_group

    for command in (setup_command, orgs_group, demo_command, translations_group, users_group,
                    backup_command, restore_command, stats_group, residents_group, apikeys_group):
        app.cli.add_command(command)
