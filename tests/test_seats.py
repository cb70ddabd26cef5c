"""Seats and quotas on every path: account forms (add, move, re-activate), `flask users add`,
any other ORM write (what an API or a script does), and two connections filling the last seat at
once."""
import threading

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Account, Organisation, Post, QuotaOverride
from app.reference import load_posts
from app.roles import DISTRICT, DISTRICT_ADMIN, ENTRY, STREET
from app.seats import SeatError
from tests.conftest import PASSWORD, make_user

JIA, YI, STREET_CODE, DISTRICT_CODE = "120110001001", "120110001002", "120110001000", "120110000000"


def post(db, name) -> Post:
    return db.session.scalar(select(Post).where(Post.name == name))


def holder(db, username, org, post_name, active=True) -> Account:
    """An account in a seat, written straight through the ORM (the seat rule runs at flush)."""
    account = Account(username=username, first_name=username, last_name="", active=active,
                      email=f"{username}@example.test", password="-", organisation=org,
                      post=post(db, post_name))
    db.session.add(account)
    db.session.commit()
    return account


def holders(db, org, post_name) -> int:
    return db.session.scalar(select(func.count(Account.id)).where(
        Account.organisation_id == org.id, Account.post_id == post(db, post_name).id,
        Account.active.is_(True)))


def fill_deputies(db, org, count=4):
    return [holder(db, f"deputy{n}", org, "居委会副主任") for n in range(count)]


def account_form(db, org, post_name, username="newcomer", **over):
    data = {"last_name": "王", "first_name": "新", "username": username,
            "email": f"{username}@example.test", "organisation": str(org.id),
            "post": str(post(db, post_name).id), "active": "y", "password": PASSWORD,
            "conf_password": PASSWORD}
    data.update(over)
    return data


# -- the catalogue ---------------------------------------------------------------------------
def test_post_catalogue_is_seeded_once_and_keeps_edited_quotas(app, db):
    vice = post(db, "居委会副主任")
    assert (vice.level, vice.quota, vice.role_name) == ("community", 4, ENTRY)
    assert post(db, "系统管理员").quota is None
    quotas = dict(db.session.execute(
        select(Post.level, func.sum(Post.quota)).group_by(Post.level)).all())
    assert quotas == {"district": 8, "street": 5, "community": 5, "city": None}
    vice.quota = 6
    db.session.commit()
    try:
        assert load_posts() == "职务名额：新增 0 个职务，已有 16 个"
        assert post(db, "居委会副主任").quota == 6
    finally:
        vice.quota = 4
        db.session.commit()


# -- command line ----------------------------------------------------------------------------
def run_users_add(app, *args):
    return app.test_cli_runner().invoke(args=["users", "add", *args])


@pytest.mark.parametrize("code,post_name,role", [
    (JIA, "居委会副主任", ENTRY), (JIA, "居委会主任", ENTRY), (STREET_CODE, "社区科长", STREET),
    (DISTRICT_CODE, "区长", DISTRICT), (DISTRICT_CODE, "政建科干部", DISTRICT_ADMIN),
    ("120000000000", "系统管理员", "Admin")])
def test_cli_gives_the_posts_default_role(app, db, tree, code, post_name, role):
    result = run_users_add(app, "--username", "u1", "--org", code, "--post", post_name,
                           "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    account = db.session.scalar(select(Account).where(Account.username == "u1"))
    assert [r.name for r in account.roles] == [role]
    assert (account.organisation.code, account.post.name, account.active) == (code, post_name, True)


def test_cli_refuses_a_full_seat_naming_organisation_post_and_count(app, db, tree):
    fill_deputies(db, tree[JIA])
    result = run_users_add(app, "--username", "fifth", "--org", JIA, "--post", "居委会副主任")
    assert result.exit_code != 0
    assert "甲社区：居委会副主任名额已满（4/4）" in result.output
    assert db.session.scalar(select(Account).where(Account.username == "fifth")) is None


def test_cli_names_the_fault_of_a_bad_seat(app, db, tree):
    wrong_level = run_users_add(app, "--username", "x", "--org", JIA, "--post", "区长")
    assert "甲社区（社区级）没有职务「区长」；可选：居委会主任、居委会副主任" in wrong_level.output
    unknown = run_users_add(app, "--username", "x", "--org", "999", "--post", "区长")
    assert "找不到区划代码为 999 的单位" in unknown.output
    generated = run_users_add(app, "--username", "x", "--org", JIA, "--post", "居委会主任")
    assert generated.exit_code == 0 and "初始密码：" in generated.output


def test_generated_initial_passwords_satisfy_the_policy(app, db, tree):
    """Each generated password is checked against the policy (a bare random token lacked a
    digit or a symbol often enough to make `flask users add` refuse its own password)."""
    from app.accounts import create_account
    from app.auth.passwords import password_faults

    for i in range(40):
        _account, password = create_account(f"gen{i}", "120000000000", "系统管理员")
        assert password_faults(password, f"gen{i}") == []


# -- any ORM write (API, scripts) ------------------------------------------------------------
def test_orm_write_into_a_full_seat_is_refused_at_flush(app, db, tree):
    fill_deputies(db, tree[JIA])
    with pytest.raises(SeatError, match="甲社区：居委会副主任名额已满（4/4）"):
        holder(db, "fifth", tree[JIA], "居委会副主任")
    db.session.rollback()
    assert holders(db, tree[JIA], "居委会副主任") == 4


def test_one_flush_cannot_overfill_a_seat(app, db, tree):
    fill_deputies(db, tree[JIA], 3)
    vice = post(db, "居委会副主任")
    for name in ("a", "b"):
        db.session.add(Account(username=name, first_name=name, last_name="", active=True,
                               email=f"{name}@x.test", organisation=tree[JIA], post=vice))
    with pytest.raises(SeatError, match="（4/4）"):
        db.session.commit()
    db.session.rollback()
    assert holders(db, tree[JIA], "居委会副主任") == 3


def test_setting_keys_directly_and_reactivating_are_checked(app, db, tree):
    fill_deputies(db, tree[JIA])
    spare = holder(db, "spare", tree[YI], "居委会副主任")
    spare.organisation_id = tree[JIA].id  # moved by key, the loaded relation left stale
    with pytest.raises(SeatError, match="甲社区：居委会副主任名额已满"):
        db.session.commit()
    db.session.rollback()
    idle = holder(db, "idle", tree[JIA], "居委会副主任", active=False)  # inactive: holds no seat
    idle.active = True
    with pytest.raises(SeatError, match="（4/4）"):
        db.session.commit()
    db.session.rollback()


def test_unrelated_changes_to_a_seat_holder_are_not_checked(app, db, tree):
    """Lowering a quota keeps the holders; they can still log in and be edited."""
    deputies = fill_deputies(db, tree[JIA])
    db.session.add(QuotaOverride(organisation=tree[JIA], post=post(db, "居委会副主任"), quota=2))
    deputies[0].login_count = 5
    db.session.commit()


def test_post_of_another_level_is_refused(app, db, tree):
    message = "东丽区：职务「居委会主任」属于社区级单位，不能设在区级单位"
    with pytest.raises(SeatError, match=message):
        holder(db, "odd", tree[DISTRICT_CODE], "居委会主任")
    db.session.rollback()


def test_quota_override_changes_the_seat_count(app, db, tree):
    fill_deputies(db, tree[JIA])
    db.session.add(QuotaOverride(organisation=tree[JIA], post=post(db, "居委会副主任"), quota=5))
    db.session.commit()
    holder(db, "fifth", tree[JIA], "居委会副主任")
    with pytest.raises(SeatError, match="（5/5）"):
        holder(db, "sixth", tree[JIA], "居委会副主任")
    db.session.rollback()


# -- two connections, one last seat ----------------------------------------------------------
def test_two_admins_filling_the_last_seat_at_once_exactly_one_succeeds(app, db, tree):
    """The first placement holds the organisation's seat lock until it commits; the second, on
    its own connection, must wait for it and then be refused (without the lock it would count
    0/1 and succeed on PostgreSQL, or fail with 'database is locked' on SQLite)."""
    org_id, post_id, engine = tree[JIA].id, post(db, "居委会主任").id, db.engine
    db.session.commit()

    def director(name):
        return Account(username=name, first_name=name, last_name="", active=True,
                       email=f"{name}@x.test", organisation_id=org_id, post_id=post_id)

    outcome = {}

    def second_admin():
        with Session(engine) as session:
            session.add(director("second"))
            try:
                session.commit()
                outcome["second"] = "saved"
            except SeatError as exc:
                outcome["second"] = str(exc)

    first = Session(engine)
    try:
        first.add(director("first"))
        first.flush()  # seat checked and taken, not yet committed
        thread = threading.Thread(target=second_admin)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second placement did not wait for the first"
        first.commit()
    finally:
        first.close()
    thread.join(10)
    assert outcome == {"second": "甲社区：居委会主任名额已满（1/1）"}
    assert holders(db, tree[JIA], "居委会主任") == 1


# -- the account screens ---------------------------------------------------------------------
def test_form_add_into_a_full_seat_keeps_the_input_and_names_the_seat(app, db, tree, login_as):
    make_user(app, "root")
    fill_deputies(db, tree[JIA])
    page = login_as("root").submit("/users/add", account_form(db, tree[JIA], "居委会副主任"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "甲社区：居委会副主任名额已满（4/4）" in html and 'value="newcomer"' in html
    assert db.session.scalar(select(Account).where(Account.username == "newcomer")) is None


def test_form_add_with_a_vacancy_gives_the_posts_default_role(app, db, tree, login_as):
    make_user(app, "root")
    response = login_as("root").submit("/users/add", account_form(db, tree[JIA], "居委会主任"))
    assert response.status_code == 302
    account = db.session.scalar(select(Account).where(Account.username == "newcomer"))
    assert ([r.name for r in account.roles], account.organisation.code) == ([ENTRY], JIA)
    assert login_as("newcomer").get("/residentview/list/").status_code == 200


def test_form_move_and_reactivate_into_a_full_seat_are_refused(app, db, tree, login_as):
    make_user(app, "root")
    fill_deputies(db, tree[JIA])
    mover = holder(db, "mover", tree[YI], "居委会副主任")
    idle = holder(db, "idle", tree[JIA], "居委会副主任", active=False)
    b = login_as("root")
    for account, org in ((mover, tree[JIA]), (idle, tree[JIA])):
        form = account_form(db, org, "居委会副主任", username=account.username,
                            roles=str(app.appbuilder.sm.find_role(ENTRY).id))
        html = b.submit(f"/users/edit/{account.id}", form).get_data(as_text=True)
        assert "甲社区：居委会副主任名额已满（4/4）" in html
    db.session.expire_all()
    assert (mover.organisation.code, idle.active) == (YI, False)
    assert holders(db, tree[JIA], "居委会副主任") == 4


def test_a_holder_over_a_lowered_quota_can_still_be_edited(app, db, tree, login_as):
    make_user(app, "root")
    deputies = fill_deputies(db, tree[JIA])
    db.session.add(QuotaOverride(organisation=tree[JIA], post=post(db, "居委会副主任"), quota=2))
    db.session.commit()
    form = account_form(db, tree[JIA], "居委会副主任", username="deputy0", email="new@x.test",
                        roles=str(app.appbuilder.sm.find_role(ENTRY).id))
    assert login_as("root").submit(f"/users/edit/{deputies[0].id}", form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Account, deputies[0].id).email == "new@x.test"


def test_deactivating_frees_the_seat(app, db, tree, login_as):
    make_user(app, "root")
    deputies = fill_deputies(db, tree[JIA])
    deputies[0].active = False
    db.session.commit()
    response = login_as("root").submit("/users/add", account_form(db, tree[JIA], "居委会副主任"))
    assert response.status_code == 302
    assert holders(db, tree[JIA], "居委会副主任") == 4


# -- 席位总览 ---------------------------------------------------------------------------------
def test_seat_overview_is_scoped_filterable_by_street_and_exported(app, db, wide_tree, login_as):
    make_user(app, "street", wide_tree[STREET_CODE], STREET)
    make_user(app, "manager", wide_tree[DISTRICT_CODE], DISTRICT_ADMIN)
    holder(db, "dep1", wide_tree[JIA], "居委会副主任")
    holder(db, "far", wide_tree["120111001001"], "居委会副主任")
    street_page = login_as("street").get("/seats/").get_data(as_text=True)
    assert "甲社区" in street_page and "dep1" in street_page
    for other in ("丙社区", "外社区", "东丽区"):
        assert other not in street_page
    manager = login_as("manager")
    other_street = wide_tree["120110002000"]
    filtered = manager.get(f"/seats/?street={other_street.id}").get_data(as_text=True)
    assert "丙社区" in filtered and "甲社区" not in filtered
    assert manager.get(f"/seats/?street={wide_tree['120111001000'].id}").status_code == 404
    export = manager.get(f"/seats/export?street={wide_tree[STREET_CODE].id}")
    assert export.status_code == 200
    sheet = load_workbook(__import__("io").BytesIO(export.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["单位", "区划代码", "层级", "职务", "名额", "在岗", "空缺", "在岗人员"]
    assert ["甲社区", JIA, "社区", "居委会副主任", 4, 1, 3, "dep1"] in rows
    assert {r[0] for r in rows[1:]} == {"张贵庄街道", "甲社区", "乙社区"}
    assert len(rows) == 1 + 5 + 2 * 2


def test_quota_override_screen_is_scoped_and_checks_the_post_level(app, db, wide_tree, login_as):
    make_user(app, "manager", wide_tree[DISTRICT_CODE], DISTRICT_ADMIN)
    b = login_as("manager")
    vice = post(db, "居委会副主任")
    form = {"organisation": str(wide_tree["120111001001"].id), "post": str(vice.id), "quota": "6"}
    b.submit("/quotaoverrideview/add", form)
    form = {"organisation": str(wide_tree[DISTRICT_CODE].id), "post": str(vice.id), "quota": "6"}
    html = b.submit("/quotaoverrideview/add", form).get_data(as_text=True)
    assert "东丽区：职务「居委会副主任」属于社区级单位，不能设在区级单位" in html
    form = {"organisation": str(wide_tree[JIA].id), "post": str(vice.id), "quota": "-1"}
    assert "名额不能为负数" in b.submit("/quotaoverrideview/add", form).get_data(as_text=True)
    assert db.session.scalar(select(func.count(QuotaOverride.id))) == 0
    form["quota"] = "6"
    assert b.submit("/quotaoverrideview/add", form).status_code == 302
    assert db.session.scalar(select(QuotaOverride.quota)) == 6


def test_quota_per_level_is_edited_by_admins_only(app, db, tree, login_as):
    make_user(app, "root")
    make_user(app, "manager", tree[DISTRICT_CODE], DISTRICT_ADMIN)
    vice = post(db, "居委会副主任")
    form = {"quota": "5", "role_name": ENTRY, "sort_order": "2"}
    assert login_as("manager").get(f"/postview/edit/{vice.id}").status_code == 403
    try:
        assert login_as("root").submit(f"/postview/edit/{vice.id}", form).status_code == 302
        db.session.expire_all()
        assert post(db, "居委会副主任").quota == 5
    finally:
        db.session.expire_all()
        post(db, "居委会副主任").quota = 4
        db.session.commit()
    assert db.session.get(Organisation, tree[JIA].id) is not None
