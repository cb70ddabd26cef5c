"""Production benchmark at district scale (issue 8) — run on demand, not part of the test suite.

    .venv/bin/python bench/bench_prod.py [--databases sqlite postgresql] [--residents 600000]
        [--runs 5] [--vanilla-runs 3] [--load-seconds 60] [--users 6] [--reuse]

For each database (SQLite file under bench/out/prod/, PostgreSQL database ``bench_prod`` on
127.0.0.1 — never CI's ``test``) a separate process builds a Dongli-shaped district (the shared
division list via `flask orgs import`, residents via app/demo.py, rollups via `flask stats
refresh`), then times through the Flask test client, logged in as a district account:
our pages against a vanilla FAB ModelView over the same tables registered in the bench's own app
(FAB's default search columns, no eager loading, FAB's count), medians of repeated runs in the
same process; an import of 10,000 rows with our importer; the 导出Excel of the street nearest to
60,000 residents, posted from the list's button; then a load run: several
simulated users over loopback against gunicorn (gunicorn.conf.py) for --load-seconds.

Settings for the bench only: TOTP_ENFORCE=0 (the bench account is an admin) and a login rate
limit the simulated users cannot hit. The machine is shared: the load average is printed with
the figures.
"""
import argparse
import datetime
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "prod"
DIVISIONS = REPO.parent / "shared" / "data" / "dongli_divisions.csv"
if not DIVISIONS.exists():
    DIVISIONS = Path("/work/shared/data/dongli_divisions.csv")
PG_URL = "postgresql://postgres@127.0.0.1:5432/bench_prod"
PASSWORD = "Bench-" + secrets.token_hex(8)
TARGETS = {"list": 150, "community": 80, "id": 30, "dashboard": 500}
EXPORT_ROWS = 60_000
IMPORT_ROWS = 10_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--residents", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of our pages (median)")
    parser.add_argument("--vanilla-runs", type=int, default=3, help="timed runs of vanilla FAB")
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=6, help="concurrent simulated users")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers in the load run")
    parser.add_argument("--reuse", action="store_true",
                        help="keep a database that already holds --residents residents")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one database
    return parser.parse_args()


# -- environment and data ---------------------------------------------------------------------
def environment(kind: str) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    instance = OUT / f"instance-{kind}"
    instance.mkdir(exist_ok=True)
    url = PG_URL if kind == "postgresql" else f"sqlite:///{OUT / 'bench_prod.sqlite'}"
    return {"INSTANCE_DIR": str(instance), "DATABASE_URL": url, "TOTP_ENFORCE": "0",
            "AUTH_RATE_LIMIT": "10000 per second", "SECRET_KEY": "bench-prod-only",
            "EXPORT_BACKGROUND_THRESHOLD": "1000000"}


def reset_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    assert name != "test", "never the CI database"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name],
                   check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)


def resident_count(app) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from app.extensions import db
    from app.models import Resident

    with app.app_context():
        try:
            return db.session.scalar(select(func.count(Resident.id))) or 0
        except SQLAlchemyError:
            db.session.rollback()
            return 0


def run_cli(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        sys.exit(f"flask {' '.join(args)} 失败：\n{result.output}{result.exception or ''}")


def build(app, residents: int) -> str:
    started = time.perf_counter()
    run_cli(app, "setup")
    run_cli(app, "orgs", "import", str(DIVISIONS))
    with app.app_context():
        from app.demo import generate_demo

        line = generate_demo(residents, 1)
    run_cli(app, "stats", "refresh")
    with app.app_context():  # planner statistics after the bulk load, as a DBA would
        from sqlalchemy import text

        from app.extensions import db

        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return f"{line}；构建共 {time.perf_counter() - started:.0f} s"


# -- the vanilla FAB views, registered in this process's app ----------------------------------
def register_vanilla(app) -> None:
    """FAB as it comes: SQLAInterface, default search columns (relations as full selects),
    no eager loading, FAB's own count; list columns as ours so both pages show the same."""
    from flask_appbuilder import ModelView
    from flask_appbuilder.charts.views import GroupByChartView
    from flask_appbuilder.models.group import aggregate_count
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app.columns import HOUSEHOLD_COLUMNS, RESIDENT_COLUMNS
    from app.models import Household, Resident

    class VanillaResidentView(ModelView):
        datamodel = SQLAInterface(Resident)
        list_columns = list(RESIDENT_COLUMNS.list)

    class VanillaHouseholdView(ModelView):
        datamodel = SQLAInterface(Household)
        list_columns = list(HOUSEHOLD_COLUMNS.list)
        related_views = [VanillaResidentView]

    class VanillaChartView(GroupByChartView):
        """FAB's chart of a breakdown: what it offers in place of a dashboard."""
        datamodel = SQLAInterface(Resident)
        chart_title = "ethnic"
        definitions = [{"group": "ethnic", "series": [(aggregate_count, "id")]}]

    with app.app_context():
        for view in (VanillaResidentView, VanillaHouseholdView, VanillaChartView):
            app.appbuilder.add_view_no_menu(view())
        app.appbuilder.add_permissions(update_perms=True)  # Admin gets the new views' rights


# -- timing through the test client -----------------------------------------------------------
def district_account(app) -> dict:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Household, Organisation, Resident

    sm = app.appbuilder.sm
    with app.app_context():
        district = db.session.scalar(select(Organisation).where(
            Organisation.level == "district").order_by(Organisation.code))
        user = sm.find_user(username="bench_district")
        if user is None:
            user = sm.add_user("bench_district", "bench", "区级", "bench_district@bench.invalid",
                               sm.find_role(app.config["AUTH_ROLE_ADMIN"]), password=PASSWORD)
        else:
            sm.reset_password(user.id, PASSWORD)
        user = db.session.merge(user)
        user.organisation_id = district.id
        db.session.commit()
        middle = db.session.scalar(select(func.max(Resident.id))) // 2
        person = db.session.get(Resident, middle)
        household = db.session.scalar(select(Household.id).where(
            Household.id == person.household_id))
        return {"district": district.id, "community": person.community_id,
                "id_card_no": person.id_card_no, "name": person.name, "household": household,
                "community_code": db.session.get(Organisation, person.community_id).code}


def logged_in(app, username: str = "bench_district"):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login/", data={"username": username, "password": PASSWORD,
                                            "csrf_token": token})
    if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
        sys.exit(f"无法以 {username} 登录（HTTP {response.status_code}）")
    return client


def median_ms(action, runs: int, warm: bool = True) -> float:
    if warm:
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def flt(app, view_name: str, column: str, filter_class) -> str:
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == view_name)
    filters = view._filters._all_filters[column]
    return f"_flt_{next(i for i, f in enumerate(filters) if isinstance(f, filter_class))}_{column}"


def page_pairs(app, who: dict) -> list[tuple]:
    """(key, label, our URL, vanilla URL)."""
    from flask_appbuilder.models.sqla import filters as fab

    from app.scope import OrgSubtreeFilter

    def ours(column, cls, value):
        return f"/residentview/list/?{urlencode({flt(app, 'ResidentView', column, cls): value})}"

    def vanilla(column, cls, value):
        return (f"/vanillaresidentview/list/?"
                f"{urlencode({flt(app, 'VanillaResidentView', column, cls): value})}")

    return [
        ("list", "居民列表（区级账号，无筛选）", "/residentview/list/", "/vanillaresidentview/list/"),
        ("community", "居民列表：一个社区",
         ours("community", OrgSubtreeFilter, who["community"]),
         vanilla("community", fab.FilterRelationOneToManyEqual, who["community"])),
        ("id", "身份证号查询", ours("id_card_no", fab.FilterEqual, who["id_card_no"]),
         vanilla("id_card_no", fab.FilterEqual, who["id_card_no"])),
        ("name", "姓名搜索（包含）", ours("name", fab.FilterContains, who["name"]),
         vanilla("name", fab.FilterContains, who["name"])),
        ("household", "户页面（含成员）", f"/householdview/show/{who['household']}",
         f"/vanillahouseholdview/show/{who['household']}"),
        ("dashboard", "数据概览（区）", f"/?org={who['district']}", "/vanillachartview/chart/"),
    ]


def time_pages(app, who: dict, runs: int, vanilla_runs: int) -> list[dict]:
    client = logged_in(app)
    rows = []
    for key, label, ours, vanilla in page_pairs(app, who):
        def get(url):
            def action():
                response = client.get(url)
                if response.status_code != 200:
                    sys.exit(f"{label}: HTTP {response.status_code} {url}")
                return response
            return action
        ours_ms = median_ms(get(ours), runs)
        body = client.get(ours).get_data(as_text=True)
        estimated = "约" in body and "条" in body and key == "list"
        vanilla_ms = median_ms(get(vanilla), vanilla_runs, warm=False)
        rows.append({"key": key, "label": label + ("（约数）" if estimated else ""),
                     "ms": ours_ms, "vanilla_ms": vanilla_ms})
        print(f"  {label}: {ours_ms:.1f} ms, vanilla {vanilla_ms:.0f} ms", flush=True)
    return rows


# -- import and export ------------------------------------------------------------------------
def time_import(app, runs: int) -> dict:
    """Our importer (read, validate, write, as `flask residents import`) on 10,000 new rows
    (bench_import's synthetic sheet, another seed per run), each run into a new community of the
    district, only valid rows (a made-up ID number may already be registered); against FAB's own
    write path, SQLAInterface.add (one ORM object and one commit per row), 500 rows scaled up."""
    from sqlalchemy import select

    from app.extensions import db
    from app.importing import check_file, import_plan
    from app.models import Organisation
    from app.orgimport import import_organisations

    times, message = [], ""
    with app.app_context():
        street = db.session.scalar(select(Organisation).where(
            Organisation.level == "street").order_by(Organisation.code))
    stamp = int(time.time()) % 80
    for run in range(runs):
        path = OUT / f"import-{run}.xlsx"
        write_sheet(path, IMPORT_ROWS, seed=1000 + stamp * 10 + run)
        code = street.code[:9] + f"{900 + stamp + run:03d}"
        with app.app_context():
            import_organisations(["code", "name"], [[code, f"基准导入社区{code[-3:]}"]])
            community = db.session.scalar(select(Organisation).where(Organisation.code == code))
            started = time.perf_counter()
            plan = check_file(path.read_bytes(), path.name, community)
            outcome = import_plan(plan, file_name=path.name, valid_only=True, source="cli")
            times.append((time.perf_counter() - started) * 1000)
            message = outcome.message
    vanilla = _vanilla_import(app, street)
    return {"key": "import", "label": f"导入 {IMPORT_ROWS:,} 行", "ms": statistics.median(times),
            "vanilla_ms": vanilla, "note": message + "（vanilla：500 行按比例放大）"}


def write_sheet(path: Path, rows: int, seed: int) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from bench_import import generate  # the import bench's synthetic sheet

    generate(path, rows, seed)


def _vanilla_import(app, street) -> float:
    """FAB's SQLAInterface.add per row (ORM object, flush, commit), 500 rows, ×20."""
    from flask_appbuilder.models.sqla.interface import SQLAInterface
    from sqlalchemy import select

    from app.extensions import db
    from app.idcard import make_id_number
    from app.models import Household, Organisation, Resident

    sample = 500
    with app.app_context():
        code = street.code[:9] + "899"
        from app.orgimport import import_organisations

        import_organisations(["code", "name"], [[code, "基准对照社区"]])
        community = db.session.scalar(select(Organisation).where(Organisation.code == code))
        households, residents = SQLAInterface(Household, db.session), SQLAInterface(Resident,
                                                                                    db.session)
        stamp = int(time.time()) % 10_000
        started = time.perf_counter()
        for i in range(sample):
            house = Household(household_no=f"V{stamp:04d}{i:05d}", community=community)
            households.add(house)
            residents.add(Resident(
                name="对照", id_card_no=make_id_number("120110", datetime.date(1980, 1, 1),
                                                     (stamp + i) % 997 + 1),
                sex="1", birth_date=datetime.date(1980, 1, 1), household=house,
                community=community, status="moved_out", relation="02"))
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed * IMPORT_ROWS / sample


EXPORT_BUTTON = re.compile(r'<form class="btn-group toolbar-form"[^>]*?action="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def export_request(page_html: str) -> tuple[str, dict]:
    """The 导出Excel button of a list page, as a browser posts it: (action URL with the list's
    own query, form data with the CSRF token)."""
    action = EXPORT_BUTTON.search(page_html).group(1).replace("&amp;", "&")
    return action, {"csrf_token": CSRF_FIELD.search(page_html).group(1)}


def street_near(app, rows: int) -> tuple[int, int]:
    """(id, residents) of the street whose residents are closest to ``rows``."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Organisation, Resident

    with app.app_context():
        streets = db.session.scalars(select(Organisation).where(Organisation.level == "street"))
        counts = [(s.id, db.session.scalar(select(func.count(Resident.id)).join(
            Organisation, Resident.community_id == Organisation.id).where(
            Organisation.path.startswith(s.path)))) for s in streets]
    return min(counts, key=lambda c: abs(c[1] - rows))


def export_row(app, who: dict, runs: int) -> dict:
    """The 导出Excel of a street's residents (the street closest to EXPORT_ROWS), posted from the
    list's button and streamed in the request (the background threshold is raised in
    environment()); FAB itself has no export."""
    client = logged_in(app)
    street, rows = street_near(app, EXPORT_ROWS)
    page = client.get(f"/residentview/list/?{urlencode({flt_subtree(app): street})}")
    action, form = export_request(page.get_data(as_text=True))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post(action, data=form)
        size = len(response.data)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or not response.data.startswith(b"PK"):
            sys.exit(f"导出失败：HTTP {response.status_code}")
    return {"key": "export", "label": f"导出 {rows:,} 行（{size / 2**20:.1f} MB）",
            "ms": statistics.median(times), "vanilla_ms": None,
            "note": f"{rows / (statistics.median(times) / 1000):,.0f} 行/秒; FAB has no export"}


def flt_subtree(app) -> str:
    from app.scope import OrgSubtreeFilter

    return flt(app, "ResidentView", "community", OrgSubtreeFilter)


# -- load run against gunicorn ----------------------------------------------------------------
class FormFields(HTMLParser):
    """The fields a browser would post from the first form with a csrf_token."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.setdefault(a["name"], a.get("value") or "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.setdefault(self._select, a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.fields.setdefault(a["name"], "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, workers: int):
    port = free_port()
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "gunicorn"), "-c", str(REPO / "gunicorn.conf.py")],
        cwd=REPO, env={**os.environ, **env, "BIND": f"127.0.0.1:{port}",
                       "WEB_CONCURRENCY": str(workers), "ACCESS_LOG": "/dev/null"},
        stdout=subprocess.DEVNULL, stderr=open(OUT / "gunicorn.log", "w"))
    import requests

    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if requests.get(base + "/health", timeout=10).status_code == 200:
                return process, base
        except requests.RequestException:  # not listening yet, or still booting
            pass
        time.sleep(0.5)
    process.terminate()  # never leave a server of ours running
    process.wait(30)
    sys.exit("gunicorn did not answer /health (bench/out/prod/gunicorn.log)")


def simulated_user(base: str, who: dict, resident_ids: list, deadline: float, results: list,
                   seed: int) -> None:
    import random

    import requests

    rng = random.Random(seed)
    session = requests.Session()
    page = session.get(base + "/login/").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    session.post(base + "/login/", data={"username": "bench_district", "password": PASSWORD,
                                         "csrf_token": token}, allow_redirects=False)
    subtree = who["subtree_arg"]
    actions = [
        (30, "list", lambda: session.get(base + "/residentview/list/")),
        (20, "community", lambda: session.get(
            f"{base}/residentview/list/?{subtree}={who['community']}")),
        (15, "page", lambda: session.get(
            f"{base}/residentview/show/{rng.choice(resident_ids)}")),
        (10, "household", lambda: session.get(f"{base}/householdview/show/{who['household']}")),
        (10, "id", lambda: session.get(
            f"{base}/residentview/list/?{who['id_arg']}={who['id_card_no']}")),
        (5, "dashboard", lambda: session.get(f"{base}/?org={who['district']}")),
        (10, "edit", lambda: edit(session, base, rng.choice(resident_ids))),
    ]
    weights = [w for w, _, _ in actions]
    exported = False
    while time.time() < deadline:
        if not exported and rng.random() < 0.02:  # one export per user at most
            exported = True
            kind, call = "export", lambda: export_by_button(
                session, f"{base}/residentview/list/?{subtree}={who['community']}", base)
        else:
            _, kind, call = rng.choices(actions, weights)[0]
        started = time.perf_counter()
        try:
            response = call()
            status = response.status_code
        except Exception as exc:  # a refused or broken connection is an error too
            status = f"{type(exc).__name__}"
        results.append((kind, (time.perf_counter() - started) * 1000, status))


def export_by_button(session, list_url: str, base: str):
    action, form = export_request(session.get(list_url).text)
    return session.post(base + action, data=form)


def edit(session, base: str, resident_id: int):
    """Open the edit form and save it with a changed note, as a browser does."""
    form_url = f"{base}/residentview/edit/{resident_id}"
    page = session.get(form_url)
    if page.status_code != 200:
        return page
    parser = FormFields()
    parser.feed(page.text)
    fields = parser.fields
    fields["notes"] = f"负载测试 {time.time():.0f}"
    return session.post(form_url, data=fields, allow_redirects=False)


def load_run(env: dict, who: dict, resident_ids: list, seconds: int, users: int,
             workers: int) -> dict:
    process, base = start_gunicorn(env, workers)
    try:
        results: list = []
        deadline = time.time() + seconds
        load_before = os.getloadavg()[0]
        threads = [threading.Thread(target=simulated_user,
                                    args=(base, who, resident_ids, deadline, results, i))
                   for i in range(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_after = os.getloadavg()[0]
    finally:
        process.terminate()
        process.wait(30)
    counted = results
    errors = [r for r in counted if not isinstance(r[2], int) or r[2] >= 400]
    times = sorted(r[1] for r in counted)
    kinds = {}
    for kind, ms, status in counted:
        kinds.setdefault(kind, []).append(ms)
    return {"requests": len(counted), "errors": len(errors),
            "error_kinds": sorted({f"{k} {s}" for k, _, s in errors}),
            "p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))],
            "per_kind": {k: round(statistics.median(v)) for k, v in kinds.items()},
            "load": (load_before, load_after),
            "users": users, "workers": workers, "seconds": seconds}


# -- one database, in its own process ---------------------------------------------------------
def run_one(kind: str, args) -> dict:
    env = environment(kind)
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    reuse = args.reuse and existing_residents(env["DATABASE_URL"]) >= args.residents
    if not reuse:
        reset_database(env["DATABASE_URL"])
    from app import create_app

    app = create_app()
    if reuse:
        run_cli(app, "setup")  # the kept database gets the current code's migrations
    note = "复用已有数据" if reuse else build(app, args.residents)
    register_vanilla(app)  # after the build: its permissions need the migrated tables
    print(f"[{kind}] {note}", flush=True)
    who = district_account(app)
    rows = time_pages(app, who, args.runs, args.vanilla_runs)
    rows.append(time_import(app, max(1, min(args.runs, 3))))
    rows.append(export_row(app, who, max(1, min(args.runs, 3))))
    from flask_appbuilder.models.sqla import filters as fab

    who["subtree_arg"] = flt_subtree(app)
    who["id_arg"] = flt(app, "ResidentView", "id_card_no", fab.FilterEqual)
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from app.models import Resident

        ids = list(db.session.scalars(select(Resident.id).where(
            Resident.status == "active").order_by(Resident.id)))[::997]
    load = load_run(env, who, ids, args.load_seconds, args.users, args.workers)
    return {"database": kind, "note": note, "rows": rows, "load": load,
            "loadavg": os.getloadavg()}


def existing_residents(url: str) -> int:
    from sqlalchemy import create_engine, text

    from config import database_url

    engine = create_engine(database_url(url))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM resident")).scalar()
    except Exception:  # no database or no table yet
        return 0
    finally:
        engine.dispose()


# -- the report -------------------------------------------------------------------------------
def target_of(key: str, row: dict) -> str:
    ms = row["ms"]
    if ms is None:
        return ""
    checks = []
    if key in TARGETS:
        checks.append(f"≤{TARGETS[key]} ms {'✓' if ms <= TARGETS[key] else '✗'}")
    if key == "list" and row["vanilla_ms"]:
        checks.append(f"≥10× {'✓' if row['vanilla_ms'] / ms >= 10 else '✗'}")
    return ", ".join(checks)


def print_report(results: list[dict]) -> None:
    print("\n| 项目 | 数据库 | 本系统 中位数 ms | vanilla FAB ms | 倍数 | 目标 |")
    print("|---|---|---:|---:|---:|---|")
    for result in results:
        for row in result["rows"]:
            ms, van = row["ms"], row["vanilla_ms"]
            ratio = f"{van / ms:.0f}×" if ms and van else ""
            print(f"| {row['label']} | {result['database']} | "
                  f"{'%.1f' % ms if ms is not None else row.get('note', '')} | "
                  f"{'%.0f' % van if van else ''} | {ratio} | {target_of(row['key'], row)} |")
    print("\n| 负载 | 数据库 | 用户/进程 | 请求 | 错误 | p50 ms | p95 ms | 目标 | 负载均值 前/后 |")
    print("|---|---|---|---:|---:|---:|---:|---|---|")
    for result in results:
        load = result["load"]
        ok = load["errors"] == 0 and load["p95"] <= 1000
        print(f"| {load['seconds']} s | {result['database']} | {load['users']}/"
              f"{load['workers']} | {load['requests']} | {load['errors']} | {load['p50']:.0f} | "
              f"{load['p95']:.0f} | {'✓' if ok else '✗'} | {load['load'][0]:.1f}/"
              f"{load['load'][1]:.1f} |")
        print(f"  {result['database']}: per kind (median ms) {load['per_kind']}; "
              f"errors {load['error_kinds']}")
    for result in results:
        for row in result["rows"]:
            if row.get("note") and row["ms"] is not None:
                print(f"  {result['database']} {row['label']}: {row['note']}")


def main() -> None:
    args = parse_args()
    if args.one:
        # The cyclic garbage collector crashed this process (SIGSEGV, no Python frame) after the
        # vanilla pages (27 MB of HTML, 230,000 related rows as options): reference counting
        # alone frees enough for a bench, and the process ends without a final collection.
        import gc

        gc.disable()
        print("RESULT " + json.dumps(run_one(args.one, args), ensure_ascii=False), flush=True)
        sys.stdout.flush()
        os._exit(0)
    if not DIVISIONS.exists():
        sys.exit(f"缺少区划文件 {DIVISIONS}")
    results = []
    print(f"机器：{os.cpu_count()} 核，负载均值 {os.getloadavg()}", flush=True)
    for kind in args.databases:
        command = [sys.executable, __file__, "--one", kind, *sys.argv[1:]]
        process = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
        lines = process.stdout.splitlines()
        for line in lines:
            if not line.startswith("RESULT "):
                print(line)
        found = [json.loads(line[7:]) for line in lines if line.startswith("RESULT ")]
        if process.returncode or not found:
            print(f"[{kind}] failed (exit {process.returncode})")
            continue
        results.append(found[0])
        (OUT / f"result-{kind}.json").write_text(json.dumps(found[0], ensure_ascii=False))
    print_report(results)


if __name__ == "__main__":
    main()
