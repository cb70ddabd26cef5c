"""Rules across the rows of a file (and what is registered): duplicate ID numbers, numbers held in
another community, households whose rows disagree or that are cancelled, one head per household.
Each marks the offending rows with (field, reason); the messages for the form's rules come from
app/rules.py."""
from collections import defaultdict

from sqlalchemy import select

from .. import rules
from ..columns import ImportSpec, label_of
from ..display import code_name
from ..extensions import db
from ..models import HEAD_RELATION, Organisation, Resident
from .known import CHUNK, Known

MOVE_HINT = "；不会移到本社区，如需迁入请先在原社区办理迁出"


def duplicates(rows: list) -> None:
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


def elsewhere(rows: list, known: Known, community: Organisation) -> None:
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


def households(rows: list, known: Known, fields: dict, spec: ImportSpec) -> None:
    """Rows of one household must not disagree; a cancelled household takes no members."""
    key = spec.household_key
    first = defaultdict(dict)  # 户编号 -> {field: (first row giving it, value)}
    for row in rows:
        number = row.household.get(key)
        if number is None:
            continue
        existing = known.households.get(number)
        if existing is not None and existing.status != "active":
            row.fail(fields[key].label, f"户编号“{number}”的户已注销，不能再导入成员")
        given = first[number]
        for name, value in row.household.items():
            seen_at, seen = given.setdefault(name, (row.no, value))
            if seen != value:
                shown = code_name(fields[name].codes, seen) if fields[name].codes else seen
                row.fail(fields[name].label, f"与同户第{seen_at}行不一致（第{seen_at}行为“{shown}”）")


def heads(rows: list, known: Known, spec: ImportSpec) -> None:
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
