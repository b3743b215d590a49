"""Handles incoming AWS Proton requests, invokes the backend, returns responses serialized from botocore's model."""

from moto.core.responses import ActionResult, BaseResponse

from .exceptions import NotImplementedByBackend
from .models import ProtonBackend, proton_backends

IMPLEMENTED_OPERATIONS = ("GetAccountSettings", "UpdateAccountSettings")


class ProtonResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="proton")

    @property
    def proton_backend(self) -> ProtonBackend:
        return proton_backends[self.current_account][self.region]

    def call_action(self):  # type: ignore[no-untyped-def]
        # A Proton operation this backend does not model gets a clear JSON error, not moto's HTML 500 page.
        if self._get_action() not in IMPLEMENTED_OPERATIONS:
            error = NotImplementedByBackend(
                f"{self._get_action()} is not implemented by this Proton backend "
                f"(implemented: {', '.join(IMPLEMENTED_OPERATIONS)})"
            )
            return error.code, dict(error.get_headers(), status=error.code), error.description
        return super().call_action()

    def get_account_settings(self) -> ActionResult:
        settings = self.proton_backend.get_account_settings()
        return ActionResult({"accountSettings": settings})

    def update_account_settings(self) -> ActionResult:
        settings = self.proton_backend.update_account_settings(
            pipeline_service_role_arn=self._get_param("pipelineServiceRoleArn"),
            pipeline_codebuild_role_arn=self._get_param("pipelineCodebuildRoleArn"),
            pipeline_provisioning_repository=self._get_param("pipelineProvisioningRepository"),
            delete_pipeline_provisioning_repository=self._get_param("deletePipelineProvisioningRepository"),
        )
        return ActionResult({"accountSettings": settings})
