"""Validation of a whole sheet before anything is written.

Every row gets the form's rules (app/rules.py); then the rules across the file (checks.py) against
what the community holds (known.py). The result is a ``Plan``: which households and residents are
new, changed or unchanged, and every row's errors as (field, reason).
"""
from dataclasses import dataclass, field

from .. import rules
from ..columns import RESIDENT_IMPORT, ImportSpec, label_of
from ..display import code_tables
from ..models import Organisation, Resident
from ..tabular import FileProblem, Sheet
from . import checks
from .fields import CellError, Columns, import_fields, is_label, match_header
from .known import CHUNK, Known, registered_values


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
    checks.duplicates(rows)
    checks.elsewhere(rows, plan.known, community)
    checks.households(rows, plan.known, {f.name: f for f in fields}, spec)
    checks.heads(rows, plan.known, spec)
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
