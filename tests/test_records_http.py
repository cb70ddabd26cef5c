"""CRUD through real HTTP in Chinese: forms validate with the record rules and save nothing bad."""
from app.models import Household, Resident
from tests.conftest import make_user
from tests.factories import household, resident


def _resident_form(hh, **over):
    data = {"name": "王小明", "id_card_no": "120110198001010019", "sex": "", "birth_date": "",
            "ethnic": "01", "household": str(hh.id), "relation": "02", "hukou_nature": "",
            "residence_status": "1", "education": "", "marital": "", "political": "",
            "employment": "", "phone": "", "status": "active"}
    data.update(over)
    return data


def test_bad_id_number_shows_its_rule_and_saves_nothing(app, db, tree, browser):
    make_user(app, "admin1")
    hh = household(db, tree["120110001001"])
    b = browser("admin1")
    page = b.submit("/residentview/add", _resident_form(hh, id_card_no="120110198001010010"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "公民身份号码校验码错误" in html
    assert db.session.query(Resident).count() == 0


def test_valid_resident_is_saved_with_sex_and_birth_from_the_number(app, db, tree, browser):
    make_user(app, "admin1")
    hh = household(db, tree["120110001001"])
    b = browser("admin1")
    response = b.submit("/residentview/add", _resident_form(hh, id_card_no=" 120110800101001 "))
    assert response.status_code == 302
    person = db.session.query(Resident).one()
    assert person.id_card_no == "120110198001010019"
    assert person.id_card_original == "120110800101001"
    assert (person.sex, str(person.birth_date)) == ("1", "1980-01-01")
    assert person.community_id == hh.community_id


def test_typed_sex_that_disagrees_names_both_fields(app, db, tree, browser):
    make_user(app, "admin1")
    hh = household(db, tree["120110001001"])
    html = browser("admin1").submit(
        "/residentview/add", _resident_form(hh, sex="2")).get_data(as_text=True)
    assert "性别与公民身份号码不符" in html
    assert db.session.query(Resident).count() == 0


def test_second_head_is_refused(app, db, tree, browser):
    make_user(app, "admin1")
    hh = household(db, tree["120110001001"])
    resident(db, hh, name="户主甲")
    html = browser("admin1").submit(
        "/residentview/add", _resident_form(hh, id_card_no="12011020101101005X")
    ).get_data(as_text=True)
    assert "该户已有户主（户主甲）" in html
    assert db.session.query(Resident).count() == 1


def test_duplicate_active_id_number_is_refused(app, db, tree, browser):
    make_user(app, "admin1")
    hh = household(db, tree["120110001001"])
    first = resident(db, hh, name="张三")
    html = browser("admin1").submit(
        "/residentview/add", _resident_form(hh, id_card_no=first.id_card_no, relation="10",
                                            sex="", name="李四")
    ).get_data(as_text=True)
    assert "该公民身份号码已登记" in html


def test_household_number_unique_within_community(app, db, tree, browser):
    make_user(app, "admin1")
    community = tree["120110001001"]
    household(db, community, no="A-1")
    form = {"household_no": "A-1", "household_type": "1", "community": str(community.id),
            "status": "active"}
    html = browser("admin1").submit("/householdview/add", form).get_data(as_text=True)
    assert "户编号“A-1”在甲社区已存在" in html
    assert db.session.query(Household).count() == 1


def test_bad_phone_is_refused_with_its_reason(app, db, tree, browser):
    make_user(app, "admin1")
    community = tree["120110001001"]
    form = {"household_no": "B-1", "household_type": "1", "community": str(community.id),
            "status": "active", "phone": "010-12345678"}
    html = browser("admin1").submit("/householdview/add", form).get_data(as_text=True)
    assert "只接受天津固定电话" in html
    assert db.session.query(Household).count() == 0


def test_household_page_lists_members_and_org_page_lists_children(app, db, tree, browser):
    make_user(app, "admin1")
    hh = household(db, tree["120110001001"])
    resident(db, hh, name="成员甲")
    b = browser("admin1")
    assert "成员甲" in b.get(f"/householdview/show/{hh.id}").get_data(as_text=True)
    street = b.get(f"/organisationview/show/{tree['120110001000'].id}").get_data(as_text=True)
    assert "甲社区" in street and "乙社区" in street


def test_list_survives_bad_page_size_and_sort_parameters(app, db, tree, browser):
    make_user(app, "admin1")
    b = browser("admin1")
    for query in ("page_ResidentView=abc", "psize_ResidentView=-5",
                  "psize_ResidentView=100000", "_oc_ResidentView=nonexistent&_od_ResidentView=x",
                  "_oc_ResidentView=password"):
        response = b.get(f"/residentview/list/?{query}")
        assert response.status_code == 200, query


def test_moving_out_needs_date_and_reason(app, db, tree, browser):
    make_user(app, "admin1")
    person = resident(db, household(db, tree["120110001001"]), name="迁出人")
    b = browser("admin1")
    form = _resident_form(person.household, id_card_no=person.id_card_no, name="迁出人",
                          status="moved_out", sex="1", birth_date="1980-01-01")
    html = b.submit(f"/residentview/edit/{person.id}", form).get_data(as_text=True)
    assert "须填写变动日期和变动原因" in html
    db.session.refresh(person)
    assert person.status == "active"
    form.update(status_date="2026-11-30", status_reason="迁往河西区")
    assert b.submit(f"/residentview/edit/{person.id}", form).status_code == 302
    db.session.refresh(person)
    assert (person.status, person.status_reason) == ("moved_out", "迁往河西区")


def test_missing_household_is_named(app, db, tree, browser):
    make_user(app, "admin1")
    hh = household(db, tree["120110001001"])
    html = browser("admin1").submit(
        "/residentview/add", _resident_form(hh, household="")).get_data(as_text=True)
    assert "请选择所属户" in html
