# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The options of protonkit.accounts.proton_account_roles but state, which its check on the controller
    # (protonkit.accounts.proton_account_roles_check) takes too: one argument spec (module_utils/proton_roles.py),
    # one text.
    DOCUMENTATION = r"""
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
      - With O(protonkit.accounts.proton_account_roles#module:state=absent) Proton not answering is always a warning,
        whatever this says. The roles are removed all the same, so a clean-up never needs this option.
    type: str
    choices: [fail, warn]
    default: fail
  force:
    description:
      - With O(protonkit.accounts.proton_account_roles#module:state=absent), also clear settings that point at roles
        this module does not manage, and remove the pipeline provisioning repository.
    type: bool
    default: false
  adopt:
    description:
      - Take over a role of one of the given names that this collection did not create.
      - A role is the collection's when it carries the tag C(protonkit:managed-by=protonkit.accounts). A role
        without it is still recognised as one an earlier (untagging) version made when it is at O(role_path) with
        exactly the trust policy this module writes; it is then tagged.
      - With V(false) (the default), when a role the run would manage exists and is not the collection's,
        O(protonkit.accounts.proton_account_roles#module:state=present) fails before its first write, naming each such
        role and why; check mode predicts the same failure.
        O(protonkit.accounts.proton_account_roles#module:state=absent) leaves such roles as they are and returns them in
        RV(protonkit.accounts.proton_account_roles#module:kept).
      - With V(true) such a role is tagged and managed as if the module had created it (its trust policy replaced, its
        other policies removed unless O(purge_policies=false)), and
        O(protonkit.accounts.proton_account_roles#module:state=absent) deletes it. A role at another path than
        O(role_path) is still an error (IAM can't move a role), and is never deleted.
    type: bool
    default: false
    version_added: 0.2.0
"""
