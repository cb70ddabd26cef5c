"""Import of residents at scale: a synthetic .xlsx of N rows (default 100,000) written with xlsxwriter,
then read, validated and committed into a fresh database, then imported again (all unchanged).

Each phase runs in its own process, so its peak RSS is its own. The reading library's own time is shown
apart: python-calamine iterating the sheet with nothing else (the floor for reading), then our reader
(tabular.read_sheet: text conversion, formula and merge checks), then the whole import.

    /work/main/.venv/bin/python bench/bench_import.py [--rows 100000] [--database URL]

Targets (issue 5): 100,000 rows validated and committed in at most 30 s, peak RSS at most 400 MB.
"""
import argparse
import datetime
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

HEADER = ["户编号", "户别", "小区/路", "楼栋", "单元", "门牌号", "姓名", "公民身份号码", "性别", "出生日期",
          "民族", "与户主关系", "户口性质", "居住状态", "学历", "婚姻状况", "联系电话", "备注"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
GIVEN = "伟强军磊洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆芳娜敏静丽艳娟霞秀玲桂英慧巧美婷雪琳晶颖倩琪"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def people(count: int, seed: int = 5):
    """Households of 1–5 members: head, spouse, children; valid, unique ID numbers."""
    rng = random.Random(seed)
    used = set()

    def number(birth, male):
        from app.idcard import make_id_number

        while True:
            seq = rng.randrange(1, 998)
            seq += (seq % 2 == 0) if male else (seq % 2 == 1)
            value = make_id_number("120110", birth, seq)
            if value not in used:
                used.add(value)
                return value

    made, house = 0, 0
    while made < count:
        house += 1
        size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)), count - made)
        year = rng.randrange(1940, 1995)
        head_male = rng.random() < 0.5
        for member in range(size):  # head, spouse, then children
            male = (head_male, not head_male)[member] if member < 2 else rng.random() < 0.5
            relation = ("02", "10")[member] if member < 2 else ("20" if male else "30")
            birth = datetime.date(year + (25 if member >= 2 else rng.randrange(-3, 4)),
                                  rng.randrange(1, 13), rng.randrange(1, 29))
            yield [f"H{house:06d}", "家庭户" if member == 0 else "", "丽苑小区" if member == 0 else "",
                   str(house % 40 + 1), str(house % 6 + 1), str(100 + house % 900),
                   rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), number(birth, male),
                   "男" if male else "女", birth, "汉族", relation, "统一居民户口", "常住",
                   "", "", f"13{rng.randrange(0, 10**9):09d}", ""]
            made += 1


def generate(path: Path, rows: int, seed: int = 5) -> dict:
    import xlsxwriter

    start = time.perf_counter()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("居民")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(people(rows, seed), start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, date)
            elif value:
                sheet.write_string(r, c, value)
    book.close()
    return {"seconds": time.perf_counter() - start, "mb": path.stat().st_size / 2**20}


def read_floor(path: Path) -> dict:
    """python-calamine alone: open and iterate every row."""
    from python_calamine import CalamineWorkbook

    wall, cpu = time.perf_counter(), time.process_time()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    cells = sum(len(row) for row in sheet.iter_rows())
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
            "cells": cells, "peak_mb": peak_mb()}


def read_ours(path: Path) -> dict:
    from app.tabular import read_sheet

    wall, cpu = time.perf_counter(), time.process_time()
    sheet = read_sheet(path.read_bytes(), path.name)
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
            "rows": len(sheet.rows), "peak_mb": peak_mb()}


def import_once(path: Path, fresh: bool, code: str = "120110001001") -> dict:
    """One import of the file into a bench community (set up first when ``fresh``); failing rows
    go to an error sheet, as the preview writes it."""
    from app import create_app
    from app.cli import prepare_database
    from app.extensions import db
    from app.importing import check_file, import_plan
    from app.importing.sheets import write_error_sheet
    from app.models import Organisation
    from app.orgimport import import_organisations

    app = create_app()
    with app.app_context():
        if fresh:
            prepare_database()
            import_organisations(["code", "name"], [
                ["120000000000", "天津市"], ["120100000000", "市辖区"], ["120110000000", "东丽区"],
                ["120110001000", "张贵庄街道"], ["120110001001", "丽苑社区"],
                ["120110001002", "新立社区"]])
        community = db.session.query(Organisation).filter_by(code=code).one()
        before = peak_mb()
        wall, cpu = time.perf_counter(), time.process_time()
        plan = check_file(path.read_bytes(), path.name, community)
        checked_wall, checked_cpu = time.perf_counter(), time.process_time()
        outcome = import_plan(plan, file_name=path.name, valid_only=False, source="cli")
        if plan.error_rows:
            write_error_sheet(plan, str(OUT / "errors.xlsx"))
        return {"validate": checked_wall - wall, "write": time.perf_counter() - checked_wall,
                "total": time.perf_counter() - wall, "validate_cpu": checked_cpu - cpu,
                "write_cpu": time.process_time() - checked_cpu,
                "total_cpu": time.process_time() - cpu, "summary": outcome.message,
                "before_mb": before, "peak_mb": peak_mb()}


PHASES = {"read_floor": read_floor, "read_ours": read_ours,
          "first": lambda path: import_once(path, fresh=True),
          "again": lambda path: import_once(path, fresh=False),
          "elsewhere": lambda path: import_once(path, fresh=False, code="120110001002")}


def run_phase(phase: str, path: Path, env: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--phase", phase, "--file", str(path)],
                          env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"phase {phase} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def reset_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    from config import database_url

    engine = create_engine(database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", help="a PostgreSQL URL whose schema is DROPPED (default: "
                        "a temporary SQLite file)")
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](Path(args.file)), ensure_ascii=False))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"residents_{args.rows}.xlsx"
    if path.exists():  # the same seed always makes the same file
        print(f"reusing {path} ({path.stat().st_size / 2**20:.1f} MB)")
    else:
        made = generate(path, args.rows)
        print(f"generated {args.rows} rows with xlsxwriter: {made['mb']:.1f} MB "
              f"in {made['seconds']:.1f} s -> {path}")
    instance = tempfile.mkdtemp(prefix="bench-import-")
    env = {**os.environ, "INSTANCE_DIR": instance, "SECRET_KEY": "bench"}
    if args.database:
        reset_database(args.database)
        env["DATABASE_URL"] = args.database
    floor = run_phase("read_floor", path, env)
    ours = run_phase("read_ours", path, env)
    first = run_phase("first", path, env)
    again = run_phase("again", path, env)
    elsewhere = run_phase("elsewhere", path, env)
    shutil.rmtree(instance, ignore_errors=True)
    print(f"database: {args.database or 'SQLite (temporary file)'}; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time grows with it, CPU time "
          f"much less)")
    print(f"{'phase':<58}{'wall s':>8}{'CPU s':>8}{'peak RSS MB':>13}")
    print(f"{'python-calamine alone (open + iterate)':<58}{floor['seconds']:>8.2f}"
          f"{floor['cpu']:>8.2f}{floor['peak_mb']:>13.0f}")
    print(f"{'our reader (tabular.read_sheet)':<58}{ours['seconds']:>8.2f}{ours['cpu']:>8.2f}"
          f"{ours['peak_mb']:>13.0f}")
    for label, step in (("new", first), ("again, all unchanged", again),
                        ("into another community, all conflicts", elsewhere)):
        print(f"{'import ' + label + ': validate (read+rules+look-ups)':<58}"
              f"{step['validate']:>8.2f}{step['validate_cpu']:>8.2f}")
        print(f"{'import ' + label + ': write (+ error sheet)':<58}{step['write']:>8.2f}"
              f"{step['write_cpu']:>8.2f}")
        print(f"{'import ' + label + ': total':<58}{step['total']:>8.2f}{step['total_cpu']:>8.2f}"
              f"{step['peak_mb']:>13.0f}")
        print(f"    {step['summary']}")
    print(f"ratios: import / calamine alone = {first['total'] / floor['seconds']:.1f}x wall, "
          f"{first['total_cpu'] / floor['cpu']:.1f}x CPU; our reader / calamine alone = "
          f"{ours['cpu'] / floor['cpu']:.2f}x CPU; app before import = {first['before_mb']:.0f} MB")
    worst = max(first["peak_mb"], again["peak_mb"], elsewhere["peak_mb"])
    print(f"target: total <= 30 s -> wall {'OK' if first['total'] <= 30 else 'MISSED'}, "
          f"CPU {'OK' if first['total_cpu'] <= 30 else 'MISSED'}; "
          f"peak RSS <= 400 MB -> {'OK' if worst <= 400 else 'MISSED'}")


if __name__ == "__main__":
    main()
