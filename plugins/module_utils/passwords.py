# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Console passwords: generated from ``secrets`` to satisfy the account's IAM password policy, and checked
against it before anything is written. Nothing here logs or returns a password to Ansible's output."""

import secrets
import string

try:
    import botocore
except ImportError:
    pass

# The characters IAM accepts as "symbols" in a password policy.
IAM_SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
IAM_MAX_LENGTH = 128
# Used when the account has no password policy: long, and every character class.
DEFAULT_POLICY = {
    "MinimumPasswordLength": 32,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
}
# At least this long whatever the policy says: the policy is a floor, not a target.
GENERATED_MIN_LENGTH = 32

_CLASSES = (
    ("RequireLowercaseCharacters", string.ascii_lowercase, "a lowercase letter"),
    ("RequireUppercaseCharacters", string.ascii_uppercase, "an uppercase letter"),
    ("RequireNumbers", string.digits, "a number"),
    ("RequireSymbols", IAM_SYMBOLS, f"a symbol ({IAM_SYMBOLS})"),
)


def get_password_policy(client):
    """The account's password policy, or None when the account has none."""
    try:
        return client.get_account_password_policy(aws_retry=True)["PasswordPolicy"]
    except botocore.exceptions.ClientError as e:
        if e.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return None
        raise


def generate_password(policy=None):
    """A random password with one character of every class (required or not) and at least the policy's length."""
    policy = policy or DEFAULT_POLICY
    length = min(IAM_MAX_LENGTH, max(GENERATED_MIN_LENGTH, policy.get("MinimumPasswordLength", 0)))
    alphabet = "".join(chars for _key, chars, _label in _CLASSES)
    chars = [secrets.choice(chars) for _key, chars, _label in _CLASSES]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def password_policy_problems(password, policy):
    """What ``password`` lacks to satisfy ``policy`` (never quoting the password), empty when it complies."""
    policy = policy or {}
    problems = []
    minimum = policy.get("MinimumPasswordLength", 1)
    if len(password) < minimum:
        problems.append(f"at least {minimum} characters")
    if len(password) > IAM_MAX_LENGTH:
        problems.append(f"at most {IAM_MAX_LENGTH} characters")
    for key, chars, label in _CLASSES:
        if policy.get(key) and not any(char in chars for char in password):
            problems.append(label)
    return problems
