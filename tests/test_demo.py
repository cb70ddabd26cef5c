"""Synthetic demo data: counts, valid and consistent records, repeatable runs, reproducibility."""
import datetime
import hashlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.demo import NO_COMMUNITIES, generate_demo
from app.idcard import parse_id_number
from app.models import CodeItem, Household, Organisation, Resident, resident_special_group
from app.orgimport import import_organisations
from app.phones import normalize_phone
from tests.conftest import TREE, wipe_data
from tests.factories import household

CODE_COLUMNS = ("sex", "ethnic", "relation", "hukou_nature", "residence_status", "education",
                "marital", "political", "employment")
CHILDREN = {"21", "22", "23", "24", "25", "26", "29", "31", "32", "33", "34", "35", "36", "39"}
HEADS_PARENTS, SPOUSES_PARENTS = {"51", "52"}, {"53", "54", "55", "56"}


def _residents(db):
    return db.session.scalars(select(Resident).order_by(Resident.id)).all()


def _codes(db) -> set:
    return {tuple(row) for row in db.session.execute(select(CodeItem.table, CodeItem.code))}


def test_without_communities_the_command_says_what_to_do(app, db):
    with pytest.raises(RuntimeError, match="还没有社区"):
        generate_demo(10)
    result = app.test_cli_runner().invoke(args=["demo", "--residents", "10"])
    assert result.exit_code == 1
    assert NO_COMMUNITIES in result.output


def test_counts_and_summary(db, tree):
    summary = generate_demo(300, seed=7)
    households = db.session.scalar(select(func.count()).select_from(Household))
    assert db.session.scalar(select(func.count()).select_from(Resident)) == 300
    assert f"{households} 户、300 名居民" in summary and "4 个社区" in summary
    assert 300 / 6 <= households < 300
    groups = db.session.scalars(
        select(CodeItem.table).join(resident_special_group,
                                    resident_special_group.c.code_item_id == CodeItem.id)).all()
    assert groups and set(groups) == {"special_group"}


def test_the_rollups_count_the_demo_people_at_once(db, tree):
    """List counts over the threshold and the dashboard read the per-community summaries."""
    from app.models import CommunitySummary

    generate_demo(300, seed=7)
    assert db.session.scalar(select(func.sum(CommunitySummary.residents))) == 300


def test_every_id_number_is_valid_unique_and_agrees_with_sex_and_birth(db, tree):
    generate_demo(300, seed=7)
    people = _residents(db)
    assert len({p.id_card_no for p in people}) == len(people)
    for person in people:
        parsed = parse_id_number(person.id_card_no)
        assert parsed.number == person.id_card_no
        assert (parsed.sex_code, parsed.birth_date) == (person.sex, person.birth_date)
        assert parsed.region_code.startswith("1201")


def test_households_have_one_head_and_members_share_its_community(db, tree):
    generate_demo(300, seed=7)
    heads = dict(db.session.execute(
        select(Resident.household_id, func.count()).where(Resident.relation == "02")
        .group_by(Resident.household_id)).all())
    household_ids = db.session.scalars(select(Household.id)).all()
    assert set(heads) == set(household_ids) and set(heads.values()) == {1}
    member = aliased(Resident)
    mismatched = db.session.scalar(
        select(func.count()).select_from(member)
        .join(Household, member.household_id == Household.id)
        .where(member.community_id != Household.community_id))
    assert mismatched == 0
    communities = set(db.session.scalars(select(Household.community_id).distinct()))
    levels = set(db.session.scalars(
        select(Organisation.level).where(Organisation.id.in_(communities))))
    assert levels == {"community"}


def test_codes_come_from_the_code_tables_and_fit_the_person(db, tree):
    generate_demo(300, seed=7)
    known = _codes(db)
    today = datetime.date.today()
    for person in _residents(db):
        for column in CODE_COLUMNS:
            value = getattr(person, column)
            assert value is None or (column, value) in known, (column, value)
        assert person.status == "active" and person.version == 1
        if person.age < 20:
            assert person.marital == "10"
        if person.phone:
            assert normalize_phone(person.phone) == person.phone
        assert person.birth_date <= today
    for item in db.session.scalars(select(Household)):
        assert item.phone is None or normalize_phone(item.phone) == item.phone
        assert ("household_type", item.household_type) in known


def test_ages_agree_with_relations(db, tree):
    generate_demo(300, seed=3)
    by_household: dict = {}
    for person in _residents(db):
        by_household.setdefault(person.household_id, []).append(person)
    for members in by_household.values():
        head = next(p for p in members if p.relation == "02")
        spouse = next((p for p in members if p.relation == "10"), None)
        assert spouse is None or (spouse.sex != head.sex and spouse.age >= 20)
        for person in members:
            if person.relation in CHILDREN:
                assert _years(head, person) > 19 and (spouse is None or _years(spouse, person) > 19)
            if person.relation in HEADS_PARENTS:
                assert _years(person, head) > 19
            if person.relation in SPOUSES_PARENTS:
                assert _years(person, spouse) > 19


def _years(older, younger) -> float:
    return (younger.birth_date - older.birth_date).days / 365.25


def test_a_second_run_adds_more_without_collisions(db, tree):
    generate_demo(150, seed=1)
    first_last = db.session.scalar(select(func.max(Household.id)))
    generate_demo(150, seed=1)  # the same seed would repeat every number without the checks
    numbers = db.session.execute(select(Household.community_id, Household.household_no)).all()
    assert len(numbers) == len(set(numbers))
    people = _residents(db)
    assert len(people) == 300 and len({p.id_card_no for p in people}) == 300
    # Later ordinary inserts still get fresh ids (PostgreSQL: sequences moved past the demo's).
    added = household(db, tree["120110001001"], no="手工1")
    assert added.id > first_last


def _digest(db) -> str:
    """Everything generated, keyed by natural keys (not ids or time stamps)."""
    community = aliased(Organisation)
    rows = db.session.execute(
        select(community.code, Household.household_no, Household.estate, Household.building,
               Household.unit, Household.door, Household.phone, Resident.name,
               Resident.id_card_no, Resident.relation, Resident.ethnic, Resident.education,
               Resident.marital, Resident.political, Resident.employment, Resident.phone,
               Resident.residence_status, Resident.hukou_nature)
        .join(Household, Resident.household_id == Household.id)
        .join(community, Household.community_id == community.id)
        .order_by(community.code, Household.household_no, Resident.id_card_no)).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_same_seed_gives_the_same_data(db, tree):
    generate_demo(200, seed=5)
    first = _digest(db)
    wipe_data(db)
    import_organisations(["code", "name"], [list(row) for row in TREE])
    generate_demo(200, seed=5)
    assert _digest(db) == first
    wipe_data(db)
    import_organisations(["code", "name"], [list(row) for row in TREE])
    generate_demo(200, seed=6)
    assert _digest(db) != first
