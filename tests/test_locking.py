"""Optimistic locking and database errors in the edit flow: when two people edit the same record
the second save shows what changed and loses nothing; database errors are Chinese, never SQL."""
import html as htmllib
import re

from sqlalchemy import event, select

from app.models import Household, Organisation, Resident
from app.roles import ENTRY
from tests.conftest import csrf_token, make_user
from tests.factories import household, resident
from tests.test_audit import hidden_value


def form_of(page: str) -> dict:
    """The values a browser would post back from an edit page (text inputs, selects, hidden)."""
    data = {}
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', page):
        data[name] = htmllib.unescape(value)
    for name, body in re.findall(r'<select[^>]*?name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.findall(r'<option(?=[^>]*\bselected\b)[^>]*value="([^"]*)"', body)
        data[name] = selected[0] if selected else ""
    return data


def household_form(hh, **over):
    data = {"household_no": hh.household_no, "household_type": hh.household_type or "",
            "community": str(hh.community_id), "estate": hh.estate or "", "phone": "",
            "status": "active"}
    return {**data, **over}


def test_second_save_of_a_stale_form_shows_the_conflict_and_keeps_the_input(
        app, db, tree, browser):
    make_user(app, "alice", tree["120110001001"], ENTRY)
    make_user(app, "bob", tree["120110001001"], ENTRY)
    hh = household(db, tree["120110001001"], no="C-1", estate="旧小区")
    url = f"/householdview/edit/{hh.id}"
    alice, bob = browser("alice"), browser("bob")
    alice_page = alice.get(url).get_data(as_text=True)
    loaded = hidden_value(alice_page, "version")

    bob.submit(url, household_form(hh, estate="鲍勃小区", phone="13912345678",
                                   version=hidden_value(bob.get(url).get_data(as_text=True),
                                                        "version")))
    response = alice.post(url, data=household_form(hh, estate="爱丽丝小区", version=loaded,
                                                    csrf_token=csrf_token(alice_page)))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "保存未完成" in page and "bob" in page and "（小区/路、联系电话）" in page
    # Both changed the estate: alice's input stays, bob's value is shown under it.
    assert 'value="爱丽丝小区"' in page
    assert "对方已改为：鲍勃小区（框中是您填写的：爱丽丝小区）" in page
    # Only bob changed the phone: his new value is filled in, nothing of either is lost.
    assert 'value="13912345678"' in page and "对方的新值已填入表单：联系电话" in page
    saved = db.session.scalars(select(Household).execution_options(populate_existing=True)).one()
    assert (saved.estate, saved.phone, saved.version) == ("鲍勃小区", "13912345678", 2)

    # The re-shown form carries the current version: saving it after review goes through.
    again = form_of(page)
    assert again["version"] == "2" and again["estate"] == "爱丽丝小区"
    assert alice.post(url, data=again).status_code == 302
    saved = db.session.scalars(select(Household).execution_options(populate_existing=True)).one()
    assert (saved.estate, saved.phone, saved.version) == ("爱丽丝小区", "13912345678", 3)


def test_resident_conflict_names_fields_with_code_names(app, db, tree, browser):
    make_user(app, "alice")
    make_user(app, "bob")
    person = resident(db, household(db, tree["120110001001"]), name="王五", education="21")
    url = f"/residentview/edit/{person.id}"
    alice, bob = browser("alice"), browser("bob")
    alice_form = form_of(alice.get(url).get_data(as_text=True))
    bob_form = form_of(bob.get(url).get_data(as_text=True))
    assert bob.post(url, data={**bob_form, "education": "31"}).status_code == 302

    page = alice.post(url, data={**alice_form, "name": "王五五"}).get_data(as_text=True)
    assert "保存未完成" in page and "学历" in page
    assert 'value="王五五"' in page
    db.session.expire_all()
    assert (db.session.get(Resident, person.id).name, db.session.get(Resident, person.id)
            .education) == ("王五", "31")


def test_a_race_at_commit_time_is_shown_as_a_conflict_not_as_sql(app, db, tree, browser):
    """Bob saves between Alice's version check and her UPDATE: the version counter refuses it."""
    from app.extensions import db as _db

    make_user(app, "alice")
    hh = household(db, tree["120110001001"], no="R-1", estate="旧小区")
    url = f"/householdview/edit/{hh.id}"
    alice = browser("alice")
    alice_form = form_of(alice.get(url).get_data(as_text=True))

    def bob_saves_first(_mapper, _connection, target):
        other = _db.session.session_factory()
        try:
            other.get(Household, target.id).estate = "鲍勃小区"
            other.commit()
        finally:
            other.close()

    event.listen(Household, "before_update", bob_saves_first, once=True)
    try:
        response = alice.post(url, data={**alice_form, "estate": "爱丽丝小区"})
    finally:
        event.remove(Household, "before_update", bob_saves_first)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "保存未完成" in page and "小区/路" in page and 'value="爱丽丝小区"' in page
    assert "SQL" not in page and "UPDATE" not in page
    db.session.expire_all()
    assert db.session.get(Household, hh.id).estate == "鲍勃小区"


def test_only_versioned_records_carry_a_version_once_and_hidden(app, db, tree, browser):
    make_user(app, "admin1")
    b = browser("admin1")
    page = b.get(f"/householdview/edit/{household(db, tree['120110001001']).id}")
    html = page.get_data(as_text=True)
    assert html.count('name="version"') == 1 and 'for="version"' not in html
    page = b.get(f"/organisationview/edit/{tree['120110001001'].id}")
    assert 'name="version"' not in page.get_data(as_text=True)


def test_deleting_an_organisation_in_use_says_why_in_chinese(app, db, tree, browser):
    make_user(app, "admin1")
    community = tree["120110001001"]
    household(db, community)
    b = browser("admin1")
    response = b.submit(f"/organisationview/edit/{community.id}", {},
                        post_url=f"/organisationview/delete/{community.id}",
                        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "删除失败：该记录仍被其他记录使用" in page
    assert "FOREIGN KEY" not in page and "foreign key" not in page and "DELETE" not in page
    assert db.session.scalars(select(Organisation).where(Organisation.id == community.id)).one()


def test_deleting_a_unit_with_sub_units_is_refused_not_detached(app, db, tree, browser):
    make_user(app, "admin1")
    street = tree["120110001000"]
    page = browser("admin1").submit(f"/organisationview/edit/{street.id}", {},
                                    post_url=f"/organisationview/delete/{street.id}",
                                    follow_redirects=True).get_data(as_text=True)
    assert "删除失败" in page
    db.session.expire_all()
    assert db.session.get(Organisation, tree["120110001001"].id).parent_id == street.id


def test_deleting_a_household_with_members_is_refused_not_detached(app, db, tree, browser):
    make_user(app, "admin1")
    hh = household(db, tree["120110001001"])
    person = resident(db, hh)
    page = browser("admin1").submit(f"/householdview/edit/{hh.id}", {},
                                    post_url=f"/householdview/delete/{hh.id}",
                                    follow_redirects=True).get_data(as_text=True)
    assert "删除失败：该记录仍被其他记录使用" in page
    db.session.expire_all()
    assert db.session.get(Resident, person.id).household_id == hh.id

