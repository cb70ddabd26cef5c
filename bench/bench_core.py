"""Benchmark of the records core at district scale — run on demand, not part of the test suite.

    .venv/bin/python bench/bench_core.py [--residents 600000] [--runs 10] [--keep]

Builds a fresh SQLite database in a temporary instance folder (or uses DATABASE_URL, e.g. a
PostgreSQL database made for the purpose — never CI's `test`), runs `flask setup`, imports the
Dongli divisions from ../shared/data, generates the demo residents, then times pages over HTTP
through the Flask test client logged in (median of --runs after one warm-up), each against the raw
SQL query of one list page.
"""
import argparse
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
DIVISIONS = Path(__file__).resolve().parents[2] / "shared" / "data" / "dongli_divisions.csv"
BASELINE_SQL = "SELECT * FROM resident ORDER BY id LIMIT 25"
PASSWORD = secrets.token_urlsafe(12)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=10, help="timed runs per page (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folder")
    return parser.parse_args()


def build_app(instance: str):
    """The app on a fresh SQLite file in ``instance``, or on DATABASE_URL when that is set."""
    os.environ["INSTANCE_DIR"] = instance  # read when config is imported, so set it first
    sys.path.insert(0, str(REPO))
    from app import create_app

    app = create_app()
    print(f"数据库：{app.config['SQLALCHEMY_DATABASE_URI']}")
    return app


def run_cli(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        sys.exit(f"flask {' '.join(args)} 失败：\n{result.output}{result.exception or ''}")


def build_data(app, residents: int, seed: int) -> None:
    from app.demo import generate_demo

    started = time.perf_counter()
    run_cli(app, "setup")
    run_cli(app, "orgs", "import", str(DIVISIONS))
    print(f"setup + 区划导入：{time.perf_counter() - started:.1f} s")
    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        print(generate_demo(residents, seed))
        # CPU time too: on a shared machine the wall time also measures the neighbours.
        print(f"演示数据构建：{time.perf_counter() - started:.1f} s，本进程 CPU "
              f"{time.process_time() - cpu:.1f} s（{residents} 名居民）")


def bench_user(app, username: str, organisation_id=None) -> None:
    """An admin-role account with a known password (created, or its password reset)."""
    from app.extensions import db

    sm = app.appbuilder.sm
    with app.app_context():
        user = sm.find_user(username=username)
        if user is None:
            role = sm.find_role(app.config["AUTH_ROLE_ADMIN"])
            user = sm.add_user(username, username, "基准", f"{username}@bench.invalid", role,
                               password=PASSWORD)
        else:
            sm.reset_password(user.id, PASSWORD)
        user = db.session.merge(user)
        user.organisation_id = organisation_id
        db.session.commit()


def logged_in_client(app, username: str):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = client.post("/login/", data={"username": username, "password": PASSWORD,
                                            "csrf_token": token.group(1) if token else ""})
    if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
        sys.exit(f"无法以 {username} 登录（HTTP {response.status_code}）")
    return client


def median_ms(action, runs: int):
    """Median wall time of ``action`` in ms after one warm-up call; also the last result."""
    result = action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def filter_arg(app, view_name: str, column: str, filter_class: str) -> str:
    """FAB's query argument ``_flt_<position>_<column>``: the filter's position in the column's
    list of search filters, read from the registered view rather than guessed."""
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == view_name)
    filters = view._filters.get_search_filters()[column]
    index = next(i for i, f in enumerate(filters) if type(f).__name__ == filter_class)
    return f"_flt_{index}_{column}"


def sample(app) -> dict:
    """A resident in the middle of the table and a community with residents."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Resident

    with app.app_context():
        middle = db.session.scalar(select(func.max(Resident.id))) // 2
        person = db.session.get(Resident, middle)
        return {"name": person.name, "id_card_no": person.id_card_no,
                "community_id": person.community_id}


def raw_page_query(app):
    from app.extensions import db

    with app.app_context():
        connection = db.engine.raw_connection()
    cursor = connection.cursor()

    def run():
        cursor.execute(BASELINE_SQL)
        return cursor.fetchall()
    return run


def pages(app, who: dict) -> list[tuple[str, str, str]]:
    """(label, account, URL) of every page timed."""
    def listing(column, filter_class, value):
        query = {filter_arg(app, "ResidentView", column, filter_class): value}
        return f"/residentview/list/?{urlencode(query)}"
    return [
        ("居民列表（全部）", "bench_admin", "/residentview/list/"),
        ("居民列表：姓名等于", "bench_admin", listing("name", "FilterEqual", who["name"])),
        ("居民列表：姓名包含", "bench_admin", listing("name", "FilterContains", who["name"][1:])),
        ("居民列表：身份证号等于", "bench_admin",
         listing("id_card_no", "FilterEqual", who["id_card_no"])),
        ("居民列表：身份证号开头", "bench_admin",
         listing("id_card_no", "FilterStartsWith", who["id_card_no"][:14])),
        ("居民列表：社区账号（本社区）", "bench_community", "/residentview/list/"),
        ("社区页面（下级/户/居民）", "bench_admin",
         f"/organisationview/show/{who['community_id']}"),
    ]


def time_pages(app, runs: int) -> None:
    who = sample(app)
    bench_user(app, "bench_admin")
    bench_user(app, "bench_community", who["community_id"])
    clients = {name: logged_in_client(app, name) for name in ("bench_admin", "bench_community")}
    baseline, _ = median_ms(raw_page_query(app), runs)
    print(f"\n原始 SQL 基线：{BASELINE_SQL}（中位数 {baseline:.3f} ms）")
    print(row("项目", "中位数 ms", "相对基线", "页面 KB"))
    print(row("原始 SQL 一页（25 行）", f"{baseline:.2f}", "1", ""))
    for label, account, url in pages(app, who):
        ms, response = median_ms(lambda: clients[account].get(url), runs)
        if response.status_code != 200:
            sys.exit(f"{label}：HTTP {response.status_code} {url}")
        print(row(label, f"{ms:.1f}", f"{ms / baseline:.0f}", f"{len(response.data) / 1024:.0f}"))


def row(label: str, *cells: str) -> str:
    """A table line; CJK characters count as two columns so the figures line up."""
    def width(text):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return label + " " * (30 - width(label)) + "".join(
        " " * (12 - width(c)) + c for c in cells)


def main() -> None:
    args = parse_args()
    if not DIVISIONS.exists():
        sys.exit(f"缺少区划文件 {DIVISIONS}：基准需要 ../shared/data/dongli_divisions.csv")
    instance = tempfile.mkdtemp(prefix="bench-core-")
    try:
        app = build_app(instance)
        build_data(app, args.residents, args.seed)
        time_pages(app, args.runs)
    finally:
        if args.keep:
            print(f"实例目录保留在 {instance}")
        else:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
