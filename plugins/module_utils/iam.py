# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The IAM layer of the protonkit.accounts modules: reading an account, and every reconcile and removal step of
its groups, users, login profiles, roles, their policies and tags, side by side.

Reads take the client and return records (plain dicts, the modules' shapes). Every step takes an ``IAMContext``
(built once in ``main()``: client, check mode, partition, account id) and explicit desired values - never module
parameters -, reads nothing itself (the caller read the account once, and hands in the current record), and returns
``(changed, predicted)``: in check mode it writes nothing and returns what the real run would leave, so check mode
predicts exactly and ``--diff`` can show before and after. Removal steps return ``(changed, what is left)``.

The client must come from ``iam_client(module)`` (retries throttling and ``EntityTemporarilyUnmodifiable``
with jittered backoff; every call here passes ``aws_retry=True``). AWS errors are raised as
``AnsibleIAMError``; modules turn them into ``module.fail_json_aws_error(e)``.

API (``kind`` is ``"group"``, ``"user"`` or ``"role"``):

``iam_client(module)``; ``IAMContext(client, check_mode, partition, account_id)``, ``.arn(kind, path, name)``
    The IAM client with the retry decorator above; the context of every step, and the ARNs it predicts.
``identifier_problem(kind, name, path, name_option, path_option)`` -> str | None
    IAM's name/path rules (ASCII only, IAM's lengths), the message naming the option to fix.
``tags_problem(tags, option, added=None)`` -> str | None
    IAM's tag rules (at most 50, key and value length and characters, no ``aws:`` key), naming the option.
    ``added``: the tags the module puts on besides (the ownership tag), which count towards the 50.
``policy_arn_problem(arns, option, partition=None)`` -> str | None
    A malformed managed policy ARN (or one of another partition), the message naming the option.
``missing_policies(client, arns)`` -> list
    The ARNs that name no existing policy (one ``GetPolicy`` each; never lists all policies).
``role_path_problem(current_role, desired_path, path_option)`` -> str | None
    IAM can't move a role to another path: say so before any write.

Reads:

``read_account_details(client, kinds)`` -> dict | None
    The account's users, groups and/or roles (``kinds``, as everywhere here) with their policies, tags and
    group lists, from one ``GetAccountAuthorizationDetails`` call: ``{kind: {name: detail}}``.
    None when they don't fit one page (a large account) or the call is denied: read entity by entity then.
``detail_named(details, kind, name)``; ``account_in_details(details)`` -> ``{account_id, partition}`` | None
``read_group_and_user(client, group_name, user_name)`` -> ``{group, user, login_profile}``
    From the one-call read, or entity by entity (``get_group``, ``get_user``, ``get_login_profile``).
``list_group_policy_names(client, name)``; ``list_attached_policy_arns(client, kind, name)`` -> sorted list;
``list_inline_policies(client, kind, name)`` -> ``{policy name: document}``
``get_role(client, name)`` -> dict | None; ``get_roles(client, names, details=None)`` -> ``{name: dict | None}``
    ``name, arn, id, path, description, trust_policy`` (decoded), ``tags, managed_policy_arns, inline_policies``.
    With ``details`` (roles read by ``read_account_details``) they come from there, their descriptions (which the
    details lack) from one ``ListRoles`` per role path (``GetRole`` when that is denied).

Steps (``iam`` is the ``IAMContext``):

``ensure_group(iam, current, name, path)``; ``ensure_user(iam, current, name, path, tags, purge_tags)``;
``ensure_membership(iam, group, user)``;
``ensure_login_profile(iam, current, user_name, console_access, password, reset_required)``;
``ensure_attached_policies(iam, kind, name, current_arns, desired_arns, purge)``;
``ensure_inline_policies(iam, kind, name, current, desired, purge)`` (compared with ``compare_policies``);
``ensure_tags(iam, kind, name, current, desired, purge)`` (``desired=None`` leaves them alone);
``ensure_role(iam, current, desired, purge_tags, purge_policies)`` (``desired`` shaped like ``get_role``'s answer)
    -> ``(changed, predicted)``
``remove_user(iam, user)``, ``remove_group(iam, group, removed_user, policy_arns, force)``, ``remove_role(iam, role)``
    -> ``(changed, what is left)``: everything IAM requires gone first (for a user: login profile, access keys,
    signing certificates, SSH keys, service-specific credentials, MFA devices - virtual ones deleted -, policies,
    group memberships), then the entity.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.protonkit.accounts.plugins.module_utils.account import account_of_arn
from ansible_collections.protonkit.accounts.plugins.module_utils.account import iam_arn

# IAM answers some writes with these while an entity is still settling; retrying is the documented remedy.
IAM_RETRY = AWSRetry.jittered_backoff(
    retries=10, catch_extra_error_codes=["EntityTemporarilyUnmodifiable", "ConcurrentModification", "ServiceFailure"]
)

# Partitions are aws, aws-cn, aws-us-gov and the aws-iso* / aws-eusc ones: all "aws" plus dash-separated words.
# re.ASCII: in Python \w also matches letters such as "é", which IAM refuses in any name; fullmatch: $ also matches
# before a final newline.
POLICY_ARN_PATTERN = re.compile(r"arn:(aws(?:-[a-z]+)*):iam::(aws|\d{12}):policy/([\w+=,.@-]+/)*[\w+=,.@-]+",
                                re.ASCII)

# IAM's own rules for names (botocore's IAM model, shapes userNameType, groupNameType and roleNameType: pattern
# [\w+=,.@-]+ in IAM's sense of \w, which is ASCII only) and for paths (pathType: at most 512 characters). Spelled
# out in ASCII because Python's \w (and amazon.aws's validate_iam_identifiers with it) lets "Ädmin" through, and
# IAM then refuses it in the middle of a run. A path's segments use the name characters: IAM's pathType would allow
# any printable ASCII, but Proton's and IAM's own ARN patterns (account settings, policy ARNs) would not.
IAM_NAME_CHARACTERS = "ASCII letters, digits and _+=,.@-"
IAM_NAME_PATTERN = re.compile(r"[A-Za-z0-9_+=,.@-]+")
IAM_PATH_PATTERN = re.compile(r"/(?:[A-Za-z0-9_+=,.@-]+/)*")
IAM_NAME_MAX_LENGTH = {"user": 64, "group": 128, "role": 64}
IAM_PATH_MAX_LENGTH = 512
# IAM's tag rules (botocore: tagListType, tagKeyType, tagValueType). The characters are Unicode letters, numbers
# and spaces (\p{L}, \p{N}, \p{Z}) and these; Python's re has no \p{...}, so unicodedata says what a character is.
TAG_MAX_COUNT = 50
TAG_KEY_MAX_LENGTH = 128
TAG_VALUE_MAX_LENGTH = 256
TAG_SYMBOLS = "_.:/=+-@"

# The IAM API spells the same operation differently for each kind of entity.
_API = {
    kind: {
        "key": f"{kind.capitalize()}Name",
        "attach": f"attach_{kind}_policy",
        "detach": f"detach_{kind}_policy",
        "put_inline": f"put_{kind}_policy",
        "delete_inline": f"delete_{kind}_policy",
        "list_attached": f"list_attached_{kind}_policies",
        "list_inline": f"list_{kind}_policies",
        "get_inline": f"get_{kind}_policy",
        "tag": f"tag_{kind}",
        "untag": f"untag_{kind}",
    }
    for kind in ("group", "user", "role")
}


def iam_client(module, region=None):
    """``region``: where the calls go when the module has none of its own (IAM is global)."""
    return module.client("iam", retry_decorator=IAM_RETRY, **({"region": region} if region else {}))


@dataclass(frozen=True)
class IAMContext:
    """What every reconcile and removal step needs, built once in a module's ``main()``: the client (from
    ``iam_client``), whether this is check mode (write nothing, predict), and the account's partition and id (the
    ARNs of what check mode would create)."""

    client: Any
    check_mode: bool
    partition: str
    account_id: str

    def arn(self, kind, path, name):
        return iam_arn(self.partition, self.account_id, kind, path, name)


def _call(client, kind, operation, name, **kwargs):
    api = _API[kind]
    return getattr(client, api[operation])(aws_retry=True, **{api["key"]: name}, **kwargs)


def _paginate(client, kind, operation, name, result_key):
    api = _API[kind]
    pages = paginated_query_with_retries(client, api[operation], retry_decorator=IAM_RETRY, **{api["key"]: name})
    return pages.get(result_key, [])


# --- validation -------------------------------------------------------------------------------------------------
def identifier_problem(kind, name, path, name_option, path_option):
    """A message naming the option to fix when ``name`` or ``path`` breaks IAM's rules, else None."""
    name_problem = _name_problem(kind, name)
    if name_problem:
        return f"{name_option}: {name_problem} (got {name!r})"
    path_problem = _path_problem(kind, path)
    if path_problem:
        return f"{path_option}: {path_problem}, for example '/' or '/service-role/' (got {path!r})"
    return None


def _name_problem(kind, name):
    max_length = IAM_NAME_MAX_LENGTH[kind]
    if not name:
        return f"an IAM {kind} name can't be empty; use 1 to {max_length} {IAM_NAME_CHARACTERS}"
    if len(name) > max_length:
        return f"IAM {kind} names are at most {max_length} characters, this one has {len(name)}"
    if not IAM_NAME_PATTERN.fullmatch(name):
        return (f"IAM {kind} names allow only {IAM_NAME_CHARACTERS}, not {_unwanted(name, IAM_NAME_PATTERN)}; "
                "rename it (for example without spaces or accents)")
    return None


def _path_problem(kind, path):
    if path is None:
        return None
    if len(path) > IAM_PATH_MAX_LENGTH:
        return f"IAM {kind} paths are at most {IAM_PATH_MAX_LENGTH} characters, this one has {len(path)}"
    if not (path.startswith("/") and path.endswith("/")):
        return f"{kind} path must begin and end with /"
    if "//" in path:
        return f"{kind} path has an empty segment (//)"
    if not IAM_PATH_PATTERN.fullmatch(path):
        return (f"{kind} path allows only {IAM_NAME_CHARACTERS} between its slashes, "
                f"not {_unwanted(path.replace('/', ''), IAM_NAME_PATTERN)}")
    return None


def _unwanted(text, allowed):
    """The characters of ``text`` that ``allowed`` does not match, readable: "'é', ' '"."""
    return ", ".join(repr(char) for char in dict.fromkeys(text) if not allowed.fullmatch(char))


def tags_problem(tags, option, added=None):
    """A message naming ``option`` when ``tags`` (a dict, or None for "leave them alone") break IAM's tag rules;
    ``added`` are the tags the module sets besides them (not checked: the module's own)."""
    if not tags:
        return None
    count = len(dict(tags, **(added or {})))
    if count > TAG_MAX_COUNT:
        besides = f" with the {', '.join(sorted(added))} tag the module adds" if added else ""
        return (f"{option}: {count} tags{besides}, but IAM allows at most {TAG_MAX_COUNT} on a user or role; "
                f"remove {count - TAG_MAX_COUNT} of them")
    # Checked as they will be sent: values as text (ansible_dict_to_boto3_tag_list), keys as they are.
    for tag in ansible_dict_to_boto3_tag_list(tags):
        problem = _tag_key_problem(tag["Key"]) or _tag_value_problem(tag["Value"])
        if problem:
            return f"{option}: tag {tag['Key']!r}: {problem}"
    return None


def _tag_key_problem(key):
    if not isinstance(key, str):
        return "tag keys are text; quote the key"
    if not 1 <= len(key) <= TAG_KEY_MAX_LENGTH:
        return f"keys are 1 to {TAG_KEY_MAX_LENGTH} characters, this one has {len(key)}; shorten it"
    if key.casefold().startswith("aws:"):
        return "keys starting with 'aws:' are reserved for AWS's own tags; rename the key"
    bad = [char for char in key if not _tag_character(char)]
    if bad:
        return f"{_tag_characters_message(bad)} in the key"
    return None


def _tag_value_problem(value):
    if len(value) > TAG_VALUE_MAX_LENGTH:
        return f"values are at most {TAG_VALUE_MAX_LENGTH} characters, this one has {len(value)}; shorten it"
    bad = [char for char in value if not _tag_character(char)]
    if bad:
        return f"{_tag_characters_message(bad)} in the value"
    return None


def _tag_character(char):
    return char in TAG_SYMBOLS or unicodedata.category(char)[0] in ("L", "N", "Z")


def _tag_characters_message(bad):
    shown = ", ".join(repr(char) for char in dict.fromkeys(bad))
    return f"IAM tags allow only letters, numbers, spaces and {TAG_SYMBOLS}, not {shown}"


def policy_arn_problem(arns, option, partition=None):
    """A message naming ``option`` when an ARN is no IAM policy ARN, or (given ``partition``) belongs to
    another partition than the account's, where IAM could never find it."""
    for arn in arns or []:
        match = POLICY_ARN_PATTERN.fullmatch(arn or "")
        if not match:
            return (f"{option}: {arn!r} is not an IAM policy ARN; use arn:<partition>:iam::aws:policy/<name> for an "
                    "AWS managed policy or arn:<partition>:iam::<account-id>:policy/<path><name> for your own")
        if partition and match.group(1) != partition:
            return (f"{option}: {arn!r} is in partition {match.group(1)} but the account is in {partition}; "
                    f"use arn:{partition}:iam::... (leave the option out for the partition's AdministratorAccess)")
    return None


@IAMErrorHandler.list_error_handler("get managed policy")
def _get_policy(client, arn):
    return client.get_policy(aws_retry=True, PolicyArn=arn)["Policy"]


def missing_policies(client, arns):
    """The policy ARNs among ``arns`` that do not exist (one GetPolicy each; never lists every policy)."""
    return [arn for arn in arns if _get_policy(client, arn) is None]


# --- reads -------------------------------------------------------------------------------------------------------
# One GetAccountAuthorizationDetails page (AWS's default size) answers for every user, group or role of a small
# account, freshly created ones included, with what would otherwise take a call per policy list. An account with
# more entities than fit is read entity by entity instead: a few targeted calls cost less than paging through it.
ACCOUNT_DETAILS_PAGE_SIZE = 100
# kind: the entity's filter value, list and name key in GetAccountAuthorizationDetails.
_DETAIL_LISTS = {"user": ("User", "UserDetailList", "UserName"), "group": ("Group", "GroupDetailList", "GroupName"),
                 "role": ("Role", "RoleDetailList", "RoleName")}


@IAMErrorHandler.common_error_handler("read the account's users, groups and roles")
def read_account_details(client, kinds):
    try:
        page = client.get_account_authorization_details(aws_retry=True, Filter=[_DETAIL_LISTS[kind][0] for kind in kinds],
                                                        MaxItems=ACCOUNT_DETAILS_PAGE_SIZE)
    except is_boto3_error_code("AccessDenied"):
        return None  # a runner policy granting only the entity-by-entity reads keeps working
    if page.get("IsTruncated"):
        return None
    details = {}
    for kind in kinds:
        _filter, list_key, name_key = _DETAIL_LISTS[kind]
        # IAM names are unique regardless of case, and IAM finds an entity by its name in any case: so do we.
        details[kind] = {detail[name_key].casefold(): detail for detail in page.get(list_key, [])}
    return details


def detail_named(details, kind, name):
    """The detail of the user, group or role (``kind``) ``name``, or None."""
    return details[kind].get(name.casefold())


def account_in_details(details):
    for entities in (details or {}).values():
        for detail in entities.values():
            return account_of_arn(detail["Arn"])
    return None


def attached_policy_arns(detail):
    return sorted(policy["PolicyArn"] for policy in detail.get("AttachedManagedPolicies", []))


def inline_policy_documents(policy_list):
    return {policy["PolicyName"]: _decoded(policy["PolicyDocument"]) for policy in policy_list}


def is_virtual_mfa_serial(serial):
    """Whether an MFA device's serial number is a virtual device's ARN (``arn:<partition>:iam::<account>:mfa/...``);
    hardware tokens have plain serials, FIDO keys ``u2f/`` ARNs."""
    arn = parse_aws_arn(serial)
    return bool(arn) and arn["service"] == "iam" and arn["resource_type"] == "mfa"


def _decoded(document):
    # boto3 decodes IAM's URL-encoded policy documents into dicts; an older botocore may leave a JSON string.
    return json.loads(document) if isinstance(document, str) else document


@IAMErrorHandler.list_error_handler("list attached policies", [])
def list_attached_policy_arns(client, kind, name):
    return sorted(policy["PolicyArn"] for policy in _paginate(client, kind, "list_attached", name, "AttachedPolicies"))


@IAMErrorHandler.list_error_handler("list inline policies", {})
def list_inline_policies(client, kind, name):
    documents = {}
    for policy_name in _paginate(client, kind, "list_inline", name, "PolicyNames"):
        document = _call(client, kind, "get_inline", name, PolicyName=policy_name)["PolicyDocument"]
        documents[policy_name] = _decoded(document)
    return documents


# --- reads: the Administrators group, the Administrator user, console access ---------------------------------------
NO_LOGIN_PROFILE = {"exists": False, "password_reset_required": False}


def read_group_and_user(client, group_name, user_name):
    """``{group, user, login_profile}`` as they are now: the group with its members and attached policies (and
    inline policy names when the one-call read gave them), the user with its tags (``groups``: the group, when the
    user is in it), and whether the user has a console password."""
    details = read_account_details(client, ["user", "group"])
    if details is None:  # more users and groups than one page holds: read just ours
        group = get_group(client, group_name)
        user = get_user(client, user_name)
    else:
        group = _group_in_details(details, group_name)
        user = _user_in_details(details, user_name)
    login_profile = (get_login_profile(client, user_name) if user else None) or dict(NO_LOGIN_PROFILE)
    if user is not None and group is not None and user["name"] in group["members"]:
        user["groups"] = [group["name"]]
    return {"group": group, "user": user, "login_profile": login_profile}


# Not amazon.aws's get_iam_group/get_iam_user/get_iam_role: they retry with their own decorator (throttling only,
# not IAM_RETRY's EntityTemporarilyUnmodifiable and ServiceFailure) and ignore the client's.
@IAMErrorHandler.list_error_handler("get group")
def get_group(client, name):
    # GetGroup answers with the members too: no ListGroupsForUser needed to know the membership.
    response = paginated_query_with_retries(client, "get_group", retry_decorator=IAM_RETRY, GroupName=name)
    return _group_record(response["Group"], [member["UserName"] for member in response.get("Users", [])],
                         list_attached_policy_arns(client, "group", name))


def _group_in_details(details, name):
    group = detail_named(details, "group", name)
    if group is None:
        return None
    members = [user["UserName"] for user in details["user"].values() if group["GroupName"] in user.get("GroupList", [])]
    return _group_record(group, members, attached_policy_arns(group),
                         [policy["PolicyName"] for policy in group.get("GroupPolicyList", [])])


def _user_in_details(details, name):
    user = detail_named(details, "user", name)
    return None if user is None else _user_record(user)


@IAMErrorHandler.list_error_handler("get user")
def get_user(client, name):
    return _user_record(client.get_user(aws_retry=True, UserName=name)["User"])


@IAMErrorHandler.list_error_handler("get login profile")
def get_login_profile(client, name):
    profile = client.get_login_profile(aws_retry=True, UserName=name)["LoginProfile"]
    return {"exists": True, "password_reset_required": bool(profile.get("PasswordResetRequired"))}


@IAMErrorHandler.list_error_handler("list the group's inline policies", [])
def list_group_policy_names(client, name):
    return paginated_query_with_retries(client, "list_group_policies", retry_decorator=IAM_RETRY,
                                        GroupName=name).get("PolicyNames", [])


def _group_record(group, members, policies, inline_policies=None):
    # inline_policies (names) only decide whether the group is ours; None: not read (read when that needs it).
    return {"name": group["GroupName"], "arn": group["Arn"], "id": group.get("GroupId"), "path": group["Path"],
            "attached_policies": policies, "members": members, "inline_policies": inline_policies}


def _user_record(user):
    return {"name": user["UserName"], "arn": user["Arn"], "id": user.get("UserId"), "path": user["Path"],
            "tags": boto3_tag_list_to_ansible_dict(user.get("Tags", [])), "groups": []}


# --- reads: roles ---------------------------------------------------------------------------------------------------
def get_roles(client, names, details=None):
    """``{name: role or None}`` for each of ``names``, each shaped as ``get_role`` returns it.

    With ``details`` (``read_account_details`` with roles) the roles come from there; the one thing the details
    lack, the description, comes from one ``ListRoles`` over the roles' path (the whole account's roles fit in a
    page, as they did in the details) rather than a ``GetRole`` per role (which is still the answer for a role the
    listing lacks, or when it is denied). Without: ``get_role`` for each name."""
    if details is None:
        return {name: get_role(client, name) for name in names}
    found = {name: detail_named(details, "role", name) for name in names}
    found = {name: detail for name, detail in found.items() if detail is not None}
    descriptions = _role_descriptions(client, {detail["Path"] for detail in found.values()})
    roles = dict.fromkeys(names)
    for name, detail in found.items():
        description = descriptions.get(detail["RoleName"])
        if description is None:  # ListRoles denied, or the role not in its answer yet: ask for this one
            role = _get_role(client, detail["RoleName"])
            description = role.get("Description", "") if role else ""
        roles[name] = _role_record(detail, description, attached_policy_arns(detail),
                                   inline_policy_documents(detail.get("RolePolicyList", [])))
    return roles


@IAMErrorHandler.list_error_handler("list roles", {})
def _role_descriptions(client, paths):
    descriptions = {}
    listed = []
    for path in sorted(paths):  # sorted: a path's prefix comes first, and covers it
        if any(path.startswith(prefix) for prefix in listed):
            continue
        listed.append(path)
        try:
            roles = paginated_query_with_retries(client, "list_roles", retry_decorator=IAM_RETRY, PathPrefix=path)
        except is_boto3_error_code("AccessDenied"):
            return {}  # a runner policy without iam:ListRoles: GetRole per role instead
        descriptions.update((role["RoleName"], role.get("Description", "")) for role in roles.get("Roles", []))
    return descriptions


def get_role(client, name):
    """A role as the modules compare and return it, or None when it does not exist (GetRole and its policy lists)."""
    role = _get_role(client, name)
    if role is None:
        return None
    return _role_record(role, role.get("Description", ""), list_attached_policy_arns(client, "role", name),
                        list_inline_policies(client, "role", name))


def _role_record(role, description, managed_policy_arns, inline_policies):
    """A role as the module compares and returns it, from a GetRole answer or a role detail of
    GetAccountAuthorizationDetails."""
    return {
        "name": role["RoleName"],
        "arn": role["Arn"],
        "id": role["RoleId"],
        "path": role["Path"],
        "description": description,
        "trust_policy": _decoded(role.get("AssumeRolePolicyDocument") or {}),
        "tags": boto3_tag_list_to_ansible_dict(role.get("Tags", [])),
        "managed_policy_arns": managed_policy_arns,
        "inline_policies": inline_policies,
    }


@IAMErrorHandler.list_error_handler("get role")
def _get_role(client, name):
    return client.get_role(aws_retry=True, RoleName=name)["Role"]


# --- reconcile steps: each (iam, current, desired...) -> (changed, predicted) -------------------------------------
@IAMErrorHandler.common_error_handler("update attached policies")
def ensure_attached_policies(iam, kind, name, current, desired, purge):
    """Attach ``desired`` policy ARNs; with ``purge`` detach the others."""
    current = set(current or [])
    desired = set(desired or [])
    to_attach = sorted(desired - current)
    to_detach = sorted(current - desired) if purge else []
    after = sorted((current | desired) - set(to_detach))
    if not iam.check_mode:
        # Detach first: IAM caps attached policies per entity, and a swap at the cap would fail otherwise.
        for arn in to_detach:
            _call(iam.client, kind, "detach", name, PolicyArn=arn)
        for arn in to_attach:
            _call(iam.client, kind, "attach", name, PolicyArn=arn)
    return bool(to_attach or to_detach), after


@IAMErrorHandler.common_error_handler("update inline policies")
def ensure_inline_policies(iam, kind, name, current, desired, purge):
    """Put each ``desired`` inline policy that differs (compared as policies, not strings); purge the rest."""
    current = dict(current or {})
    desired = dict(desired or {})
    to_put = [policy for policy, doc in sorted(desired.items())
              if policy not in current or compare_policies(current[policy], doc)]
    to_delete = sorted(set(current) - set(desired)) if purge else []
    after = {policy: doc for policy, doc in current.items() if policy not in to_delete}
    after.update(desired)
    if not iam.check_mode:
        for policy in to_put:
            _call(iam.client, kind, "put_inline", name, PolicyName=policy, PolicyDocument=json.dumps(desired[policy]))
        for policy in to_delete:
            _call(iam.client, kind, "delete_inline", name, PolicyName=policy)
    return bool(to_put or to_delete), after


@IAMErrorHandler.common_error_handler("update tags")
def ensure_tags(iam, kind, name, current, desired, purge):
    """Tag a user or role; ``desired=None`` leaves tags alone."""
    current = dict(current or {})
    if desired is None:
        return False, current
    to_set, to_remove = compare_aws_tags(current, desired, purge_tags=purge)
    after = {key: value for key, value in current.items() if key not in to_remove}
    after.update(to_set)
    if not iam.check_mode:
        if to_remove:
            _call(iam.client, kind, "untag", name, TagKeys=to_remove)
        if to_set:
            _call(iam.client, kind, "tag", name, Tags=ansible_dict_to_boto3_tag_list(to_set))
    return bool(to_set or to_remove), after


@IAMErrorHandler.common_error_handler("create or update group")
def ensure_group(iam, current, name, path):
    """The group at ``path`` (its policies are ``ensure_attached_policies``'s)."""
    if current is None:
        group = {"GroupName": name, "Path": path, "GroupId": None, "Arn": iam.arn("group", path, name)}
        if not iam.check_mode:
            group = iam.client.create_group(aws_retry=True, GroupName=name, Path=path)["Group"]
        return True, _group_record(group, [], [])
    if current["path"] != path:
        if not iam.check_mode:
            iam.client.update_group(aws_retry=True, GroupName=name, NewPath=path)
        return True, dict(current, path=path, arn=iam.arn("group", path, name))
    return False, dict(current)  # a copy: the caller fills in the policies after, the diff's "before" stays intact


@IAMErrorHandler.common_error_handler("create or update user")
def ensure_user(iam, current, name, path, tags, purge_tags):
    """The user at ``path`` with ``tags`` (the ownership tag included), the others removed with ``purge_tags``."""
    if current is None:
        user = {"UserName": name, "Path": path, "UserId": None, "Arn": iam.arn("user", path, name)}
        if not iam.check_mode:
            user = iam.client.create_user(aws_retry=True, UserName=name, Path=path,
                                          Tags=ansible_dict_to_boto3_tag_list(tags))["User"]
        return True, dict(_user_record(user), tags=tags)
    changed, after = False, dict(current)
    if current["path"] != path:
        if not iam.check_mode:
            iam.client.update_user(aws_retry=True, UserName=name, NewPath=path)
        after.update(path=path, arn=iam.arn("user", path, name))
        changed = True
    tags_changed, after["tags"] = ensure_tags(iam, "user", name, current["tags"], tags, purge_tags)
    return changed or tags_changed, after


@IAMErrorHandler.common_error_handler("add the user to the group")
def ensure_membership(iam, group, user):
    if group["name"] in user["groups"]:
        return False, user
    if not iam.check_mode:
        iam.client.add_user_to_group(aws_retry=True, GroupName=group["name"], UserName=user["name"])
    return True, dict(user, groups=user["groups"] + [group["name"]])


@IAMErrorHandler.common_error_handler("update console access (login profile)")
def ensure_login_profile(iam, current, user_name, console_access, password, reset_required):
    """Console access as asked; ``password`` (None: keep it) is set with ``reset_required``. Never returns or logs
    the password."""
    wanted = {"exists": True, "password_reset_required": reset_required}
    if not console_access:
        if current["exists"] and not iam.check_mode:
            iam.client.delete_login_profile(aws_retry=True, UserName=user_name)
        return current["exists"], dict(NO_LOGIN_PROFILE)
    if password is None:
        # The flag belongs to a password this module sets. Once the user has chosen their own password, AWS clears
        # it: setting it again would force yet another reset at every run. So without a new password it is only
        # ever lifted (true -> false), never raised.
        wanted["password_reset_required"] = current["password_reset_required"] and reset_required
        if current == wanted:
            return False, current
        if not iam.check_mode:
            iam.client.update_login_profile(aws_retry=True, UserName=user_name, PasswordResetRequired=False)
        return True, wanted
    if iam.check_mode:
        return True, wanted
    if current["exists"]:
        iam.client.update_login_profile(aws_retry=True, UserName=user_name, Password=password,
                                        PasswordResetRequired=reset_required)
    else:
        iam.client.create_login_profile(aws_retry=True, UserName=user_name, Password=password,
                                        PasswordResetRequired=reset_required)
    return True, wanted


@IAMErrorHandler.common_error_handler("create or update role")
def ensure_role(iam, current, desired, purge_tags, purge_policies):
    """Create or update one role to match ``desired`` (a dict shaped like ``get_role``'s, ``arn`` predicted).

    Returns ``(changed, role_after)``; the role is new when ``current`` is None. The path of an existing role can't
    change in IAM: that is an error the caller reports before any write (see ``role_path_problem``).
    """
    name = desired["name"]
    if current is None:
        if not iam.check_mode:
            created = iam.client.create_role(
                aws_retry=True,
                RoleName=name,
                Path=desired["path"],
                AssumeRolePolicyDocument=json.dumps(desired["trust_policy"]),
                Description=desired["description"],
                Tags=ansible_dict_to_boto3_tag_list(desired["tags"] or {}),
            )["Role"]
            desired = dict(desired, arn=created["Arn"], id=created["RoleId"])
        current = dict(desired, managed_policy_arns=[], inline_policies={}, tags=desired["tags"] or {})
        current.setdefault("id", None)
        is_new = True
    else:
        is_new = False

    changed = is_new
    after = dict(current)
    if not is_new and compare_policies(current["trust_policy"], desired["trust_policy"]):
        if not iam.check_mode:
            iam.client.update_assume_role_policy(aws_retry=True, RoleName=name,
                                                 PolicyDocument=json.dumps(desired["trust_policy"]))
        after["trust_policy"] = desired["trust_policy"]
        changed = True
    if not is_new and current["description"] != desired["description"]:
        if not iam.check_mode:
            iam.client.update_role(aws_retry=True, RoleName=name, Description=desired["description"])
        after["description"] = desired["description"]
        changed = True
    if not is_new:
        tags_changed, after["tags"] = ensure_tags(iam, "role", name, current["tags"], desired["tags"], purge_tags)
        changed |= tags_changed
    policies_changed, after["managed_policy_arns"] = ensure_attached_policies(
        iam, "role", name, current["managed_policy_arns"], desired["managed_policy_arns"], purge_policies)
    inline_changed, after["inline_policies"] = ensure_inline_policies(
        iam, "role", name, current["inline_policies"], desired["inline_policies"], purge_policies)
    return changed or policies_changed or inline_changed, after


def role_path_problem(current, desired_path, path_option):
    if current is not None and current["path"] != desired_path:
        return (f"{path_option}: role {current['name']} already exists with path {current['path']!r}; IAM can't move "
                f"a role to {desired_path!r}. Set {path_option}: {current['path']!r}, or delete the role first.")
    return None


# --- removal steps: each (iam, current...) -> (changed, what is left) ---------------------------------------------
@IAMErrorHandler.common_error_handler("delete user")
def remove_user(iam, user):
    """Everything IAM requires gone before DeleteUser, then the user (``None``: there is none). In AWS DeleteUser
    fails with DeleteConflict while any of these is left."""
    if user is None:
        return False, None
    if iam.check_mode:
        return True, None
    client, name = iam.client, user["name"]
    try:
        client.delete_login_profile(aws_retry=True, UserName=name)
    except is_boto3_error_code("NoSuchEntity"):
        pass
    for key in client.list_access_keys(aws_retry=True, UserName=name)["AccessKeyMetadata"]:
        client.delete_access_key(aws_retry=True, UserName=name, AccessKeyId=key["AccessKeyId"])
    for cert in client.list_signing_certificates(aws_retry=True, UserName=name)["Certificates"]:
        client.delete_signing_certificate(aws_retry=True, UserName=name, CertificateId=cert["CertificateId"])
    for key in client.list_ssh_public_keys(aws_retry=True, UserName=name)["SSHPublicKeys"]:
        client.delete_ssh_public_key(aws_retry=True, UserName=name, SSHPublicKeyId=key["SSHPublicKeyId"])
    credentials = client.list_service_specific_credentials(aws_retry=True, UserName=name)["ServiceSpecificCredentials"]
    for credential in credentials:
        client.delete_service_specific_credential(
            aws_retry=True, UserName=name, ServiceSpecificCredentialId=credential["ServiceSpecificCredentialId"])
    for device in client.list_mfa_devices(aws_retry=True, UserName=name)["MFADevices"]:
        client.deactivate_mfa_device(aws_retry=True, UserName=name, SerialNumber=device["SerialNumber"])
        # A virtual device outlives its user once deactivated: removed too, so that nothing of the user is left.
        # Hardware and FIDO devices (no arn:...:mfa/ serial) are not IAM resources to delete.
        if is_virtual_mfa_serial(device["SerialNumber"]):
            client.delete_virtual_mfa_device(aws_retry=True, SerialNumber=device["SerialNumber"])
    for policy in client.list_user_policies(aws_retry=True, UserName=name)["PolicyNames"]:
        client.delete_user_policy(aws_retry=True, UserName=name, PolicyName=policy)
    for arn in list_attached_policy_arns(client, "user", name):
        client.detach_user_policy(aws_retry=True, UserName=name, PolicyArn=arn)
    for group in client.list_groups_for_user(aws_retry=True, UserName=name)["Groups"]:
        client.remove_user_from_group(aws_retry=True, UserName=name, GroupName=group["GroupName"])
    client.delete_user(aws_retry=True, UserName=name)
    return True, None


@IAMErrorHandler.common_error_handler("delete group")
def remove_group(iam, group, removed_user, policy_arns, force):
    """Delete the group unless users other than ``removed_user`` are still in it and ``force`` is off: it then only
    loses ``policy_arns``, so that no one is left an administrator through it. Returns ``(changed, the group kept,
    with kept_reason, or None)``."""
    if group is None:
        return False, None
    others = [member for member in group["members"] if member != removed_user]
    if others and not force:
        ours = sorted(set(group["attached_policies"]) & set(policy_arns))
        if not iam.check_mode:
            for arn in ours:
                iam.client.detach_group_policy(aws_retry=True, GroupName=group["name"], PolicyArn=arn)
        detached = f", without {', '.join(ours)}" if ours else ""
        reason = (f"group {group['name']} still has members ({', '.join(sorted(others))}); it was kept{detached}. "
                  "Use force: true to delete it anyway")
        return bool(ours), dict(group, attached_policies=sorted(set(group["attached_policies"]) - set(ours)),
                                kept_reason=reason)
    if not iam.check_mode:
        for member in others:
            iam.client.remove_user_from_group(aws_retry=True, GroupName=group["name"], UserName=member)
        for arn in group["attached_policies"]:
            iam.client.detach_group_policy(aws_retry=True, GroupName=group["name"], PolicyArn=arn)
        for policy in iam.client.list_group_policies(aws_retry=True, GroupName=group["name"])["PolicyNames"]:
            iam.client.delete_group_policy(aws_retry=True, GroupName=group["name"], PolicyName=policy)
        iam.client.delete_group(aws_retry=True, GroupName=group["name"])
    return True, None


def remove_role(iam, role):
    """Delete a role (as returned by ``get_role``) with everything IAM requires gone first."""
    if iam.check_mode:
        return True, None
    return _delete_role(iam.client, role["name"], role), None


@IAMErrorHandler.deletion_error_handler("delete role")  # a role deleted meanwhile is no error: False
def _delete_role(client, name, role):
    for policy_name in role["inline_policies"]:
        client.delete_role_policy(aws_retry=True, RoleName=name, PolicyName=policy_name)
    for arn in role["managed_policy_arns"]:
        client.detach_role_policy(aws_retry=True, RoleName=name, PolicyArn=arn)
    profiles = paginated_query_with_retries(client, "list_instance_profiles_for_role", retry_decorator=IAM_RETRY,
                                            RoleName=name)
    for profile in profiles.get("InstanceProfiles", []):
        client.remove_role_from_instance_profile(aws_retry=True, RoleName=name,
                                                 InstanceProfileName=profile["InstanceProfileName"])
    client.delete_role(aws_retry=True, RoleName=name)
    return True
