"""Benchmark of the list export (导出Excel) — run on demand, not part of the test suite.

    .venv/bin/python bench/bench_export.py --residents 60000 [--database postgresql://…] [--keep DIR]

Builds a database (a temporary SQLite file, or DATABASE_URL-style --database whose schema is
DROPPED — never CI's `test`) with `flask setup`, the Dongli divisions and N demo residents, then,
each in a fresh subprocess (peak RSS is per process):

- floor: the same SELECT as the export (compiled from the app's own statement), on a raw DB-API
  cursor, each row written by plain xlsxwriter calls in constant-memory mode — no code names, no
  masking, no Core rows;
- ours: the resident list's 导出Excel through HTTP (Flask test client, logged-in admin, the
  response streamed to /dev/null), synchronous (threshold raised above N).

Prints rows/s, our time over the floor's, and peak RSS. Targets: ≤ 1.2× the floor, ≤ 150 MB.
"""
import argparse
import datetime
import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# ../shared next to the checkout (a worktree under /work/wt/<branch> has it two levels up)
DIVISIONS = next((p / "shared" / "data" / "dongli_divisions.csv" for p in REPO.parents[:2]
                  if (p / "shared" / "data" / "dongli_divisions.csv").exists()),
                 REPO.parent / "shared" / "data" / "dongli_divisions.csv")
PASSWORD = "Pw-" + secrets.token_hex(6) + "9a"
sys.path.insert(0, str(REPO))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_app():
    from app import create_app

    return create_app({"EXPORT_BACKGROUND_THRESHOLD": 10**9, "TOTP_ENFORCE": False,
                       "WTF_CSRF_ENABLED": True})


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code:
        sys.exit(f"flask {' '.join(args)}: {result.output}{result.exception or ''}")


# -- phases (each in its own process) --------------------------------------------------------
def phase_build(residents: int) -> dict:
    from app.demo import generate_demo

    app = make_app()
    cli(app, "setup")
    cli(app, "orgs", "import", str(DIVISIONS))
    with app.app_context():
        started = time.perf_counter()
        generate_demo(residents, 1)
        sm = app.appbuilder.sm
        sm.add_user("bench", "bench", "基准", "bench@bench.invalid",
                    sm.find_role(app.config["AUTH_ROLE_ADMIN"]), password=PASSWORD)
        return {"seconds": time.perf_counter() - started}


def _admin_statement(app):
    """The resident export's statement and columns, as the admin's request builds them."""
    from flask import g

    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "ResidentView")
    g.user = g._login_user = app.appbuilder.sm.find_user(username="bench")
    plan = view.export_plan(None, True)
    return plan.statement, plan.columns


def phase_floor(path: str) -> dict:
    import xlsxwriter

    from app.extensions import db

    app = make_app()
    with app.test_request_context():
        statement, columns = _admin_statement(app)
        sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
        kinds = [c.kind for c in columns]
        labels = [c.label for c in columns]
        connection = db.engine.raw_connection()
        dialect = db.engine.dialect.name
    started, cpu = time.perf_counter(), time.process_time()
    # PostgreSQL: a named (server-side) cursor, as the export's stream_results
    cursor = connection.cursor(name="floor") if dialect == "postgresql" else connection.cursor()
    cursor.execute(sql)
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                      "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("居民")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, labels)
    writers = [(sheet.write_datetime, date) if k in ("date", "datetime")
               else (sheet.write_number, None) if k == "number"
               else (sheet.write_string, None) for k in kinds]
    r = 0
    while rows := cursor.fetchmany(2000):
        for row in rows:
            r += 1
            for c, value in enumerate(row):
                if value is not None and value != "":
                    write, fmt = writers[c]
                    if fmt is None:
                        write(r, c, value)
                    else:  # SQLite's driver gives dates as ISO text: real dates, as ours
                        write(r, c, value if not isinstance(value, str)
                              else datetime.datetime.fromisoformat(value), fmt)
    book.close()
    return {"rows": r, "columns": len(kinds), "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu, "peak_mb": peak_mb()}


def phase_ours(path: str) -> dict:
    app = make_app()
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login/").get_data(as_text=True)).group(1)
    client.post("/login/", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    page = client.get("/residentview/list/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    before = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post("/residentview/export/", data={"csrf_token": token}, buffered=False)
    size = 0
    with open(path, "wb") as out:
        for chunk in response.response:
            out.write(chunk)
            size += len(chunk)
    response.close()
    seconds, cpu, peak = time.perf_counter() - started, time.process_time() - cpu, peak_mb()
    if response.status_code != 200:
        sys.exit(f"export answered {response.status_code}")
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True).worksheets[0]
    return {"rows": sheet.max_row - 1, "seconds": seconds, "cpu": cpu, "peak_mb": peak,
            "app_mb": before, "mb": size / 2**20}


PHASES = {"floor": phase_floor, "ours": phase_ours}


def run(phase: str, arg, env: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--phase", phase, "--arg", str(arg)],
                          env=env, capture_output=True, text=True, cwd=REPO)
    if done.returncode:
        sys.exit(f"phase {phase} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=60_000)
    parser.add_argument("--database", help="PostgreSQL URL whose schema is DROPPED")
    parser.add_argument("--keep", help="instance folder to keep (and reuse when it has data)")
    parser.add_argument("--phase", choices=[*PHASES, "build"])
    parser.add_argument("--arg")
    args = parser.parse_args()
    if args.phase:
        result = (phase_build(int(args.arg)) if args.phase == "build"
                  else PHASES[args.phase](args.arg))
        print(json.dumps(result))
        return
    instance = args.keep or tempfile.mkdtemp(prefix="bench-export-")
    Path(instance).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "INSTANCE_DIR": instance, "SECRET_KEY": "bench",
           "BENCH_PASSWORD": PASSWORD}
    if args.database:
        env["DATABASE_URL"] = args.database
    if not (Path(instance) / "built").exists():
        if args.database:
            from sqlalchemy import create_engine, text

            engine = create_engine(args.database)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
        built = run("build", args.residents, env)
        (Path(instance) / "built").write_text(PASSWORD)
        print(f"built {args.residents} residents in {built['seconds']:.0f} s")
    env["BENCH_PASSWORD"] = (Path(instance) / "built").read_text()
    out = Path(instance)
    floor = run("floor", out / "floor.xlsx", env)
    ours = run("ours", out / "ours.xlsx", env)
    if not args.keep:
        shutil.rmtree(instance, ignore_errors=True)
    print(f"database: {'PostgreSQL' if args.database else 'SQLite'}; {floor['rows']} rows × "
          f"{floor['columns']} columns; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"{'writer':<52}{'wall s':>8}{'CPU s':>8}{'rows/s':>9}{'peak RSS MB':>13}")
    for label, r in (("floor: raw cursor + plain xlsxwriter (constant memory)", floor),
                     ("ours: 导出Excel over HTTP (names, masking, Core)", ours)):
        print(f"{label:<52}{r['seconds']:>8.1f}{r['cpu']:>8.1f}{r['rows'] / r['seconds']:>9.0f}"
              f"{r['peak_mb']:>13.0f}")
    ratio, cpu_ratio = ours["seconds"] / floor["seconds"], ours["cpu"] / floor["cpu"]
    print(f"ours / floor: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (target ≤ 1.2x); "
          f"rows equal: {ours['rows'] == floor['rows']}; "
          f"app before export {ours['app_mb']:.0f} MB; "
          f"peak RSS ≤ 150 MB: {'OK' if ours['peak_mb'] <= 150 else 'MISSED'}")


if __name__ == "__main__":
    PASSWORD = os.environ.get("BENCH_PASSWORD", PASSWORD)
    main()
