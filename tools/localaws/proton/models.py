"""ProtonBackend: AWS Proton account settings, kept per account and per region.

Only the account-settings operations are modelled (GetAccountSettings, UpdateAccountSettings): what an account
bootstrap needs. Input is checked against botocore's ``proton`` model (types, required members, lengths, enums,
patterns) the way the service checks it, and role ARNs must name a role that exists in the caller's account.

The pipeline provisioning repository: AWS Proton only accepts a repository registered beforehand with
CreateRepository. Repositories are not modelled here, so any repository that passes the model's checks is taken
as registered, and its ARN is derived the way Proton forms it:
``arn:<partition>:proton:<region>:<account>:repository/<provider, lower case>:<name>``.
"""

import re
import time
from typing import Any

from botocore.model import Shape
from botocore.session import get_session
from moto.core.base_backend import BackendDict, BaseBackend
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

from .exceptions import SerializationException, ValidationException

_SERVICE_MODEL = get_session().get_service_model("proton")
_PYTHON_TYPES = {"string": str, "boolean": bool, "structure": dict}
_ROLE_ARN_PATTERN = re.compile(_SERVICE_MODEL.shape_for("RoleArnOrEmptyString").metadata["pattern"])


def is_role_arn(value: Any) -> bool:
    """A non-empty value that matches the model's role ARN pattern."""
    return isinstance(value, str) and bool(value) and bool(_ROLE_ARN_PATTERN.fullmatch(value))


def _check_against_shape(shape: Shape, value: Any, path: str) -> None:
    """Raise the error the service answers for the first constraint of ``shape`` that ``value`` breaks."""
    expected = _PYTHON_TYPES.get(shape.type_name)
    if expected is not None and not isinstance(value, expected):
        raise SerializationException(f"Unexpected value type for '{path}': expected {shape.type_name}")
    if shape.type_name == "structure":
        for name in shape.required_members:
            if name not in value:
                raise ValidationException(f"Missing required member '{name}' in '{path}'")
        for name, member_value in value.items():
            member = shape.members.get(name)
            if member is not None and member_value is not None:
                _check_against_shape(member, member_value, f"{path}.{name}")
        return
    if shape.type_name != "string":
        return
    constraint = None
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        constraint = f"Member must have length greater than or equal to {meta['min']}"
    elif "max" in meta and len(value) > meta["max"]:
        constraint = f"Member must have length less than or equal to {meta['max']}"
    elif shape.enum and value not in shape.enum:
        constraint = f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"
    elif "pattern" in meta and not re.fullmatch(meta["pattern"], value):
        constraint = f"Member must satisfy regular expression pattern: {meta['pattern']}"
    if constraint:
        raise ValidationException(f"Value at '{path}' failed to satisfy constraint: {constraint}")


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
        request = {
            "pipelineServiceRoleArn": pipeline_service_role_arn,
            "pipelineCodebuildRoleArn": pipeline_codebuild_role_arn,
            "pipelineProvisioningRepository": pipeline_provisioning_repository,
            "deletePipelineProvisioningRepository": delete_pipeline_provisioning_repository,
        }
        request = {key: value for key, value in request.items() if value is not None}
        _check_against_shape(
            _SERVICE_MODEL.operation_model("UpdateAccountSettings").input_shape, request, "updateAccountSettingsInput"
        )
        if pipeline_provisioning_repository is not None and delete_pipeline_provisioning_repository:
            raise ValidationException(
                "pipelineProvisioningRepository and deletePipelineProvisioningRepository can't be used together: "
                "set a repository, or delete it"
            )
        # Check every role before changing anything: a rejected update changes nothing.
        roles = {key: request[key] for key in ("pipelineServiceRoleArn", "pipelineCodebuildRoleArn") if key in request}
        for role_arn in roles.values():
            if role_arn:
                self._check_role_is_usable(role_arn)

        for key, role_arn in roles.items():
            if role_arn:
                self.account_settings[key] = role_arn
            else:  # An empty string clears the setting.
                self.account_settings.pop(key, None)
        if pipeline_provisioning_repository is not None:
            self.account_settings["pipelineProvisioningRepository"] = self._repository_branch(
                pipeline_provisioning_repository
            )
        elif delete_pipeline_provisioning_repository:
            self.account_settings.pop("pipelineProvisioningRepository", None)
        return self.get_account_settings()

    def _check_role_is_usable(self, role_arn: str) -> None:
        """A role Proton can use: in this account and partition, existing, and visible to Proton already."""
        partition = get_partition(self.region_name)
        arn_partition, arn_account = role_arn.split(":")[1], role_arn.split(":")[4]
        if arn_partition == partition and arn_account == self.account_id:
            roles = iam_backends[self.account_id][partition].roles.values()
            role = next((candidate for candidate in roles if candidate.arn == role_arn), None)
            if role is not None and self._visible(role.create_date.timestamp()):
                return
        raise ValidationException(
            f"Role {role_arn} is not valid: no such role in account {self.account_id} ({partition} partition)"
        )

    def _visible(self, created_at: float) -> bool:
        return time.time() - created_at >= self.role_visibility_delay_seconds

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
