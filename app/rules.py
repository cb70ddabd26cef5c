"""Record rules that are not column facts, written once and used by forms, import and the API.

Each check returns a Chinese message (or None) so every surface can name the field and the fault.
"""
from typing import Optional

from flask_babel import gettext as _
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
        derived = _("男") if id_number.sex_code == "1" else _("女")
        return _("性别与公民身份号码不符：号码第17位表示%(sex)s", sex=derived)
    return None


def birth_mismatch(id_number: IdNumber, birth) -> Optional[str]:
    if birth and birth != id_number.birth_date:
        return _("出生日期与公民身份号码不符：号码中的出生日期为%(date)s",
                 date=id_number.birth_date.isoformat())
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
        return _("该公民身份号码已登记：%(community)s %(name)s", community=community.name,
                 name=name)
    return _("该公民身份号码已在%(community)s登记", community=community.name)


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
    return _("该户已有户主（%(name)s），每户只能有一名户主", name=name)


def phone_error(raw: Optional[str]) -> tuple[str, Optional[str]]:
    try:
        return normalize_phone(raw or ""), None
    except PhoneError as exc:
        return raw, str(exc)
