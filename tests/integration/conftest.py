"""Fixtures for tests that mount dbfs-fuse for real against a dbfs-emulator over HTTP."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from mount import FuseMount  # noqa: E402


@pytest.fixture
def make_mount(tmp_path):
    """make_mount(emulator, *args, source="dbfs:/", name="mnt", env=None, cache_dir=None)
    mounts; all are unmounted at teardown, even when the test failed."""
    mounts = []

    def make(emulator, *args, source="dbfs:/", name="mnt", env=None, cache_dir=None):
        m = FuseMount(emulator, tmp_path / name, *args, source=source, env=env,
                      cache_dir=cache_dir)
        mounts.append(m)
        return m.start()

    yield make
    for m in mounts:
        m.stop()


@pytest.fixture
def mounted(emulator, make_mount):
    """(emulator, mount) with default options."""
    return emulator, make_mount(emulator)
