"""Dashboard at district scale: how long the district page takes with the per-community rollups,
against the baseline of grouping every resident live, measured in the same run.

    INSTANCE_DIR=/tmp/bench_dash python bench/bench_dashboard.py --residents 600000
    (SHARED_DATA=<dir of dongli_divisions.csv> when ../shared/data is not beside the repo)
    python bench/bench_dashboard.py --database-url postgresql://postgres@127.0.0.1:5432/test_i6

The database at the URL is emptied and rebuilt (use a scratch database); ``--reuse`` keeps the data
of a previous run. People come from app.demo.generate_demo when the branch has it, else from
bench/synthetic.py (Core executemany).
"""
import argparse
import datetime
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_DIR", tempfile.mkdtemp(prefix="bench-dashboard-"))
os.environ.setdefault("SECRET_KEY", "bench-only")
os.makedirs(os.environ["INSTANCE_DIR"], exist_ok=True)
DIVISIONS = Path(os.environ.get("SHARED_DATA", ROOT.parent / "shared" / "data")) / \
    "dongli_divisions.csv"
PASSWORD = "Bench-Passw0rd!"


def timed(fn, repeat: int = 1) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def build_data(app, residents: int) -> str:
    from app.cli import prepare_database
    from app.extensions import db
    from app.orgimport import import_organisations_file

    prepare_database()
    import_organisations_file(str(DIVISIONS))
    try:
        from app.demo import generate_demo as generate
    except ImportError:
        from bench.synthetic import generate
    report = generate(residents, 1)
    db.session.commit()
    return str(report)


def login(app):
    from tests.conftest import Browser

    sm = app.appbuilder.sm
    with app.app_context():
        if not sm.find_user("bench"):
            sm.add_user("bench", "bench", "测试", "bench@localhost",
                        sm.find_role(app.config["AUTH_ROLE_ADMIN"]), password=PASSWORD)
    browser = Browser(app.test_client())
    assert browser.login("bench", PASSWORD).status_code == 302
    return browser


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=600_000)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from config import database_url

    url = database_url(args.database_url or
                       f"sqlite:///{os.environ['INSTANCE_DIR']}/bench_dashboard.sqlite")
    if not args.reuse:
        from tests.conftest import _drop_everything

        _drop_everything(url)
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from sqlalchemy import func, insert, select

        from app import stats
        from app.extensions import db
        from app.models import Household, Organisation, Resident

        if not args.reuse:
            start = time.perf_counter()
            print(build_data(app, args.residents), f"({time.perf_counter() - start:.0f} s)")
        count = db.session.scalar(select(func.count()).select_from(Resident))
        print(f"database: {db.engine.dialect.name}, residents: {count:,}, communities: "
              f"{db.session.scalar(select(func.count()).where(Organisation.level == 'community'))}")
        ids = list(db.session.scalars(select(Organisation.id).where(
            Organisation.level == "community")))
        today = datetime.date.today()

        def live_rollup():  # what a dashboard without summaries runs on every view
            for query in stats._stat_selects(ids, today):
                db.session.execute(query).all()

        def cold_refresh():
            stats.refresh_stats(ids, today)
            db.session.commit()

        results = {"baseline: live GROUP BY of every breakdown over all residents":
                   timed(live_rollup, 3),
                   "full refresh of all communities' rollups (night job / first start)":
                   timed(cold_refresh, 1)}
        district, street, community = (db.session.scalar(
            select(Organisation.id).where(Organisation.level == level).order_by(Organisation.code))
            for level in ("district", "street", "community"))
        db.session.commit()

    browser = login(app)

    def page(org_id):
        def get():
            response = browser.get(f"/?org={org_id}")
            assert response.status_code == 200 and "数据概览" in response.get_data(as_text=True)
        return get

    for name, org in (("district", district), ("street", street), ("community", community)):
        browser.get(f"/?org={org}")  # warm the templates and the connection
        results[f"{name} dashboard page, warm (full HTTP request)"] = timed(page(org), args.repeat)

    with app.app_context():
        household = db.session.scalar(select(Household).where(
            Household.community_id == community).limit(1))
        run = f"BENCH{int(time.time()) % 100_000:05d}"  # unique per run, so --reuse can repeat
        resident = Resident(name="测试", id_card_no=f"{run}00000000", sex="1",
                            birth_date=datetime.date(1990, 1, 1), household=household,
                            community_id=community, status="active")
        db.session.add(resident)
        db.session.commit()
    results["district page after one form-style (ORM) write"] = timed(page(district), 1)

    with app.app_context():
        some = ids[:5]
        rows = [{"name": "批量", "id_card_no": f"{run}{n + 1:08d}", "sex": "2",
                 "birth_date": datetime.date(1991, 1, 1), "community_id": some[n % 5],
                 "status": "active", "version": 1} for n in range(1000)]
        db.session.execute(insert(Resident), rows)
        db.session.commit()
    results["district page after a Core bulk insert of 1,000 residents into 5 communities"] = \
        timed(page(district), 1)

    with app.app_context():
        stats.refresh_stats(ids, today - datetime.timedelta(days=1))
        db.session.commit()
    results["district page on a new day (old numbers shown, refresh in background)"] = \
        timed(page(district), 1)
    start = time.perf_counter()
    for thread in threading.enumerate():
        if thread.name == "stats-refresh":
            thread.join()
    results["  … background refresh of all communities finished after"] = \
        (time.perf_counter() - start) * 1000
    results["district page after the background refresh"] = timed(page(district), args.repeat)

    baseline = results["baseline: live GROUP BY of every breakdown over all residents"]
    width = max(map(len, results))
    for name, ms in results.items():
        print(f"{name:<{width}}  {ms:9.1f} ms  ({ms / baseline:6.3f} × baseline)")
    html = browser.get(f"/?org={district}").data
    outside = re.findall(rb"https?://(?!localhost|127\.0\.0\.1|www\.w3\.org/2000/svg)[^\"<> ]+",
                         html)
    print(f"district page size: {len(html) / 1024:.0f} KiB; outside hosts in it: {outside}")

if __name__ == "__main__":
    main()
