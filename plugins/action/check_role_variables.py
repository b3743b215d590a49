# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the variables of this collection's roles against their argument specs, in one task (documentation:
plugins/modules/check_role_variables.py).

ansible.builtin.validate_argument_spec takes the spec as an argument, so a role had to read and parse its
meta/argument_specs.yml once per host, and every host's result carried the whole templated spec (descriptions and
all) back to ansible-playbook in its task fields: about 18 MiB more peak memory at 80 accounts. Here the task's
arguments are role names, and the specs are read where the check runs.
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


def role_options(role, entry_point):
    """The options of ``role``'s ``entry_point`` in its meta/argument_specs.yml."""
    path = os.path.join(COLLECTION_ROOT, "roles", role, "meta", "argument_specs.yml")
    with open(path, encoding="utf-8") as handle:
        entry_points = yaml.load(handle, Loader=SafeLoader)["argument_specs"]
    if entry_point not in entry_points:
        raise AnsibleActionFail(f"entry_point: the role protonkit.accounts.{role} has no entry point {entry_point!r} "
                                f"(it has {', '.join(sorted(entry_points))})")
    return entry_points[entry_point].get("options") or {}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True  # reads variables only
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        spec = {}
        for role in args["roles"]:
            spec.update(role_options(role, args["entry_point"]))
        # As validate_argument_spec does: the variables the specs name, templated, as the roles will see them.
        values = self._templar.template({name: task_vars[name] for name in spec if name in task_vars})
        validation = ArgumentSpecValidator(spec).validate(values)
        roles = ", ".join(f"protonkit.accounts.{role}" for role in args["roles"])
        if validation.error_messages:
            # A value the specs mark no_log (the admin password) must not reach a message about it.
            secrets = {str(values[name]) for name, option in spec.items()
                       if option.get("no_log") and values.get(name) not in (None, "")}
            errors = remove_values(validation.error_messages, secrets)
            result.update(failed=True, argument_errors=errors,
                          msg=f"Validation of the variables of {roles} failed:\n" + "\n".join(errors))
            return result
        result.update(changed=False, msg=f"The variables of {roles} are valid")
        return result
