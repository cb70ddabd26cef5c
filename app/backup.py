"""Backup and restore of the whole database (`flask --app app backup OUT` / `restore IN`).

- SQLite: SQLite's online backup API copies the database in one step, inside one read
  transaction: a consistent snapshot even while the panel keeps writing (WAL mode lets writers go
  on). The copy is checked (``PRAGMA quick_check``) before it replaces OUT.
- PostgreSQL: ``pg_dump --format=custom`` (one snapshot of the whole database), restored with
  ``pg_restore`` in a single transaction. Connection settings come from the database URL; the
  password is passed in the environment, never on the command line.

Restore refuses a target that already holds tables unless ``force`` is given. Both write to a
temporary file first, so a failed backup never leaves a truncated OUT behind.
"""
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """A failure explained in Chinese for the operator."""


def backup(url: str, out: Path) -> str:
    out = Path(out).resolve()
    temp = out.with_name(out.name + ".partial")
    try:
        if _is_sqlite(url):
            _sqlite_backup(_sqlite_path(url), out, temp)
        else:
            _run("pg_dump", "--format=custom", f"--file={temp}", url=url)
        temp.replace(out)
    finally:
        temp.unlink(missing_ok=True)
    return f"已备份到 {out}（{out.stat().st_size / 1048576:.1f} MB）"


def restore(url: str, source: Path, force: bool = False) -> str:
    source = Path(source)
    _check_kind(url, source)
    tables = existing_tables(url)
    if tables and not force:
        raise BackupError(f"目标数据库已有 {len(tables)} 张表（例如 {tables[0]}），"
                          "为防误覆盖已停止；确认要用备份覆盖它时加 --force。")
    if _is_sqlite(url):
        _sqlite_copy(source, _sqlite_path(url))
    else:
        _run("pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", *(["--clean", "--if-exists"] if tables else []), str(source),
             url=url)
    return f"已从 {source} 恢复；请运行 flask --app app setup 把结构升级到当前版本。"


def existing_tables(url: str) -> list[str]:
    if _is_sqlite(url) and not Path(_sqlite_path(url)).exists():
        return []
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


# -- SQLite --------------------------------------------------------------------------------------
def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份或恢复")
    return database


def _sqlite_backup(database: str, out: Path, temp: Path) -> None:
    if Path(database).resolve() == out:
        raise BackupError("备份文件不能就是数据库文件本身")
    _sqlite_copy(Path(database), temp)
    check = sqlite3.connect(temp)
    try:
        result = check.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        raise BackupError(f"备份文件校验失败：{result}")


def _sqlite_copy(source: Path, target) -> None:
    """Copy a whole SQLite database in one backup step (one consistent read transaction)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 备份/恢复失败：{exc}") from exc
    finally:
        dst.close()
        src.close()


# -- PostgreSQL ------------------------------------------------------------------------------------
def _run(program: str, *args: str, url: str) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"找不到 {program}：请安装与数据库服务器同一大版本（或更新）的 "
                          "PostgreSQL 客户端工具")
    connection, password = _libpq_args(url)
    env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    done = subprocess.run([executable, *connection, *args], env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise BackupError(f"{program} 失败（退出码 {done.returncode}）：{done.stderr.strip()}")


def _libpq_args(url: str) -> tuple[list[str], str | None]:
    """pg_dump/pg_restore connection options from a SQLAlchemy URL (driver suffix ignored)."""
    parsed = make_url(url)
    args = ["--no-password", f"--dbname={parsed.database}"]
    if parsed.host:
        args.append(f"--host={parsed.host}")
    if parsed.port:
        args.append(f"--port={parsed.port}")
    if parsed.username:
        args.append(f"--username={parsed.username}")
    return args, parsed.password


def _check_kind(url: str, source: Path) -> None:
    head = source.read_bytes()[:16] if source.is_file() else b""
    wanted, name = ((SQLITE_HEADER, "SQLite 数据库文件") if _is_sqlite(url)
                    else (PG_DUMP_HEADER, "pg_dump 自定义格式（flask backup 生成）"))
    if not head.startswith(wanted):
        raise BackupError(f"{source} 不是{name}，无法恢复到当前数据库")
