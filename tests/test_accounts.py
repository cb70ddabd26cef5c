"""Account screens: a district manager (区级管理) sees and edits only the accounts inside the
district, grants no role or seat above its own level, and only it (and Admin) sees any security screen."""
from flask_appbuilder.security.sqla.models import Group, assoc_user_group
from sqlalchemy import select

from app.models import Account, Post
from app.roles import DEFAULT_ROLES, DISTRICT, DISTRICT_ADMIN, ENTRY, STREET
from tests.conftest import PASSWORD, make_user

JIA, DISTRICT_CODE, FAR = "120110001001", "120110000000", "120111001001"


def post_id(db, name):
    return str(db.session.scalar(select(Post.id).where(Post.name == name)))


def role_id(app, name):
    return str(app.appbuilder.sm.find_role(name).id)


def new_account_form(db, org, username="newbie", **over):
    data = {"last_name": "李", "first_name": "新", "username": username,
            "email": f"{username}@example.test", "organisation": str(org.id),
            "post": post_id(db, "居委会副主任"), "active": "y", "password": PASSWORD,
            "conf_password": PASSWORD}
    data.update(over)
    return data


def exists(db, username) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(Account.id).where(Account.username == username)) is not None


def join_admin_group(app, db, account):
    """Accounts get groups only outside the account screens (FAB's Group.users refuses Account
    objects), e.g. by SQL: such an account counts as an admin all the same."""
    group = Group(name="超级组", roles=[app.appbuilder.sm.find_role("Admin")])
    db.session.add(group)
    db.session.commit()
    db.session.execute(assoc_user_group.insert().values(user_id=account.id, group_id=group.id))
    db.session.commit()


def test_manager_sees_only_accounts_inside_the_district_it_may_manage(app, db, wide_tree,
                                                                     login_as):
    make_user(app, "manager", wide_tree[DISTRICT_CODE], DISTRICT_ADMIN)
    mine = make_user(app, "mine", wide_tree[JIA], ENTRY)
    far = make_user(app, "faraway", wide_tree[FAR], ENTRY)
    boss = make_user(app, "boss", wide_tree[JIA])  # an Admin inside the district
    grouped = make_user(app, "grouped", wide_tree[JIA], ENTRY)
    join_admin_group(app, db, grouped)
    b = login_as("manager")
    listing = b.get("/users/list/").get_data(as_text=True)
    assert "mine" in listing and "manager" in listing
    for hidden in (far, boss, grouped):
        assert hidden.username not in listing
        assert b.get(f"/users/show/{hidden.id}").status_code == 404
        assert b.get(f"/users/edit/{hidden.id}").status_code == 404
        assert b.get(f"/resetpassword/form?pk={hidden.id}").status_code == 404
    assert b.get(f"/users/show/{mine.id}").status_code == 200
    assert b.get(f"/resetpassword/form?pk={mine.id}").status_code == 200


def test_manager_is_offered_and_granted_nothing_above_its_level(app, db, wide_tree, login_as):
    make_user(app, "manager", wide_tree[DISTRICT_CODE], DISTRICT_ADMIN)
    b = login_as("manager")
    form = b.get("/users/add").get_data(as_text=True)
    assert "系统管理员" not in form and "外社区" not in form and "西青区" not in form
    assert ">Admin<" not in form and 'name="groups"' not in form
    attempts = [  # (form, the error shown); options not offered are refused by the field
        (new_account_form(db, wide_tree[JIA], "a1", roles=role_id(app, "Admin")),
         "所选角色超出您的授权范围"),
        (new_account_form(db, wide_tree[FAR], "a3"), "请选择所属单位和职务"),
        (new_account_form(db, wide_tree["120000000000"], "a4", post=post_id(db, "系统管理员")),
         "请选择所属单位和职务"),
    ]
    for data, error in attempts:
        response = b.submit("/users/add", data)
        assert response.status_code == 200, error  # the form again, with its error
        assert error in response.get_data(as_text=True)
        assert not exists(db, data["username"]), error


def test_manager_creates_an_account_with_the_posts_default_role(app, db, tree, login_as):
    make_user(app, "manager", tree[DISTRICT_CODE], DISTRICT_ADMIN)
    response = login_as("manager").submit("/users/add", new_account_form(db, tree[JIA]))
    assert response.status_code == 302
    account = db.session.scalar(select(Account).where(Account.username == "newbie"))
    assert [r.name for r in account.roles] == [ENTRY]


def test_manager_cannot_raise_its_own_account(app, db, tree, login_as):
    manager = make_user(app, "manager", tree[DISTRICT_CODE], DISTRICT_ADMIN)
    data = new_account_form(db, tree[DISTRICT_CODE], "manager", post=post_id(db, "政建科长"),
                            roles=[role_id(app, DISTRICT_ADMIN), role_id(app, "Admin")])
    data.pop("password"), data.pop("conf_password")
    login_as("manager").submit(f"/users/edit/{manager.id}", data)
    db.session.expire_all()
    assert [r.name for r in db.session.get(Account, manager.id).roles] == [DISTRICT_ADMIN]


def test_only_the_district_manager_and_admin_see_security_screens(app, db, tree, login_as):
    users = {ENTRY: tree[JIA], STREET: tree["120110001000"], DISTRICT: tree[DISTRICT_CODE],
             DISTRICT_ADMIN: tree[DISTRICT_CODE]}
    for role, org in users.items():
        make_user(app, f"u{DEFAULT_ROLES.index(role)}", org, role)
    for role in users:
        b = login_as(f"u{DEFAULT_ROLES.index(role)}")
        page = b.get("/residentview/list/").get_data(as_text=True)
        assert ("/users/list/" in page) == (role == DISTRICT_ADMIN), role
        for screen in ("/roles/list/", "/groups/list/", "/permissions/list/", "/viewmenus/list/",
                       "/permissionviews/list/", "/users/userstats/"):
            assert screen not in page, (role, screen)
            assert b.get(screen).status_code in (403, 404), (role, screen)
        assert b.get("/users/userinfo/").status_code == 200, role
