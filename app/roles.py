"""Default roles and what each may do, declared next to the views.

Every view (and API) declares ``grants``: {permission: roles}. ``sync_roles`` turns those
declarations into FAB permissions, plus menu access for the menus a role can open. Admins may still
edit roles in FAB's security screens; a sync only adds, it never removes what an admin granted.
"""
ENTRY = "社区录入"          # community director and deputies: keep their community's records
STREET = "街道查看"         # street staff: read their street, rollups, export
DISTRICT = "区级查看"       # district leaders: read the district, rollups, export
DISTRICT_ADMIN = "区级管理"  # 政建科: also manage accounts and seats inside the district

DEFAULT_ROLES = (ENTRY, STREET, DISTRICT, DISTRICT_ADMIN)
# Height of each default role: an account manager grants only roles no higher than its own
# (Admin, above them all, grants any role; roles an admin invents are granted by admins only).
ROLE_RANK = {ENTRY: 1, STREET: 2, DISTRICT: 3, DISTRICT_ADMIN: 4}
VIEWERS = (STREET, DISTRICT, DISTRICT_ADMIN)
STAFF = (ENTRY, *VIEWERS)

# Full ID numbers and phones: those who enter them; view-only roles see them masked.
SENSITIVE_GRANTS = {("can_see", "SensitiveData"): (ENTRY,)}
# The account menu of every default role: own profile, own details, own password.
SELF_SERVICE_GRANTS = {
    (permission, view): DEFAULT_ROLES for permission, view in (
        ("can_userinfo", "AccountView"), ("userinfoedit", "AccountView"),
        ("resetmypassword", "AccountView"),
        ("can_this_form_get", "UserInfoEditView"), ("can_this_form_post", "UserInfoEditView"),
        ("can_this_form_get", "ResetMyPasswordView"),
        ("can_this_form_post", "ResetMyPasswordView"))
}


def _menu_names(menu_items) -> dict:
    """{menu name: [views]} for leaf items and their categories."""
    names: dict = {}
    for item in menu_items:
        views = [c.baseview for c in item.childs if c.baseview] or (
            [item.baseview] if item.baseview else [])
        for child in item.childs:
            if child.baseview:
                names.setdefault(child.name, []).append(child.baseview)
        names.setdefault(item.name, []).extend(views)
    return names


def _grant(sm, role_name: str, permission: str, view_menu: str) -> None:
    role = sm.add_role(role_name)
    sm.add_permission_role(role, sm.add_permission_view_menu(permission, view_menu))


def declared_grants(appbuilder) -> list[tuple[str, str, str]]:
    """(role, permission, view menu) for every declaration on the registered views and APIs."""
    grants = [(role, perm, vm) for (perm, vm), roles in {**SENSITIVE_GRANTS,
                                                         **SELF_SERVICE_GRANTS}.items()
              for role in roles]
    for view in appbuilder.baseviews:
        for permission, roles in (getattr(view, "grants", None) or {}).items():
            grants += [(role, f"can_{permission}", view.class_permission_name) for role in roles]
    return grants


def sync_roles(appbuilder) -> None:
    sm = appbuilder.sm
    grants = declared_grants(appbuilder)
    admin = sm.auth_role_admin
    for role, permission, view_menu in grants:
        _grant(sm, role, permission, view_menu)
        # FAB gives Admin every permission that existed when it synced; these are made after.
        _grant(sm, admin, permission, view_menu)
    readable = {(role, vm) for role, perm, vm in grants if perm in ("can_read", "can_list")}
    for menu_name, views in _menu_names(appbuilder.menu.menu).items():
        for role in DEFAULT_ROLES:
            if any((role, v.class_permission_name) in readable for v in views):
                _grant(sm, role, "menu_access", menu_name)
