"""Generated console passwords against IAM password policies (plugins/module_utils/passwords.py)."""

import pytest

from ansible_collections.protonkit.accounts.plugins.module_utils.passwords import DEFAULT_POLICY
from ansible_collections.protonkit.accounts.plugins.module_utils.passwords import IAM_MAX_LENGTH
from ansible_collections.protonkit.accounts.plugins.module_utils.passwords import IAM_SYMBOLS
from ansible_collections.protonkit.accounts.plugins.module_utils.passwords import generate_password
from ansible_collections.protonkit.accounts.plugins.module_utils.passwords import password_policy_problems

EVERY_CLASS = {"RequireSymbols": True, "RequireNumbers": True, "RequireUppercaseCharacters": True,
               "RequireLowercaseCharacters": True}
POLICIES = [
    None,  # the account has no policy: the strong default is used
    {"MinimumPasswordLength": 6},
    dict(EVERY_CLASS, MinimumPasswordLength=14),
    dict(EVERY_CLASS, MinimumPasswordLength=64),
    dict(EVERY_CLASS, MinimumPasswordLength=IAM_MAX_LENGTH),
    {"MinimumPasswordLength": 20, "RequireSymbols": True},
]


@pytest.mark.parametrize("policy", POLICIES)
def test_generated_passwords_satisfy_the_policy(policy):
    for _attempt in range(200):
        password = generate_password(policy)
        assert password_policy_problems(password, policy or DEFAULT_POLICY) == []
        assert password_policy_problems(password, None) == []  # and IAM's own default rule
        assert 32 <= len(password) <= IAM_MAX_LENGTH
        assert set(password) <= set(IAM_SYMBOLS) | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def test_generated_password_is_at_least_the_policy_minimum():
    assert len(generate_password(dict(EVERY_CLASS, MinimumPasswordLength=90))) == 90


def test_generated_passwords_differ():
    assert len({generate_password() for _attempt in range(50)}) == 50


@pytest.mark.parametrize("password, policy, expected", [
    ("short", {"MinimumPasswordLength": 14}, ["at least 14 characters"]),
    ("longenoughbutplain", dict(EVERY_CLASS, MinimumPasswordLength=8),
     ["an uppercase letter", "a number", f"a symbol ({IAM_SYMBOLS})"]),
    ("Abcdefgh1!", dict(EVERY_CLASS, MinimumPasswordLength=8), []),
    ("x" * (IAM_MAX_LENGTH + 1), {}, [f"at most {IAM_MAX_LENGTH} characters"]),
])
def test_policy_problems_name_what_is_missing(password, policy, expected):
    assert password_policy_problems(password, policy) == expected


@pytest.mark.parametrize("password, ok", [
    ("Abcdefg1", True),  # three classes, 8 characters
    ("abcdef1!", True),
    ("abcdefgh1", False),  # two classes
    ("Ab1!", False),  # too short
])
def test_without_a_custom_policy_iam_default_rule_applies(password, ok):
    assert (password_policy_problems(password, None) == []) is ok


def test_problems_never_quote_the_password():
    password = "Secret-but-short"
    for problem in password_policy_problems(password, {"MinimumPasswordLength": 40, "RequireNumbers": True}):
        assert password not in problem
