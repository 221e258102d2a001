"""The container files: what docs/deploy.md tells a user to run is what CI checks, and the
repository names no package registry or mirror, so that pip, debootstrap and image pulls use
their own defaults or the machine's configuration.

`.ci/container-check` builds and runs the image for real; these tests keep its commands and
the doc's equal, and the defaults host-free, without needing podman.
"""

import re
import shlex
import subprocess
from pathlib import Path

from mockswitch.web.hosts import HostPolicy

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = (ROOT / "docs" / "deploy.md").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()
CONTAINER_CHECK = (ROOT / ".ci" / "container-check").read_text()

# Hosts of package registries, image registries and distribution mirrors. Written in pieces
# so that this file does not name them either.
REGISTRY_HOSTS = [
    ".".join(parts)
    for parts in [
        ("pypi", "org"),
        ("pythonhosted", "org"),
        ("docker", "io"),
        ("docker", "com"),
        ("ghcr", "io"),
        ("quay", "io"),
        ("gcr", "io"),
        ("pkg", "dev"),
        ("registry", "gitlab", "com"),
        ("amazonaws", "com"),
        ("azurecr", "io"),
        ("debian", "org"),
        ("ubuntu", "com"),
        ("npmjs", "org"),
        ("yarnpkg", "com"),
        ("crates", "io"),
        ("rubygems", "org"),
        ("golang", "org"),
        ("anaconda", "org"),
    ]
]


def repository_files():
    """Every file git tracks in this checkout, or every file under it without git."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
        paths = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".venv", "build", "dist"}
        paths = [p for p in ROOT.rglob("*") if not skip & set(p.relative_to(ROOT).parts)]
    return [path for path in paths if path.is_file()]


def test_the_repository_names_no_registry_or_mirror_host():
    files = repository_files()
    assert ROOT / "Dockerfile" in files
    assert ROOT / ".ci" / "container-check" in files
    found = []
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace").lower()
        found += [
            f"{path.relative_to(ROOT)}: {host}"
            for host in REGISTRY_HOSTS
            if re.search(rf"(?<![\w-]){re.escape(host)}\b", text)
        ]
    assert found == [], "leave these to the tools' defaults or the machine's configuration"


def test_the_dockerfile_defaults_name_no_host():
    args = dict(re.findall(r"^ARG (\w+)=(.*)$", DOCKERFILE, re.M))
    assert args["PIP_INDEX_URL"] == ""
    assert args["PIP_EXTRA_INDEX_URL"] == ""
    assert args["PIP_TRUSTED_HOST"] == ""
    # An image name without a registry part: Docker and podman resolve it as they are set up.
    assert args["BASE_IMAGE"] == "python:3.11-slim"


def documented_container_commands():
    """The lines of docs/deploy.md's container section's code blocks (docker or podman)."""
    section = DEPLOY.split("## Container image", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```\n(.*?)^```", section, re.M | re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_the_docs_build_with_docker_and_with_the_script_ci_runs():
    commands = documented_container_commands()
    assert "docker build -t mockswitch ." in commands
    assert "docker run --rm -p 8080:8080 mockswitch" in commands
    assert "scripts/podman-build" in commands
    assert 'bash "$ROOT/scripts/podman-build" "$IMAGE"' in CONTAINER_CHECK
    assert (ROOT / "scripts" / "podman-build").stat().st_mode & 0o111, "docs/deploy.md runs it"


def test_the_docs_run_podman_with_the_flags_ci_checks():
    [run] = [line for line in documented_container_commands() if line.startswith("podman ")]
    words = shlex.split(run)
    assert words[:4] == ["podman", "--runtime", "runc", "run"]
    assert words[-3:] == ["-p", "8080:8080", "mockswitch"]
    flags = re.search(r"^PODMAN_RUN_FLAGS=\((.*)\)$", CONTAINER_CHECK, re.M).group(1)
    assert 'podman --runtime runc run "${PODMAN_RUN_FLAGS[@]}"' in CONTAINER_CHECK
    assert words[4:-3] == ["--rm", *shlex.split(flags)]


def test_the_images_defaults_answer_to_docker_run_and_to_a_compose_service():
    """`docker run -p` is reached as localhost or 127.0.0.1, a compose service by its name:
    the image sets no allowed hosts, and the server's defaults answer to both."""
    assert "MOCKSWITCH_ALLOWED_HOSTS" not in DOCKERFILE
    compose = DEPLOY.split("## docker compose", 1)[1].split("\n## ", 1)[0]
    first = re.search(r"^```yaml\n(.*?)^```", compose, re.M | re.S).group(1)
    service = re.search(r"^services:\n  (\w+):", first, re.M).group(1)
    app_url = re.search(r"ENSWITCH_URL: http://([^:/]+):8080/", first).group(1)
    assert service == app_url == "mockswitch"
    defaults = HostPolicy("", own_name="")
    for host in ("localhost:8080", "127.0.0.1:8080", "[::1]:8080", f"{service}:8080"):
        assert defaults.allows(host), host


def test_the_container_check_reaches_the_server_by_names_that_are_not_localhost():
    api = re.search(r'^step "API calls by name"\n(.*?)^# -{20}', CONTAINER_CHECK, re.M | re.S)
    calls = api.group(1)
    assert "--resolve" in calls
    assert "http://127.0.0.1" not in calls
    assert "localhost" not in calls
    assert re.search(r"^SERVICE_NAME=mockswitch$", CONTAINER_CHECK, re.M)
    alias = re.search(r"^ALIAS=(\S+)$", CONTAINER_CHECK, re.M).group(1)
    assert "." in alias  # a name only MOCKSWITCH_ALLOWED_HOSTS lets in
    assert CONTAINER_CHECK.count('--env "MOCKSWITCH_ALLOWED_HOSTS=$ALIAS"') == 2  # both runners
    assert not HostPolicy("", own_name="").allows(alias)
    assert HostPolicy(alias, own_name="").allows(alias)
