"""The two ends of the support matrix, as bin folders holding ansible-playbook and ansible-inventory.

``newest`` is the .venv; ``oldest`` is tools/toolchain.sh's oldest leg (ansible-core 2.17, Python 3.11, amazon.aws and
boto3 at our floors). ``make test-toolchains`` builds it before pytest starts (PROTONKIT_OLDEST_BIN), so that two
xdist workers never build it at once; run alone, a test builds it itself.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NEWEST = Path(sys.executable).parent


def oldest_bin():
    if os.environ.get("PROTONKIT_OLDEST_BIN"):
        return Path(os.environ["PROTONKIT_OLDEST_BIN"])
    built = subprocess.run([str(REPO / "tools" / "toolchain.sh"), "oldest"], capture_output=True, text=True,
                           check=False)
    assert built.returncode == 0, built.stderr
    return Path(built.stdout.strip())


@pytest.fixture(params=["newest", "oldest"], scope="module")
def toolchain_bin(request):
    return NEWEST if request.param == "newest" else oldest_bin()


@pytest.fixture(scope="module")
def oldest_toolchain_bin():
    return oldest_bin()
