"""ProtonBackend: AWS Proton account settings, kept per account and per region.

Only the account-settings operations are modelled (GetAccountSettings, UpdateAccountSettings): what an account
bootstrap needs. Input is checked against botocore's ``proton`` model (patterns, lengths, enums) the way the
service does, and role ARNs must name a role that exists in the caller's account IAM.
"""

import re
import time
from typing import Any

from botocore.session import get_session
from moto.core.base_backend import BackendDict, BaseBackend
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

from .exceptions import ValidationException

_SERVICE_MODEL = get_session().get_service_model("proton")


def _constraint_problem(shape: Any, value: Any, path: str) -> str | None:
    """The first constraint of ``shape`` (pattern, length, enum, required) that ``value`` breaks."""
    if shape.type_name == "structure":
        for name in shape.required_members:
            if name not in value:
                return f"Missing required member '{name}' in {path}"
        for name, member_value in value.items():
            member = shape.members.get(name)
            if member is not None:
                problem = _constraint_problem(member, member_value, f"{path}.{name}")
                if problem:
                    return problem
        return None
    if shape.type_name != "string":
        return None
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        return f"Value at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {meta['min']}"
    if "max" in meta and len(value) > meta["max"]:
        return f"Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {meta['max']}"
    if shape.enum and value not in shape.enum:
        return f"Value at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(shape.enum)}]"
    if "pattern" in meta and not re.fullmatch(meta["pattern"], value):
        return f"Value at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {meta['pattern']}"
    return None


class ProtonBackend(BaseBackend):
    """Account settings of one account in one region."""

    # Seconds during which a newly created IAM role is not yet visible to Proton (IAM is eventually consistent).
    # Set by the local AWS server's propagation-delay knob; 0 means roles are visible at once.
    role_visibility_delay_seconds: float = 0.0

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.account_settings: dict[str, Any] = {}

    def get_account_settings(self) -> dict[str, Any]:
        return dict(self.account_settings)

    def update_account_settings(
        self,
        pipeline_service_role_arn: str | None,
        pipeline_codebuild_role_arn: str | None,
        pipeline_provisioning_repository: dict[str, str] | None,
        delete_pipeline_provisioning_repository: bool | None,
    ) -> dict[str, Any]:
        params = {
            "pipelineServiceRoleArn": pipeline_service_role_arn,
            "pipelineCodebuildRoleArn": pipeline_codebuild_role_arn,
            "pipelineProvisioningRepository": pipeline_provisioning_repository,
        }
        params = {key: value for key, value in params.items() if value is not None}
        problem = _constraint_problem(
            _SERVICE_MODEL.operation_model("UpdateAccountSettings").input_shape, params, "updateAccountSettingsInput"
        )
        if problem:
            raise ValidationException(problem)
        if pipeline_provisioning_repository is not None and delete_pipeline_provisioning_repository:
            raise ValidationException(
                "pipelineProvisioningRepository and deletePipelineProvisioningRepository can't be used together"
            )
        # Validate every role before changing anything: a rejected update changes nothing.
        for key in ("pipelineServiceRoleArn", "pipelineCodebuildRoleArn"):
            if params.get(key):
                self._check_role_is_usable(params[key])

        for key in ("pipelineServiceRoleArn", "pipelineCodebuildRoleArn"):
            if key in params:
                if params[key]:
                    self.account_settings[key] = params[key]
                else:  # An empty string clears the setting.
                    self.account_settings.pop(key, None)
        if pipeline_provisioning_repository is not None:
            self.account_settings["pipelineProvisioningRepository"] = self._repository_branch(
                pipeline_provisioning_repository
            )
        if delete_pipeline_provisioning_repository:
            self.account_settings.pop("pipelineProvisioningRepository", None)
        return self.get_account_settings()

    def _check_role_is_usable(self, role_arn: str) -> None:
        partition = get_partition(self.region_name)
        arn_partition, arn_account = role_arn.split(":")[1], role_arn.split(":")[4]
        not_usable = ValidationException(
            f"Role {role_arn} can't be assumed by AWS Proton: it does not exist in account {self.account_id}"
        )
        if arn_partition != partition or arn_account != self.account_id:
            raise not_usable
        roles = iam_backends[self.account_id][partition].roles.values()
        role = next((candidate for candidate in roles if candidate.arn == role_arn), None)
        if role is None or time.time() - role.create_date.timestamp() < self.role_visibility_delay_seconds:
            raise not_usable

    def _repository_branch(self, repository: dict[str, str]) -> dict[str, str]:
        partition = get_partition(self.region_name)
        provider, name = repository["provider"], repository["name"]
        return {
            "arn": f"arn:{partition}:proton:{self.region_name}:{self.account_id}:repository/{provider.lower()}:{name}",
            "branch": repository["branch"],
            "name": name,
            "provider": provider,
        }


proton_backends = BackendDict(ProtonBackend, "proton")
