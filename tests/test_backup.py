"""`flask backup` while the panel writes gives a consistent copy; `restore` puts it into a fresh
database with identical counts and refuses to overwrite a database in use without --force."""
import shutil
import threading

import pytest
from flask_appbuilder import Model
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from app.backup import BackupError, existing_tables, restore
from app.models import Household, Job
from tests.conftest import make_user
from tests.factories import household, resident


def counts(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = {t.name: conn.scalar(select(func.count()).select_from(t))
                     for t in Model.metadata.sorted_tables}
            found["alembic_version"] = conn.scalar(text("SELECT version_num FROM alembic_version"))
            return found
    finally:
        engine.dispose()


@pytest.fixture
def scratch_url(app, tmp_path):
    """A fresh, empty database of the same kind as the test database."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class PairWriter(threading.Thread):
    """Another client of the database: commits a household and a job together, again and again.
    A consistent snapshot holds as many new households as new jobs."""

    def __init__(self, url: str, community_id: int):
        super().__init__(daemon=True)
        self.engine = create_engine(url, connect_args={"timeout": 30} if url.startswith(
            "sqlite") else {})
        self.community_id = community_id
        self.committed = 0
        self.stop = threading.Event()
        self.progress = threading.Condition()

    def run(self):
        try:
            while not self.stop.is_set():
                with self.engine.begin() as conn:
                    conn.execute(insert(Household).values(
                        household_no=f"W-{self.committed}", community_id=self.community_id))
                    conn.execute(insert(Job).values(kind="test", title="并发写入"))
                with self.progress:
                    self.committed += 1
                    self.progress.notify_all()
        finally:
            self.engine.dispose()

    def wait_for(self, committed: int):
        with self.progress:
            assert self.progress.wait_for(lambda: self.committed >= committed, timeout=60)
        return self.committed


def test_backup_taken_during_writes_restores_consistently(app, db, tree, tmp_path, scratch_url):
    community = tree["120110001001"]
    make_user(app, "admin1")
    for n in range(3):
        resident(db, household(db, community, no=f"H-{n}"), name=f"居民{n}")
    source = app.config["SQLALCHEMY_DATABASE_URI"]
    before = counts(source)
    out = tmp_path / "panel.backup"

    writer = PairWriter(source, community.id)
    writer.start()
    try:
        writer.wait_for(5)
        result = app.test_cli_runner().invoke(args=["backup", str(out)])
        writer.wait_for(writer.committed + 5)  # and the panel kept writing afterwards
    finally:
        writer.stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output

    assert "已从" in restore(scratch_url, out)
    restored, after = counts(scratch_url), counts(source)
    new_households = restored["household"] - before["household"]
    assert new_households == restored["job"] - before["job"]  # no half-written pair
    assert 5 <= new_households < after["household"] - before["household"]
    untouched = {k: v for k, v in after.items() if k not in ("household", "job")}
    assert {k: restored[k] for k in untouched} == untouched


def test_restore_refuses_a_database_with_tables_unless_forced(app, db, tree, tmp_path,
                                                              scratch_url):
    household(db, tree["120110001001"])
    out = tmp_path / "panel.backup"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    source_counts = counts(app.config["SQLALCHEMY_DATABASE_URI"])

    refused = runner.invoke(args=["restore", str(out)])  # onto the (non-empty) panel database
    assert refused.exit_code != 0 and "为防误覆盖已停止" in refused.output

    restore(scratch_url, out)
    with pytest.raises(BackupError, match="加 --force"):
        restore(scratch_url, out)
    restore(scratch_url, out, force=True)
    assert counts(scratch_url) == source_counts


def test_restore_refuses_a_file_that_is_no_backup(app, db, tmp_path, scratch_url):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("不是备份", encoding="utf-8")
    with pytest.raises(BackupError, match="无法恢复到当前数据库"):
        restore(scratch_url, bogus)
    assert existing_tables(scratch_url) == []
