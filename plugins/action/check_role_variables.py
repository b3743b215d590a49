# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the variables of this collection's roles against their argument specs, in one task (documentation:
plugins/modules/check_role_variables.py).

ansible.builtin.validate_argument_spec takes the spec as an argument: a role had to read and parse its
meta/argument_specs.yml in every account's worker, and every account's result carried the whole templated spec
(descriptions and all) back to ansible-playbook in its task fields. At 80 accounts that task alone added about 18 MiB
to ansible-playbook while it ran, and the run's peak went from 82.5 to 78.2 MiB without it. Here the task's arguments
are role names, and the specs are read once per run, when the strategy loads this plugin before it forks the workers.
"""

import os

import yaml

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = ("account_bootstrap", "account_report", "iam_admin", "proton_roles")
ARGUMENT_SPEC = dict(
    roles=dict(type="list", elements="str", required=True, choices=list(ROLES)),
    entry_point=dict(type="str", default="main"),
)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_entry_points(role):
    """The entry points of ``role`` (name -> spec), from its meta/argument_specs.yml."""
    path = os.path.join(COLLECTION_ROOT, "roles", role, "meta", "argument_specs.yml")
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=SafeLoader)["argument_specs"]


ENTRY_POINTS = {role: read_entry_points(role) for role in ROLES}


def combined_options(roles, entry_point):
    """The options of ``entry_point`` of every role in ``roles``, in one spec."""
    spec = {}
    for role in roles:
        if entry_point not in ENTRY_POINTS[role]:
            raise AnsibleActionFail(f"entry_point: the role protonkit.accounts.{role} has no entry point "
                                    f"{entry_point!r} (it has {', '.join(sorted(ENTRY_POINTS[role]))})")
        spec.update(ENTRY_POINTS[role][entry_point].get("options") or {})
    return spec


def variable_errors(spec, values):
    """What is wrong with ``values`` against ``spec``, one message per problem, with every value the spec marks
    no_log (the admin password), wherever it sits, masked."""
    validation = ArgumentSpecValidator(spec).validate(values, validate_role_argument_spec=True)
    # The validator collects the no_log values, nested ones too, as AnsibleModule masks them.
    return remove_values(validation.error_messages, validation._no_log_values)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True  # reads variables only
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if not args["roles"]:
            raise AnsibleActionFail("roles: name at least one role whose variables to check, such as [iam_admin]")
        spec = combined_options(args["roles"], args["entry_point"])
        # As validate_argument_spec does: the variables the specs name, templated, as the roles will see them.
        values = self._templar.template({name: task_vars[name] for name in spec if name in task_vars})
        errors = variable_errors(spec, values)
        roles = ", ".join(f"protonkit.accounts.{role}" for role in args["roles"])
        if errors:
            result.update(failed=True, argument_errors=errors,
                          msg=f"Validation of the variables of {roles} failed:\n" + "\n".join(errors))
            return result
        result.update(changed=False, msg=f"The variables of {roles} are valid")
        return result
