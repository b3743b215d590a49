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

from ansible.plugins.action import ActionBase

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError

from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import argument_spec
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import open_account
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import present_before_writes
from ansible_collections.protonkit.accounts.plugins.plugin_utils.module_in_worker import ModuleFailed
from ansible_collections.protonkit.accounts.plugins.plugin_utils.module_in_worker import ModuleInWorker

try:
    import botocore.exceptions
except ImportError:
    pass  # reported by start()


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True  # read-only: the same in check mode
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        spec = argument_spec()
        del spec["state"]  # what is checked is what state=present would do
        # Nothing is written, whatever the task's mode.
        module = ModuleInWorker.for_task(self, "protonkit.accounts.proton_account_roles_check", spec, True,
                                         task_vars or {}, state="present")
        try:
            module.start()
            current_roles, answers, unavailable = self._read_and_check(module)
        except ModuleFailed as e:
            result.update(module.result_of(e.result))
            return result

        for problem in unavailable.values():
            if problem is not None:
                module.warn(problem.message(hint=False))
        result.update(module.result_of(dict(
            changed=False,
            roles=current_roles,
            regions=[{"region": region, "proton_available": unavailable[region] is None,
                      "account_settings": answer[1] if answer else {}} for region, answer in answers.items()],
            proton_available=all(problem is None for problem in unavailable.values()),
        )))
        return result

    @staticmethod
    def _read_and_check(module):
        """The roles as they are (by purpose), and each region's Proton (client, settings) and ProtonUnavailable."""
        try:
            regions, iam, details = open_account(module)
            _roles, current_roles, answers, unavailable = present_before_writes(module, iam, details, regions)
        except AnsibleIAMError as e:
            module.fail_json_aws_error(e)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg="The AWS Proton roles could not be checked; nothing was written")
        return current_roles, answers, unavailable
