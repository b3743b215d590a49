"""Molecule helper: the sample organization on the scenario's local AWS.

    organization.py create URL OUT.json      create it; write the member accounts to OUT.json
"""

import json
import sys
from pathlib import Path

from localaws.sample_org import create_sample_organization


def main(command, url, out):
    if command != "create":
        raise SystemExit(__doc__)
    Path(out).write_text(json.dumps(create_sample_organization(url), indent=2))


if __name__ == "__main__":
    main(*sys.argv[1:])
