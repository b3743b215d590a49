#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The documentation of the protonkit.accounts.check_role_variables action plugin
# (plugins/action/check_role_variables.py), which does the work on the controller: there is no module code to run.

DOCUMENTATION = r"""
module: check_role_variables
short_description: Check the variables of protonkit.accounts roles against their argument specs, in one task
version_added: 0.3.0
author: protonkit maintainers (@protonkit)
description:
  - Checks the host's variables against the argument specs (C(meta/argument_specs.yml)) of the given roles of this
    collection together, as M(ansible.builtin.validate_argument_spec) would with the specs combined, and fails
    with every problem found, each naming its variable. The specs are read once per run.
  - For a play that must know that every role it will run has valid variables before the first of them writes. The
    P(protonkit.accounts.account_bootstrap#role) role runs it first, inside its rescued block, so that a bad variable
    fails the account with a record.
  - The task's arguments are role names, not the specs. With M(ansible.builtin.validate_argument_spec) the specs are
    the task's arguments, and every host's result carries them back to C(ansible-playbook).
  - Values of variables the specs mark C(no_log) (the admin password) are masked in the messages.
  - Runs on the controller, inside the task's own Ansible worker. It reads variables only, and runs the same in check
    mode.
options:
  roles:
    description: The roles whose variables are checked, by name within the collection; at least one.
    type: list
    elements: str
    required: true
    choices: [account_bootstrap, account_report, iam_admin, proton_roles]
  entry_point:
    description: The entry point of every role in O(roles) whose spec applies.
    type: str
    default: main
attributes:
  check_mode:
    support: full
    description: Reads variables only, the same in check mode.
  diff_mode:
    support: none
    description: There is nothing to show a difference of.
extends_documentation_fragment:
  - protonkit.accounts.controller_action
seealso:
  - module: ansible.builtin.validate_argument_spec
"""

EXAMPLES = r"""
- name: Check the variables of the IAM and Proton roles before either writes
  protonkit.accounts.check_role_variables:
    roles: [iam_admin, proton_roles]

- name: Administrators group and Administrator user
  ansible.builtin.import_role:
    name: protonkit.accounts.iam_admin
    rolespec_validate: false  # checked above
"""

RETURN = r"""
msg:
  description: What was checked, or every problem found, one per line.
  returned: always
  type: str
  sample: The variables of protonkit.accounts.iam_admin, protonkit.accounts.proton_roles are valid
argument_errors:
  description: The problems found, one per entry, each naming its variable.
  returned: failure
  type: list
  elements: str
  sample: ["value of iam_admin_update_password must be one of: on_create, always, got: sometimes"]
"""
