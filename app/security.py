"""Security manager: FAB's, with the extended account (organisation and post).

Account management (scoped user screens, scoped password reset) lives in app/views/accounts.py.
"""
from flask_appbuilder.security.sqla.manager import SecurityManager

from .models import Account
from .views.accounts import AccountView, ScopedResetPasswordView
from .views.interface import AppInterface


class CommunitySecurityManager(SecurityManager):
    user_model = Account
    userdbmodelview = AccountView
    resetpasswordview = ScopedResetPasswordView

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        # Account lists load organisation and post in the same query, and a rule refused at save
        # time (a seat filled meanwhile, app/seats.py) rolls back and shows its message.
        self.userdbmodelview.datamodel = AppInterface(self.user_model,
                                                      eager=("organisation", "post"))
