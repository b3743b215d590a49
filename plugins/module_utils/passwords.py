# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Console passwords: generated from ``secrets`` to satisfy the account's IAM password policy, and checked
against it before anything is written. Nothing here logs or returns a password to Ansible's output."""

import secrets
import string

from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler

# The characters IAM accepts as "symbols" in a password policy.
IAM_SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
IAM_MAX_LENGTH = 128
# IAM's rule for accounts without a custom password policy: 8 characters, three of the four classes.
AWS_DEFAULT_MIN_LENGTH = 8
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


@IAMErrorHandler.list_error_handler("read the account password policy")
def get_password_policy(client):
    """The account's password policy (GetAccountPasswordPolicy), or None when the account has none."""
    return client.get_account_password_policy(aws_retry=True)["PasswordPolicy"]


def generate_password(policy=None):
    """A random password with one character of every class (required or not) and at least the policy's length."""
    policy = policy or DEFAULT_POLICY
    length = min(IAM_MAX_LENGTH, max(GENERATED_MIN_LENGTH, policy.get("MinimumPasswordLength", 0)))
    alphabet = "".join(chars for _key, chars, _label in _CLASSES)
    chars = [secrets.choice(chars) for _key, chars, _label in _CLASSES]
    chars += [secrets.choice(alphabet) for _position in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def password_policy_problems(password, policy):
    """What ``password`` lacks to satisfy ``policy`` (never quoting the password), empty when it complies.

    ``policy`` None means the account has no custom policy: IAM then applies its default rule (at least
    8 characters and at least three of the four character classes), which is checked here too so that a
    password IAM would refuse is caught before the first write rather than after the user was created."""
    if password is None:
        return []
    problems = []
    if len(password) > IAM_MAX_LENGTH:
        problems.append(f"at most {IAM_MAX_LENGTH} characters")
    if policy is None:
        if len(password) < AWS_DEFAULT_MIN_LENGTH:
            problems.append(f"at least {AWS_DEFAULT_MIN_LENGTH} characters")
        classes = sum(1 for _key, chars, _label in _CLASSES if any(char in chars for char in password))
        if classes < 3:
            problems.append(f"characters of at least three of the four classes: lowercase, uppercase, numbers, "
                            f"symbols ({IAM_SYMBOLS}); it has {classes}")
        return problems
    minimum = policy.get("MinimumPasswordLength", 1)
    if len(password) < minimum:
        problems.insert(0, f"at least {minimum} characters")
    for key, chars, label in _CLASSES:
        if policy.get(key) and not any(char in chars for char in password):
            problems.append(label)
    return problems
