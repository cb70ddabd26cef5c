"""Synthetic records for tests (made-up names, valid check digits)."""
import datetime
import itertools

from app.idcard import make_id_number
from app.models import Household, Resident

_seq = itertools.count(1)


def id_number(birth=datetime.date(1980, 1, 1), male=True) -> str:
    # The sequence's parity is the sex (odd: male); it stays so when the counter wraps (1..998).
    n = next(_seq) % 499
    return make_id_number("120110", birth, 2 * n + (1 if male else 2))


def household(db, community, no="H001", **kw) -> Household:
    item = Household(household_no=no, community=community, household_type="1", **kw)
    db.session.add(item)
    db.session.commit()
    return item


def resident(db, household, name="测试人", relation="02", male=True,
             birth=datetime.date(1980, 1, 1), **kw) -> Resident:
    item = Resident(name=name, id_card_no=id_number(birth, male), sex="1" if male else "2",
                    birth_date=birth, relation=relation, household=household,
                    community_id=household.community_id, ethnic="01", **kw)
    db.session.add(item)
    db.session.commit()
    return item
