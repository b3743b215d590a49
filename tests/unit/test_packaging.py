"""Distribution metadata: the execution environment definition, and what ansible-builder derives from it.

``ansible-builder create`` validates execution-environment.yml against its schema and writes the build context
(Containerfile, requirements) without building an image, so it runs here without a container engine.
"""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def requirement_lines(path):
    lines = (line.split("#", 1)[0].strip() for line in Path(path).read_text().splitlines())
    return sorted(line for line in lines if line)


@pytest.fixture(scope="module")
def build_context(tmp_path_factory):
    context = tmp_path_factory.mktemp("ee")
    result = subprocess.run(
        [BIN / "ansible-builder", "create", "--file", REPO / "execution-environment.yml",
         "--context", context, "--output-filename", "Containerfile"],
        capture_output=True, text=True, check=False, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return context


def test_create_writes_a_containerfile_for_python_3_12(build_context):
    containerfile = (build_context / "Containerfile").read_text()
    assert 'ARG PYCMD="/usr/bin/python3.12"' in containerfile
    assert "ansible-core>=2.17,<2.22" in containerfile
    assert "ansible-runner" in containerfile


def test_collections_in_the_context_are_ours_and_amazon_aws(build_context):
    requirements = yaml.safe_load((build_context / "_build" / "requirements.yml").read_text())
    collections = {entry["name"]: entry["version"] for entry in requirements["collections"]}
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    assert collections == {
        "protonkit.accounts": f">={galaxy['version']}",
        "amazon.aws": galaxy["dependencies"]["amazon.aws"],
    }


def test_python_requirements_are_the_runtime_requirements(build_context):
    assert requirement_lines(build_context / "_build" / "requirements.txt") == \
        requirement_lines(REPO / "requirements" / "runtime.txt")


def test_introspection_finds_the_collections_python_dependencies(build_context, tmp_path):
    """An EE that lists only protonkit.accounts still gets boto3/botocore, from meta/execution-environment.yml."""
    link = tmp_path / "ansible_collections" / "protonkit" / "accounts"
    link.parent.mkdir(parents=True)
    link.symlink_to(REPO)
    result = subprocess.run(
        [sys.executable, build_context / "_build" / "scripts" / "introspect.py", "introspect", tmp_path],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "boto3>=1.35.0  # from collection protonkit.accounts" in result.stdout
    assert "botocore>=1.35.0  # from collection protonkit.accounts" in result.stdout


def test_an_invalid_definition_is_rejected(tmp_path):
    """The check above is only worth something if ansible-builder does reject a bad definition."""
    definition = tmp_path / "execution-environment.yml"
    definition.write_text("version: 3\ndependencies:\n  galaxy: 42\n  no_such_key: true\n")
    result = subprocess.run(
        [BIN / "ansible-builder", "create", "--file", definition, "--context", tmp_path / "context"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0


def test_the_definitions_ship_in_the_galaxy_artifact():
    ignored = yaml.safe_load((REPO / "galaxy.yml").read_text())["build_ignore"]
    assert "execution-environment.yml" not in ignored and not any(item.startswith("docs") for item in ignored)


def test_the_tarball_definition_installs_the_tarball_next_to_it(tmp_path):
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    tarball = f"protonkit-accounts-{version}.tar.gz"
    definition = tmp_path / "execution-environment-from-tarball.yml"
    definition.write_text((REPO / "docs" / "examples" / definition.name).read_text())
    (tmp_path / tarball).write_bytes(b"stands for the artifact")
    result = subprocess.run(
        [BIN / "ansible-builder", "create", "--file", definition, "--context", tmp_path / "context"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    build = tmp_path / "context" / "_build"
    assert (build / "collections" / tarball).read_bytes() == b"stands for the artifact"
    collections = yaml.safe_load((build / "requirements.yml").read_text())["collections"]
    assert {"name": f"collections/{tarball}", "type": "file"} in collections
    # /build is where the Containerfile copies _build and runs ansible-galaxy from.
    containerfile = next((tmp_path / "context").glob("*file")).read_text()
    assert "COPY _build /build" in containerfile and "WORKDIR /build" in containerfile


@pytest.mark.parametrize("plugin", ["modules/iam_admin_bootstrap.py", "modules/proton_account_roles.py",
                                    "modules/proton_account_roles_check.py",
                                    "inventory/organization.py"])
def test_plugins_document_our_own_python_and_boto3_floor(plugin):
    import ast

    tree = ast.parse((REPO / "plugins" / plugin).read_text())
    documentation = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                         and getattr(node.targets[0], "id", None) == "DOCUMENTATION")
    document = yaml.safe_load(documentation)
    floors = dict(line.split(">=") for line in requirement_lines(REPO / "requirements" / "runtime.txt"))
    assert document["requirements"] == ["python >= 3.11"] + [f"{name} >= {floor}" for name, floor in floors.items()]
    # amazon.aws.boto3 would add its own "python >= 3.6" to ours in ansible-doc.
    assert "amazon.aws.boto3" not in document["extends_documentation_fragment"]
