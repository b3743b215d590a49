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
  regions:
    description:
      - The regions whose Proton account settings point at the roles, in one run. The roles are global, read and
        reconciled once; the settings are read, changed and reported per region (RV(regions)).
      - With O(proton_unavailable=fail), every region is asked before the first write, so a region where Proton does
        not answer stops the run before anything is written; with V(warn) only that region is skipped.
      - Omit it to manage the settings of O(region) alone. When both are given, O(region) is only where the IAM and
        STS calls go.
    type: list
    elements: str
    version_added: 0.2.0
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
  shared_role:
    description: One role (O(service_role_name)) serves as both the service role and the pipeline service role.
    type: bool
    default: false
  service_role_name:
    description: Name of the Proton service role.
    type: str
    default: AWSProtonServiceRole
  pipeline_role_name:
    description: Name of the Proton pipeline service role (unused with O(shared_role=true)).
    type: str
    default: AWSProtonPipelineServiceRole
  role_path:
    description: IAM path of the roles.
    type: str
    default: /service-role/
  permissions:
    description:
      - What the service and pipeline roles may do.
      - V(console) is what the Proton console attaches. CloudFormation stack actions on C(AWSProton-*) stacks of the
        account, and every action except C(organizations:*) and C(account:*) only when called through
        CloudFormation (C(aws:CalledVia)), plus C(organizations:DescribeOrganization) and C(account:ListRegions)
        under the same condition.
      - V(administrator) attaches C(AdministratorAccess), as the AWS sample templates do.
      - V(scoped) is the CloudFormation statement plus only the services in O(allowed_services), through
        CloudFormation.
      - V(custom) adds nothing, only O(managed_policy_arns) and O(inline_policies).
    type: str
    choices: [console, administrator, scoped, custom]
    default: console
  allowed_services:
    description:
      - Service prefixes (V(s3), V(lambda), ...) the roles may use through CloudFormation.
      - Required, and only allowed, with O(permissions=scoped).
    type: list
    elements: str
  managed_policy_arns:
    description: More managed policies attached to the service and pipeline roles.
    type: list
    elements: str
    default: []
  inline_policies:
    description:
      - More inline policies of the service and pipeline roles, policy name to policy document (a dictionary or
        JSON text).
      - With O(permissions=console) or O(permissions=scoped) the name C(ProtonProvisioning) is the module's own
        policy and can't be used here.
      - Compared with the roles' policies as policies (order and formatting don't matter), not as text.
    type: dict
    default: {}
  purge_policies:
    description:
      - Detach managed policies and delete inline policies of the service and pipeline roles that this module
        would not set (for example C(AdministratorAccess) after switching from O(permissions=administrator)).
    type: bool
    default: true
  codebuild_role:
    description:
      - Also create a CodeBuild provisioning role, trusted by C(codebuild.amazonaws.com) from this account, with
        C(AWSProtonCodeBuildProvisioningBasicAccess) attached, and register it as the pipeline CodeBuild role.
    type: bool
    default: false
  codebuild_role_name:
    description: Name of the CodeBuild provisioning role (different from the Proton roles' names).
    type: str
    default: AWSProtonCodeBuildProvisioningRole
  tags:
    description:
      - Tags of the roles.
      - The ownership tag C(protonkit:managed-by=protonkit.accounts) is always added (and never purged); it is how
        the module recognises a role as its own (see O(adopt)). When O(tags) is omitted, the roles' other tags are
        left alone.
      - Checked against IAM's rules before anything is written (at most 50 tags, keys of 1 to 128 and values of up
        to 256 letters, numbers, spaces and C(_.:/=+-@), no key starting with C(aws:), which AWS reserves).
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags of the roles that are not in O(tags).
    type: bool
    default: true
  configure_account_settings:
    description: Register the roles in the Proton account settings. V(false) manages only the IAM roles.
    type: bool
    default: true
  pipeline_provisioning_repository:
    description:
      - Repository of the self-managed provisioning pipelines, with all three suboptions.
      - Omit it to leave the setting alone; V({}) removes it.
    type: dict
    suboptions:
      provider:
        description: Repository provider.
        type: str
        choices: [GITHUB, GITHUB_ENTERPRISE, BITBUCKET]
      name:
        description: Repository name, C(owner/repository).
        type: str
      branch:
        description: Branch.
        type: str
  role_propagation_timeout:
    description:
      - Seconds to keep retrying the account settings while Proton cannot see a role created in this run yet
        (IAM is eventually consistent). Bounded backoff; the result says how many retries were needed.
      - Only a role created in this run is waited for; V(0) never retries.
    type: int
    default: 60
  proton_unavailable:
    description:
      - What to do when Proton does not answer (end of support, no endpoint in botocore for the region, endpoint
        gone). The P(protonkit.accounts.proton_roles#role) role sets it from C(proton_roles_unavailable).
      - V(fail) stops before the first write with a message that says what happened and how to go on, naming the
        playbook variables next to the module options.
      - V(warn) finishes the IAM work, warns, and returns RV(proton_available=false).
      - With O(state=absent) Proton not answering is always a warning, whatever this says. The roles are removed
        all the same, so a clean-up never needs this option.
    type: str
    choices: [fail, warn]
    default: fail
  force:
    description:
      - With O(state=absent), also clear settings that point at roles this module does not manage, and remove the
        pipeline provisioning repository.
    type: bool
    default: false
  adopt:
    description:
      - Take over a role of one of the given names that this collection did not create.
      - A role is the collection's when it carries the tag C(protonkit:managed-by=protonkit.accounts). A role
        without it is still recognised as one an earlier (untagging) version made when it is at O(role_path) with
        exactly the trust policy this module writes; it is then tagged.
      - With V(false) (the default), when a role the run would manage exists and is not the collection's,
        O(state=present) fails before its first write, naming each such role and why; check mode predicts the same
        failure. O(state=absent) leaves such roles as they are and returns them in RV(kept).
      - With V(true) such a role is tagged and managed as if the module had created it (its trust policy replaced,
        its other policies removed unless O(purge_policies=false)), and O(state=absent) deletes it. A role at
        another path than O(role_path) is still an error (IAM can't move a role), and is never deleted.
    type: bool
    default: false
    version_added: 0.2.0
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

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.protonkit.accounts.plugins.module_utils.account import aws_managed_policy_arn
from ansible_collections.protonkit.accounts.plugins.module_utils.account import get_caller_account
from ansible_collections.protonkit.accounts.plugins.module_utils.account import warn
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import account_in_details
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import IAMContext
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_role
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import get_roles
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import iam_client
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import identifier_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import missing_policies
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import policy_arn_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import read_account_details
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import remove_role
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import role_path_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import tags_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import OWNERSHIP_TAG_KEY
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import OWNERSHIP_TAG_VALUE
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import is_owned
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import ownership_tags
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import refusal_message
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import refused
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import with_ownership_tag
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import CODEBUILD_SERVICE
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import PERMISSIONS_POLICY_NAME
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import PROTON_SERVICE
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import ProtonUnavailable
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import desired_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import endpoint_missing
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import inline_policies_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import permissions_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import permissions_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import predicted_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import proton_client
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import read_account_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import regions_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import repository_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import settings_regions
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import settings_update
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import trust_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import update_with_propagation_retry

import functools

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

ROLE_VIEW_KEYS = ("name", "arn", "path", "description", "trust_policy", "managed_policy_arns", "inline_policies", "tags")


# --- what the roles should be ---------------------------------------------------------------------------------------
def desired_roles(params, iam, inline_documents):
    """purpose -> desired role, shaped like iam.get_role's output (the ARN predicted)."""
    account_id, partition, path = iam.account_id, iam.partition, params["role_path"]
    policy = permissions_policy(params["permissions"], account_id, partition, params["allowed_services"])
    inline = dict(inline_documents)
    if policy:
        inline[PERMISSIONS_POLICY_NAME] = policy
    managed = list(params["managed_policy_arns"])
    if params["permissions"] == "administrator":
        managed.append(aws_managed_policy_arn(partition, "AdministratorAccess"))

    def role(name, service, description, managed_arns, inline_policies):
        return {"name": name, "path": path, "arn": iam.arn("role", path, name),
                "description": description, "trust_policy": trust_policy(service, account_id, partition),
                "tags": with_ownership_tag(params["tags"]), "managed_policy_arns": sorted(set(managed_arns)),
                "inline_policies": inline_policies}

    service = role(params["service_role_name"], PROTON_SERVICE,
                   "AWS Proton service role" + (" and pipeline service role" if params["shared_role"] else ""),
                   managed, inline)
    roles = {"service": service}
    roles["pipeline"] = service if params["shared_role"] else role(
        params["pipeline_role_name"], PROTON_SERVICE, "AWS Proton pipeline service role", managed, inline)
    if params["codebuild_role"]:
        roles["codebuild"] = role(
            params["codebuild_role_name"], CODEBUILD_SERVICE, "AWS Proton CodeBuild provisioning role",
            [aws_managed_policy_arn(partition, "AWSProtonCodeBuildProvisioningBasicAccess")], {})
    return roles


def input_problem(params):
    """What is wrong with the parameters alone (no AWS needed), naming the option; None when nothing is."""
    problem = None
    for option in ("service_role_name", "pipeline_role_name", "codebuild_role_name"):
        problem = problem or identifier_problem("role", params[option], params["role_path"], option, "role_path")
    if params["state"] == "absent":
        return problem
    problem = problem or tags_problem(params["tags"], "tags", added=ownership_tags())
    problem = problem or policy_arn_problem(params["managed_policy_arns"], "managed_policy_arns")
    problem = problem or permissions_problem(params["permissions"], params["allowed_services"])
    _documents, inline_problem = inline_policies_problem(params["permissions"], params["inline_policies"])
    problem = problem or inline_problem
    problem = problem or repository_problem(params["pipeline_provisioning_repository"])
    if params["role_propagation_timeout"] < 0:
        problem = problem or "role_propagation_timeout: seconds, 0 or more (0: never retry)"
    proton_role_names = (params["service_role_name"], params["pipeline_role_name"])
    if params["codebuild_role"] and params["codebuild_role_name"] in proton_role_names:
        problem = problem or ("codebuild_role_name: must differ from service_role_name and pipeline_role_name; the "
                              "CodeBuild role trusts codebuild.amazonaws.com, the Proton roles proton.amazonaws.com")
    return problem


# --- ownership: only what is this collection's is changed or removed ------------------------------------------------
# See the adopt option (DOCUMENTATION) and docs/security.md, "Ownership".
def role_problem(current, trust, path):
    """Why an existing role is not ours (None: it is, or there is none). ``trust``: the trust policy we write."""
    if current is None or is_owned(current["tags"]):
        return None
    # Earlier versions tagged nothing. What they left is recognised by its shape: at our path, trusting exactly
    # what we write; then managing it changes nothing about who can assume it.
    if current["path"] != path:
        shape = f"it is at path {current['path']!r}, not role_path {path!r}"
    elif compare_policies(current["trust_policy"], trust):
        shape = "its trust policy is not the one this module writes"
    else:
        return None
    return f"not tagged {OWNERSHIP_TAG_KEY}={OWNERSHIP_TAG_VALUE}, and not what an earlier version made: {shape}"


def role_refusals(params, current_roles, trusts):
    """The existing roles (by purpose) that are not ours, each once: ``[{kind, name, reason}]``; empty with adopt."""
    refusals = []
    for purpose, current in current_roles.items():
        reason = None if params["adopt"] else role_problem(current, trusts[purpose], params["role_path"])
        if reason and current["name"] not in [item["name"] for item in refusals]:
            refusals.append(refused("role", current["name"], reason))
    return refusals


def validate_against_account(module, iam, current_roles, roles):
    """What only the account can tell (whose the roles are, its partition, role paths, policies that exist), before
    any write."""
    refusals = role_refusals(module.params, current_roles,
                             {purpose: role["trust_policy"] for purpose, role in roles.items()})
    if refusals:
        module.fail_json(msg=refusal_message(refusals, "proton_roles_adopt"), refused=refusals)
    problem = policy_arn_problem(module.params["managed_policy_arns"], "managed_policy_arns", iam.partition)
    if problem:
        module.fail_json(msg=problem)
    for purpose, role in roles.items():
        problem = role_path_problem(current_roles.get(purpose), role["path"], "role_path")
        if problem:
            module.fail_json(msg=problem)
    new_arns = sorted({arn for role in roles.values() for arn in role["managed_policy_arns"]}
                      - {arn for role in current_roles.values() if role for arn in role["managed_policy_arns"]})
    unknown = missing_policies(iam.client, new_arns)
    if unknown:
        module.fail_json(msg=f"managed_policy_arns: no such managed policy: {', '.join(unknown)}")


# --- ensure ---------------------------------------------------------------------------------------------------------
def ensure_roles(iam, current_roles, roles, purge_tags, purge_policies):
    """Each distinct role once. Returns (changed, purpose -> role after, created)."""
    changed = created = False
    after = {}
    for purpose, role in roles.items():
        if role["name"] in [done["name"] for done in after.values()]:
            after[purpose] = next(done for done in after.values() if done["name"] == role["name"])
            continue
        current = current_roles.get(purpose)
        role_changed, after[purpose] = ensure_role(iam, current, role, purge_tags, purge_policies)
        changed, created = changed or role_changed, created or current is None
    return changed, after, created


def ensure_account_settings(proton, iam, region, current, desired, retry_seconds):
    """Write only what differs. Returns (changed, settings after, retries). ``retry_seconds``: how long a role
    Proton can't see yet (created in this run) is waited for."""
    update = settings_update(current, desired)
    if not update:
        return False, current, 0
    if iam.check_mode:
        return True, predicted_settings(current, update, iam.account_id, region, iam.partition), 0
    settings, retries = update_with_propagation_retry(proton, region, update, retry_seconds)
    return True, settings, retries


def settings_to_clear(current, our_arns, force):
    """The settings that point at our roles (at any role with ``force``, and the repository too), cleared."""
    desired = {}
    for key in ("pipelineServiceRoleArn", "pipelineCodebuildRoleArn"):
        if current.get(key) and (current[key] in our_arns or force):
            desired[key] = ""
    if force:
        desired["pipelineProvisioningRepository"] = {}
    return desired


# --- Proton not answering: one way through ----------------------------------------------------------------------------
# What the run could not do in a region (the warning names it), by state (the IAM half is done either way).
UNAVAILABLE_CONSEQUENCE = {
    "present": " The IAM roles were managed; the account settings were not.",
    "absent": " Its account settings could not be read or cleared; the IAM roles are removed all the same.",
}


def with_proton(module, step, **known):
    """``(step(), None)``, or ``(None, ProtonUnavailable)`` when Proton does not answer and the run goes on without
    it: with state=present and proton_unavailable=fail it fails here instead (``known``: what the result says
    besides). The caller warns (``warn_unavailable``) once the IAM work is done."""
    try:
        return step(), None
    except ProtonUnavailable as e:
        if module.params["state"] == "present" and module.params["proton_unavailable"] == "fail":
            module.fail_json(msg=e.message(), proton_available=False, **known)
        return None, e


def warn_unavailable(state, unavailable):
    if unavailable is not None:
        warn(unavailable.message(hint=False) + UNAVAILABLE_CONSEQUENCE[state])


def read_settings(module, regions):
    """Each region's Proton client and settings before any write: ``{region: (client, settings) or None}`` and
    ``{region: ProtonUnavailable or None}`` (with proton_unavailable=fail, a region that does not answer fails here,
    before the roles are written)."""
    answers, unavailable = {}, {}
    for region in regions:
        def read(region=region):
            client = proton_client(module, region)
            return client, read_account_settings(client, region)
        try:
            answers[region], unavailable[region] = with_proton(module, read)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"AWS Proton account settings could not be read in {region}; nothing was "
                                        "written")
    return answers, unavailable


def reconcile_settings(module, iam, answers, unavailable, desired_of, retry_seconds=0, changed=False, **known):
    """Each region that answered, to ``desired_of(its settings before)``: ``([region result], {region: before})``.
    A region that fails ends the run with what was done so far: ``changed`` (what the run changed before the
    settings), the regions done, and ``known`` (what else the result says)."""
    results, before = [], {}
    for region, answer in answers.items():
        before[region], outcome = {}, None
        if answer is not None:
            proton, before[region] = answer
            step = functools.partial(ensure_account_settings, proton, iam, region, before[region],
                                     desired_of(before[region]), retry_seconds)
            so_far = dict(known, regions=results, changed=changed or any(item["changed"] for item in results))
            try:
                outcome, unavailable[region] = with_proton(module, step, **so_far)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                module.fail_json_aws(e, msg=f"AWS Proton account settings could not be updated in {region}", **so_far)
        region_changed, after, retries = outcome or (False, {}, 0)
        warn_unavailable(module.params["state"], unavailable[region])
        results.append(region_result(region, region_changed, after, unavailable[region], retries))
    return results, before


def region_result(region, changed, settings, unavailable, retries=0):
    return {"region": region, "changed": changed, "account_settings": settings,
            "proton_available": unavailable is None, "settings_retries": retries}


def summed_up(regions, results, **result):
    """The module's result: ``result`` (the roles' part), with each region's and the first region's at the top."""
    first = results[0] if results else region_result(None, False, {}, None)
    return dict(
        result,
        changed=result["changed"] or any(item["changed"] for item in results),
        region=regions[0] if regions else None,
        regions=results,
        account_settings=first["account_settings"],
        proton_available=all(item["proton_available"] for item in results),
        settings_retries=first["settings_retries"],
    )


# --- the two states -------------------------------------------------------------------------------------------------
def _role_view(role):
    return {key: role.get(key) for key in ROLE_VIEW_KEYS} if role else {}


def present(module, iam, details, regions):
    params = module.params
    inline_documents, _problem = inline_policies_problem(params["permissions"], params["inline_policies"])
    roles = desired_roles(params, iam, inline_documents)
    found = get_roles(iam.client, [role["name"] for role in roles.values()], details)
    current_roles = {purpose: found[role["name"]] for purpose, role in roles.items()}
    validate_against_account(module, iam, current_roles, roles)
    answers, unavailable = read_settings(module, regions if params["configure_account_settings"] else [])

    # The ownership tag is always set (adopting is tagging); without tags asked for, the others are left alone.
    roles_changed, roles_after, created = ensure_roles(
        iam, current_roles, roles, params["purge_tags"] and params["tags"] is not None, params["purge_policies"])
    desired = desired_settings(roles_after["pipeline"]["arn"], roles_after.get("codebuild", {}).get("arn"),
                               params["pipeline_provisioning_repository"])
    # Only a role created in this run can be "not visible yet"; for older roles a refusal is final.
    retry_seconds = params["role_propagation_timeout"] if created else 0
    results, settings_before = reconcile_settings(module, iam, answers, unavailable, lambda _before: desired,
                                                  retry_seconds, changed=roles_changed, roles=roles_after)

    return summed_up(
        regions, results,
        changed=roles_changed,
        created=created,
        roles=roles_after,
        kept=[],
        diff={
            "before": {"roles": {p: _role_view(r) for p, r in current_roles.items()},
                       "account_settings": settings_before},
            "after": {"roles": {p: _role_view(r) for p, r in roles_after.items()},
                      "account_settings": {item["region"]: item["account_settings"] for item in results}},
        },
    )


def absent(module, iam, details, regions):
    params = module.params
    # Every role this module can create, whatever shared_role and codebuild_role say now: absent is the clean-up.
    names = {"service": params["service_role_name"], "pipeline": params["pipeline_role_name"],
             "codebuild": params["codebuild_role_name"]}
    found = get_roles(iam.client, list(names.values()), details)
    current_roles = {purpose: found[name] for purpose, name in names.items()}
    proton_trust = trust_policy(PROTON_SERVICE, iam.account_id, iam.partition)
    kept = role_refusals(params, current_roles, {
        "service": proton_trust, "pipeline": proton_trust,
        "codebuild": trust_policy(CODEBUILD_SERVICE, iam.account_id, iam.partition)})
    # Removal respects role_path: a role elsewhere, even ours, is not the one this configuration stands for.
    for role in current_roles.values():
        if role and role["path"] != params["role_path"] and role["name"] not in [item["name"] for item in kept]:
            kept.append(refused("role", role["name"], f"it is at path {role['path']!r}, not role_path "
                                                      f"{params['role_path']!r}"))
    kept_names = [item["name"] for item in kept]
    ours = {purpose: role for purpose, role in current_roles.items() if role and role["name"] not in kept_names}
    # Settings are cleared where they point at our roles, or at the ARN our role would have (no role of that name).
    our_arns = {role["arn"] for role in ours.values()}
    our_arns |= {iam.arn("role", params["role_path"], names[purpose])
                 for purpose, role in current_roles.items() if role is None}

    # Every region's settings first: a setting must never be left pointing at a role that is gone.
    answers, unavailable = read_settings(module, regions if params["configure_account_settings"] else [])
    results, settings_before = reconcile_settings(
        module, iam, answers, unavailable, lambda before: settings_to_clear(before, our_arns, params["force"]))

    removed = []
    for role in ours.values():
        if role["name"] not in removed:
            remove_role(iam, role)
            removed.append(role["name"])
    return summed_up(
        regions, results,
        changed=bool(removed),
        created=False,
        roles={},
        removed_roles=removed,
        kept=kept,
        diff={
            "before": {"roles": {p: _role_view(r) for p, r in current_roles.items() if r},
                       "account_settings": settings_before},
            "after": {"roles": {p: _role_view(r) for p, r in current_roles.items() if r and r["name"] in kept_names},
                      "account_settings": {item["region"]: item["account_settings"] for item in results}},
        },
    )


def main():
    argument_spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        regions=dict(type="list", elements="str"),
        shared_role=dict(type="bool", default=False),
        service_role_name=dict(type="str", default="AWSProtonServiceRole"),
        pipeline_role_name=dict(type="str", default="AWSProtonPipelineServiceRole"),
        role_path=dict(type="str", default="/service-role/"),
        permissions=dict(type="str", default="console", choices=["console", "administrator", "scoped", "custom"]),
        allowed_services=dict(type="list", elements="str"),
        managed_policy_arns=dict(type="list", elements="str", default=[]),
        inline_policies=dict(type="dict", default={}),
        purge_policies=dict(type="bool", default=True),
        codebuild_role=dict(type="bool", default=False),
        codebuild_role_name=dict(type="str", default="AWSProtonCodeBuildProvisioningRole"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        configure_account_settings=dict(type="bool", default=True),
        pipeline_provisioning_repository=dict(type="dict", options=dict(
            provider=dict(type="str", choices=["GITHUB", "GITHUB_ENTERPRISE", "BITBUCKET"]),
            name=dict(type="str"),
            branch=dict(type="str"),
        )),
        role_propagation_timeout=dict(type="int", default=60),
        proton_unavailable=dict(type="str", default="fail", choices=["fail", "warn"]),
        force=dict(type="bool", default=False),
        adopt=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problem = input_problem(params)
    if not problem and params["configure_account_settings"]:
        problem = regions_problem(params["regions"], module.region)
    if problem:
        module.fail_json(msg=problem)
    regions = settings_regions(params["regions"], module.region)
    if params["state"] == "present" and params["configure_account_settings"] and params["proton_unavailable"] == "fail":
        # A region botocore has no Proton endpoint for is known before any call: refused before any.
        for region in regions:
            unavailable = endpoint_missing(module, region)
            if unavailable:
                module.fail_json(msg=unavailable.message(), proton_available=False)
    # IAM is global and STS answers alike everywhere: with only regions given, their first serves.
    region = module.region or (regions or [None])[0]
    client = iam_client(module, region)
    try:
        details = read_account_details(client, ["role"])
        # Any role's ARN names the account (in AWS the role these credentials came from is one of them).
        identity = account_in_details(details) or get_caller_account(module, region)
        iam = IAMContext(client, module.check_mode, identity["partition"], identity["account_id"])
        result = {"present": present, "absent": absent}[params["state"]](module, iam, details, regions)
    except AnsibleIAMError as e:
        module.fail_json_aws_error(e)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="The AWS Proton roles or account settings could not be managed")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
