"""A community account sees and writes only its own community (the full matrix is in test_scope)."""
from app.models import Household, Resident
from app.roles import ENTRY
from tests.conftest import make_user
from tests.factories import household, resident


def test_community_account_reads_only_its_community(app, db, tree, browser):
    own, other = tree["120110001001"], tree["120110002001"]
    make_user(app, "deputy", own, ENTRY)
    mine = resident(db, household(db, own, no="M1"), name="本社区人")
    theirs = resident(db, household(db, other, no="T1"), name="外社区人")
    b = browser("deputy")
    listing = b.get("/residentview/list/").get_data(as_text=True)
    assert "本社区人" in listing and "外社区人" not in listing
    assert b.get(f"/residentview/show/{mine.id}").status_code == 200
    assert b.get(f"/residentview/show/{theirs.id}").status_code == 404
    assert b.get(f"/residentview/edit/{theirs.id}").status_code == 404
    picker = b.get("/householdview/picker/?q=").get_json()
    assert [r["id"] for r in picker["results"]] == [mine.household_id]


def test_community_account_cannot_write_into_another_community(app, db, tree, browser):
    own, other = tree["120110001001"], tree["120110002001"]
    make_user(app, "deputy", own, ENTRY)
    foreign = household(db, other, no="T1")
    b = browser("deputy")
    form = {"name": "越权", "id_card_no": "120110198001010019", "household": str(foreign.id),
            "relation": "02", "ethnic": "01", "status": "active"}
    html = b.submit("/residentview/add", form).get_data(as_text=True)
    assert "所选户不存在或不在您的管辖范围内" in html
    form = {"household_no": "X1", "household_type": "1", "community": str(other.id),
            "status": "active"}
    b.submit("/householdview/add", form)
    assert db.session.query(Resident).count() == 0
    assert db.session.query(Household).filter_by(household_no="X1").count() == 0


def test_community_account_menu_has_no_security_screens(app, db, tree, browser):
    make_user(app, "deputy", tree["120110001001"], ENTRY)
    page = browser("deputy").get("/residentview/list/").get_data(as_text=True)
    assert "居民信息" in page
    assert "/users/list/" not in page and "/roles/list/" not in page
