"""Change history: every kind of write leaves one record per row, with who, where and old → new;
the history is scoped and masks sensitive values for roles that may not see them."""
import datetime
import re

from flask import g
from sqlalchemy import insert, select

from app import audit
from app.audit import CLI_ADDRESS
from app.models import ChangeRecord, CodeItem, Household, Organisation
from app.roles import ENTRY, STREET
from tests.conftest import TREE, make_user
from tests.factories import household, resident


def records(db, model=None, action=None):
    query = select(ChangeRecord).order_by(ChangeRecord.id)
    if model:
        query = query.where(ChangeRecord.model == model)
    if action:
        query = query.where(ChangeRecord.action == action)
    return db.session.scalars(query).all()


def changes(record) -> dict:
    return {name: (old, new) for name, old, new in record.changes}


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden {name} in page"
    return match.group(1)


HOUSEHOLD_FORM = {"household_no": "A-1", "household_type": "1", "estate": "幸福里",
                  "status": "active"}


def test_form_add_edit_delete_are_recorded_with_who_where_and_old_new(app, db, tree, browser):
    admin = make_user(app, "admin1")
    community = tree["120110001001"]
    b = browser("admin1")
    b.submit("/householdview/add", {**HOUSEHOLD_FORM, "community": str(community.id)})
    hh_id = db.session.scalars(select(Household.id)).one()
    edit_url = f"/householdview/edit/{hh_id}"
    version = hidden_value(b.get(edit_url).get_data(as_text=True), "version")
    b.submit(edit_url, {**HOUSEHOLD_FORM, "community": str(community.id), "household_type": "2",
                        "estate": "和平里", "phone": "13912345678", "version": version})
    response = b.submit(edit_url, {}, post_url=f"/householdview/delete/{hh_id}")
    assert response.status_code == 302
    assert db.session.scalars(select(Household)).all() == []

    created, updated, deleted = records(db, "Household")
    assert [r.action for r in (created, updated, deleted)] == ["create", "update", "delete"]
    for record in (created, updated, deleted):
        assert (record.user_id, record.username) == (admin.id, "admin1")
        assert record.address == "127.0.0.1"
        assert (record.object_id, record.organisation_id) == (hh_id, community.id)
        assert record.object_label == "A-1"
    assert changes(created)["estate"] == (None, "幸福里")
    assert changes(created)["community_id"] == (None, community.id)
    assert changes(updated) == {"household_type": ("1", "2"), "estate": ("幸福里", "和平里"),
                                "phone": (None, "13912345678")}
    assert updated.object_version == 2
    assert changes(deleted)["estate"] == ("和平里", None)
    assert len({created.request_id, updated.request_id, deleted.request_id}) == 3


def test_history_page_shows_labels_code_names_and_masks_for_viewers(app, db, tree, browser):
    community = tree["120110001001"]
    make_user(app, "admin1")
    make_user(app, "entry", community, ENTRY)
    make_user(app, "street", tree["120110001000"], STREET)
    hh = household(db, community, no="B-1", phone="13912345678")
    hh.household_type = "2"
    db.session.commit()

    entry = browser("entry").get("/historyview/list/").get_data(as_text=True)
    assert "户别：家庭户 → 集体户" in entry
    assert "联系电话：13912345678" in entry
    street = browser("street").get("/historyview/list/").get_data(as_text=True)
    assert "户别：家庭户 → 集体户" in street
    assert "13912345678" not in street and "139****5678" in street


def test_resident_special_groups_and_relation_are_recorded_by_name(app, db, tree, browser):
    hh = household(db, tree["120110001001"])
    person = resident(db, hh, name="张三")
    groups = db.session.scalars(select(CodeItem).where(CodeItem.table == "special_group")
                                .order_by(CodeItem.sort_order).limit(2)).all()
    person.special_groups = groups
    person.relation = "10"
    db.session.commit()
    update = records(db, "Resident", "update")[-1]
    assert changes(update)["special_groups"] == (None, sorted(g.name for g in groups))
    assert changes(update)["relation"] == ("02", "10")
    assert update.address == CLI_ADDRESS and update.username.startswith(CLI_ADDRESS)


def test_account_role_and_password_changes_are_recorded_without_the_hash(app, db, tree, browser):
    make_user(app, "admin1")
    target = make_user(app, "clerk", tree["120110001001"], ENTRY)
    street_role = app.appbuilder.sm.find_role(STREET)
    b = browser("admin1")
    form = {"first_name": "clerk", "last_name": "测试", "username": "clerk", "active": "y",
            "email": "clerk@example.test", "roles": [str(street_role.id)],
            "organisation": str(tree["120110001001"].id), "post": ""}
    response = b.submit(f"/users/edit/{target.id}", form)
    assert response.status_code == 302
    update = records(db, "Account", "update")[-1]
    assert changes(update) == {"roles": ([ENTRY], [STREET])}
    assert update.username == "admin1" and update.organisation_id == tree["120110001001"].id

    b.submit(f"/resetpassword/form?pk={target.id}",
             {"password": "Other-Passw0rd!", "conf_password": "Other-Passw0rd!"})
    password_change = records(db, "Account", "update")[-1]
    assert changes(password_change) == {"password": ("（已修改）", "（已修改）")}
    assert "pbkdf2" not in str(password_change.changes) and "scrypt" not in str(
        password_change.changes)


def test_logins_leave_no_history(app, db, tree, browser):
    make_user(app, "admin1")
    before = len(records(db))
    browser("admin1")
    assert len(records(db)) == before


def test_code_table_edit_is_recorded(app, db, browser):
    make_user(app, "admin1")
    item = db.session.scalars(select(CodeItem).where(CodeItem.table == "household_type",
                                                     CodeItem.code == "2")).one()
    old_name = item.name
    try:
        browser("admin1").submit(f"/codeitemview/edit/{item.id}",
                                 {"name": "集体户（改）", "sort_order": str(item.sort_order),
                                  "active": "y"})
        update = records(db, "CodeItem", "update")[-1]
        assert changes(update) == {"name": (old_name, "集体户（改）")}
        assert update.organisation_id is None
    finally:
        item = db.session.get(CodeItem, item.id)
        item.name = old_name
        db.session.commit()


def test_command_line_change_is_recorded_as_cli(app, db, tree, tmp_path):
    path = tmp_path / "orgs.csv"
    rows = [("code", "name")] + [(code, "甲社区（更名）" if code == "120110001001" else name)
                                 for code, name in TREE]
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["orgs", "import", str(path)])
    assert result.exit_code == 0, result.output
    update = records(db, "Organisation", "update")[-1]
    org = tree["120110001001"]
    assert changes(update) == {"name": ("甲社区", "甲社区（更名）")}
    assert (update.object_id, update.organisation_id, update.address) == (org.id, org.id, CLI_ADDRESS)
    assert len(records(db, "Organisation", "create")) == len(TREE)


def test_bulk_import_rows_are_recorded_through_record_bulk(app, db, tree, browser):
    """What a Core bulk import does: insert the rows, then record them in the same transaction."""
    community = tree["120110001002"]
    rows = [{"id": 900 + n, "household_no": f"IMP-{n}", "community_id": community.id,
             "household_type": "1", "status": "active", "version": 1,
             "created_on": datetime.datetime.now(), "changed_on": datetime.datetime.now()}
            for n in range(3)]
    db.session.execute(insert(Household), rows)
    assert audit.record_bulk(db.session, Household, "create", rows) == 3
    before, after = dict(rows[0]), {**rows[0], "household_type": "2"}
    assert audit.record_bulk(db.session, Household, "update", [(before, after)]) == 1
    db.session.commit()
    created = records(db, "Household", "create")
    assert [r.object_id for r in created] == [900, 901, 902]
    assert {r.organisation_id for r in created} == {community.id}
    assert changes(created[0])["household_no"] == (None, "IMP-0")
    assert changes(records(db, "Household", "update")[-1]) == {"household_type": ("1", "2")}
    make_user(app, "admin1")
    page = browser("admin1").get("/householdview/show/901").get_data(as_text=True)
    assert "修改记录" in page and "户编号：IMP-1" in page


def test_an_action_is_recorded(app, db, tree, browser):
    admin = make_user(app, "admin1")
    from app.models import Feedback

    report = Feedback(title="列表打不开", description="点击后空白", reporter_id=admin.id,
                      organisation_id=tree["120110001001"].id)
    db.session.add(report)
    db.session.commit()
    b = browser("admin1")
    response = b.submit("/feedbackview/add", {"action": "close", "rowid": [str(report.id)]},
                        post_url="/feedbackview/action_post")
    assert response.status_code == 302
    update = records(db, "Feedback", "update")[-1]
    assert changes(update)["status"] == ("open", "closed")
    assert update.username == "admin1"


def test_a_background_job_records_its_submitter(app, db, tree):
    from app.jobs import submit

    admin = make_user(app, "admin1")
    hh = household(db, tree["120110001001"], no="J-1")

    def work(job, household_id):
        db.session.get(Household, household_id).estate = "后台改"
        db.session.commit()
        return None, None, "完成"

    app.config["JOBS_SYNCHRONOUS"] = True
    try:
        with app.test_request_context(environ_base={"REMOTE_ADDR": "10.1.2.3"}):
            g.user, g.request_id = admin, "feedc0de" * 4
            submit("test", "测试任务", work, household_id=hh.id)
    finally:
        app.config["JOBS_SYNCHRONOUS"] = False
    update = records(db, "Household", "update")[-1]
    assert (update.username, update.address, update.request_id) == (
        "admin1", "10.1.2.3", "feedc0de" * 4)


def test_a_failed_write_leaves_no_history(app, db, tree, browser):
    make_user(app, "admin1")
    household(db, tree["120110001001"])
    before = len(records(db))
    org = tree["120110001001"]
    b = browser("admin1")
    b.submit(f"/organisationview/edit/{org.id}", {},
             post_url=f"/organisationview/delete/{org.id}")
    db.session.expire_all()
    assert db.session.get(Organisation, org.id) is not None
    assert len(records(db)) == before


def test_history_is_scoped_and_filterable(app, db, tree, browser):
    own, other = tree["120110001001"], tree["120110002001"]
    make_user(app, "entry", own, ENTRY)
    mine = household(db, own, no="MINE-1")
    theirs = household(db, other, no="THEIRS-1")
    resident(db, mine, name="本社区人")
    b = browser("entry")
    listing = b.get("/historyview/list/").get_data(as_text=True)
    assert "MINE-1" in listing and "THEIRS-1" not in listing
    theirs_record = records(db, "Household")[-1]
    assert theirs_record.object_id == theirs.id
    assert b.get(f"/historyview/show/{theirs_record.id}").status_code == 404
    only_residents = b.get("/historyview/list/?_flt_0_model=Resident").get_data(as_text=True)
    assert "本社区人" in only_residents and "户编号：MINE-1" not in only_residents
    creates = b.get("/historyview/list/?_flt_0_action=update").get_data(as_text=True)
    assert "MINE-1" not in creates
    tab = b.get(f"/householdview/show/{mine.id}").get_data(as_text=True)
    assert "修改记录" in tab and "户编号：MINE-1" in tab


def test_history_list_refuses_writes(app, db, tree, browser):
    make_user(app, "admin1")
    household(db, tree["120110001001"])
    record = records(db)[-1]
    b = browser("admin1")
    assert b.get(f"/historyview/edit/{record.id}").status_code in (302, 403, 404)
    b.post(f"/historyview/delete/{record.id}")
    assert db.session.get(ChangeRecord, record.id) is not None


def test_history_filters_by_organisation_user_and_date(app, db, tree, browser):
    make_user(app, "admin1")
    first, second = tree["120110001001"], tree["120110002001"]
    household(db, first, no="FIRST-1")
    household(db, second, no="SECOND-1")
    b = browser("admin1")
    b.submit("/householdview/add", {**HOUSEHOLD_FORM, "household_no": "WEB-1",
                                    "community": str(second.id)})

    def listed(query):
        page = b.get(f"/historyview/list/?{query}").get_data(as_text=True)
        return {no for no in ("FIRST-1", "SECOND-1", "WEB-1") if f"户编号：{no}" in page}

    assert listed(f"_flt_0_organisation={second.id}") == {"SECOND-1", "WEB-1"}
    assert listed("_flt_3_username=admin1") == {"WEB-1"}
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert listed(f"_flt_2_at={tomorrow}") == {"FIRST-1", "SECOND-1", "WEB-1"}
    assert listed(f"_flt_1_at={tomorrow}") == set()


def test_an_account_deleting_itself_is_recorded_by_name(app, db, tree, browser):
    from app.models import Account
    from tests.conftest import csrf_token

    make_user(app, "keeper")
    me_id = make_user(app, "leaver").id
    b = browser("leaver")
    token = csrf_token(b.get(f"/users/edit/{me_id}").get_data(as_text=True))
    assert b.post(f"/users/delete/{me_id}", data={"csrf_token": token}).status_code == 302
    assert db.session.scalars(select(Account).where(Account.id == me_id)).all() == []
    deleted = records(db, "Account", "delete")[-1]
    assert (deleted.object_id, deleted.user_id, deleted.username) == (me_id, None, "leaver")


def test_history_names_no_record_outside_the_scope(app, db, tree, browser):
    """A resident moved in from another community: the old household is not named."""
    own, other = tree["120110001001"], tree["120110002001"]
    make_user(app, "entry", own, ENTRY)
    person = resident(db, household(db, other, no="ELSEWHERE-9"), name="迁入人")
    person.household = household(db, own, no="HOME-1")
    db.session.commit()
    tab = browser("entry").get(f"/residentview/show/{person.id}").get_data(as_text=True)
    assert "所属户：（管辖范围外的记录） → HOME-1" in tab
    assert "ELSEWHERE-9" not in tab and "丙社区" not in tab


def test_role_permission_edits_in_the_security_screens_are_recorded(app, db, browser):
    """FAB's role form (ab_role, ab_permission_view_role): the permissions added and removed,
    shown by their Chinese names."""
    sm = app.appbuilder.sm
    make_user(app, "admin1")
    role = sm.add_role("临时角色")
    read = sm.find_permission_view_menu("can_read", "Resident")
    sm.add_permission_role(role, read)
    try:
        write = sm.find_permission_view_menu("can_write", "Resident")
        b = browser("admin1")
        response = b.submit(f"/roles/edit/{role.id}", {"name": "临时角色",
                                                         "permissions": [str(write.id)]})
        assert response.status_code == 302
        update = records(db, "Role", "update")[-1]
        assert changes(update) == {"permissions": (["can_read|Resident"], ["can_write|Resident"])}
        assert (update.username, update.object_label) == ("admin1", "临时角色")
        page = b.get("/historyview/list/?_flt_0_model=Role").get_data(as_text=True)
        assert "权限：新增 居民：新增和修改；移除 居民：查看" in page
    finally:
        db.session.expire_all()
        db.session.delete(sm.find_role("临时角色"))
        db.session.commit()
