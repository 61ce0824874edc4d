"""Namespace changes behave as on a local disk: the same commands, the same results."""
import errno
import os
import subprocess

import pytest

SCRIPT = r"""
set +e
mkdir -p a/b/c/d && echo "mkdir -p: $?"
echo one > a/b/c/d/f1 && echo two > a/b/f2 && echo three > a/f3
mkdir a/b 2>/dev/null; echo "mkdir existing: $?"
rmdir a/b 2>/dev/null; echo "rmdir non-empty: $?"
mkdir e && rmdir e && echo "rmdir empty: $?"
mv a/f3 a/f3-moved; echo "mv file: $?"
mv a/b a/b-moved; echo "mv dir: $?"
echo new > g && echo old > h && mv g h; echo "mv over file: $?"
mkdir dir1 dir2 && echo x > dir2/inside && mv dir1 dir2 2>/dev/null; echo "mv dir onto non-empty dir: $?"
mv h dir2 ; echo "mv file into dir: $?"
cp -r a a-copy; echo "cp -r: $?"
rm -rf a-copy; echo "rm -rf: $?"
rm missing 2>/dev/null; echo "rm missing: $?"
rmdir dir2 2>/dev/null; echo "rmdir with file: $?"
"""


def snapshot(root):
    """Every path below root with its content (None for directories)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            if d.startswith(".dbfs-"):
                continue
            found[os.path.relpath(os.path.join(dirpath, d), root)] = None
        for f in filenames:
            path = os.path.join(dirpath, f)
            found[os.path.relpath(path, root)] = open(path, "rb").read()
        dirnames[:] = [d for d in dirnames if not d.startswith(".dbfs-")]
    return found


def run(cwd):
    return subprocess.run(["bash", "-c", SCRIPT], cwd=cwd, capture_output=True, text=True,
                          timeout=120).stdout


def test_the_same_commands_give_the_same_tree_as_a_local_folder(mounted, tmp_path):
    emulator, m = mounted
    local = tmp_path / "local"
    local.mkdir()
    expected_output = run(local)
    assert run(m.path) == expected_output
    assert snapshot(m.path) == snapshot(local)
    assert snapshot(emulator.root) == snapshot(local)


def test_names_over_255_bytes_are_refused_before_anything_is_written(mounted):
    emulator, m = mounted
    long_name, longest = "n" * 256, "é" * 127 + "x"  # 255 bytes
    for attempt in (lambda: (m.path / long_name).write_bytes(b"x"),
                    lambda: (m.path / long_name).mkdir(),
                    lambda: (m.path / long_name).stat(),
                    lambda: os.rename(m.path / "kept", m.path / long_name)):
        (m.path / "kept").write_bytes(b"k")
        with pytest.raises(OSError) as e:
            attempt()
        assert e.value.errno == errno.ENAMETOOLONG
    (m.path / longest).write_bytes(b"fits")
    assert (emulator.root / longest).read_bytes() == b"fits"
    assert sorted(os.listdir(m.path)) == sorted(["kept", longest])
