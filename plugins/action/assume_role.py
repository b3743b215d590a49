# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enter an account on the controller, without a module process (documentation: plugins/modules/assume_role.py).

A module process costs about 1.5 CPU-seconds (Python, AnsiballZ, ansible's module_utils, boto3), and every account
of a run entered the account through one. Ansible's strategy imports an action plugin's class in the controller's
main process before it forks a worker per host, so the imports at the top of this file, boto3's included, are paid
once per run; each account then costs one STS client and one call.
"""

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.plugin_utils.base import AWSPluginBase

try:
    import botocore.exceptions
except ImportError:
    pass  # reported by the plugin (require_aws_sdk)

ARGUMENT_SPEC = dict(
    role_arn=dict(type="str", required=True),
    role_session_name=dict(type="str", required=True),
    external_id=dict(type="str"),
    duration_seconds=dict(type="int", default=3600),
)

# sts:AssumeRole's own limits, checked before the call so that the error names the option.
DURATION_RANGE = (900, 43200)


class ActionModule(ActionBase, AWSPluginBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True  # read-only: the same in check mode
    _supports_async = False

    ansible_name = "protonkit.accounts.assume_role"

    def _do_fail(self, message):
        raise AnsibleActionFail(message)

    def get_options(self):
        return self._options

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        spec = aws_argument_spec()
        spec.update(ARGUMENT_SPEC)
        _validation, self._options = self.validate_argument_spec(argument_spec=spec)
        role_arn = self._options["role_arn"]
        arn = parse_aws_arn(role_arn)
        if not arn or arn["service"] != "iam" or not arn["resource"].startswith("role/"):
            raise AnsibleActionFail(f"role_arn: {role_arn!r} is not the ARN of an IAM role; give one like "
                                    "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole")
        duration = self._options["duration_seconds"]
        if not DURATION_RANGE[0] <= duration <= DURATION_RANGE[1]:
            raise AnsibleActionFail(f"duration_seconds: {duration} is outside what STS accepts; give a value from "
                                    f"{DURATION_RANGE[0]} to {DURATION_RANGE[1]} (at most the role's maximum "
                                    "session duration)")
        self.require_aws_sdk()

        sts = self.client("sts", retry_decorator=AWSRetry.jittered_backoff())
        request = dict(RoleArn=role_arn, RoleSessionName=self._options["role_session_name"], DurationSeconds=duration)
        if self._options["external_id"]:
            request["ExternalId"] = self._options["external_id"]
        try:
            response = sts.assume_role(aws_retry=True, **request)
        except botocore.exceptions.ClientError as e:
            error = e.response.get("Error", {})
            result.update(failed=True, msg=f"Could not assume {role_arn}: {to_native(e)}",
                          error=dict(code=error.get("Code"), message=error.get("Message")))
            return result
        except botocore.exceptions.BotoCoreError as e:
            result.update(failed=True, msg=f"Could not assume {role_arn}: {to_native(e)}")
            return result

        credentials = response["Credentials"]
        result.update(
            changed=False,
            account_id=arn["account_id"],
            sts_creds=dict(
                access_key=credentials["AccessKeyId"],
                secret_key=credentials["SecretAccessKey"],
                session_token=credentials["SessionToken"],
                expiration=credentials["Expiration"].isoformat(),
            ),
            sts_user=dict(
                arn=response["AssumedRoleUser"]["Arn"],
                assumed_role_id=response["AssumedRoleUser"]["AssumedRoleId"],
            ),
        )
        return result
