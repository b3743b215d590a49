"""Gaps in moto that protonkit.accounts depends on, fixed here (each one a candidate fix for moto upstream).

Applied once, when the server is built (``apply()`` is idempotent). Each fix is listed in README.md.
"""

import json
import secrets
from datetime import datetime
from functools import lru_cache

from botocore.session import get_session
from moto import settings as moto_settings
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult
from moto.core.responses import EmptyResult
from moto.core.utils import utcnow
from moto.iam import models as iam_models
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.exceptions import DeleteConflictException
from moto.iam.exceptions import NotFoundException
from moto.iam.models import AWSManagedPolicy, IAMBackend
from moto.iam.responses import IamResponse
from moto.organizations.exceptions import InvalidInputException
from moto.organizations.responses import OrganizationsResponse
from moto.utilities.utils import PARTITION_NAMES

_ORGANIZATIONS_MODEL = get_session().get_service_model("organizations")


def _create_login_profile_with_reset_flag(self):
    # moto ignores PasswordResetRequired on CreateLoginProfile; AWS stores it (and GetLoginProfile reports it).
    result = _original_create_login_profile(self)
    user = self.backend.get_user(self._get_param("UserName"))
    user.password_reset_required = self._get_bool_param("PasswordResetRequired", False)
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


def _organizations_call_action_checking_max_results(self):
    # moto accepts any MaxResults; Organizations allows 1-20 on its List operations and answers
    # InvalidInputException otherwise, so a caller asking for 100 per page must fail here as it fails in AWS.
    max_results = self._get_param("MaxResults")
    if max_results is not None:
        operation = _ORGANIZATIONS_MODEL.operation_model(self._get_action())
        shape = operation.input_shape.members.get("MaxResults") if operation.input_shape else None
        low, high = (shape.metadata.get("min"), shape.metadata.get("max")) if shape else (None, None)
        problem = None
        if high is not None and int(max_results) > high:
            problem = ("MAX_VALUE_EXCEEDED", "You provided a value that exceeds the maximum allowed value.")
        elif low is not None and int(max_results) < low:
            problem = ("MIN_VALUE_EXCEEDED", "You provided a value that is less than the minimum allowed value.")
        if problem:
            error = InvalidInputException(problem[1])
            error.reason = problem[0]  # the model's Reason member
            status, headers, body = self.serialized(ActionResult(error))
            headers["status"] = status
            return status, headers, body
    return _original_organizations_call_action(self)


# --- what IAM requires gone before DeleteUser ---------------------------------------------------------------------
# moto deletes a user that still has a console password, access keys, certificates, SSH keys, MFA devices or group
# memberships (it checks only policies), and has no service-specific credentials at all. AWS refuses DeleteUser with
# DeleteConflict until each is gone, so a teardown that forgets one works here and fails in AWS: modelled here.
def _service_specific_credentials(backend):
    # Kept on the IAM backend (per account and partition), so moto's reset empties it with everything else.
    if not hasattr(backend, "protonkit_service_specific_credentials"):
        backend.protonkit_service_specific_credentials = {}
    return backend.protonkit_service_specific_credentials


def _create_service_specific_credential(self):
    user = self.backend.get_user(self._get_param("UserName"))  # NoSuchEntity as in AWS
    service = self._get_param("ServiceName")
    credentials = _service_specific_credentials(self.backend).setdefault(user.name, [])
    credential_id = "ACCA" + secrets.token_hex(8).upper()
    credential = {"CreateDate": utcnow(), "ServiceName": service,
                  "ServiceUserName": f"{user.name}-at-{self.backend.account_id}",
                  "ServicePassword": secrets.token_urlsafe(30),
                  "ServiceSpecificCredentialId": credential_id, "UserName": user.name, "Status": "Active"}
    credentials.append(credential)
    return ActionResult({"ServiceSpecificCredential": credential})


def _list_service_specific_credentials(self):
    user = self.backend.get_user(self._get_param("UserName"))
    service = self._get_param("ServiceName")
    listed = [{key: value for key, value in credential.items() if key != "ServicePassword"}
              for credential in _service_specific_credentials(self.backend).get(user.name, [])
              if service is None or credential["ServiceName"] == service]
    return ActionResult({"ServiceSpecificCredentials": listed})


def _delete_service_specific_credential(self):
    user = self.backend.get_user(self._get_param("UserName"))
    credential_id = self._get_param("ServiceSpecificCredentialId")
    credentials = _service_specific_credentials(self.backend).get(user.name, [])
    kept = [credential for credential in credentials if credential["ServiceSpecificCredentialId"] != credential_id]
    if len(kept) == len(credentials):
        raise NotFoundException(f"No such credential {credential_id} exists for user {user.name}.")
    _service_specific_credentials(self.backend)[user.name] = kept
    return EmptyResult()


def _delete_user_refusing_what_iam_refuses(self, user_name):
    user = self.get_user(user_name)
    leftovers = [
        (user.password is not None, "login profile"),
        (user.access_keys, "access keys"),
        (user.signing_certificates, "signing certificates"),
        (user.ssh_public_keys, "SSH public keys"),
        (_service_specific_credentials(self).get(user.name), "service specific credentials"),
        (user.mfa_devices, "MFA devices"),
    ]
    for present, what in leftovers:
        if present:
            raise DeleteConflictException(f"Cannot delete entity, must delete {what} first.")
    if any(user in group.users for group in self.groups.values()):
        raise DeleteConflictException("Cannot delete entity, must remove user from all groups first.")
    _original_delete_user(self, user_name)
    _service_specific_credentials(self).pop(user.name, None)


def _delete_virtual_mfa_device_only_when_unassigned(self, serial_number):
    # AWS refuses to delete a virtual MFA device that is still assigned to a user (deactivate it first); moto
    # deletes it and leaves the user holding it.
    device = self.virtual_mfa_devices.get(serial_number)
    if device is not None and device.user is not None:
        raise DeleteConflictException("MFA Device is still in use.")
    _original_delete_virtual_mfa_device(self, serial_number)


# The order in which GetAccountAuthorizationDetails pages through an account: one sequence across the lists.
_DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
_DEFAULT_DETAIL_PAGE = 100  # AWS's default MaxItems


def _get_account_authorization_details_in_pages(self):
    # moto returns everything at once with IsTruncated false; AWS returns at most MaxItems (default 100) items
    # across the lists, with IsTruncated and a Marker to continue from. A caller that never pages, or that relies
    # on "one call answers for a small account", must be testable against the truncated answer.
    response = _original_get_account_authorization_details(self)
    result = response.result
    items = [(key, item) for key in _DETAIL_LISTS for item in result[key]]
    start = int(self._get_param("Marker") or 0)
    end = start + int(self._get_param("MaxItems") or _DEFAULT_DETAIL_PAGE)
    for key in _DETAIL_LISTS:
        result[key] = [item for item_key, item in items[start:end] if item_key == key]
    result["IsTruncated"] = end < len(items)
    if result["IsTruncated"]:
        result["Marker"] = str(end)
    return response


def get_account_id_from(access_key):
    """The account an access key belongs to (moto's default account when none): moto's rule, made cheap.

    moto looks the key up in every partition's IAM backend of every account, and looking one up creates it:
    the first request of each new account built IAM 8 times over, each time with its ~1,600 AWS managed policies
    (about a second per new account, and the memory to match). A key can only be in a backend that exists.
    """
    for account_id, account in list(iam_models.iam_backends.items()):
        for partition in PARTITION_NAMES:
            backend = dict.get(account, partition)
            if backend is not None and access_key in backend.access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


@lru_cache(maxsize=None)
def _aws_managed_policy_fields():
    """moto's AWS managed policies, parsed once (moto parses its 4.7 MB JSON again for every account)."""
    return [
        (name, data.get("DefaultVersionId"), data.get("Path"), json.dumps(data.get("Document")),
         datetime.fromisoformat(data["CreateDate"]), datetime.fromisoformat(data["UpdateDate"]))
        for name, data in json.loads(aws_managed_policies_data).items()
    ]


def _init_aws_policies_from_parsed_data(self):
    # Same policies as moto builds (each account gets its own objects: attachment counts are per account).
    if not moto_settings.load_iam_aws_managed_policies():
        return []
    return [
        AWSManagedPolicy(name, account_id=self.account_id, region=self.region_name, default_version_id=version,
                         path=path, document=document, create_date=created, update_date=updated)
        for name, version, path, document, created, updated in _aws_managed_policy_fields()
    ]


_original_create_login_profile = IamResponse.create_login_profile
_original_get_account_authorization_details = IamResponse.get_account_authorization_details
_original_update_login_profile = IAMBackend.update_login_profile
_original_organizations_call_action = OrganizationsResponse.call_action
_original_delete_user = IAMBackend.delete_user
_original_delete_virtual_mfa_device = IAMBackend.delete_virtual_mfa_device


def apply():
    iam_models.get_account_id_from = get_account_id_from
    IAMBackend._init_aws_policies = _init_aws_policies_from_parsed_data
    IamResponse.create_login_profile = _create_login_profile_with_reset_flag
    IamResponse.get_account_authorization_details = _get_account_authorization_details_in_pages
    IAMBackend.update_login_profile = _update_login_profile_keeping_omitted_fields
    OrganizationsResponse.call_action = _organizations_call_action_checking_max_results
    IAMBackend.delete_user = _delete_user_refusing_what_iam_refuses
    IAMBackend.delete_virtual_mfa_device = _delete_virtual_mfa_device_only_when_unassigned
    IamResponse.create_service_specific_credential = _create_service_specific_credential
    IamResponse.list_service_specific_credentials = _list_service_specific_credentials
    IamResponse.delete_service_specific_credential = _delete_service_specific_credential
