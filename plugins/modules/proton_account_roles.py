#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: proton_account_roles
short_description: AWS Proton service roles and Proton account settings of an AWS account
version_added: 0.1.0
description:
  - Creates the AWS Proton service role (which Proton uses to provision environments) and pipeline service role,
    trusted by C(proton.amazonaws.com), and registers them in the Proton account settings of one region or of
    several (O(regions)), idempotently (console - Settings, Account roles).
  - Optionally creates a CodeBuild provisioning role and registers it as the pipeline CodeBuild role.
  - With O(state=absent) it is the clean-up. It clears the account settings that point at these roles and deletes
    the roles, also when Proton no longer answers.
  - B(AWS Proton reached end of support on 2026-10-07.) When Proton does not answer, the module fails with a
    message that says so and what to do, or warns and finishes the IAM work when O(proton_unavailable=warn).
author:
  - protonkit maintainers (@protonkit)
options:
  state:
    description:
      - V(present) creates or updates the roles and the account settings.
      - V(absent) clears the settings that point at these roles (others only with O(force)) and deletes the roles,
        with their inline policies, attached policies and instance profile memberships. It removes every role this
        module can create under the given names (O(service_role_name), O(pipeline_role_name) and
        O(codebuild_role_name)), whatever O(shared_role) and O(codebuild_role) say, when the role is the
        collection's (see O(adopt)) and at O(role_path). Any other role of those names is kept, and returned in
        RV(kept).
    type: str
    choices: [present, absent]
    default: present
notes:
  - The AWS Proton guide prints the confused-deputy condition as C(arn:aws::proton:...), with an empty service field.
    That ARN never matches, so Proton could never assume such a role. This module writes the well-formed
    C(arn:<partition>:proton:*:<account>:*) with C(aws:SourceAccount).
  - Proton account settings are regional; IAM roles are global. O(regions) manages several regions in one run (the
    P(protonkit.accounts.proton_roles#role) role passes its O(protonkit.accounts.proton_roles#role:main:proton_regions)).
  - A region where botocore lists no Proton endpoint (China, GovCloud) is Proton not answering, handled by
    O(proton_unavailable) like the others and known before any call, unless O(endpoint_url), C(AWS_ENDPOINT_URL)
    or C(AWS_ENDPOINT_URL_PROTON) is set.
  - Proton counts as not answering (end of support) when its endpoint can't be reached or resolved, answers
    C(UnknownOperationException) or C(UnrecognizedClientException), or answers HTTP 404 or 403 without an AWS
    error, and when the installed botocore no longer has the Proton service model. Real Proton errors (for
    example C(AccessDeniedException)) are reported as errors.
  - The trust policies are compared as policies, so a rerun after AWS reformats them changes nothing.
  - With C(--diff), the roles and each region's account settings before and after are shown (and returned as
    C(diff)); without it they are not returned.
  - Changing O(shared_role) or O(codebuild_role) from V(true) to V(false) leaves the role no longer used in
    place; remove it with O(state=absent) and the same names, or with M(amazon.aws.iam_role).
  - "The account's roles are read with one C(iam:GetAccountAuthorizationDetails) call (their trust, tags and
    policies; when a Proton role exists, one C(iam:ListRoles) over its path adds the description, or C(iam:GetRole)
    when that is not granted). In an account
    with more than 100 roles, or when that action is not granted, each Proton role is read with C(iam:GetRole),
    C(iam:ListAttachedRolePolicies), C(iam:ListRolePolicies) and C(iam:GetRolePolicy). The account id and partition
    come from the roles' ARNs, or from C(sts:GetCallerIdentity) when the account has no role yet."
  - "IAM permissions used: C(iam:GetAccountAuthorizationDetails), C(iam:ListRoles), C(sts:GetCallerIdentity);
    C(iam:GetRole), C(iam:CreateRole), C(iam:UpdateRole), C(iam:UpdateAssumeRolePolicy), C(iam:TagRole),
    C(iam:UntagRole), C(iam:ListAttachedRolePolicies), C(iam:AttachRolePolicy), C(iam:DetachRolePolicy),
    C(iam:ListRolePolicies), C(iam:GetRolePolicy), C(iam:PutRolePolicy), C(iam:DeleteRolePolicy), C(iam:GetPolicy),
    C(iam:ListInstanceProfilesForRole), C(iam:RemoveRoleFromInstanceProfile), C(iam:DeleteRole), C(iam:PassRole)
    on the roles; C(proton:GetAccountSettings), C(proton:UpdateAccountSettings)."
# Our own floor, not amazon.aws.boto3's (which says python >= 3.6): see the README's support matrix.
requirements:
  - python >= 3.11
  - boto3 >= 1.35.0
  - botocore >= 1.35.0
extends_documentation_fragment:
  - protonkit.accounts.module_in_worker
  - protonkit.accounts.proton_account_roles
  - amazon.aws.common.modules
  - amazon.aws.region.modules
"""

EXAMPLES = r"""
- name: Service and pipeline roles as the console makes them, registered in us-east-1
  protonkit.accounts.proton_account_roles:
    region: us-east-1

- name: One shared role that may only use S3 and Lambda through CloudFormation, with a pipeline repository
  protonkit.accounts.proton_account_roles:
    region: eu-west-1
    shared_role: true
    permissions: scoped
    allowed_services: [s3, lambda]
    pipeline_provisioning_repository:
      provider: GITHUB
      name: acme/proton-pipelines
      branch: main

- name: The same roles registered in three regions, in one run
  protonkit.accounts.proton_account_roles:
    regions: [us-east-1, eu-west-1, ap-southeast-2]

- name: Only the IAM roles (Proton reached end of support)
  protonkit.accounts.proton_account_roles:
    configure_account_settings: false

- name: Clean up the roles and the settings that point at them
  protonkit.accounts.proton_account_roles:
    region: us-east-1
    state: absent
"""

RETURN = r"""
region:
  description: The region whose Proton account settings were managed; with O(regions), the first of them.
  returned: always
  type: str
  sample: us-east-1
regions:
  description:
    - Each region whose account settings were managed (O(regions), or O(region) alone), in order, with what happened
      there. The top-level RV(account_settings) and RV(settings_retries) are those of the first.
  returned: always
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      type: str
    changed:
      description: Whether the account settings of this region were changed (predicted in check mode).
      type: bool
    account_settings:
      description: The account settings of this region after the run, like RV(account_settings).
      type: dict
    proton_available:
      description: Whether Proton answered in this region, like RV(proton_available).
      type: bool
    settings_retries:
      description: How many times this region's settings update was retried while IAM propagated a new role.
      type: int
  sample:
    - region: us-east-1
      changed: true
      account_settings:
        pipelineServiceRoleArn: arn:aws:iam::123456789012:role/service-role/AWSProtonPipelineServiceRole
      proton_available: true
      settings_retries: 0
  version_added: 0.2.0
created:
  description: Whether this run created a role (predicted in check mode).
  returned: always
  type: bool
roles:
  description:
    - The roles after the run (predicted in check mode), by purpose - V(service), V(pipeline) (the same role with
      O(shared_role=true)) and V(codebuild) (with O(codebuild_role=true)). Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    service:
      description: The Proton service role.
      type: dict
      contains:
        name:
          description: Role name.
          type: str
        arn:
          description: Role ARN (predicted for a role that check mode would create).
          type: str
        id:
          description: Role ID; V(null) for a role that check mode would create.
          type: str
        path:
          description: Role path.
          type: str
        description:
          description: Role description.
          type: str
        trust_policy:
          description: The trust policy document.
          type: dict
        managed_policy_arns:
          description: ARNs of the attached managed policies, sorted.
          type: list
          elements: str
        inline_policies:
          description: Inline policies, name to document.
          type: dict
        tags:
          description: Tags of the role, the ownership tag included.
          type: dict
    pipeline:
      description: The Proton pipeline service role, with the keys of RV(roles.service).
      type: dict
    codebuild:
      description: The CodeBuild provisioning role, with the keys of RV(roles.service).
      type: dict
  sample:
    service:
      name: AWSProtonServiceRole
      arn: arn:aws:iam::123456789012:role/service-role/AWSProtonServiceRole
      id: AROAEXAMPLEEXAMPLE123
      path: /service-role/
      description: AWS Proton service role
      trust_policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: proton.amazonaws.com
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                "aws:SourceAccount": "123456789012"
              ArnLike:
                "aws:SourceArn": "arn:aws:proton:*:123456789012:*"
      managed_policy_arns: []
      inline_policies:
        ProtonProvisioning: {}
      tags:
        "protonkit:managed-by": protonkit.accounts
kept:
  description:
    - With O(state=absent), the roles of the given names that were not deleted, and why - not the collection's (see
      O(adopt)), or not at O(role_path). Empty with O(state=present).
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(role).
      type: str
      returned: always
    name:
      description: Role name.
      type: str
      returned: always
    reason:
      description: Why it was kept.
      type: str
      returned: always
  sample:
    - kind: role
      name: AWSProtonServiceRole
      reason: "not tagged protonkit:managed-by=protonkit.accounts, and not what an earlier version made: its trust
        policy is not the one this module writes"
  version_added: 0.2.0
removed_roles:
  description: Names of the roles deleted (to be deleted in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: [AWSProtonServiceRole, AWSProtonPipelineServiceRole]
account_settings:
  description:
    - The Proton account settings after the run (predicted in check mode), as C(GetAccountSettings) returns them, in
      the first region (RV(regions) has each region's).
    - Empty when Proton did not answer or O(configure_account_settings=false).
  returned: always
  type: dict
  contains:
    pipelineServiceRoleArn:
      description: The pipeline service role.
      type: str
    pipelineCodebuildRoleArn:
      description: The pipeline CodeBuild role.
      type: str
    pipelineProvisioningRepository:
      description: The repository of self-managed provisioning pipelines (C(provider), C(name), C(branch), C(arn)).
      type: dict
  sample:
    pipelineServiceRoleArn: arn:aws:iam::123456789012:role/service-role/AWSProtonPipelineServiceRole
    pipelineProvisioningRepository:
      provider: GITHUB
      name: acme/proton-pipelines
      branch: main
      arn: arn:aws:proton:us-east-1:123456789012:repository/github:acme/proton-pipelines
proton_available:
  description:
    - Whether Proton answered in every region (a region without a Proton endpoint in botocore counts as not
      answering). V(false) with O(proton_unavailable=warn) (or O(state=absent)) when it did not in one of them; the
      IAM work was done all the same, and RV(regions) says where.
    - V(true) when O(configure_account_settings=false), as Proton was not asked.
  returned: always
  type: bool
settings_retries:
  description: How many times the account settings update was retried while IAM propagated a new role, in the first
    region.
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import argument_spec
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import run


def main():
    # On the controller, plugins/action/proton_account_roles.py usually runs the same code without this process.
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
