# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What proton_account_roles checks before its first write, on the controller (documentation:
plugins/modules/proton_account_roles_check.py).

The account_bootstrap role runs this before the IAM half writes, once per account: as a module in check mode it
cost a module process (about 1.4 CPU-seconds) for a handful of reads. Here the reads run in the task's worker, with
the same code as the module's (module_utils/proton_roles.py); the imports at the top are paid once per run, when
the strategy loads the plugin before it forks the workers.
"""

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.amazon.aws.plugins.plugin_utils.base import AWSPluginBase

from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import argument_spec
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import open_account
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import present_before_writes

try:
    import botocore.exceptions
except ImportError:
    pass  # reported by the plugin (require_aws_sdk)


class CheckFailed(Exception):
    """The task's failed result, raised where the module would call fail_json."""

    def __init__(self, result):
        super().__init__(result.get("msg"))
        self.result = result


class ActionModule(ActionBase, AWSPluginBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True  # read-only: the same in check mode
    _supports_async = False

    ansible_name = "protonkit.accounts.proton_account_roles_check"
    # What module_utils/proton_roles.py asks of its module, besides client() and region (AWSPluginBase's).
    check_mode = True  # nothing is written, whatever the task's mode

    @property
    def params(self):
        return self._options

    def get_options(self):
        return self._options

    def _do_fail(self, message):
        raise AnsibleActionFail(message)

    def fail_json(self, **result):
        raise CheckFailed(dict(result, failed=True))

    def fail_json_aws(self, exception, msg=None, **result):
        message = f"{msg}: {to_native(exception)}" if msg else to_native(exception)
        response = getattr(exception, "response", None)  # a ClientError's; other botocore errors have none
        if response:
            error = response.get("Error", {})
            result["error"] = dict(code=error.get("Code"), message=error.get("Message"))
        self.fail_json(msg=message, **result)

    def fail_json_aws_error(self, exception):
        if exception.exception:
            self.fail_json_aws(exception.exception, msg=exception.message)
        self.fail_json(msg=exception.message)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        spec = dict(aws_argument_spec(), **argument_spec())
        del spec["state"]  # what is checked is what state=present would do
        _validation, options = self.validate_argument_spec(argument_spec=spec)
        self._options = dict(options, state="present")
        self.require_aws_sdk()
        try:
            current_roles, answers, unavailable = self._read_and_check()
        except CheckFailed as e:
            result.update(e.result)
            return result

        result.update(
            changed=False,
            roles=current_roles,
            regions=[{"region": region, "proton_available": unavailable[region] is None,
                      "account_settings": answer[1] if answer else {}} for region, answer in answers.items()],
            proton_available=all(problem is None for problem in unavailable.values()),
        )
        warnings = [problem.message(hint=False) for problem in unavailable.values() if problem is not None]
        if warnings:
            result["warnings"] = warnings
        return result

    def _read_and_check(self):
        """The roles as they are (by purpose), and each region's Proton (client, settings) and ProtonUnavailable."""
        try:
            regions, iam, details = open_account(self)
            _roles, current_roles, answers, unavailable = present_before_writes(self, iam, details, regions)
        except AnsibleIAMError as e:
            self.fail_json_aws_error(e)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.fail_json_aws(e, msg="The AWS Proton roles could not be checked; nothing was written")
        return current_roles, answers, unavailable
