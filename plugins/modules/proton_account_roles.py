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

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.protonkit.accounts.plugins.module_utils.account import warn
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_role
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import get_roles
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import remove_role
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import refused
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import CODEBUILD_SERVICE
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import PROTON_SERVICE
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import desired_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import predicted_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import settings_update
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import trust_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import update_with_propagation_retry
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import argument_spec
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import open_account
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import present_before_writes
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import read_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import role_refusals
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import with_proton

import functools

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

ROLE_VIEW_KEYS = ("name", "arn", "path", "description", "trust_policy", "managed_policy_arns", "inline_policies", "tags")


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


def warn_unavailable(state, unavailable):
    if unavailable is not None:
        warn(unavailable.message(hint=False) + UNAVAILABLE_CONSEQUENCE[state])


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
    roles, current_roles, answers, unavailable = present_before_writes(module, iam, details, regions)

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
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        regions, iam, details = open_account(module)
        result = {"present": present, "absent": absent}[module.params["state"]](module, iam, details, regions)
    except AnsibleIAMError as e:
        module.fail_json_aws_error(e)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="The AWS Proton roles or account settings could not be managed")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
