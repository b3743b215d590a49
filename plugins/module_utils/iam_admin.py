# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Administrators group and Administrator user as protonkit.accounts manages them: the whole of
iam_admin_bootstrap.

Shared by the module (plugins/modules/iam_admin_bootstrap.py) and its action plugin, which runs the same code in the
task's worker on the controller when the module would run there anyway (plugin_utils/module_in_worker.py).
``module`` is an ``AnsibleAWSModule`` or anything with its ``params``, ``region``, ``check_mode``, ``_diff``,
``no_log_values``, ``client``, ``fail_json``, ``fail_json_aws`` and ``fail_json_aws_error``.
"""

import errno
import json
import os
import tempfile

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError

from ansible_collections.protonkit.accounts.plugins.module_utils.account import aws_managed_policy_arn
from ansible_collections.protonkit.accounts.plugins.module_utils.account import get_caller_account
from ansible_collections.protonkit.accounts.plugins.module_utils.account import signin_url
from ansible_collections.protonkit.accounts.plugins.module_utils.account import warn
from ansible_collections.protonkit.accounts.plugins.module_utils.account import with_diff_if_asked
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import NO_LOGIN_PROFILE
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import IAMContext
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_attached_policies
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_group
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_login_profile
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_membership
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_user
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import iam_client
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import identifier_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import list_group_policy_names
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import missing_policies
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import policy_arn_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import read_group_and_user
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import remove_group
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import remove_user
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import tags_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import OWNERSHIP_TAG_KEY
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import OWNERSHIP_TAG_VALUE
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import is_owned
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import ownership_tags
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import refusal_message
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import refused
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import with_ownership_tag
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import SECRETS_MANAGER_RETRY
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import ensure_secret
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import foreign_secret_refusal
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import read_secret
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import reader_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import readers_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import remove_secret
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import secret_arn_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import secret_description
from ansible_collections.protonkit.accounts.plugins.module_utils.passwords import generate_password
from ansible_collections.protonkit.accounts.plugins.module_utils.passwords import get_password_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.passwords import password_policy_problems

try:
    import botocore
except ImportError:
    pass  # reported by AnsibleAWSModule, or by the action plugin

# The keys of the password document (in the secret and the file): a file with exactly these is one we wrote.
DOCUMENT_KEYS = {"account_id", "user_name", "password", "signin_url"}


def argument_spec():
    """The options of iam_admin_bootstrap (amazon.aws's connection options come on top)."""
    return dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        group_name=dict(type="str", default="Administrators"),
        group_path=dict(type="str", default="/"),
        group_policy_arns=dict(type="list", elements="str"),
        purge_policies=dict(type="bool", default=False),
        user_name=dict(type="str", default="Administrator"),
        user_path=dict(type="str", default="/"),
        console_access=dict(type="bool", default=True),
        password=dict(type="str", no_log=True),
        update_password=dict(type="str", default="on_create", choices=["on_create", "always"], no_log=False),
        password_reset_required=dict(type="bool", default=True, no_log=False),
        password_secret=dict(type="str", no_log=False),
        password_secret_kms_key_id=dict(type="str", no_log=False),
        password_secret_readers=dict(type="list", elements="str", no_log=False),
        password_file=dict(type="path", no_log=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        force=dict(type="bool", default=False),
        adopt=dict(type="bool", default=False),
    )


# An option that only makes sense with another one.
REQUIRED_BY = {"password_secret_readers": "password_secret"}


# --- ownership: only what is this collection's is changed or removed ------------------------------------------------
# See the adopt option (DOCUMENTATION) and docs/security.md, "Ownership".
def user_problem(state, params, policy_arns):
    """Why the user of that name is not ours (None: it is, or there is none)."""
    user, group = state["user"], state["group"]
    if user is None or is_owned(user["tags"]):
        return None
    # Earlier versions tagged nothing. What they left is recognised by its shape: the user at user_path, in the
    # group, which has every policy we attach. Tagging such a user changes none of its permissions.
    if user["path"] != params["user_path"]:
        shape = f"it is at path {user['path']!r}, not user_path {params['user_path']!r}"
    elif group is None or user["name"] not in group["members"]:
        shape = f"it is not in group {params['group_name']}"
    elif not set(policy_arns) <= set(group["attached_policies"]):
        shape = f"group {params['group_name']} lacks {', '.join(sorted(set(policy_arns) - set(group['attached_policies'])))}"
    else:
        return None
    return (f"not tagged {OWNERSHIP_TAG_KEY}={OWNERSHIP_TAG_VALUE}, and not what an earlier version made: {shape}")


def group_problem(client, state, policy_arns, our_user):
    """Why the group of that name is not ours (None: it is, or there is none). ``our_user``: the name of the user
    when it is ours, else None. Groups can't be tagged: a group is ours when our user is in it (only we, or an
    administrator, put it there), or when taking it over gives no one any permission: no members, no inline policy,
    no managed policy but ours."""
    group = state["group"]
    if group is None or (our_user is not None and our_user in group["members"]):
        return None
    if group["members"]:
        return f"it has members ({', '.join(sorted(group['members']))}), none of them a user of this collection"
    others = sorted(set(group["attached_policies"]) - set(policy_arns))
    if others:
        return f"it has managed policies the module does not attach ({', '.join(others)})"
    inline = group["inline_policies"]
    if inline is None:  # read entity by entity: the group's inline policies are asked for only now
        inline = list_group_policy_names(client, group["name"])
    if inline:
        return f"it has inline policies ({', '.join(sorted(inline))})"
    return None


def ownership_refusals(params, client, state, policy_arns, attaching):
    """``(refusals, our_user)``: what of the account's the module must leave alone (empty with ``adopt``), and the
    user's name when it is ours to change. ``attaching``: the run attaches the group's policies (state=present).
    Decided from the first read, before any write."""
    user_reason = user_problem(state, params, policy_arns)
    our_user = state["user"]["name"] if state["user"] and (user_reason is None or params["adopt"]) else None
    group_reason = group_problem(client, state, policy_arns, our_user)
    if attaching and not group_reason:
        group_reason = attach_problem(state, policy_arns, params["user_name"])
    if params["adopt"]:
        return [], our_user
    refusals = []
    if user_reason:
        refusals.append(refused("user", state["user"]["name"], user_reason))
    if group_reason:
        refusals.append(refused("group", state["group"]["name"], group_reason))
    return refusals, our_user


def attach_problem(state, policy_arns, user_name):
    """Why attaching the group's policies now would be unsafe: it would give them to users other than ours."""
    group = state["group"]
    new = sorted(set(policy_arns) - set(group["attached_policies"])) if group else []
    others = sorted(set(group["members"]) - {user_name}) if group else []
    if new and others:
        return (f"attaching {', '.join(new)} would give its other members ({', '.join(others)}) these permissions")
    return None


# --- validating everything before the first write -----------------------------------------------------------------
def params_problem(params, policy_arns, partition, region):
    """What is wrong with the parameters (and the host's password file directory), naming the option; the first
    problem found, or None."""
    checks = (
        lambda: identifier_problem("group", params["group_name"], params["group_path"], "group_name", "group_path"),
        lambda: identifier_problem("user", params["user_name"], params["user_path"], "user_name", "user_path"),
        lambda: policy_arn_problem(policy_arns, "group_policy_arns", partition),
        lambda: tags_problem(params["tags"], "tags", added=ownership_tags()),
        lambda: rotation_problem(params),
        lambda: ("password_secret: Secrets Manager is regional; set region (or AWS_REGION) to choose where it lives"
                 if params["password_secret"] and not region else None),
        lambda: password_file_problem(params["password_file"]) if params["password_file"] else None,
    )
    return next((problem for problem in (check() for check in checks) if problem), None)


def rotation_problem(params):
    # 'always' without a password is a rotation: a new one generated at every run, so it must have somewhere to go.
    if (params["update_password"] == "always" and params["console_access"] and not params["password"]
            and not (params["password_secret"] or params["password_file"])):
        return ("update_password: 'always' without password generates a new password at every run (a rotation), "
                "and there is nowhere to deliver it; set password_secret and/or password_file, or give password")
    return None


def password_file_problem(path):
    """Checked up front so that a password is never generated for a file that can't be written."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        return f"password_file: {path} is a directory; give the path of a file to create or replace"
    if not os.path.isdir(directory):
        return f"password_file: directory {directory} does not exist on the host running the module; create it first"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"password_file: directory {directory} is not writable by the user running the module"
    return None


def plan_password(module, client, state, identity):
    """The password to set in this run (None: leave it), and whether it was generated. Fails before any write."""
    params = module.params
    profile_exists = state["login_profile"]["exists"]
    if not params["console_access"] or (profile_exists and params["update_password"] == "on_create"):
        return None, False
    policy = get_password_policy(client)
    if params["password"]:
        problems = password_policy_problems(params["password"], policy)
        if problems:
            module.fail_json(msg=f"password: does not satisfy the password policy of account {identity['account_id']}: "
                                 f"it needs {', '.join(problems)}")
        return params["password"], False
    if not (params["password_secret"] or params["password_file"]):
        module.fail_json(msg=(
            f"password: user {params['user_name']} needs a console password and none was given, so one must be "
            "generated, but there is nowhere to deliver it. Set password_secret (a Secrets Manager secret name) "
            "and/or password_file (a path on the host running the module), or give password, or set "
            "console_access: false."))
    if module.check_mode:
        return "", True  # predicted only: nothing is delivered or set in check mode
    password = generate_password(policy)
    # Ansible masks no_log values in everything the module returns or reports, errors included.
    module.no_log_values.add(password)
    return password, True


def plan_delivery(module, identity, password):
    """Where a password may go, decided from reads only, before the first write (IAM's included): refuses a
    secret or a file that is not ours. Returns the secret as it is now, or ``False`` when this run leaves the
    secret alone (a rerun with the defaults does not even read it)."""
    params = module.params
    problem = ((params["password_secret"] and secret_arn_problem(params["password_secret"], identity["account_id"]))
               or readers_problem(params["password_secret_readers"]))
    if password is not None and params["password_file"]:
        problem = problem or password_file_owner_problem(params["password_file"], identity["account_id"],
                                                         params["user_name"])
    if problem:
        module.fail_json(msg=problem)
    hardening = params["password_secret_readers"] or params["password_secret_kms_key_id"]
    if not params["password_secret"] or (password is None and not hardening):
        return False
    current = read_password_secret(module, bool(params["password_secret_readers"]))
    refusal = foreign_secret_refusal(current, params["adopt"])
    if refusal:
        module.fail_json(msg=f"password_secret: {refusal_message([refusal], 'iam_admin_adopt')}", refused=[refusal])
    if current and current["ownership"] == "foreign" and current["policy"] and not params["password_secret_readers"]:
        warn(module, f"adopt: secret {current['name']} keeps its resource policy, which may let others read the "
                     "password; set password_secret_readers to replace it")
    return current


def read_password_secret(module, need_policy):
    secrets = module.client("secretsmanager", retry_decorator=SECRETS_MANAGER_RETRY)
    try:
        return read_secret(secrets, module.params["password_secret"], module.params["user_name"], need_policy)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"password_secret: could not read secret {module.params['password_secret']}; "
                                    "nothing was changed")


def password_file_owner_problem(path, account_id, user_name):
    """A file is replaced only when it holds this account's and user's password document: one path shared by
    every account of an inventory would otherwise keep the last account's password only, each run reporting it
    delivered."""
    if not os.path.lexists(path):
        return None
    try:
        with open(path) as handle:
            document = json.load(handle)
    except (OSError, ValueError):  # the reason is not quoted: a parse error may quote the file's content
        document = None
    if not isinstance(document, dict) or set(document) != DOCUMENT_KEYS:
        return (f"password_file: {path} exists and is not a password document of this module (or can't be read); "
                "it was not replaced and nothing was changed. Give another path, or remove the file")
    if (document["account_id"], document["user_name"]) != (account_id, user_name):
        return (f"password_file: {path} holds the password of user {document['user_name']} of account "
                f"{document['account_id']}; it was not replaced and nothing was changed. Give each account its own "
                "file, with the account id in the path (e.g. /secure/<account id>-admin.json)")
    return None


# --- delivering a new password ------------------------------------------------------------------------------------
def deliver_password(module, identity, secret, password):
    """``password`` (None: none to deliver) to the secret and the file, and the secret's settings. Runs before the
    login profile is set, so a password is never lost. Returns ``(changed, secret_after, delivered_to)``."""
    params = module.params
    document = None
    if password is not None:
        document = json.dumps({
            "account_id": identity["account_id"],
            "user_name": params["user_name"],
            "password": password,
            "signin_url": signin_url(identity["partition"], identity["account_id"]),
        })
    changed, secret_after, delivered_to = False, secret, {}
    if secret is not False:
        changed, secret_after = write_secret(module, secret, document)
        if document is not None and not module.check_mode:
            delivered_to["password_secret_arn"] = secret_after["arn"]
    if document is not None and params["password_file"] and not module.check_mode:
        write_private_file(module, identity, params["password_file"], document)
        delivered_to["password_file"] = params["password_file"]
    return changed, secret_after, delivered_to


def write_secret(module, current, document):
    params = module.params
    secrets = module.client("secretsmanager", retry_decorator=SECRETS_MANAGER_RETRY)
    wanted = {"description": secret_description(params["user_name"]),
              "kms_key_id": params["password_secret_kms_key_id"],
              "policy": reader_policy(params["password_secret_readers"]) if params["password_secret_readers"] else None}
    try:
        return ensure_secret(module, secrets, current, document, wanted)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"password_secret: could not update secret {params['password_secret']}; "
                                    "console access was not changed")


def write_private_file(module, identity, path, document):
    directory = os.path.dirname(os.path.abspath(path))
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".protonkit-")  # created with mode 0600
        with os.fdopen(descriptor, "w") as handle:
            handle.write(document + "\n")
        os.chmod(temporary, 0o600)
        try:
            # A new file is linked, which never replaces a file that appeared since the check: parallel runs (forks)
            # given one shared path would otherwise all pass it, and only the last password would be kept.
            os.link(temporary, path)
        except FileExistsError:
            problem = password_file_owner_problem(path, identity["account_id"], module.params["user_name"])
            if problem:
                module.fail_json(msg=f"{problem}; console access was not changed")
            os.replace(temporary, path)
            temporary = None
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            os.replace(temporary, path)  # a file system without hard links
            temporary = None
    except OSError as e:
        module.fail_json(msg=f"password_file: could not write {path}: {e.strerror}; console access was not changed")
    finally:
        # Linked (the temporary name is no longer needed) or failed anywhere (fail_json exits through here too): a
        # leftover would be a copy of the password that nobody knows about.
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


# --- state=absent -----------------------------------------------------------------------------------------------------
def secret_before_removal(module, identity):
    """The password secret as it is (``False``: none named), read before the first removal."""
    name = module.params["password_secret"]
    if not name:
        return False
    problem = secret_arn_problem(name, identity["account_id"])
    if problem:
        module.fail_json(msg=problem)
    return read_password_secret(module, need_policy=False)


def delete_secret(module, current):
    """Schedule our password secret for deletion (recoverable for 30 days); keep anyone else's. Returns
    ``(changed, kept)``."""
    if current is False:
        return False, None
    secrets = module.client("secretsmanager", retry_decorator=SECRETS_MANAGER_RETRY)
    try:
        return remove_secret(module, secrets, current, module.params["adopt"])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"password_secret: could not schedule secret {module.params['password_secret']} "
                                    "for deletion (the user and group were handled)")


# --- the two states -------------------------------------------------------------------------------------------------
def _diff_view(state):
    group, user = state["group"], state["user"]
    view = {
        "group": {k: group[k] for k in ("name", "path", "attached_policies")} if group else {},
        "user": {k: user[k] for k in ("name", "path", "tags", "groups")} if user else {},
        "login_profile": dict(state["login_profile"]),
    }
    if state.get("secret", False) is not False:  # only when the run read it
        view["password_secret"] = _secret_view(state["secret"])
    return view


def _secret_view(secret):
    """The password secret in --diff: never its value; its resource policy only when it was read."""
    if secret is None:
        return {}
    view = {"name": secret["name"], "scheduled_for_deletion": secret["deleted"], "tags": secret["tags"],
            "kms_key_id": secret["kms_key_id"]}
    if secret["policy"] is not False:
        view["resource_policy"] = secret["policy"]
    return view


def _without_members(group):
    """The group as returned: its members and inline policies are read only to decide membership, ownership and
    deletion."""
    return {k: v for k, v in group.items() if k not in ("members", "inline_policies")} if group else {}


def group_policy_arns(params, partition):
    """The policies the group gets: those named, by default the partition's AdministratorAccess."""
    if params["group_policy_arns"] is None:
        return [aws_managed_policy_arn(partition, "AdministratorAccess")]
    return params["group_policy_arns"]


def desired_tags(params):
    """The user's tags and whether to purge the others: the ownership tag is always set (adopting is tagging);
    without tags asked for, the others are left alone."""
    return with_ownership_tag(params["tags"]), params["purge_tags"] and params["tags"] is not None


def present(module, iam, identity):
    params = module.params
    policy_arns = group_policy_arns(params, iam.partition)
    problem = params_problem(params, policy_arns, iam.partition, module.region)
    if problem:
        module.fail_json(msg=problem)
    before = read_group_and_user(iam.client, params["group_name"], params["user_name"])
    refusals = ownership_refusals(params, iam.client, before, policy_arns, attaching=True)[0]
    if refusals:
        module.fail_json(msg=refusal_message(refusals, "iam_admin_adopt"), refused=refusals)
    attached = before["group"]["attached_policies"] if before["group"] else []
    # The default, the partition's AdministratorAccess, exists in every account: only policies the user named are
    # looked up (one GetPolicy each) before anything is written.
    named = params["group_policy_arns"] or []
    unknown = missing_policies(iam.client, sorted(set(named) - set(attached)))
    if unknown:
        module.fail_json(msg=f"group_policy_arns: no such managed policy: {', '.join(unknown)}")
    password, generated = plan_password(module, iam.client, before, identity)
    before["secret"] = plan_delivery(module, identity, password)

    group_changed, group = ensure_group(iam, before["group"], params["group_name"], params["group_path"])
    policies_changed, group["attached_policies"] = ensure_attached_policies(
        iam, "group", group["name"], attached, policy_arns, params["purge_policies"])
    user_changed, user = ensure_user(iam, before["user"], params["user_name"], params["user_path"],
                                     *desired_tags(params))
    member_changed, user = ensure_membership(iam, group, user)
    # The password reaches its destinations before the login profile that uses it is set: it is never lost.
    secret_changed, secret, delivered_to = deliver_password(module, identity, before["secret"], password)
    login_changed, login_profile = ensure_login_profile(
        iam, before["login_profile"], params["user_name"], params["console_access"], password,
        params["password_reset_required"])

    after = {"group": group, "user": user, "login_profile": login_profile, "secret": secret}
    return dict(
        changed=any((group_changed, policies_changed, user_changed, member_changed, secret_changed, login_changed)),
        created=before["group"] is None or before["user"] is None,
        group=_without_members(group),
        user=user,
        login_profile=login_profile,
        password_changed=password is not None,
        password_generated=generated,
        kept=[],
        removed=[],
        diff={"before": _diff_view(before), "after": _diff_view(after)},
        **delivered_to,
    )


def absent(module, iam, identity):
    params = module.params
    problem = (identifier_problem("group", params["group_name"], params["group_path"], "group_name", "group_path")
               or identifier_problem("user", params["user_name"], params["user_path"], "user_name", "user_path"))
    if problem:
        module.fail_json(msg=problem)
    before = read_group_and_user(iam.client, params["group_name"], params["user_name"])
    before["secret"] = secret_before_removal(module, identity)
    policy_arns = group_policy_arns(params, iam.partition)
    # What is not ours is kept as it is, decided before the first removal (the user's membership makes the group ours).
    kept, our_user = ownership_refusals(params, iam.client, before, policy_arns, attaching=False)
    foreign = {item["kind"]: item["reason"] for item in kept}
    user = None if "user" in foreign else before["user"]
    user_removed = remove_user(iam, user)[0]
    group_changed, group_kept = False, None
    if "group" in foreign:
        group_kept = dict(before["group"], kept_reason=f"group {before['group']['name']}: {foreign['group']}")
    else:
        group_changed, group_kept = remove_group(iam, before["group"], our_user, policy_arns, params["force"])
        if group_kept:
            kept.append(refused("group", group_kept["name"], group_kept["kept_reason"]))
    secret_removed, secret_kept = delete_secret(module, before["secret"])
    if secret_kept:
        kept.append(secret_kept)
    login_profile = before["login_profile"] if user is None else dict(NO_LOGIN_PROFILE)
    after = {"group": group_kept, "user": before["user"] if user is None else None, "login_profile": login_profile,
             "secret": dict(before["secret"], deleted=True) if secret_removed else before["secret"]}
    return dict(
        changed=user_removed or group_changed or secret_removed,
        created=False,
        group=_without_members(group_kept),
        user=before["user"] if user is None and before["user"] else {},
        login_profile=login_profile,
        password_changed=False,
        password_generated=False,
        kept=kept,
        removed=([{"kind": "user", "name": user["name"]}] if user_removed else [])
        + ([{"kind": "group", "name": params["group_name"]}] if group_changed and not group_kept else [])
        + ([{"kind": "secret", "name": params["password_secret"]}] if secret_removed else []),
        diff={"before": _diff_view(before), "after": _diff_view(after)},
    )


def run(module):
    """The module's work, as its result (``exit_json``'s arguments); a failure calls ``module.fail_json*``."""
    identity = get_caller_account(module)
    if identity["is_root"]:
        warn(module, "Running as the root user of account %s. Use an IAM role instead, and lock the root user away "
                     "(MFA, no access keys)." % identity["account_id"])
    iam = IAMContext(iam_client(module), module.check_mode, identity["partition"], identity["account_id"])
    try:
        result = {"present": present, "absent": absent}[module.params["state"]](module, iam, identity)
    except AnsibleIAMError as e:
        module.fail_json_aws_error(e)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="IAM call failed")
    result.update(account_id=identity["account_id"], partition=identity["partition"],
                  signin_url=signin_url(identity["partition"], identity["account_id"]))
    return with_diff_if_asked(module, result)
