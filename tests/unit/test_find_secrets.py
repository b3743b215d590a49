"""tools/find_secrets.py: finds a password from its digest alone, and refuses to prove anything from no digest."""

import hashlib
import importlib.util
from pathlib import Path

# A script of tools/, not a package: loaded from its file.
_SPEC = importlib.util.spec_from_file_location(
    "find_secrets", Path(__file__).resolve().parents[2] / "tools" / "find_secrets.py")
find_secrets = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(find_secrets)

PASSWORD = "Unit-Passw0rd!-digest-only-42"


def digests_file(tmp_path, *passwords):
    path = tmp_path / "digests"
    path.write_text("".join(f"{len(p)} {hashlib.sha256(p.encode()).hexdigest()}\n" for p in passwords))
    return path


def test_a_password_anywhere_in_a_line_is_found_and_not_printed(tmp_path, capsys):
    output = tmp_path / "output.log"
    output.write_text("first line\nok: [host] => {\"msg\": \"x" + PASSWORD + "y\"}\n")
    assert find_secrets.main(digests_file(tmp_path, PASSWORD), [output]) == 1
    captured = capsys.readouterr()
    assert "line 2" in captured.err and PASSWORD not in captured.out + captured.err


def test_clean_output_passes(tmp_path):
    output = tmp_path / "output.log"
    output.write_text("nothing secret here\n" + PASSWORD[:-1] + "\n")
    assert find_secrets.main(digests_file(tmp_path, PASSWORD, "another-one-123"), [output]) == 0


def test_no_digest_recorded_is_not_a_pass(tmp_path):
    output = tmp_path / "output.log"
    output.write_text("anything\n")
    assert find_secrets.main(digests_file(tmp_path), [output]) == 2
