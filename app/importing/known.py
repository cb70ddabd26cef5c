"""What the community already holds, loaded once per import, one query per kind (never per row)."""
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple, Optional

from sqlalchemy import select

from ..columns import ImportSpec
from ..extensions import db
from ..models import HEAD_RELATION, CodeItem, Household, Organisation, Resident
from ..models import resident_special_group as links

CHUNK = 5000  # rows per batch: IN lists (well under the databases' parameter limits), streaming


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
