"""The shared IAM helpers (plugins/module_utils/iam.py) without AWS: input validation, and check mode, which
must predict the result from the state it is given and never call AWS. What the helpers do against IAM is
covered through both modules in tests/integration."""

import pytest

from ansible_collections.protonkit.accounts.plugins.module_utils.account import iam_arn
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import IAMContext
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import account_in_details
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import detail_named
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import NO_LOGIN_PROFILE
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_attached_policies
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_group
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_login_profile
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_membership
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_user
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import is_virtual_mfa_serial
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_inline_policies
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_role
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import ensure_tags
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import identifier_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import policy_arn_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import read_account_details
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import remove_group
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import remove_role
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import remove_user
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import role_path_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam import tags_problem

ACCOUNT = "123456789012"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
MINE = f"arn:aws:iam::{ACCOUNT}:policy/team/Mine"


class NoAWS:
    """A client that fails the test if anything is called on it."""

    def __getattr__(self, name):
        raise AssertionError(f"check mode called IAM: {name}")


def check_mode():
    """The context of a check-mode run: every step must predict without calling IAM."""
    return IAMContext(client=NoAWS(), check_mode=True, partition="aws", account_id=ACCOUNT)


def policy(actions, resource="*"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}


# --- validation -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, path, option", [
    ("bad name!", "/", "user_name"),
    ("x" * 65, "/", "user_name"),
    ("Administrator", "no-slashes", "user_path"),
    ("Administrator", "/a b/", "user_path"),
])
def test_identifier_problem_names_the_option(name, path, option):
    problem = identifier_problem("user", name, path, "user_name", "user_path")
    assert problem.startswith(f"{option}: ")
    assert repr(name if option == "user_name" else path) in problem


@pytest.mark.parametrize("name, path", [("Administrator", "/"), ("deploy+ci@example.com", "/people/ops/")])
def test_identifier_problem_accepts_valid_names(name, path):
    assert identifier_problem("user", name, path, "user_name", "user_path") is None


def test_role_names_have_their_own_length_limit():
    assert identifier_problem("role", "r" * 64, "/", "role_name", "role_path") is None
    assert identifier_problem("role", "r" * 65, "/", "role_name", "role_path").startswith("role_name: ")


@pytest.mark.parametrize("kind, longest", [("user", 64), ("group", 128), ("role", 64)])
def test_name_lengths_are_iams(kind, longest):
    # botocore's IAM model: userNameType 64, groupNameType 128, roleNameType 64.
    assert identifier_problem(kind, "n" * longest, "/", "name", "path") is None
    problem = identifier_problem(kind, "n" * (longest + 1), "/", "name", "path")
    assert problem.startswith("name: ") and f"at most {longest}" in problem


@pytest.mark.parametrize("name", ["Ädministrator", "Administratör", "管理者", "Admin\u00a0istrator", "Ａdmin", "Admin٣"])
def test_names_are_ascii_only_although_python_calls_these_word_characters(name):
    # Python's \w matches every one of these; IAM refuses them, and would do so in the middle of a run.
    problem = identifier_problem("user", name, "/", "user_name", "user_path")
    assert problem.startswith("user_name: ") and "ASCII" in problem and repr(name) in problem


@pytest.mark.parametrize("path", ["/équipe/", "/ops/管理/", "/a//b/", "/" + "p/" * 256])
def test_paths_are_ascii_only_with_iams_length(path):
    problem = identifier_problem("role", "AWSProtonServiceRole", path, "role_name", "role_path")
    assert problem.startswith("role_path: ") and repr(path) in problem


def test_the_longest_path_iam_takes_is_accepted():
    assert identifier_problem("role", "r", "/" + "p" * 510 + "/", "role_name", "role_path") is None


def test_empty_name_is_refused():
    assert identifier_problem("group", "", "/", "group_name", "group_path").startswith("group_name: ")


@pytest.mark.parametrize("tags", [None, {}, {"owner": "platform-team", "cost center": "4711", "équipe": "données"},
                                  {"k" * 128: "v" * 256, "empty": ""}, {f"key{index}": "v" for index in range(50)},
                                  {"path": "a/b:c=d+e-f@g_h.i", "number": 42, "flag": True}])
def test_tags_problem_accepts_what_iam_accepts(tags):
    assert tags_problem(tags, "tags") is None


@pytest.mark.parametrize("tags, words", [
    ({f"key{index}": "v" for index in range(51)}, ["51 tags", "at most 50", "remove 1"]),
    ({"k" * 129: "v"}, ["1 to 128", "129"]),
    ({"": "v"}, ["1 to 128"]),
    ({"owner": "v" * 257}, ["'owner'", "at most 256", "257"]),
    ({"aws:createdBy": "me"}, ["'aws:createdBy'", "reserved"]),
    ({"AWS:CreatedBy": "me"}, ["reserved"]),
    ({"owner!": "me"}, ["'!'", "in the key"]),
    ({"owner": "me; you"}, ["';'", "in the value"]),
    ({"owner": "line\nbreak"}, ["'\\n'", "in the value"]),
    ({2024: "budget"}, ["2024", "quote the key"]),
])
def test_tags_problem_names_the_option_the_tag_and_the_fix(tags, words):
    problem = tags_problem(tags, "iam_admin_tags")
    assert problem.startswith("iam_admin_tags: ")
    for word in words:
        assert word in problem, problem


def test_tags_the_module_adds_count_towards_the_fifty():
    added = {"protonkit:managed-by": "protonkit.accounts"}
    tags = {f"key{index}": "v" for index in range(49)}
    assert tags_problem(tags, "tags", added=added) is None
    assert tags_problem(dict(tags, **added), "tags", added=added) is None  # given too: still one tag
    problem = tags_problem(dict(tags, one_more="v"), "tags", added=added)
    assert problem.startswith("tags: 51 tags with the protonkit:managed-by tag the module adds")
    assert "remove 1" in problem
    assert tags_problem(None, "tags", added=added) is None  # tags left alone: nothing of the user's to check


@pytest.mark.parametrize("arn", [ADMIN, MINE, "arn:aws-cn:iam::aws:policy/AdministratorAccess",
                                 "arn:aws-us-gov:iam::aws:policy/service-role/AWSProtonCodeBuildProvisioningBasicAccess"])
def test_policy_arn_problem_accepts_policy_arns(arn):
    assert policy_arn_problem([arn], "group_policy_arns") is None


@pytest.mark.parametrize("arn", ["AdministratorAccess", "arn:aws:iam::aws:role/Admin", "arn:aws:s3:::bucket",
                                 "arn:aws:iam::12345:policy/Short", "", f"arn:aws:iam::{ACCOUNT}:policy/Pölicy",
                                 f"{ADMIN}\n", "arn:aws:iam::" + "\u0661" * 12 + ":policy/Mine"])
def test_policy_arn_problem_rejects_other_strings(arn):
    problem = policy_arn_problem([ADMIN, arn], "group_policy_arns")
    assert problem.startswith("group_policy_arns: ") and repr(arn) in problem


@pytest.mark.parametrize("arn", ["arn:aws-iso-b:iam::aws:policy/AdministratorAccess",
                                 "arn:aws-eusc:iam::aws:policy/AdministratorAccess"])
def test_policy_arn_problem_knows_every_partition_shape(arn):
    assert policy_arn_problem([arn], "managed_policy_arns") is None


def test_policy_arn_of_another_partition_is_refused_when_the_partition_is_known():
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert policy_arn_problem([arn], "group_policy_arns", "aws") is None
    problem = policy_arn_problem([arn], "group_policy_arns", "aws-cn")
    assert problem.startswith("group_policy_arns: ") and "arn:aws-cn:iam::" in problem


def test_role_path_problem_explains_that_iam_cannot_move_roles():
    current = {"name": "ProtonServiceRole", "path": "/service-role/"}
    assert role_path_problem(None, "/", "role_path") is None
    assert role_path_problem(current, "/service-role/", "role_path") is None
    assert "Set role_path: " + repr(current["path"]) in role_path_problem(current, "/", "role_path")


# --- check mode predicts, never calls ---------------------------------------------------------------------------------
@pytest.mark.parametrize("purge, changed, after", [
    (False, True, sorted([ADMIN, READ_ONLY, MINE])),
    (True, True, sorted([ADMIN, MINE])),
])
def test_attached_policies_prediction(purge, changed, after):
    assert ensure_attached_policies(check_mode(), "group", "Administrators", [ADMIN, READ_ONLY],
                                    [ADMIN, MINE], purge) == (changed, after)


def test_attached_policies_unchanged():
    assert ensure_attached_policies(check_mode(), "role", "R", [ADMIN], [ADMIN], True) == (False, [ADMIN])


def test_inline_policies_are_compared_as_policies_not_strings():
    current = {"Permissions": policy(["s3:GetObject", "s3:ListBucket"])}
    same_meaning = {"Permissions": policy(["s3:ListBucket", "s3:GetObject"])}
    assert ensure_inline_policies(check_mode(), "role", "R", current, same_meaning, True) == \
        (False, current | same_meaning)
    different = {"Permissions": policy(["s3:GetObject"])}
    assert ensure_inline_policies(check_mode(), "role", "R", current, different, True) == \
        (True, different)


def test_inline_policies_purge():
    current = {"Old": policy("s3:*"), "Keep": policy("sqs:*")}
    desired = {"Keep": policy("sqs:*")}
    assert ensure_inline_policies(check_mode(), "user", "U", current, desired, False) == (False, current)
    assert ensure_inline_policies(check_mode(), "user", "U", current, desired, True) == (True, desired)


@pytest.mark.parametrize("desired, purge, changed, after", [
    (None, True, False, {"a": "1", "b": "2"}),  # None leaves tags alone
    ({"a": "1", "b": "2"}, True, False, {"a": "1", "b": "2"}),
    ({"a": "9"}, True, True, {"a": "9"}),
    ({"a": "9"}, False, True, {"a": "9", "b": "2"}),
    ({}, True, True, {}),
])
def test_tags_prediction(desired, purge, changed, after):
    assert ensure_tags(check_mode(), "user", "U", {"a": "1", "b": "2"}, desired, purge) == \
        (changed, after)


def _desired_role(**changes):
    role = {"name": "ProtonServiceRole", "path": "/service-role/",
            "arn": iam_arn("aws", ACCOUNT, "role", "/service-role/", "ProtonServiceRole"),
            "description": "AWS Proton service role", "tags": {"team": "platform"},
            "trust_policy": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "proton.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "managed_policy_arns": [ADMIN], "inline_policies": {"Extra": policy("s3:*")}}
    role.update(changes)
    return role


def test_ensure_role_predicts_a_new_role():
    desired = _desired_role()
    changed, after = ensure_role(check_mode(), None, desired, True, True)
    assert changed
    assert after["arn"] == f"arn:aws:iam::{ACCOUNT}:role/service-role/ProtonServiceRole"
    assert after["id"] is None
    for key in ("path", "description", "tags", "trust_policy", "managed_policy_arns", "inline_policies"):
        assert after[key] == desired[key], key


def test_ensure_role_predicts_updates_of_an_existing_role():
    current = dict(_desired_role(), id="AROAEXAMPLE", managed_policy_arns=[READ_ONLY], tags={"team": "old"})
    desired = _desired_role(trust_policy=dict(_desired_role()["trust_policy"], Id="changed"))
    changed, after = ensure_role(check_mode(), current, desired, True, True)
    assert changed
    assert after["id"] == "AROAEXAMPLE"
    assert after["managed_policy_arns"] == [ADMIN] and after["tags"] == {"team": "platform"}
    assert after["trust_policy"] == desired["trust_policy"]


def test_ensure_role_unchanged():
    current = dict(_desired_role(), id="AROAEXAMPLE")
    assert ensure_role(check_mode(), current, _desired_role(), True, True) == (False, current)


def test_delete_role_in_check_mode_calls_nothing():
    assert remove_role(check_mode(), dict(_desired_role(), id="AROAEXAMPLE")) == (True, None)


def _group(**changes):
    group = {"name": "Administrators", "arn": f"arn:aws:iam::{ACCOUNT}:group/Administrators", "id": "AGPAEXAMPLE",
             "path": "/", "attached_policies": [ADMIN], "members": ["Administrator"], "inline_policies": []}
    group.update(changes)
    return group


def _user(**changes):
    user = {"name": "Administrator", "arn": f"arn:aws:iam::{ACCOUNT}:user/Administrator", "id": "AIDAEXAMPLE",
            "path": "/", "tags": {"team": "platform"}, "groups": []}
    user.update(changes)
    return user


def test_ensure_group_predicts_a_new_group_and_a_move():
    assert ensure_group(check_mode(), None, "Administrators", "/admins/") == (True, {
        "name": "Administrators", "arn": f"arn:aws:iam::{ACCOUNT}:group/admins/Administrators", "id": None,
        "path": "/admins/", "attached_policies": [], "members": [], "inline_policies": None})
    changed, moved = ensure_group(check_mode(), _group(), "Administrators", "/admins/")
    assert changed and moved["arn"] == f"arn:aws:iam::{ACCOUNT}:group/admins/Administrators"
    assert ensure_group(check_mode(), _group(), "Administrators", "/") == (False, _group())


def test_ensure_user_predicts_a_new_user_and_its_tags():
    changed, user = ensure_user(check_mode(), None, "Administrator", "/", {"team": "platform"}, True)
    assert changed and user == dict(_user(), id=None)
    changed, user = ensure_user(check_mode(), _user(), "Administrator", "/", {"team": "security"}, True)
    assert changed and user["tags"] == {"team": "security"}
    assert ensure_user(check_mode(), _user(), "Administrator", "/", {"team": "platform"}, True) == (False, _user())


def test_ensure_membership_prediction():
    assert ensure_membership(check_mode(), _group(), _user()) == (True, _user(groups=["Administrators"]))
    assert ensure_membership(check_mode(), _group(), _user(groups=["Administrators"])) == (
        False, _user(groups=["Administrators"]))


@pytest.mark.parametrize("current, console_access, password, reset, changed, after", [
    (NO_LOGIN_PROFILE, True, "secret", True, True, {"exists": True, "password_reset_required": True}),
    ({"exists": True, "password_reset_required": False}, True, None, True, False,
     {"exists": True, "password_reset_required": False}),  # never raised again without a new password
    ({"exists": True, "password_reset_required": True}, True, None, False, True,
     {"exists": True, "password_reset_required": False}),  # only lifted
    ({"exists": True, "password_reset_required": True}, False, None, True, True, NO_LOGIN_PROFILE),
    (NO_LOGIN_PROFILE, False, None, True, False, NO_LOGIN_PROFILE),
])
def test_ensure_login_profile_prediction(current, console_access, password, reset, changed, after):
    assert ensure_login_profile(check_mode(), current, "Administrator", console_access, password, reset) == (
        changed, after)


def test_removals_in_check_mode_call_nothing():
    assert remove_user(check_mode(), _user()) == (True, None)
    assert remove_user(check_mode(), None) == (False, None)
    assert remove_group(check_mode(), _group(), "Administrator", [ADMIN], False) == (True, None)
    changed, kept = remove_group(check_mode(), _group(members=["Administrator", "colleague"]), "Administrator",
                                 [ADMIN], False)
    assert changed and kept["attached_policies"] == [] and "colleague" in kept["kept_reason"]


@pytest.mark.parametrize("serial, virtual", [
    (f"arn:aws:iam::{ACCOUNT}:mfa/Administrator", True),
    (f"arn:aws-us-gov:iam::{ACCOUNT}:mfa/people/Administrator", True),
    (f"arn:aws:iam::{ACCOUNT}:u2f/user/Administrator/key-ABC", False),
    ("GAHT12345678", False),
])
def test_virtual_mfa_devices_are_told_by_their_serial(serial, virtual):
    assert is_virtual_mfa_serial(serial) is virtual


# --- reading the account in one call ------------------------------------------------------------------------------
class DetailsAnswer:
    """A client whose GetAccountAuthorizationDetails answers with ``page``, recording calls. (Truncated and denied
    answers are the local AWS's business: tests/integration, large accounts and test_least_privilege.)"""

    def __init__(self, page):
        self.page, self.calls = page, []

    def get_account_authorization_details(self, **kwargs):
        self.calls.append(kwargs)
        return self.page


GOV_ROLE = {"RoleName": "OrganizationAccountAccessRole", "Path": "/",
            "Arn": f"arn:aws-us-gov:iam::{ACCOUNT}:role/OrganizationAccountAccessRole"}


def test_account_details_are_one_page_keyed_by_name_in_any_case():
    client = DetailsAnswer({"RoleDetailList": [GOV_ROLE], "IsTruncated": False})
    details = read_account_details(client, ["role"])
    assert client.calls == [{"aws_retry": True, "Filter": ["Role"], "MaxItems": 100}]
    assert detail_named(details, "role", "organizationaccountaccessrole") is GOV_ROLE
    assert detail_named(details, "role", "AWSProtonServiceRole") is None
    # The account and its partition, from the role's ARN: no STS call needed.
    assert account_in_details(details) == {"account_id": ACCOUNT, "partition": "aws-us-gov"}


def test_no_entity_names_no_account():
    assert account_in_details(read_account_details(DetailsAnswer({"RoleDetailList": []}), ["role"])) is None
    assert account_in_details(None) is None
