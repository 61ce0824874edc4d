"""pytest fixtures shared by tests/conformance and tests/integration."""
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
