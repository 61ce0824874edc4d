"""pytest fixtures shared by tests/conformance and tests/integration."""
import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from emulator import start_emulator  # noqa: E402


@pytest.fixture
def make_emulator(tmp_path):
    """A factory: make_emulator(*flags, root=None, token="test-token", env=None) starts an
    emulator (on a fresh root under tmp_path unless given); all are stopped at teardown."""
    started = []

    def make(*args, root=None, token="test-token", env=None):
        root = pathlib.Path(root) if root else tmp_path / f"root{len(started)}"
        emu = start_emulator(root, *args, token=token, env=env)
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(make_emulator):
    """An emulator with default flags on a fresh root under tmp_path."""
    return make_emulator()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "concurrency: many threads share state; tests/run also runs it under TSan")


@pytest.fixture(autouse=True)
def no_sanitizer_reports():
    """In a sanitized run (tests/run sets $DBFS_SANITIZER_REPORTS), a report that a program
    wrote during a test fails that test: daemons report to files, not to the test's output."""
    folder = os.environ.get("DBFS_SANITIZER_REPORTS")
    if not folder:
        yield
        return
    folder = pathlib.Path(folder)
    before = set(folder.iterdir())
    yield  # teardown runs after the mounts' and emulators' own, which reap their processes
    new = sorted(set(folder.iterdir()) - before)
    if new:
        reports = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[:6000]}" for p in new)
        pytest.fail(f"sanitizer reports during this test:\n{reports}", pytrace=False)
