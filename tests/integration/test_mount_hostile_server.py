"""A server that answers reads wrongly: the read fails with EIO, never a short or overrun
result, and the daemon lives on."""
import errno
import os
import random
import subprocess

import pytest

MiB = 1 << 20


def test_short_read_answers_are_asked_again_then_fail_the_read(emulator, make_mount, tmp_path):
    data = random.Random(5).randbytes(8 * MiB)
    (emulator.root / "big").write_bytes(data)
    (emulator.root / "big2").write_bytes(data)
    m = make_mount(emulator)
    emulator.set_faults(["read:first=3:short"])
    assert (m.path / "big").read_bytes() == data
    emulator.set_faults(["read:always:short"])
    r = subprocess.run(["cp", str(m.path / "big2"), str(tmp_path / "copy")], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode != 0 and "Input/output error" in r.stderr, r.stderr
    emulator.set_faults([])
    assert (m.path / "big2").read_bytes() == data


def test_a_read_answer_longer_than_asked_fails_the_read(emulator, make_mount):
    data = random.Random(6).randbytes(4 * MiB)
    (emulator.root / "f").write_bytes(data)
    m = make_mount(emulator)
    emulator.set_faults(["read:always:long=65536"])
    fd = os.open(m.path / "f", os.O_RDONLY)
    try:
        # No kernel readahead, and far jumps: a random reader, each read one exact call, whose
        # answer is bigger than the reply it must fit in.
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
        for offset in (3 * MiB, 100 * 4096, 2 * MiB + 4096, 4096, 3 * MiB + 8192, 40960):
            with pytest.raises(OSError) as e:
                os.pread(fd, 4096, offset)
            assert e.value.errno == errno.EIO
    finally:
        os.close(fd)
    emulator.set_faults([])
    assert (m.path / "f").read_bytes() == data
    assert "more than" in m.log() or "bytes for a read of" in m.log()
