# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Secrets Manager secret that holds the break-glass console password: who owns it, who may read it.

The module writes a password only into a secret it created (our ownership tag), one an earlier version of this
collection created (recognised below), or one the user told it to adopt. Everything is decided from one read
(``read_secret``) before the module's first write, IAM included.

``read_secret(secrets, name, user_name, need_policy)`` -> dict | None
    ``name, arn, deleted, tags, kms_key_id, policy, ownership`` (``"tag"``, ``"legacy"`` or ``"foreign"``);
    ``policy`` (decoded, None when there is none) is read when ``need_policy`` or the tag is missing, else ``False``
    (not read). AWS errors are raised.
``foreign_secret_refusal(secret, adopt)`` -> dict | None
    ``{kind: secret, name, reason}`` (``ownership.refused``) when the module must not write into it.
``secret_arn_problem(name, account_id)``, ``readers_problem(readers)`` -> str | None
``reader_policy(readers)`` -> dict
``ensure_secret(module, secrets, current, document, wanted)`` -> (changed, after)
    ``wanted``: ``description, kms_key_id, policy`` (None: leave alone). ``document`` None keeps the value.
``remove_secret(module, secrets, current, adopt)`` -> (changed, kept)
    ``kept`` is None or ``{kind: secret, name, reason}``.
"""

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import OWNERSHIP_TAG_KEY
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import OWNERSHIP_TAG_VALUE
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import is_owned
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import ownership_tags
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import refused

# Secrets Manager throttles with ThrottlingException, which AWSRetry does not retry by default.
SECRETS_MANAGER_RETRY = AWSRetry.jittered_backoff(catch_extra_error_codes=["ThrottlingException"])
# Named readers are IAM roles or users: "aws:PrincipalArn" of an assumed-role session is its role's ARN, so the
# condition below matches every session of a named role. An account root ARN is refused: as a principal it means
# "the whole account", which is the opposite of restricting.
READER_ARN_PATTERN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::\d{12}:(role|user)/([\w+=,.@-]+/)*[\w+=,.@-]+", re.ASCII)
RECOVERY_WINDOW_DAYS = 30


def secret_description(user_name):
    """The description the module gives the secrets it creates (earlier versions wrote exactly this, untagged)."""
    return f"Console password of IAM user {user_name} (protonkit.accounts)"


def secret_arn_problem(name, account_id):
    """A secret ARN of another account: the password would leave the account it belongs to."""
    if not name.startswith("arn:"):
        return None
    arn = parse_aws_arn(name)
    if arn is None or arn["service"] != "secretsmanager":
        return f"password_secret: {name} is not a Secrets Manager secret ARN; give a secret name or ARN"
    if arn["account_id"] != account_id:
        return (f"password_secret: secret {name} belongs to account {arn['account_id']}, not to account {account_id} "
                "the module runs in; the password of an account's administrator is kept in that account")
    return None


def readers_problem(readers):
    wrong = [reader for reader in readers or [] if not READER_ARN_PATTERN.fullmatch(reader)]
    if wrong:
        return (f"password_secret_readers: not an IAM role or user ARN: {', '.join(wrong)} (for example "
                "arn:aws:iam::123456789012:role/BreakGlassReader; an account's root ARN means the whole account)")
    return None


def reader_policy(readers):
    """Only ``readers`` may read the value. The Deny is what restricts: without it every principal of the account
    whose identity policy allows GetSecretValue (any administrator) could still read it."""
    readers = sorted(set(readers))
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "NamedReadersMayRead", "Effect": "Allow", "Principal": {"AWS": readers},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
            {"Sid": "NobodyElseMayRead", "Effect": "Deny", "Principal": "*",
             "Action": "secretsmanager:GetSecretValue", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:PrincipalArn": readers}}},
        ],
    }


# --- reading ------------------------------------------------------------------------------------------------------
def read_secret(secrets, name, user_name, need_policy):
    try:
        secret = secrets.describe_secret(aws_retry=True, SecretId=name)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    tags = boto3_tag_list_to_ansible_dict(secret.get("Tags", []))
    current = {"name": secret["Name"], "arn": secret["ARN"], "deleted": bool(secret.get("DeletedDate")), "tags": tags,
               "kms_key_id": secret.get("KmsKeyId"), "policy": False}
    # An untagged secret needs its policy read to be recognised; a tagged one only when we manage its policy, so that
    # a rerun with the defaults stays one DescribeSecret at most.
    if need_policy or not is_owned(tags):
        try:
            policy = secrets.get_resource_policy(aws_retry=True, SecretId=secret["ARN"]).get("ResourcePolicy")
            current["policy"] = json.loads(policy) if policy else None
        except is_boto3_error_code(["AccessDenied", "AccessDeniedException"]):
            # Not allowed to look (a runner policy without the action): then an untagged secret can't be shown to be
            # one an earlier version made, and counts as someone else's, which is the safe side.
            current["policy"] = False
    if is_owned(tags):
        current["ownership"] = "tag"
    elif secret.get("Description") == secret_description(user_name) and current["policy"] is None:
        # Written by a version of this collection from before the tag: our description, and no resource policy (we
        # never set one then; one that exists was put there by someone, for someone).
        current["ownership"] = "legacy"
    else:
        current["ownership"] = "foreign"
    return current


def foreign_secret_refusal(current, adopt):
    """``{kind, name, reason}`` when the module must not write into the secret (None: it may)."""
    if current is None or current["ownership"] != "foreign" or adopt:
        return None
    reason = f"not tagged {OWNERSHIP_TAG_KEY}={OWNERSHIP_TAG_VALUE}"
    if current["policy"]:
        reason += ", and it has a resource policy (which may let other principals or accounts read it)"
    return refused("secret", current["name"], reason + "; the password would have been written into it")


def _same_kms_key(module, current, wanted):
    """DescribeSecret answers with whatever identifies the key (id, ARN, alias ARN): resolve both only when the
    strings differ, so that an unchanged key costs no KMS call."""
    if current == wanted:
        return True
    if current is None:
        return False  # the AWS managed key aws/secretsmanager
    kms = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
    arns = [kms.describe_key(aws_retry=True, KeyId=key)["KeyMetadata"]["Arn"] for key in (current, wanted)]
    return arns[0] == arns[1]


# --- writing ------------------------------------------------------------------------------------------------------
def ensure_secret(module, secrets, current, document, wanted):
    """The secret as asked. Its resource policy goes on before a new value goes in, so that a replaced policy never
    lets anyone read the new password. Returns (changed, after)."""
    if current is None:
        if document is None:
            return False, None
        return True, _create_secret(module, secrets, document, wanted)
    if current["deleted"] and document is None:
        return False, current  # scheduled for deletion: not worth hardening, and AWS refuses most writes to it
    after = dict(current)
    changed = False
    if current["deleted"]:
        if not module.check_mode:
            # A previous state=absent scheduled it for deletion; a new password needs it back.
            secrets.restore_secret(aws_retry=True, SecretId=current["arn"])
        after["deleted"], changed = False, True
    policy_differs = wanted["policy"] is not None and (not current["policy"]
                                                       or compare_policies(current["policy"], wanted["policy"]))
    key_differs = wanted["kms_key_id"] and not _same_kms_key(module, current["kms_key_id"], wanted["kms_key_id"])
    if not is_owned(current["tags"]) and (policy_differs or key_differs or document is not None):
        # Adopted or written by an earlier version: it is ours from now on, tagged before anything else is written.
        if not module.check_mode:
            secrets.tag_resource(aws_retry=True, SecretId=current["arn"],
                                 Tags=ansible_dict_to_boto3_tag_list(ownership_tags()))
        after.update(tags=dict(current["tags"], **ownership_tags()), ownership="tag")
        changed = True
    if policy_differs:
        if not module.check_mode:
            secrets.put_resource_policy(aws_retry=True, SecretId=current["arn"], BlockPublicPolicy=True,
                                        ResourcePolicy=json.dumps(wanted["policy"]))
        after["policy"], changed = wanted["policy"], True
    if key_differs:
        if not module.check_mode:
            secrets.update_secret(aws_retry=True, SecretId=current["arn"], KmsKeyId=wanted["kms_key_id"])
        after["kms_key_id"], changed = wanted["kms_key_id"], True
    if document is not None:
        if not module.check_mode:
            secrets.put_secret_value(aws_retry=True, SecretId=current["arn"], SecretString=document)
        changed = True
    return changed, after


def _create_secret(module, secrets, document, wanted):
    after = {"name": module.params["password_secret"], "arn": None, "deleted": False, "tags": ownership_tags(),
             "kms_key_id": wanted["kms_key_id"], "policy": wanted["policy"], "ownership": "tag"}
    if module.check_mode:
        return after
    create = {"Name": module.params["password_secret"], "SecretString": document, "Description": wanted["description"],
              "Tags": ansible_dict_to_boto3_tag_list(ownership_tags())}
    if wanted["kms_key_id"]:
        create["KmsKeyId"] = wanted["kms_key_id"]
    after["arn"] = secrets.create_secret(aws_retry=True, **create)["ARN"]
    if wanted["policy"] is not None:
        secrets.put_resource_policy(aws_retry=True, SecretId=after["arn"], BlockPublicPolicy=True,
                                    ResourcePolicy=json.dumps(wanted["policy"]))
    return after


def remove_secret(module, secrets, current, adopt):
    """Schedule our secret for deletion (recoverable for 30 days); leave anyone else's. Returns (changed, kept)."""
    if current is None or current["deleted"]:
        return False, None
    if current["ownership"] == "foreign" and not adopt:
        return False, refused("secret", current["name"], f"not tagged {OWNERSHIP_TAG_KEY}={OWNERSHIP_TAG_VALUE}, "
                                                         "so not created by protonkit.accounts; adopt: true deletes it")
    if not module.check_mode:
        secrets.delete_secret(aws_retry=True, SecretId=current["arn"], RecoveryWindowInDays=RECOVERY_WINDOW_DAYS)
    return True, None
