"""The tests leave the machine as they found it: Ansible run as the tests run it writes nothing into the user's home.

The check runs ansible-playbook with HOME pointing at an empty directory (the real ~/.ansible is shared with whatever
else runs on the machine, so comparing it before and after would blame these tests for others' files).
"""

import yaml

from integration.ansible_runs import REPO, run_module_tasks


def test_an_ansible_run_as_the_tests_make_it_writes_nothing_into_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    # A module run (remote and local temporary files), a lookup of this collection and a filter of it, in a playbook
    # made the way the module tests make theirs.
    run = run_module_tasks(tmp_path, "ansible.builtin.copy", [{
        "dest": "{{ lookup('protonkit.accounts.cwd') }}/out.txt",
        "content": "{{ [] | protonkit.accounts.report_counts | to_json }}",
        "mode": "0600",
    }], {"HOME": str(home)}, callback="ansible.builtin.default", cwd=tmp_path)
    assert run.rc == 0 and "ignored=0" in run.output, run.output[-3000:]  # the helper's tasks ignore errors
    assert (tmp_path / "out.txt").exists()
    assert sorted(str(path.relative_to(home)) for path in home.rglob("*")) == []


def test_molecule_installs_no_copy_of_the_collection():
    # Molecule's prerun installs the collection into its cache (ANSIBLE_HOME, else ~/.ansible/collections), where it
    # later shadows other installs; the link tree on ANSIBLE_COLLECTIONS_PATH already makes the checkout importable.
    scenarios = sorted((REPO / "extensions" / "molecule").glob("*/molecule.yml"))
    assert scenarios
    assert {path.parent.name: yaml.safe_load(path.read_text()).get("prerun") for path in scenarios} == {
        path.parent.name: False for path in scenarios}


def test_make_keeps_ansible_home_in_the_build_folder():
    exports = [line.split(":=")[0].split()[-1] for line in (REPO / "Makefile").read_text().splitlines()
               if line.startswith("export ANSIBLE_")]
    assert {"ANSIBLE_HOME", "ANSIBLE_LOCAL_TEMP", "ANSIBLE_REMOTE_TEMP"} <= set(exports)
    assert "export ANSIBLE_HOME := $(CURDIR)/.build/" in (REPO / "Makefile").read_text()
