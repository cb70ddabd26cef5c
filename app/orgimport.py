"""Import of division lists (区划代码): idempotent — adds units, updates names, never deletes."""
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from .extensions import db
from .models import LEVELS, Organisation, level_of_code, parent_code_of
from .tabular import read_table

# Accepted header names for each field (English keys as in the NBS-derived lists, or Chinese).
HEADERS = {
    "code": ("code", "区划代码", "统计用区划代码", "代码"),
    "name": ("name", "名称", "单位名称"),
    "level": ("level", "层级"),
    "parent_code": ("parent_code", "上级代码", "上级区划代码"),
    "unit_type": ("unit_type", "单位类型"),
    "ur_code": ("ur_code", "城乡分类代码"),
}
LEVEL_ALIASES = {"province": "city", "city": "city", "district": "district", "street": "street",
                 "community": "community", "village": "community",
                 **{zh: key for key, zh in LEVELS.items()}}


@dataclass
class OrgImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)  # (row number, reason)

    def lines(self) -> list[str]:
        head = (f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}，"
                f"拒绝 {len(self.rejected)}")
        return [head] + [f"第{row}行：{reason}" for row, reason in self.rejected]


def _columns(header: list[str]) -> dict[str, int]:
    lowered = [h.strip().lower() for h in header]
    found = {}
    for key, names in HEADERS.items():
        for name in names:
            if name.lower() in lowered:
                found[key] = lowered.index(name.lower())
                break
    return found


def _record(row: list[str], columns: dict[str, int]) -> dict:
    return {key: (row[i].strip() if i < len(row) else "") for key, i in columns.items()}


def _check(rec: dict) -> str | None:
    code, name = rec.get("code", ""), rec.get("name", "")
    if not (len(code) == 12 and code.isdigit()):
        return f"区划代码“{code}”无效：应为12位数字"
    if not name:
        return "名称为空"
    if rec.get("level") and rec["level"] not in LEVEL_ALIASES:
        return f"层级“{rec['level']}”无效：应为 市/区/街道/社区"
    return None


def import_organisations(header: list[str], rows: list[list[str]]) -> OrgImportReport:
    columns = _columns(header)
    report = OrgImportReport()
    if "code" not in columns or "name" not in columns:
        report.rejected.append((1, "表头缺少必需的列：区划代码(code) 和 名称(name)"))
        return report
    by_code = {o.code: o for o in db.session.scalars(select(Organisation))}
    records = [(n, _record(row, columns)) for n, row in enumerate(rows, start=2)]
    # Parents before children: shorter significant codes first, keeping file order otherwise.
    records.sort(key=lambda item: level_order(item[1].get("code", "")))
    for row_no, rec in records:
        reason = _check(rec) or _apply(rec, by_code, report)
        if reason:
            report.rejected.append((row_no, reason))
    report.rejected.sort()
    db.session.commit()
    return report


def level_order(code: str) -> int:
    return list(LEVELS).index(level_of_code(code)) if len(code) == 12 and code.isdigit() else 9


def _apply(rec: dict, by_code: dict, report: OrgImportReport) -> str | None:
    code = rec["code"]
    parent_code = rec.get("parent_code") or parent_code_of(code)
    parent = by_code.get(parent_code) if parent_code else None
    if parent_code and parent is None:
        return f"上级单位“{parent_code}”不存在：请先导入上级单位"
    values = {
        "name": rec["name"],
        "level": LEVEL_ALIASES.get(rec.get("level") or "", level_of_code(code)),
        "parent": parent,
        # Optional columns update only when the file has them.
        **{k: rec[k] or None for k in ("unit_type", "ur_code") if k in rec},
    }
    org = by_code.get(code)
    if org is None:
        org = by_code[code] = Organisation(code=code, active=True, **values)
        db.session.add(org)
        db.session.flush()
        report.created += 1
    elif any(getattr(org, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(org, k, v)
        db.session.flush()
        report.updated += 1
    else:
        report.unchanged += 1
    return None


def import_organisations_file(path: str) -> OrgImportReport:
    header, rows = read_table(Path(path).read_bytes(), path)
    return import_organisations(header, rows)
