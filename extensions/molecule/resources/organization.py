"""Molecule helper: the sample organization on the scenario's local AWS, and breaking or mending one account.

    organization.py create URL OUT.json      create it; write the member accounts to OUT.json
    organization.py break URL ACCOUNT_ID     every IAM write in that account is denied (AccessDenied)
    organization.py mend URL                 clear the error rules
"""

import json
import sys
from pathlib import Path

from localaws.client import LocalAWSClient
from localaws.sample_org import create_sample_organization


def main(command, url, argument=None):
    if command == "create":
        Path(argument).write_text(json.dumps(create_sample_organization(url), indent=2))
    elif command == "break":
        LocalAWSClient(url).add_error_rule(code="AccessDenied", status=403, account=argument, service="iam",
                                           action="CreateGroup",
                                           message="User is not authorized to perform: iam:CreateGroup")
    elif command == "mend":
        LocalAWSClient(url).clear_error_rules()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(*sys.argv[1:])
