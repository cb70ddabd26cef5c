"""Dashboard: rollups equal direct counts, stay right after every kind of write, respect the scope,
and every number links to a list showing the same count; targets, training and equipment."""
import datetime
import html
import io
import re
import threading
from collections import Counter

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from app import dashboard, stats
from app.models import (CodeItem, CommunitySummary, CommunityTarget, Equipment, Household,
                        Resident, TrainingRecord, resident_special_group)
from app.progress import PhaseError, entry_phase
from app.roles import DISTRICT_ADMIN, ENTRY, STREET
from bench.synthetic import generate
from tests.conftest import make_user
from tests.factories import household, resident

DISTRICT, STREET_1, STREET_2 = "120110000000", "120110001000", "120110002000"
JIA, YI, BING = "120110001001", "120110001002", "120110002001"
LIST_LINK = re.compile(r'<a href="(/(?:residentview|householdview|organisationview)/list/\?[^"]+)">'
                       r'([\d,]+)</a>')


@pytest.fixture(autouse=True)
def synchronous_refresh(app):
    """Background refreshes would race the per-test wipe; tests refresh inside the request."""
    app.config["STATS_BACKGROUND_REFRESH"] = False
    yield
    app.config["STATS_BACKGROUND_REFRESH"] = True


@pytest.fixture
def people(db, tree):
    generate(600, seed=7)
    return tree


def _active(db, *where):
    return db.session.scalars(select(Resident).where(Resident.status == "active", *where)).all()


def _in(org):
    return Resident.community_id.in_(stats.org_ids_in_scope(org.path))


def _count_on_list(page: str) -> int:
    return int(re.search(r"记录数目?:</strong>\s*([\d,]+)", page).group(1).replace(",", ""))


def test_rollups_equal_direct_counts(app, people, db):
    district = people[DISTRICT]
    with app.test_request_context():
        board = dashboard.build(district)
    residents = _active(db, _in(district))
    ages = Counter()
    for person in residents:
        band = max(b for b in stats.AGE_BANDS if b <= max(person.age, 0))
        ages[band] += 1
    assert board.total.residents == len(residents)
    assert board.total.households == db.session.query(Household).filter_by(
        status="active").count()
    assert board.total.communities == 4
    by_street = {u.org.code: u.residents for u in board.units}
    assert by_street == {code: len(_active(db, _in(people[code])))
                         for code in (STREET_1, STREET_2)}
    rows = {t: {r[0].text: r[1].value for r in board.tables[t].rows} for t in board.tables}
    assert rows["sex"] == {"男": sum(p.sex == "1" for p in residents),
                           "女": sum(p.sex == "2" for p in residents)}
    assert list(rows["age"].values()) == [ages[b] for b in stats.AGE_BANDS]
    education = Counter(dashboard.EDUCATION_CLASSES.get((p.education or "")[:1], "（未填）")
                        for p in residents)
    assert rows["education"] == {k: v for k, v in education.items() if v}
    assert rows["residence_status"] == {
        {"1": "常住", "2": "户在人不在", "3": "人在户不在"}[k]: v
        for k, v in Counter(p.residence_status for p in residents).items()}
    special = Counter(g.name for p in residents for g in p.special_groups)
    assert {k: v for k, v in rows["special_group"].items() if v} == dict(special)
    pyramid = {r[0].text: (r[1].value, r[2].value) for r in board.tables["pyramid"].rows}
    assert pyramid["0–4"] == (sum(p.sex == "1" and p.age < 5 for p in residents),
                              sum(p.sex == "2" and p.age < 5 for p in residents))
    assert sum(m + f for m, f in pyramid.values()) == len(residents)
    created = db.session.scalars(select(Resident.created_on)).all()
    phase = entry_phase(app.config)
    assert sum(r[1].value for r in board.tables["weekly"].rows) == sum(
        phase.start <= c.date() <= phase.end for c in created)


def test_every_kind_of_write_reaches_the_dashboard(app, people, db):
    jia, yi = people[JIA], people[YI]

    def totals():
        with app.test_request_context():
            return {u.org.code: u.residents for u in dashboard.build(people[STREET_1]).units}

    before = totals()
    resident(db, household(db, jia, no="W1"), name="表单新增")  # ORM, as forms and the API
    assert totals()[JIA] == before[JIA] + 1
    person = db.session.scalar(select(Resident).where(Resident.name == "表单新增"))
    person.household = household(db, yi, no="W2")  # moved: both communities change
    db.session.commit()
    after_move = totals()
    assert (after_move[JIA], after_move[YI]) == (before[JIA], before[YI] + 1)
    hh = db.session.scalar(select(Household.id).where(Household.household_no == "W2"))
    db.session.execute(insert(Resident), [  # Core bulk insert, as an import does
        {"name": "批量", "id_card_no": f"12011019900101{n:03d}X", "sex": "1",
         "birth_date": datetime.date(1990, 1, 1), "household_id": hh, "community_id": yi.id,
         "status": "active", "version": 1} for n in range(3)])
    db.session.commit()
    assert totals()[YI] == after_move[YI] + 3
    group = db.session.scalar(select(CodeItem).where(CodeItem.table == "special_group"))
    with app.test_request_context():
        before_links = dashboard.build(people[STREET_1]).tables["special_group"]
    db.session.execute(insert(resident_special_group), [  # links only: found by their residents
        {"resident_id": rid, "code_item_id": group.id}
        for rid in db.session.scalars(select(Resident.id).where(Resident.name == "批量"))])
    db.session.commit()
    assert stats.stale_communities(people[STREET_1].path, datetime.date.today())["changed"] == [
        yi.id]
    with app.test_request_context():
        after_links = dashboard.build(people[STREET_1]).tables["special_group"]
    count = {r[0].text: r[1].value for r in before_links.rows}[group.name]
    assert {r[0].text: r[1].value for r in after_links.rows}[group.name] == count + 3
    db.session.execute(update(Resident).where(Resident.name == "批量").values(status="moved_out"))
    db.session.commit()  # a statement whose communities are unknown marks them all
    assert totals()[YI] == after_move[YI]
    db.session.delete(person)  # expired by the commits above; deleted all the same
    db.session.commit()
    assert totals()[YI] == after_move[YI] - 1
    db.session.rollback()
    assert stats.stale_communities(people[STREET_1].path, datetime.date.today()) == {
        "missing": [], "changed": [], "dated": []}


def test_rollups_from_an_earlier_day_are_recomputed(app, people, db):
    street = people[STREET_1]
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    stats.refresh_stats(today=yesterday)
    db.session.commit()
    with app.test_request_context():
        assert stats.stale_communities(street.path, datetime.date.today())["dated"]
        app.config["STATS_BACKGROUND_REFRESH"] = True
        assert len(stats.ensure_fresh(street.path)) == 2  # left to the background thread
    for thread in threading.enumerate():
        if thread.name == "stats-refresh":
            thread.join()
    db.session.rollback()
    assert set(db.session.scalars(select(CommunitySummary.as_of).where(
        CommunitySummary.community_id.in_([people[JIA].id, people[YI].id])))) == {
        datetime.date.today()}


def test_community_sees_itself_and_street_its_communities(app, people, db, browser):
    make_user(app, "jia", people[JIA], ENTRY)
    make_user(app, "street1", people[STREET_1], STREET)
    jia, street = browser("jia"), browser("street1")
    page = jia.get("/").get_data(as_text=True)
    assert "甲社区 数据概览" in page
    assert "乙社区" not in page and "丙社区" not in page and "丰年村街道" not in page
    assert jia.get(f"/?org={people[YI].id}").status_code == 404
    street_page = street.get("/").get_data(as_text=True)
    assert "甲社区" in street_page and "乙社区" in street_page
    assert "丙社区" not in street_page and "丰年村街道" not in street_page
    assert street.get(f"/?org={people[STREET_2].id}").status_code == 404
    assert street.get(f"/?org={people[JIA].id}").status_code == 200
    own = len(_active(db, Resident.community_id == people[JIA].id))
    assert f">{own:,}<" in page


def test_every_number_links_to_a_list_with_the_same_count(app, people, db, browser):
    make_user(app, "street1", people[STREET_1], STREET)
    b = browser("street1")
    page = b.get("/").get_data(as_text=True)
    links = {html.unescape(href): int(n.replace(",", "")) for href, n in LIST_LINK.findall(page)}
    assert len(links) > 40
    shapes = Counter()  # two links of each combination of filters (units, sex, age, codes, …)
    for href, number in links.items():
        shape = tuple(sorted(re.findall(r"(_flt_\d_\w+)=", href)))
        shapes[shape] += 1
        if shapes[shape] <= 2:
            assert _count_on_list(b.get(href).get_data(as_text=True)) == number, href
    assert len(shapes) >= 9
    # the filter cannot widen the scope: another street's subtree gives nothing
    other = f"/residentview/list/?_flt_0_community={people[STREET_2].id}"
    assert _count_on_list(b.get(other).get_data(as_text=True)) == 0


def test_rollup_tables_export_to_excel(app, people, db, browser):
    make_user(app, "admin1")
    b = browser("admin1")
    with app.test_request_context():
        board = dashboard.build(people[DISTRICT])
    for key in ("units", "age", "pyramid", "untrained"):
        response = b.get(f"/dashboard/export/{key}?org={people[DISTRICT].id}")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.data)).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0] == board.tables[key].header
        assert [r[:3] for r in rows[1:]] == [
            [c.value if c.value is not None else c.text for c in row[:3]]
            for row in board.tables[key].rows]
    assert b.get("/dashboard/export/nothing").status_code == 404


def test_coverage_lists_name_communities_without_training_or_computer(app, people, db, browser):
    today = datetime.date.today()
    db.session.add_all([
        TrainingRecord(organisation=people[JIA], person_name="王培训", course="系统操作",
                       trained_on=today),
        TrainingRecord(organisation=people[STREET_2], person_name="街道人员", course="系统操作",
                       trained_on=today),  # a street's training does not cover its communities
        Equipment(organisation=people[YI], kind="computer", serial_no="PC-1", registered_on=today),
        Equipment(organisation=people[JIA], kind="usb_key", serial_no="U-1", registered_on=today),
    ])
    db.session.commit()
    with app.test_request_context():
        board = dashboard.build(people[DISTRICT])
    names = {key: [r[0].text for r in board.tables[key].rows]
             for key in ("untrained", "no_computer")}
    assert names == {"untrained": ["乙社区", "丙社区", "丁社区"],
                     "no_computer": ["甲社区", "丙社区", "丁社区"]}


def test_targets_import_all_or_nothing_and_progress(app, people, db, browser):
    make_user(app, "planner", people[STREET_1], DISTRICT_ADMIN)
    b = browser("planner")
    good = "区划代码,目标人数,目标户数\n120110001001,100,40\n120110001002,9000,3000\n"
    response = b.submit("/communitytargetview/import/", {
        "file": (io.BytesIO(good.encode("utf-8-sig")), "目标.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert {t.community.code: (t.residents, t.households)
            for t in db.session.scalars(select(CommunityTarget))} == {
        JIA: (100, 40), YI: (9000, 3000)}
    bad = "区划代码,目标人数,目标户数\n120110001001,500,160\n120110002001,10,5\n120110001002,-1,x\n"
    page = b.submit("/communitytargetview/import/", {
        "file": (io.BytesIO(bad.encode()), "目标.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "第3行：丙社区（120110002001）不在您的管辖范围内" in page
    assert "第4行：目标人数“-1”应为不小于0的整数；目标户数“x”应为不小于0的整数" in page
    db.session.expire_all()
    assert db.session.scalar(select(CommunityTarget.residents).where(
        CommunityTarget.community_id == people[JIA].id)) == 100  # nothing of the bad file saved
    app.config.update(ENTRY_PHASE_START=str(datetime.date.today() - datetime.timedelta(days=9)),
                      ENTRY_PHASE_END=str(datetime.date.today() + datetime.timedelta(days=10)))
    try:
        with app.test_request_context():
            board = dashboard.build(people[STREET_1])
    finally:
        app.config.update(ENTRY_PHASE_START=None, ENTRY_PHASE_END=None)
    assert board.required == pytest.approx(0.5)
    assert [r[0].text for r in board.tables["lagging"].rows] == ["乙社区"]  # far below 9000
    progress = {r[0].text: r[-1].text for r in board.tables["progress"].rows}
    assert progress == {"甲社区": "正常", "乙社区": "落后"}


def test_target_screen_is_scoped_and_validates(app, people, db, browser):
    make_user(app, "planner", people[STREET_1], DISTRICT_ADMIN)
    b = browser("planner")
    form = {"community": str(people[BING].id), "residents": "10", "households": "5"}
    b.submit("/communitytargetview/add", form)
    assert db.session.query(CommunityTarget).count() == 0
    page = b.submit("/communitytargetview/add", {**form, "community": str(people[JIA].id),
                                                  "residents": "-5"}).get_data(as_text=True)
    assert "应为不小于0的整数" in page
    assert b.submit("/communitytargetview/add", {**form, "community": str(people[JIA].id)}
                    ).status_code == 302
    page = b.submit("/communitytargetview/add", {**form, "community": str(people[JIA].id)}
                    ).get_data(as_text=True)
    assert "甲社区已设定目标" in page


def test_training_needs_a_person_and_stays_in_scope(app, people, db, browser):
    make_user(app, "planner", people[STREET_1], DISTRICT_ADMIN)
    b = browser("planner")
    form = {"organisation": str(people[JIA].id), "course": "系统操作",
            "trained_on": str(datetime.date.today())}
    page = b.submit("/trainingrecordview/add", form).get_data(as_text=True)
    assert "请选择账号或填写姓名" in page
    b.submit("/trainingrecordview/add", {**form, "person_name": "李四",
                                         "organisation": str(people[BING].id)})
    assert db.session.query(TrainingRecord).count() == 0
    assert b.submit("/trainingrecordview/add", {**form, "person_name": "李四"}).status_code == 302
    equipment = {"organisation": str(people[JIA].id), "kind": "computer", "serial_no": "PC-9",
                 "registered_on": str(datetime.date.today())}
    assert b.submit("/equipmentview/add", equipment).status_code == 302
    assert b.submit("/equipmentview/add", {**equipment, "kind": "phone"}).status_code == 200
    assert db.session.query(Equipment).count() == 1


def test_no_page_references_an_outside_host(app, people, db, browser):
    make_user(app, "admin1")
    b = browser("admin1")
    pages = ["/", f"/?org={people[JIA].id}", "/residentview/list/", "/communitytargetview/list/",
             "/communitytargetview/import/", "/trainingrecordview/add", "/equipmentview/list/"]
    for url in pages:
        response = b.get(url)
        assert response.status_code == 200, url
        outside = [u for u in re.findall(r"https?://[^\s\"'<>)]+", response.get_data(as_text=True))
                   if not re.match(r"https?://(localhost|127\.0\.0\.1)[:/]", u)
                   and u != "http://www.w3.org/2000/svg"]
        assert outside == [], url


def test_anonymous_visitor_goes_to_login_and_landing_page_is_the_dashboard(app, people, browser):
    assert "/login" in browser().get("/").headers["Location"]
    make_user(app, "jia", people[JIA], ENTRY)
    response = browser().login("jia")
    assert response.headers["Location"].endswith("/")


def test_entry_phase_is_validated():
    today = datetime.date(2025, 5, 6)
    assert entry_phase({}, today) == entry_phase(
        {"ENTRY_PHASE_START": "2025-08-01", "ENTRY_PHASE_END": "2025-11-30"}, today)
    with pytest.raises(PhaseError, match="超过4个月"):
        entry_phase({"ENTRY_PHASE_START": "2025-08-01", "ENTRY_PHASE_END": "2025-12-01"})
    with pytest.raises(PhaseError, match="早于开始日期"):
        entry_phase({"ENTRY_PHASE_START": "2025-08-01", "ENTRY_PHASE_END": "2025-07-01"})
    with pytest.raises(PhaseError, match="不是有效日期"):
        entry_phase({"ENTRY_PHASE_START": "8月1日"})
    phase = entry_phase({}, today)
    assert phase.required_share(datetime.date(2025, 7, 1)) == 0
    assert phase.required_share(datetime.date(2025, 12, 1)) == 1
