"""Validation of a whole sheet before anything is written.

Every row gets the form's rules (app/rules.py); then, across the file: duplicate ID numbers, numbers
registered in another community, cancelled or inconsistent households, and the household head rule.
What is already in the database is loaded once per import, one query per kind (never per row).
The result is a ``Plan``: which households and residents are new, changed or unchanged, and every
row's errors as (field, reason).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple, Optional
from sqlalchemy import select

from .. import rules
from ..columns import RESIDENT_IMPORT, ImportSpec, label_of
from ..display import code_name, code_tables
from ..extensions import db
from ..models import HEAD_RELATION, CodeItem, Household, Organisation, Resident
from ..models import resident_special_group as links
from ..tabular import FileProblem, Sheet
from .fields import CellError, Columns, import_fields, is_label, match_header

CHUNK = 5000  # numbers per IN (...) query: well under SQLite's and PostgreSQL's parameter limits
MOVE_HINT = "；不会移到本社区，如需迁入请先在原社区办理迁出"


class Row:
    """One data row: its number in the file, raw cells, parsed values, the resident's 18-digit
    ID number once valid, and errors as (field, reason)."""

    __slots__ = ("no", "cells", "household", "resident", "number", "errors")

    def __init__(self, no: int, cells: list):
        self.no, self.cells = no, cells
        self.household, self.resident, self.number, self.errors = {}, {}, None, None

    def fail(self, label: str, reason: str) -> None:
        if self.errors is None:
            self.errors = []
        self.errors.append((label, reason))


@dataclass
class Counts:
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    households_new: int = 0
    households_updated: int = 0
    households_unchanged: int = 0

    def summary(self) -> str:
        return (f"共 {self.rows} 行：新增 {self.new} 人，更新 {self.updated} 人，"
                f"未变 {self.unchanged} 人，有错误 {self.errors} 行；户：新增 {self.households_new}，"
                f"更新 {self.households_updated}，未变 {self.households_unchanged}")


class Registered(NamedTuple):
    """A resident registered in the community, as much as the checks need."""

    id: int
    version: int
    household_id: Optional[int]
    relation: Optional[str]


@dataclass
class Known:
    """The community's records as they are now, keyed the way the file refers to them. Residents
    are kept slim: their other values are compared while streaming (``registered_values``)."""

    households: dict  # 户编号 -> row (any status)
    residents: dict  # 公民身份号码 -> Registered
    head_names: dict  # household id -> name of its registered 户主
    group_ids: dict  # special-group code -> code_item id

    @classmethod
    def load(cls, community: Organisation, spec: ImportSpec) -> "Known":
        hh_cols = [getattr(Household, n) for n in spec.household]
        households = {h.household_no: h for h in db.session.execute(
            select(Household.id, Household.version, Household.status, *hh_cols)
            .where(Household.community_id == community.id))}
        residents, head_names, codes = {}, {}, {}
        for number, rid, version, household_id, relation, name in db.session.execute(
                select(Resident.id_card_no, Resident.id, Resident.version, Resident.household_id,
                       Resident.relation, Resident.name)
                .where(Resident.community_id == community.id, Resident.status == "active")):
            residents[number] = Registered(rid, version, household_id,
                                           codes.setdefault(relation, relation))
            if relation == HEAD_RELATION:
                head_names[household_id] = name
        group_ids = dict(db.session.execute(
            select(CodeItem.code, CodeItem.id).where(CodeItem.table == "special_group")).all())
        return cls(households, residents, head_names, group_ids)


def resident_columns(spec: ImportSpec) -> list[str]:
    """Resident columns an import reads and writes (special groups live in a link table)."""
    stored = [n for n in spec.resident if n != "special_groups"]
    return stored + ["id_card_original", "household_id"]


def registered_values(community: Organisation, spec: ImportSpec, numbers: set):
    """Current values of the registered residents named by ``numbers``, streamed in one query
    over the community (no IN list: its cost would not depend on the plan PostgreSQL picks),
    and the community's special groups as {resident id: set of codes}."""
    groups = defaultdict(set)
    for resident_id, code in db.session.execute(
            select(links.c.resident_id, CodeItem.code)
            .join(CodeItem, CodeItem.id == links.c.code_item_id)
            .join(Resident, Resident.id == links.c.resident_id)
            .where(Resident.community_id == community.id, Resident.status == "active")):
        groups[resident_id].add(code)
    columns = [getattr(Resident, n) for n in resident_columns(spec)]
    current = db.session.execute(
        select(Resident.id, *columns)
        .where(Resident.community_id == community.id, Resident.status == "active")
        .execution_options(yield_per=CHUNK))
    return (r for r in current if r.id_card_no in numbers), groups


@dataclass
class Plan:
    community: Organisation
    header: list
    columns: Columns
    rows: list
    known: Known = None
    new_households: dict = field(default_factory=dict)  # 户编号 -> values
    changed_households: list = field(default_factory=list)  # (Known.households row, values)
    new_residents: list = field(default_factory=list)  # rows
    changed_residents: list = field(default_factory=list)  # (Known.residents row, row)
    groups: dict = field(default_factory=dict)  # 公民身份号码 -> codes to set
    counts: Counts = field(default_factory=Counts)

    @property
    def error_rows(self) -> list:
        return [row for row in self.rows if row.errors]

    @property
    def writes(self) -> int:
        return (len(self.new_households) + len(self.changed_households)
                + len(self.new_residents) + len(self.changed_residents))


def plan_import(sheet: Sheet, community: Organisation, spec: ImportSpec = RESIDENT_IMPORT,
                progress=None) -> Plan:
    """Validate every row of ``sheet`` for an import into ``community``; writes nothing."""
    fields = import_fields(spec, code_tables(), community)
    at = sheet.header_index(is_label(fields, spec.aliases))
    header_no, header = sheet.rows[at]
    sheet.fill_merged(header_no)
    columns = match_header(header, fields, sheet, spec.aliases)
    rows = _parse_rows(sheet.take(at + 1), fields, columns, spec, progress)
    if not rows:
        raise FileProblem("文件只有表头，没有数据行。")
    plan = Plan(community, header, columns, rows, Known.load(community, spec))
    _check_duplicates(rows)
    _check_elsewhere(rows, plan.known, community)
    _check_households(rows, plan.known, {f.name: f for f in fields}, spec)
    _check_heads(rows, plan.known, spec)
    for row in rows:  # the error sheet needs the raw cells of failing rows only
        if not row.errors:
            row.cells = None
    _classify(plan, spec)
    return plan


def _parse_rows(data_rows, fields, columns: Columns, spec: ImportSpec, progress) -> list[Row]:
    # Hot loop (every cell of every row): the per-field facts are unpacked once, up front.
    wanted = [(columns.index[f.name], f.parse, f.name, f.group, f.required, f.label)
              for f in fields if f.name in columns.index]
    rows = []
    for count, (row_no, cells) in enumerate(data_rows, 1):
        row = Row(row_no, cells)
        width = len(cells)
        for position, parse, name, group, required, label in wanted:
            raw = cells[position] if position < width else ""
            if not raw:
                if required:
                    row.fail(label, f"{label}不能为空")
                continue
            try:
                value = parse(raw)
            except CellError as exc:
                row.fail(label, str(exc))
                continue
            if group == "resident":
                row.resident[name] = value
            elif group == "household":
                row.household[name] = value
        _settle_id(row, spec)
        rows.append(row)
        if progress and count % CHUNK == 0:
            progress(count, len(data_rows))
    return rows


def _settle_id(row: Row, spec: ImportSpec) -> None:
    """As the form does: store the 18-digit number, keep a 15-digit original, fill sex and birth
    date from the number when empty, and name the field when a typed value disagrees."""
    values = row.resident
    parsed = values.get(spec.resident_key)
    if parsed is None:
        return
    values[spec.resident_key] = row.number = parsed.number
    if parsed.original:
        values["id_card_original"] = parsed.original
    for name, mismatch, derived in (("sex", rules.sex_mismatch, parsed.sex_code),
                                    ("birth_date", rules.birth_mismatch, parsed.birth_date)):
        if name not in values:
            values[name] = derived
        elif message := mismatch(parsed, values[name]):
            row.fail(label_of(Resident, name), message)


def _check_duplicates(rows: list[Row]) -> None:
    by_number = defaultdict(list)
    for row in rows:
        if row.number:
            by_number[row.number].append(row)
    label = label_of(Resident, "id_card_no")
    for same in by_number.values():
        if len(same) > 1:
            where = "、".join(str(r.no) for r in same)
            for row in same:
                row.fail(label, f"文件中重复出现：第{where}行")


def _check_elsewhere(rows: list[Row], known: Known, community: Organisation) -> None:
    """A number registered in another community is a conflict: the person is not moved."""
    numbers = sorted({r.number for r in rows if r.number and r.number not in known.residents})
    found = {}
    for start in range(0, len(numbers), CHUNK):
        found.update((number, (name, org_id)) for number, name, org_id in db.session.execute(
            select(Resident.id_card_no, Resident.name, Resident.community_id).where(
                Resident.status == "active", Resident.community_id != community.id,
                Resident.id_card_no.in_(numbers[start:start + CHUNK]))))
    if not found:
        return
    orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_({org_id for _, org_id in found.values()})))}
    label = label_of(Resident, "id_card_no")
    for row in rows:
        if row.number in found:
            name, org_id = found[row.number]
            row.fail(label, rules.registered_in(orgs[org_id], name) + MOVE_HINT)


def _check_households(rows: list[Row], known: Known, fields: dict, spec: ImportSpec) -> None:
    """Rows of one household must not disagree; a cancelled household takes no members."""
    key = spec.household_key
    first = {}
    for row in rows:
        number = row.household.get(key)
        if number is None:
            continue
        existing = known.households.get(number)
        if existing is not None and existing.status != "active":
            row.fail(fields[key].label, f"户编号“{number}”的户已注销，不能再导入成员")
        for name, value in row.household.items():
            seen_at, seen = first.setdefault((number, name), (row.no, value))
            if seen != value:
                shown = code_name(fields[name].codes, seen) if fields[name].codes else seen
                row.fail(fields[name].label, f"与同户第{seen_at}行不一致（第{seen_at}行为“{shown}”）")


def _check_heads(rows: list[Row], known: Known, spec: ImportSpec) -> None:
    """At most one 户主 per household after the import: heads in the file, plus heads already
    registered whose row (if any) is not being imported."""
    valid = [r for r in rows if not r.errors]
    heads = defaultdict(list)
    for row in valid:
        relation = row.resident.get("relation") or getattr(
            known.residents.get(row.number), "relation", None)
        if relation == HEAD_RELATION:
            heads[row.household.get(spec.household_key)].append(row)
    number_of = {h.id: no for no, h in known.households.items()}
    in_file = {r.number for r in valid}
    registered = {number_of.get(r.household_id): known.head_names[r.household_id]
                  for number, r in known.residents.items()
                  if r.relation == HEAD_RELATION and number not in in_file}
    label = label_of(Resident, "relation")
    for number, head_rows in heads.items():
        if number in registered:
            for row in head_rows:
                row.fail(label, rules.head_taken(registered[number]))
        elif len(head_rows) > 1:
            where = "、".join(str(r.no) for r in head_rows)
            for row in head_rows:
                row.fail(label, f"同一户在文件中有多名户主（第{where}行），每户只能有一名户主")


def _differs(values: dict, existing) -> bool:
    return any(getattr(existing, name) != value for name, value in values.items())


def _classify(plan: Plan, spec: ImportSpec) -> None:
    """New, changed or unchanged, for the rows without errors. Empty cells change nothing."""
    known, counts = plan.known, plan.counts
    valid = [r for r in plan.rows if not r.errors]
    merged = {}
    for row in valid:
        values = merged.setdefault(row.household[spec.household_key], {})
        for name, value in row.household.items():
            values.setdefault(name, value)
    for number, values in merged.items():
        existing = known.households.get(number)
        if existing is None:
            plan.new_households[number] = values
        elif _differs(values, existing):
            plan.changed_households.append((existing, values))
        else:
            counts.households_unchanged += 1
    registered = {}
    for row in valid:
        if row.number in known.residents:
            registered[row.number] = row
        else:
            plan.new_residents.append(row)
            if groups := row.resident.pop("special_groups", None):
                plan.groups[row.number] = groups
    if registered:
        _classify_registered(plan, registered, spec)
    counts.rows, counts.errors = len(plan.rows), len(plan.rows) - len(valid)
    counts.new, counts.updated = len(plan.new_residents), len(plan.changed_residents)
    counts.households_new = len(plan.new_households)
    counts.households_updated = len(plan.changed_households)


def _classify_registered(plan: Plan, rows: dict, spec: ImportSpec) -> None:
    """Changed or unchanged: compared field by field with what is registered."""
    current, current_groups = registered_values(plan.community, spec, rows.keys())
    for existing in current:
        row = rows[existing.id_card_no]
        groups = row.resident.pop("special_groups", None)
        household = plan.known.households.get(row.household[spec.household_key])
        moved = household is None or household.id != existing.household_id
        regrouped = groups is not None and set(groups) != current_groups.get(existing.id, set())
        if moved or regrouped or _differs(row.resident, existing):
            plan.changed_residents.append((plan.known.residents[row.number], row))
            if regrouped:
                plan.groups[row.number] = groups
        else:
            plan.counts.unchanged += 1
