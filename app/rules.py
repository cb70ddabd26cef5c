"""Record rules that are not column facts, written once and used by forms, import and the API.

Each check returns a Chinese message (or None) so every surface can name the field and the fault.
"""
from typing import Optional

from sqlalchemy import select

from .extensions import db
from .idcard import IdNumber, IdNumberError, parse_id_number
from .models import HEAD_RELATION, Household, Resident
from .phones import PhoneError, normalize_phone
from .scope import path_in_scope


def parse_id(raw: str) -> tuple[Optional[IdNumber], Optional[str]]:
    try:
        return parse_id_number(raw or ""), None
    except IdNumberError as exc:
        return None, exc.message


def sex_mismatch(id_number: IdNumber, sex: Optional[str]) -> Optional[str]:
    if sex and sex in ("1", "2") and sex != id_number.sex_code:
        derived = "男" if id_number.sex_code == "1" else "女"
        return f"性别与公民身份号码不符：号码第17位表示{derived}"
    return None


def birth_mismatch(id_number: IdNumber, birth) -> Optional[str]:
    if birth and birth != id_number.birth_date:
        return f"出生日期与公民身份号码不符：号码中的出生日期为{id_number.birth_date:%Y-%m-%d}"
    return None


def duplicate_id(number: str, resident_id: Optional[int]) -> Optional[str]:
    """An active resident already holding this number (other than the one being edited)."""
    other = db.session.execute(
        select(Resident.id, Resident.name, Resident.community_id)
        .where(Resident.id_card_no == number, Resident.status == "active")
    ).first()
    if other is None or other.id == resident_id:
        return None
    from .models import Organisation

    return registered_in(db.session.get(Organisation, other.community_id), other.name)


def registered_in(community, name: str) -> str:
    """The number is held by ``name`` in ``community``; the name is told only inside the scope."""
    if path_in_scope(community.path):
        return f"该公民身份号码已登记：{community.name} {name}"
    return f"该公民身份号码已在{community.name}登记"


def second_head(household: Optional[Household], relation: Optional[str],
                resident_id: Optional[int], status: str = "active") -> Optional[str]:
    """The household head rule: at most one active 户主 per household."""
    if household is None or relation != HEAD_RELATION or status != "active":
        return None
    head = db.session.execute(
        select(Resident.id, Resident.name).where(
            Resident.household_id == household.id, Resident.relation == HEAD_RELATION,
            Resident.status == "active")
    ).first()
    if head is None or head.id == resident_id:
        return None
    return head_taken(head.name)


def head_taken(name: str) -> str:
    return f"该户已有户主（{name}），每户只能有一名户主"


def phone_error(raw: Optional[str]) -> tuple[str, Optional[str]]:
    try:
        return normalize_phone(raw or ""), None
    except PhoneError as exc:
        return raw, str(exc)
