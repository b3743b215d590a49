#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The documentation of the protonkit.accounts.assume_role action plugin (plugins/action/assume_role.py), which does
# the work on the controller: there is no module code to run.

DOCUMENTATION = r"""
module: assume_role
short_description: Enter an AWS account, with the temporary credentials of a role assumed there
version_added: 0.3.0
author: protonkit maintainers (@protonkit)
description:
  - Calls STS C(AssumeRole) with the caller's credentials and returns the temporary credentials of the role, ready
    for C(module_defaults).
  - Runs on the controller, inside the task's own Ansible worker, without a module process of its own (an account
    costs one Python process less than with M(amazon.aws.sts_assume_role), which matters over many accounts). The
    caller's credentials come from the task's options, C(module_defaults) for the C(group/protonkit.accounts.accounts)
    action group, or the controller's environment and AWS configuration, as for amazon.aws modules.
  - Retries throttling and transient errors (amazon.aws's C(AWSRetry)).
  - Read-only, it never reports a change, and runs the same in check mode (without credentials of the account, check
    mode could only audit the caller's own account).
options:
  role_arn:
    description:
      - ARN of the role to assume, for example C(arn:aws:iam::123456789012:role/OrganizationAccountAccessRole).
    type: str
    required: true
  role_session_name:
    description:
      - Name of the session, shown in the account's CloudTrail (2 to 64 characters of C([\w+=,.@-])).
    type: str
    required: true
  external_id:
    description:
      - External ID the role's trust policy requires, if any.
    type: str
  duration_seconds:
    description:
      - Lifetime of the credentials, from 900 seconds to the role's maximum session duration (at most 43200).
    type: int
    default: 3600
extends_documentation_fragment:
  - protonkit.accounts.controller_action
  - amazon.aws.common.modules
  - amazon.aws.region.modules
attributes:
  check_mode:
    support: full
    description: Runs in check mode too; it changes nothing.
  diff_mode:
    support: none
    description: Nothing to compare; it changes nothing.
notes:
  - The result holds secrets, so use C(no_log=true) on the task (the P(protonkit.accounts.account_bootstrap#role) role does).
seealso:
  - module: amazon.aws.sts_assume_role
"""

EXAMPLES = r"""
- name: Enter the member account
  protonkit.accounts.assume_role:
    role_arn: "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole"
    role_session_name: bootstrap
  register: member
  no_log: true

- name: Bootstrap it with the role's credentials
  module_defaults:
    group/protonkit.accounts.accounts:
      access_key: "{{ member.sts_creds.access_key }}"
      secret_key: "{{ member.sts_creds.secret_key }}"
      session_token: "{{ member.sts_creds.session_token }}"
  block:
    - name: Administrators group and Administrator user
      protonkit.accounts.iam_admin_bootstrap:
        password_secret: protonkit/Administrator
"""

RETURN = r"""
sts_creds:
  description: The temporary credentials.
  returned: success
  type: dict
  contains:
    access_key:
      description: Access key ID.
      type: str
      sample: ASIAIOSFODNN7EXAMPLE
    secret_key:
      description: Secret access key.
      type: str
    session_token:
      description: Session token.
      type: str
    expiration:
      description: When the credentials expire (ISO 8601, UTC).
      type: str
      sample: "2026-12-01T12:00:00+00:00"
sts_user:
  description: The assumed-role user.
  returned: success
  type: dict
  contains:
    arn:
      description: ARN of the assumed-role session.
      type: str
      sample: arn:aws:sts::123456789012:assumed-role/OrganizationAccountAccessRole/bootstrap
    assumed_role_id:
      description: Unique ID of the session.
      type: str
account_id:
  description: The ID of the account entered (from the role's ARN).
  returned: success
  type: str
  sample: "123456789012"
"""
