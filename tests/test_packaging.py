"""The wheel must carry every package and data file, or an installed mockswitch breaks."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mockswitch.config import DEFAULT_FIXTURES
from tests.process import SERVE, serving

ROOT = Path(__file__).resolve().parent.parent


def hatch_wheel() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
        "targets"
    ]["wheel"]


def test_the_wheel_takes_the_whole_package_and_the_fixtures():
    # The whole folder: a new subpackage, or a data file beside the code (the dashboard's
    # static files), cannot be left out.
    wheel = hatch_wheel()
    assert wheel["packages"] == ["mockswitch"]
    assert wheel["force-include"] == {"fixtures": "mockswitch/default_fixtures"}


def test_the_default_fixtures_are_the_checkouts_fixtures_folder():
    # One copy, at the top of the checkout; found there from the checkout and an editable
    # install (a wheel carries it inside the package: the slow test below installs one).
    assert DEFAULT_FIXTURES == ROOT / "fixtures"
    files = sorted(p.name for p in DEFAULT_FIXTURES.iterdir() if p.is_file())
    assert "campaigns.json" in files
    assert not (ROOT / "mockswitch" / "default_fixtures").exists()


def venv_site(venv: Path) -> Path:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return venv / "lib" / version / "site-packages"


def _fresh_clone(destination: Path) -> None:
    """A fresh clone: the work tree's files that git would commit (tracked, or new and not
    ignored), as they are now; nothing built, no egg-info, no virtual environment."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: no fresh clone to make")
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():  # a file deleted but not yet committed is skipped
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)


@pytest.mark.slow
def test_python_m_mockswitch_serve_from_a_fresh_clone_after_a_plain_install(tmp_path):
    """`pip install .` (not editable), then `python -m mockswitch serve` in the checkout,
    where the source tree comes first on sys.path and shadows the installed package."""
    clone = tmp_path / "clone"
    _fresh_clone(clone)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # The test environment's packages (aiohttp, ...) stay visible, as with
    # --system-site-packages, but not its .pth files: an editable mockswitch installed there
    # would otherwise answer imports the checkout cannot, and hide the very bug checked here.
    outer = [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    (venv_site(venv) / "test-environment.pth").write_text("\n".join(outer) + "\n")
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--disable-pip-version-check", str(clone)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if installed.returncode != 0 and "Could not find a version" in installed.stderr:
        pytest.skip(f"pip cannot build here (no package index for hatchling): {installed}")
    assert installed.returncode == 0, installed.stderr

    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with serving(
        clone,
        "--db",
        str(tmp_path / "switch.sqlite3"),
        command=(str(python), *SERVE[1:]),
        env=environ,
    ) as server:
        status, _, body = server.request(
            "GET",
            "/api/json/bulk/campaigns/update/?auth_username=user;auth_password=password;"
            "id=123;name=example",
        )
        assert (status, body) == (200, b'{"responses":[{"code":"204","key":"","message":"OK"}]}')
        where = subprocess.run(
            [str(python), "-c", "import mockswitch, mockswitch.config as c; "
             "print(mockswitch.__file__); print(c.DEFAULT_FIXTURES)"],
            cwd=clone,
            env=environ,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()  # fmt: skip
    # The checkout's source was what ran (it shadows the install), and found its data.
    assert where == [str(clone / "mockswitch" / "__init__.py"), str(clone / "fixtures")]
    assert "Traceback" not in server.stderr, server.stderr

    # Away from the checkout, the installed copy runs, with the data set the wheel carried.
    shipped = subprocess.run(
        [str(python), "-c", "from mockswitch.config import DEFAULT_FIXTURES as F; "
         "print(F); print(sorted(p.name for p in F.iterdir()))"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()  # fmt: skip
    assert shipped[0].startswith(str(venv)), shipped
    assert shipped[1] == str(sorted(p.name for p in DEFAULT_FIXTURES.iterdir()))
