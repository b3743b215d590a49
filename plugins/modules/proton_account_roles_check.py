#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The documentation of the protonkit.accounts.proton_account_roles_check action plugin
# (plugins/action/proton_account_roles_check.py), which does the work on the controller: there is no module code to run.

DOCUMENTATION = r"""
module: proton_account_roles_check
short_description: Check, without writing, that proton_account_roles can run in an AWS account
version_added: 0.3.0
author: protonkit maintainers (@protonkit)
description:
  - Reads and checks what M(protonkit.accounts.proton_account_roles) with
    O(protonkit.accounts.proton_account_roles#module:state=present) reads and checks before its first write, with the
    same code, and writes nothing. It fails where that module would fail before writing, with the same message for
    what it refuses. That is the options, roles of the given names that are not the collection's (see O(adopt)), what only the account can
    tell (its partition, role paths, managed policies that exist) and, with O(configure_account_settings=true) and
    O(proton_unavailable=fail), a region where Proton does not answer.
  - For a run that must not write anything in an account when the Proton half would refuse it. The
    P(protonkit.accounts.account_bootstrap#role) role runs it before the IAM half writes.
  - Runs on the controller, inside the task's own Ansible worker, without a module process of its own (about 1.4
    CPU-seconds less per account than the module in check mode). The credentials come as for
    M(protonkit.accounts.assume_role), from C(module_defaults) for the C(group/protonkit.accounts.accounts) action
    group included.
  - Takes every option of M(protonkit.accounts.proton_account_roles) but
    O(protonkit.accounts.proton_account_roles#module:state); the options it does not need for the check (such as
    O(purge_tags)) are accepted and ignored, so that one set of arguments serves both.
  - Read-only, it never reports a change, and runs the same in check mode.
attributes:
  check_mode:
    support: full
    description: Read-only, the same in check mode.
  diff_mode:
    support: none
    description: There is nothing to show a difference of.
notes:
  - "IAM permissions used: C(iam:GetAccountAuthorizationDetails), C(iam:ListRoles), C(sts:GetCallerIdentity),
    C(iam:GetPolicy), and, when the first call is not granted, C(iam:GetRole), C(iam:ListAttachedRolePolicies),
    C(iam:ListRolePolicies), C(iam:GetRolePolicy); C(proton:GetAccountSettings)."
requirements:
  - python >= 3.11
  - boto3 >= 1.35.0
  - botocore >= 1.35.0
extends_documentation_fragment:
  - protonkit.accounts.controller_action
  - protonkit.accounts.proton_account_roles
  - amazon.aws.common.modules
  - amazon.aws.region.modules
seealso:
  - module: protonkit.accounts.proton_account_roles
"""

EXAMPLES = r"""
- name: Check that the Proton roles can be managed before the IAM half writes
  protonkit.accounts.proton_account_roles_check:
    regions: [us-east-1, eu-west-1]

- name: Administrators group and Administrator user
  protonkit.accounts.iam_admin_bootstrap:
    password_secret: protonkit/Administrator

- name: Proton service roles and account settings
  protonkit.accounts.proton_account_roles:
    regions: [us-east-1, eu-west-1]
"""

RETURN = r"""
roles:
  description:
    - The roles of the given names as they are, by purpose - V(service), V(pipeline) and V(codebuild) (with
      O(codebuild_role=true)); V(null) for a role that does not exist.
  returned: success
  type: dict
  sample:
    service:
      name: AWSProtonServiceRole
      arn: arn:aws:iam::123456789012:role/service-role/AWSProtonServiceRole
      path: /service-role/
      tags:
        protonkit:managed-by: protonkit.accounts
    pipeline: null
regions:
  description:
    - Each region whose Proton was asked, with its account settings as they are. Empty unless
      O(configure_account_settings=true).
  returned: success
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      type: str
    proton_available:
      description: Whether Proton answered there (V(false) only with O(proton_unavailable=warn)).
      type: bool
    account_settings:
      description: The account settings, as C(GetAccountSettings) returns them.
      type: dict
proton_available:
  description: Whether Proton answered in every region asked (V(true) when none was).
  returned: success
  type: bool
refused:
  description: On failure, the roles of the given names that are not the collection's, each with why.
  returned: failure
  type: list
  elements: dict
  contains:
    kind:
      description: Always V(role).
      type: str
    name:
      description: The role's name.
      type: str
    reason:
      description: Why it is not the collection's.
      type: str
"""
