# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Proton service roles as protonkit.accounts manages them, up to the first write.

Shared by the module (plugins/modules/proton_account_roles.py) and its check on the controller
(plugins/action/proton_account_roles_check.py): the options, the roles they describe, what is wrong with them on
their own or in the account (roles that are not ours among it), and every region's Proton asked. ``module`` is an
``AnsibleAWSModule`` or anything with its ``params``, ``region``, ``check_mode``, ``client``, ``fail_json`` and
``fail_json_aws``.
"""

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.protonkit.accounts.plugins.module_utils.account import aws_managed_policy_arn
from ansible_collections.protonkit.accounts.plugins.module_utils.account import get_caller_account
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import IAMContext
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import account_in_details
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import get_roles
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import iam_client
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import identifier_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import missing_policies
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import policy_arn_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import read_account_details
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
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import endpoint_missing
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import inline_policies_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import permissions_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import permissions_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import proton_client
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import read_account_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import regions_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import repository_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import settings_regions
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import trust_policy


def argument_spec():
    """The options of proton_account_roles; its controller-side check takes them all but state."""
    return dict(
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


# --- Proton not answering, before any write -------------------------------------------------------------------------
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


# --- up to the first write --------------------------------------------------------------------------------------------
def open_account(module):
    """The options checked (a bad one fails here, before any call), then the account read once:
    ``(regions, IAMContext, the account's roles' details)``."""
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
    details = read_account_details(client, ["role"])
    # Any role's ARN names the account (in AWS the role these credentials came from is one of them).
    identity = account_in_details(details) or get_caller_account(module, region)
    iam = IAMContext(client, module.check_mode, identity["partition"], identity["account_id"])
    return regions, iam, details


def present_before_writes(module, iam, details, regions):
    """Everything state=present reads and checks before its first write: the roles wanted and as they are (by
    purpose), and each region's Proton client and settings (``read_settings``). Fails, with nothing written, on a
    role that is not ours, on what only the account can tell, and (proton_unavailable=fail) on a region where Proton
    does not answer."""
    params = module.params
    inline_documents, _problem = inline_policies_problem(params["permissions"], params["inline_policies"])
    roles = desired_roles(params, iam, inline_documents)
    found = get_roles(iam.client, [role["name"] for role in roles.values()], details)
    current_roles = {purpose: found[role["name"]] for purpose, role in roles.items()}
    validate_against_account(module, iam, current_roles, roles)
    answers, unavailable = read_settings(module, regions if params["configure_account_settings"] else [])
    return roles, current_roles, answers, unavailable
