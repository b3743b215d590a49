"""Offline stand-in for get-pip.py, used by ansible-test --venv to put pip into its empty virtual environments.

ansible-test downloads get-pip.py from ci-files.testing.ansible.com, which this toolchain cannot reach (only PyPI
is). tools/sanity.sh places this file where ansible-test caches that download. It takes get-pip.py's command line
(pip options, package requirements such as ``pip==24.2``, ``--no-setuptools``, ``--no-wheel``), seeds pip from
the interpreter's bundled ensurepip wheel, then lets that pip install the requested packages from the configured
index.
"""

import subprocess
import sys

GET_PIP_ONLY_FLAGS = {"--no-setuptools", "--no-wheel"}


def main(argv):
    pip_args = [arg for arg in argv if arg not in GET_PIP_ONLY_FLAGS]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
    subprocess.check_call([sys.executable, "-m", "pip", "install", *pip_args])
    if "--no-setuptools" in argv:
        # ensurepip also seeds setuptools on older Pythons; get-pip.py would not have installed it.
        subprocess.call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"])


if __name__ == "__main__":
    main(sys.argv[1:])
