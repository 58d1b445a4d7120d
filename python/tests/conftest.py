"""Shared fixtures: the repository, the build tree's apollo program, and the
apollo package (build/python unless PYTHONPATH already provides one)."""

import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("APOLLO_BUILD_DIR", REPO / "build"))

try:
    import apollo  # noqa: F401
except ImportError:
    sys.path.insert(0, str(BUILD / "python"))

os.environ.setdefault("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1")


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def apollo_bin():
    path = BUILD / "apollo"
    if not path.exists():
        pytest.fail(f"no apollo program at {path} (build first: scripts/setup.sh)")
    return path


@pytest.fixture(scope="session")
def run_cli(apollo_bin):
    """Runs the apollo program; returns its completed process (text)."""

    def run(*args, check=True, cwd=None):
        return subprocess.run([str(apollo_bin), *map(str, args)], capture_output=True, text=True,
                              check=check, cwd=cwd)

    return run
