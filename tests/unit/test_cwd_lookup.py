"""The cwd lookup (plugins/lookup/cwd.py): the process's working directory, never $PWD. Through ansible-playbook
with PWD unset or stale: tests/integration/test_playbooks.py (where the report goes)."""

import os

import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.protonkit.accounts.plugins.lookup.cwd import LookupModule


def test_the_working_directory_whatever_pwd_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PWD", "/")
    assert LookupModule().run([]) == [str(tmp_path.resolve())]
    monkeypatch.delenv("PWD")
    assert LookupModule().run([]) == [str(tmp_path.resolve())]


def test_terms_are_refused():
    with pytest.raises(AnsibleLookupError, match="takes no terms"):
        LookupModule().run(["/tmp"])


def test_a_removed_directory_is_a_clear_error(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    os.rmdir(gone)
    with pytest.raises(AnsibleLookupError, match="is gone"):
        LookupModule().run([])
