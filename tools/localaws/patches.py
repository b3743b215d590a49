"""Gaps in moto that protonkit.accounts depends on, fixed here (each one a candidate fix for moto upstream).

Applied once, when the server is built. Each fix is listed in README.md.
"""

from moto.iam.models import IAMBackend
from moto.iam.responses import IamResponse


def _create_login_profile_with_reset_flag(self):
    # moto ignores PasswordResetRequired on CreateLoginProfile; AWS stores it.
    result = _original_create_login_profile(self)
    user = self.backend.get_user(self._get_param("UserName"))
    user.password_reset_required = bool(self._get_param("PasswordResetRequired", False))
    result.result["LoginProfile"]["PasswordResetRequired"] = user.password_reset_required
    return result


def _update_login_profile_keeping_omitted_fields(self, user_name, password, password_reset_required):
    # moto overwrites the password and the flag with None when UpdateLoginProfile omits them; in AWS an omitted
    # field is left as it was (and an update without Password must not remove console access).
    user = self.get_user(user_name)
    return _original_update_login_profile(
        self,
        user_name,
        user.password if password is None else password,
        user.password_reset_required if password_reset_required is None else password_reset_required,
    )


_original_create_login_profile = IamResponse.create_login_profile
_original_update_login_profile = IAMBackend.update_login_profile


def apply():
    IamResponse.create_login_profile = _create_login_profile_with_reset_flag
    IAMBackend.update_login_profile = _update_login_profile_keeping_omitted_fields
