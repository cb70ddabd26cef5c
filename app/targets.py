"""Import of entry targets from a sheet: 区划代码, 目标人数, 目标户数 — one row per community.

All or nothing: every row is checked first (code known, a community, inside the account's scope,
whole non-negative numbers, no code twice); any fault rejects the whole file with the row and field
named. A valid file adds or replaces the targets of the communities it lists.
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from .extensions import db
from .models import CommunityTarget, Organisation
from .scope import path_in_scope
from .tabular import FileProblem

HEADERS = {"code": ("区划代码", "社区代码", "代码", "code"),
           "residents": ("目标人数", "人数"), "households": ("目标户数", "户数")}


@dataclass
class TargetImport:
    saved: int = 0
    errors: list = field(default_factory=list)  # "第N行：…"


def _columns(header: list[str]) -> dict[str, int]:
    lowered = [h.strip().lower() for h in header]
    found = {key: next((lowered.index(n.lower()) for n in names if n.lower() in lowered), None)
             for key, names in HEADERS.items()}
    missing = [names[0] for key, names in HEADERS.items() if found[key] is None]
    if missing:
        raise FileProblem(f"缺少列：{'、'.join(missing)}（表头应为：区划代码、目标人数、目标户数）")
    return found


def _count(text: str, label: str) -> tuple[int | None, str | None]:
    if not text.isdigit():
        return None, f"{label}“{text}”应为不小于0的整数"
    return int(text), None


def _check(row: list[str], columns: dict, communities: dict, seen: set):
    cell = {k: (row[i].strip() if i < len(row) else "") for k, i in columns.items()}
    code = cell["code"]
    org = communities.get(code)
    if org is None or org.level != "community":
        return None, f"区划代码“{code}”不是已导入的社区"
    if not path_in_scope(org.path):
        return None, f"{org.name}（{code}）不在您的管辖范围内"
    if code in seen:
        return None, f"区划代码“{code}”重复出现"
    seen.add(code)
    residents, error = _count(cell["residents"], "目标人数")
    households, error2 = _count(cell["households"], "目标户数")
    if error or error2:
        return None, "；".join(filter(None, (error, error2)))
    return (org, residents, households), None


def import_targets(header: list[str], rows: list[list[str]]) -> TargetImport:
    columns = _columns(header)
    codes = [row[columns["code"]].strip() for row in rows if columns["code"] < len(row)]
    communities = {o.code: o for o in db.session.scalars(
        select(Organisation).where(Organisation.code.in_(codes)))}
    result, checked, seen = TargetImport(), [], set()
    for number, row in enumerate(rows, start=2):
        item, error = _check(row, columns, communities, seen)
        if error:
            result.errors.append(f"第{number}行：{error}")
        else:
            checked.append(item)
    if result.errors:
        return result
    existing = {t.community_id: t for t in db.session.scalars(select(CommunityTarget).where(
        CommunityTarget.community_id.in_([org.id for org, _, _ in checked])))}
    for org, residents, households in checked:
        target = existing.get(org.id) or CommunityTarget(community=org)
        target.residents, target.households = residents, households
        db.session.add(target)
    db.session.commit()
    result.saved = len(checked)
    return result
