"""Handles incoming AWS Proton requests, invokes the backend, returns responses serialized from botocore's model."""

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError
from moto.core.responses import ActionResult, BaseResponse
from moto.iam.access_control import IAMRequest

from .exceptions import AccessDeniedException, NotImplementedByBackend
from .models import ProtonBackend, is_role_arn, proton_backends

IMPLEMENTED_OPERATIONS = ("GetAccountSettings", "UpdateAccountSettings")


class ProtonResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="proton")

    @property
    def proton_backend(self) -> ProtonBackend:
        return proton_backends[self.current_account][self.region]

    def call_action(self):  # type: ignore[no-untyped-def]
        # Proton was only ever offered in some regions; elsewhere AWS has no endpoint. Answer as a missing endpoint
        # does here (404, no AWS error body, like the "gone" mode) instead of failing on the unknown region.
        if self.region not in proton_backends[self.current_account]:
            return 404, {"status": 404, "Content-Type": "text/plain"}, "Not Found"
        # A Proton operation this backend does not model gets a clear JSON error, not moto's HTML 500 page.
        if self._get_action() not in IMPLEMENTED_OPERATIONS:
            error = NotImplementedByBackend(
                f"{self._get_action()} is not implemented by this Proton backend "
                f"(implemented: {', '.join(IMPLEMENTED_OPERATIONS)})"
            )
            return error.code, dict(error.get_headers(), status=error.code), error.description
        # Whether moto checks IAM policies for this call (INITIAL_NO_AUTH_ACTION_COUNT reached); known only now.
        self._iam_policies_enforced = (
            ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
        )
        return super().call_action()

    def _authenticate_and_authorize_normal_action(self, resource: str = "*") -> None:
        # moto words a denial in the query protocol's XML; Proton is a JSON service: AccessDeniedException, 403.
        try:
            super()._authenticate_and_authorize_normal_action(resource)
        except AccessDeniedError as denied:
            raise AccessDeniedException(denied.message) from denied

    def _check_pass_role(self, role_arn: str) -> None:
        """Handing a role to Proton needs iam:PassRole on it, as in AWS (when moto enforces IAM policies)."""
        # Only for well-formed ARNs: a malformed one is the backend's ValidationException.
        if not is_role_arn(role_arn) or not getattr(self, "_iam_policies_enforced", False):
            return
        request = IAMRequest(account_id=self.current_account, method=self.method, path=self.raw_path,
                             data=self.data, body=self.raw_body, headers=self.headers, action="PassRole")
        request._action = "iam:PassRole"  # IAMRequest names actions after the signing service (proton)
        try:
            request.check_action_permitted(role_arn)
        except AccessDeniedError as denied:
            raise AccessDeniedException(denied.message) from denied

    def get_account_settings(self) -> ActionResult:
        return ActionResult({"accountSettings": self.proton_backend.get_account_settings()})

    def update_account_settings(self) -> ActionResult:
        for member in ("pipelineServiceRoleArn", "pipelineCodebuildRoleArn"):
            role_arn = self._get_param(member)
            self._check_pass_role(role_arn)
        account_settings = self.proton_backend.update_account_settings(
            pipeline_service_role_arn=self._get_param("pipelineServiceRoleArn"),
            pipeline_codebuild_role_arn=self._get_param("pipelineCodebuildRoleArn"),
            pipeline_provisioning_repository=self._get_param("pipelineProvisioningRepository"),
            delete_pipeline_provisioning_repository=self._get_param("deletePipelineProvisioningRepository"),
        )
        return ActionResult({"accountSettings": account_settings})
