"""Synthetic households and residents written with Core executemany, for the dashboard bench and
a dev server (used only until app.demo.generate_demo lands on this branch).

Everything is made up. ``created_on`` spreads over the entry phase so the weekly chart has a shape.
"""
import datetime
import random

from sqlalchemy import func, insert, select, text

from app.extensions import db
from app.idcard import make_id_number
from app.models import CodeItem, Household, Organisation, Resident, resident_special_group

BATCH = 20_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟强军磊洋勇杰涛明超芳娜敏静丽艳娟霞秀玲桂英华慧巧美婷雪琳晶颖"
ETHNIC = ["01"] * 96 + ["03", "03", "11", "02"]
EDUCATION = ["21", "31", "61", "71", "81", "14", "41", "90", None]


def _person(rng, taken, household_id, community_id, relation, today, entered):
    birth = today - datetime.timedelta(days=rng.randint(0, 95 * 365))
    male = rng.random() < 0.5
    nth = taken[birth, male] = taken.get((birth, male), -1) + 1  # unique sequence code per day
    number = make_id_number("120110", birth, 2 * nth + (1 if male else 2))
    status = "active" if rng.random() < 0.97 else rng.choice(["moved_out", "deceased"])
    return {"name": rng.choice(SURNAMES) + rng.choice(GIVEN), "id_card_no": number,
            "sex": "1" if male else "2", "birth_date": birth, "ethnic": rng.choice(ETHNIC),
            "relation": relation, "household_id": household_id, "community_id": community_id,
            "residence_status": rng.choice("1111111123"), "education": rng.choice(EDUCATION),
            "status": status, "created_on": entered, "changed_on": entered, "version": 1}


def generate(residents: int, seed: int = 1, phase_start=None) -> str:
    """Add about ``residents`` people in households over the active communities."""
    rng = random.Random(seed)
    today = datetime.date.today()
    start = phase_start or datetime.datetime(today.year, 8, 1)
    span = max((datetime.datetime.now() - start).total_seconds(), 1)
    communities = list(db.session.scalars(select(Organisation.id).where(
        Organisation.level == "community", Organisation.active.is_(True))))
    specials = list(db.session.scalars(
        select(CodeItem.id).where(CodeItem.table == "special_group")))
    next_hh = (db.session.scalar(select(func.max(Household.id))) or 0) + 1
    next_person = (db.session.scalar(select(func.max(Resident.id))) or 0) + 1
    households, people, groups, made, taken = [], [], [], 0, {}
    while made < residents:
        community = rng.choice(communities)
        entered = start + datetime.timedelta(seconds=rng.random() * span)
        households.append({"id": next_hh, "household_no": f"S{next_hh:07d}", "household_type": "1",
                           "community_id": community, "status": "active", "created_on": entered,
                           "changed_on": entered, "version": 1})
        for member in range(rng.choice((1, 2, 2, 3, 3, 4, 5))):
            people.append({"id": next_person, **_person(rng, taken, next_hh, community,
                                                        "02" if member == 0 else "10", today,
                                                        entered)})
            if specials and rng.random() < 0.06:
                groups.append({"resident_id": next_person, "code_item_id": rng.choice(specials)})
            next_person += 1
            made += 1
        next_hh += 1
        if len(people) >= BATCH:
            _flush(households, people, groups)
    _flush(households, people, groups)
    _advance_sequences()
    db.session.commit()
    return f"已生成 {made} 名居民，{next_hh - 1} 户（含原有）"


def _advance_sequences() -> None:
    """Ids were given explicitly: PostgreSQL's sequences must move past them."""
    if db.session.get_bind().dialect.name == "postgresql":
        for table in ("household", "resident"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))


def _flush(households: list, people: list, groups: list) -> None:
    for model, rows in ((Household, households), (Resident, people),
                        (resident_special_group, groups)):
        if rows:
            table = getattr(model, "__table__", model)
            db.session.execute(insert(table), rows)
            rows.clear()
