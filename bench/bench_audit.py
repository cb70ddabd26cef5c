"""What the change history costs: the same writes with and without it, in one run.

    INSTANCE_DIR=/tmp/bench_audit .venv/bin/python bench/bench_audit.py [--rows 2000] [--bulk 20000]

Uses a fresh SQLite file in INSTANCE_DIR (or DATABASE_URL, whose data it wipes: never point it at
a database you need). Prints seconds per variant (fastest of 3, run alternately) and the
ratio with/without history.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("INSTANCE_DIR", tempfile.mkdtemp(prefix="bench-audit-"))

from sqlalchemy import delete, event, insert, select  # noqa: E402

TREE = [("120000000000", "天津市"), ("120100000000", "市辖区"), ("120110000000", "东丽区"),
        ("120110001000", "张贵庄街道"), ("120110001001", "甲社区")]


class History:
    """Switch the session listeners off and on (the 'without' baseline)."""

    def __init__(self, db, audit):
        self.db, self.audit = db, audit

    def off(self):
        event.remove(self.db.session, "before_flush", self.audit._before_flush)
        event.remove(self.db.session, "after_flush", self.audit._after_flush)

    def on(self):
        event.listen(self.db.session, "before_flush", self.audit._before_flush)
        event.listen(self.db.session, "after_flush", self.audit._after_flush)


def orm_round(db, Household, community_id, rows) -> float:
    """Add ``rows`` households, edit each, delete them: three ORM flushes and commits."""
    start = time.perf_counter()
    items = [Household(household_no=f"O-{n}", community_id=community_id, estate="甲")
             for n in range(rows)]
    db.session.add_all(items)
    db.session.commit()
    for item in items:
        item.estate, item.phone = "乙", "13912345678"
    db.session.commit()
    for item in items:
        db.session.delete(item)
    db.session.commit()
    return time.perf_counter() - start


def bulk_round(db, audit, Household, community_id, rows, record) -> float:
    first = (db.session.scalar(select(Household.id).order_by(Household.id.desc()).limit(1))
             or 0) + 1
    values = [{"id": first + n, "household_no": f"B-{first + n}", "community_id": community_id,
               "household_type": "1", "estate": "丙", "status": "active", "version": 1}
              for n in range(rows)]
    start = time.perf_counter()
    db.session.execute(insert(Household), values)
    if record:
        audit.record_bulk(db.session, Household, "create", values)
    db.session.commit()
    return time.perf_counter() - start


def best_of(runs, variants: dict) -> dict:
    """Run the variants alternately ``runs`` times; keep each one's fastest (least disturbed)."""
    times = {label: [] for label in variants}
    for _ in range(runs):
        for label, fn in variants.items():
            times[label].append(fn())
    return {label: min(found) for label, found in times.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000, help="households per ORM round")
    parser.add_argument("--bulk", type=int, default=20000, help="rows per Core bulk insert")
    args = parser.parse_args()

    from app import audit, create_app
    from app.cli import prepare_database
    from app.extensions import db
    from app.models import ChangeRecord, Household, Organisation
    from app.orgimport import import_organisations

    app = create_app()
    with app.app_context():
        prepare_database()
        for model in (ChangeRecord, Household):
            db.session.execute(delete(model))
        db.session.commit()
        import_organisations(["code", "name"], [list(r) for r in TREE])
        community = db.session.scalar(select(Organisation.id).where(
            Organisation.code == "120110001001"))
        history = History(db, audit)
        print(f"database: {db.engine.url.get_backend_name()}")

        def orm(with_history):
            (history.on if with_history else history.off)()
            try:
                return orm_round(db, Household, community, args.rows)
            finally:
                if not with_history:
                    history.on()

        orm_runs = best_of(3, {"without history": lambda: orm(False),
                                "with history": lambda: orm(True)})
        bulk_runs = best_of(3, {
            "without record_bulk": lambda: bulk_round(db, audit, Household, community,
                                                      args.bulk, False),
            "with record_bulk": lambda: bulk_round(db, audit, Household, community, args.bulk,
                                                   True)})
        for label, seconds in orm_runs.items():
            print(f"{seconds:8.3f} s  ORM add+edit+delete {args.rows} rows, {label}")
        for label, seconds in bulk_runs.items():
            print(f"{seconds:8.3f} s  Core insert {args.bulk} rows, {label}")
        print(f"ratio ORM with/without history: "
              f"{orm_runs['with history'] / orm_runs['without history']:.2f}")
        print(f"ratio bulk with/without record_bulk: "
              f"{bulk_runs['with record_bulk'] / bulk_runs['without record_bulk']:.2f}")


if __name__ == "__main__":
    main()
