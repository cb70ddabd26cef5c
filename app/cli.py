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
    from .reference import ensure_admin

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


def register_cli(app) -> None:
    for command in (setup_command, orgs_group, demo_command, stats_group):
        app.cli.add_command(command)
