"""Offline stand-in for get-pip.py, used by ansible-test --venv to put pip into its empty virtual environments.

ansible-test downloads get-pip.py from ci-files.testing.ansible.com, which this toolchain cannot reach (only PyPI
is). tools/sanity.sh places this file where ansible-test caches that download. It takes get-pip.py's command line
(pip options, package requirements such as ``pip==24.2``, ``--no-setuptools``, ``--no-wheel``).

ansible-test builds one venv per sanity test and core (about forty in ``make test``). Seeding pip with ensurepip and
then upgrading it cost about ten seconds of CPU per venv. When only exact versions of pip, setuptools and wheel are
asked for (``pip==X`` from newer cores; older ones, 2.17's, add ``setuptools==Y wheel==Z``), their wheels are
fetched once into the ``pip-wheels`` folder beside this file (tools/sanity.sh links it to one folder for every core;
ansible-test passes no environment of ours) and unpacked into the venv: all three are pure Python, so unpacking the
wheel is all an install does, and its RECORD lets ansible-test uninstall it again. Anything else takes the general
path: seed pip from the interpreter's bundled ensurepip wheel, then let that pip install the requested packages from
the configured index.
"""

import fcntl
import glob
import os
import re
import subprocess
import sys
import sysconfig
import zipfile

GET_PIP_ONLY_FLAGS = {"--no-setuptools", "--no-wheel"}
QUIET_FLAGS = {"--disable-pip-version-check", "--quiet", "-q"}
EXACT_PIN = re.compile(r"^(pip|setuptools|wheel)==(\d+(?:\.\d+)*)$")


def bundled_pip_wheel():
    import ensurepip  # pylint: disable=import-outside-toplevel

    wheels = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))
    return wheels[0] if wheels else None


def cached_wheels(pins, wheels_dir):
    """The wheels of ``pins`` ([(name, version)]) in ``wheels_dir``, downloaded first if no core has yet; None when
    one can't be had."""
    wheels = [os.path.join(wheels_dir, "%s-%s-*.whl" % pin) for pin in pins]
    os.makedirs(wheels_dir, exist_ok=True)
    with open(os.path.join(wheels_dir, ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = [pin for pin, pattern in zip(pins, wheels) if not glob.glob(pattern)]
        if missing:
            seed = bundled_pip_wheel()
            if seed is None:
                return None
            # pip runs from its own wheel (that is how ensurepip bootstraps it).
            try:
                subprocess.check_call([sys.executable, os.path.join(seed, "pip"), "download", "--quiet",
                                       "--disable-pip-version-check", "--no-deps", "--only-binary", ":all:",
                                       "--dest", wheels_dir] + ["%s==%s" % pin for pin in missing])
            except subprocess.CalledProcessError:
                return None  # the general path installs them from the index instead
    found = [sorted(glob.glob(pattern)) for pattern in wheels]
    return [paths[0] for paths in found] if all(found) else None


def unpack_into_venv(wheel):
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(sysconfig.get_paths()["purelib"])


def fast_path(argv):
    """Install exact pip, setuptools and wheel from the shared wheel cache; False when the request is not just that."""
    wheels_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pip-wheels")
    matches = [EXACT_PIN.match(arg) for arg in argv if arg not in GET_PIP_ONLY_FLAGS | QUIET_FLAGS]
    if not (os.path.isdir(wheels_dir) and matches and all(matches)):
        return False
    wheels = cached_wheels([match.groups() for match in matches], wheels_dir)
    if wheels is None:
        return False
    for wheel in wheels:
        unpack_into_venv(wheel)
    return True


def general_path(argv):
    pip_args = [arg for arg in argv if arg not in GET_PIP_ONLY_FLAGS]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
    subprocess.check_call([sys.executable, "-m", "pip", "install", *pip_args])
    if "--no-setuptools" in argv:
        # ensurepip also seeds setuptools on older Pythons; get-pip.py would not have installed it.
        subprocess.call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"])


def main(argv):
    if not fast_path(argv):
        general_path(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
