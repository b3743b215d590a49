# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Proton service roles and account settings as protonkit.accounts manages them: the whole of
proton_account_roles.

Shared by the module (plugins/modules/proton_account_roles.py), its action plugin (the same code in the task's worker
on the controller, when the module would run there anyway) and its check on the controller
(plugins/action/proton_account_roles_check.py, which stops at ``present_before_writes``). ``module`` is an
``AnsibleAWSModule`` or anything with its ``params``, ``region``, ``check_mode``, ``_diff``, ``client``,
``fail_json``, ``fail_json_aws`` and ``fail_json_aws_error`` (plugin_utils/module_in_worker.py).
"""

import functools

try:
    import botocore
except ImportError:
    pass  # reported by AnsibleAWSModule, or by the action plugins

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.protonkit.accounts.plugins.module_utils.account import aws_managed_policy_arn
from ansible_collections.protonkit.accounts.plugins.module_utils.account import get_caller_account
from ansible_collections.protonkit.accounts.plugins.module_utils.account import warn
from ansible_collections.protonkit.accounts.plugins.module_utils.account import with_diff_if_asked
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import IAMContext
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import account_in_details
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
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import permissions_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import permissions_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import predicted_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import proton_client
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import read_account_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import regions_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import repository_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import settings_regions
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import settings_update
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import trust_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import update_with_propagation_retry


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


def warn_unavailable(module, unavailable):
    if unavailable is not None:
        warn(module, unavailable.message(hint=False) + UNAVAILABLE_CONSEQUENCE[module.params["state"]])


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
        warn_unavailable(module, unavailable[region])
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


def run(module):
    """The module's work, as its result (``exit_json``'s arguments); a failure calls ``module.fail_json*``."""
    try:
        regions, iam, details = open_account(module)
        result = {"present": present, "absent": absent}[module.params["state"]](module, iam, details, regions)
    except AnsibleIAMError as e:
        module.fail_json_aws_error(e)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="The AWS Proton roles or account settings could not be managed")
    return with_diff_if_asked(module, result)
