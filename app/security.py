"""Security manager: FAB's, with the extended account (organisation and post)."""
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView

from .models import Account


class AccountView(UserDBModelView):
    list_columns = ["username", "first_name", "organisation", "post", "active", "roles"]
    add_columns = UserDBModelView.add_columns + ["organisation", "post"]
    edit_columns = UserDBModelView.edit_columns + ["organisation", "post"]
    label_columns = {**UserDBModelView.label_columns, "organisation": "所属单位", "post": "职务"}


class CommunitySecurityManager(SecurityManager):
    user_model = Account
    userdbmodelview = AccountView
