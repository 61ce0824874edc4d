"""Browsing: the tree as the emulator's folder holds it, and what it costs in API calls."""
import os
import subprocess


def listing(path):
    # The emulator keeps its own staging folder under its root and never serves it.
    return sorted(n for n in os.listdir(path) if not n.startswith(".dbfs-emulator"))


ODD_NAMES = ["with space", "ünïcödé-名前", "per%cent", "hash#tag", "what?", "plus+sign",
             "and&amp", "quote'\"", "a" * 255, "semi;colon", "tab\tname", " leading",
             "trailing ", "é" * 127]


def test_odd_names_deep_paths_and_empty_directories_match_the_folder(emulator, make_mount):
    root = emulator.root
    for name in ODD_NAMES:
        (root / name).write_bytes(name.encode())
    deep = root.joinpath(*[f"level{i}" for i in range(30)])
    deep.mkdir(parents=True)
    (deep / "bottom").write_bytes(b"deep")
    (root / "empty").mkdir()
    m = make_mount(emulator)
    assert listing(m.path) == listing(root)
    for name in ODD_NAMES:
        assert (m.path / name).read_bytes() == name.encode()
    assert m.path.joinpath(*[f"level{i}" for i in range(30)], "bottom").read_bytes() == b"deep"
    assert listing(m.path / "empty") == []
    assert os.path.isdir(m.path / "empty")


def test_a_ten_thousand_entry_directory(emulator, make_mount):
    big = emulator.root / "big"
    big.mkdir()
    for i in range(10_000):
        (big / f"f{i:05d}").touch()
    m = make_mount(emulator)
    assert listing(m.path / "big") == listing(big)


def test_ls_l_of_a_thousand_entries_is_one_list(emulator, make_mount):
    d = emulator.root / "d"
    d.mkdir()
    for i in range(1000):
        (d / f"f{i}").write_bytes(b"x" * i)
    m = make_mount(emulator)
    os.stat(m.path / "d")  # the directory's own lookup, before counting
    emulator.reset_stats()
    out = subprocess.run(["ls", "-l", str(m.path / "d")], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert len(out.splitlines()) == 1001  # "total" + 1000 entries
    assert " 999 " in out  # sizes come from the listing
    requests = emulator.stats()["requests"]
    assert requests.get("list", 0) == 1
    assert requests.get("get-status", 0) == 0
    assert sum(requests.values()) == 1
    # Again, within the TTL: nothing at all.
    emulator.reset_stats()
    subprocess.run(["ls", "-l", str(m.path / "d")], capture_output=True, timeout=60, check=True)
    assert sum(emulator.stats()["requests"].values()) == 0


def test_a_missing_name_costs_one_call(emulator, make_mount):
    m = make_mount(emulator)
    os.stat(m.path)  # the root's own attributes, before counting
    emulator.reset_stats()
    for _ in range(2):
        assert not os.path.exists(m.path / "nope")
    assert emulator.stats()["requests"] == {"get-status": 1}


def test_own_changes_are_seen_at_once(emulator, make_mount):
    m = make_mount(emulator)
    assert listing(m.path) == []
    (m.path / "a").write_bytes(b"1")
    os.mkdir(m.path / "d")
    assert listing(m.path) == ["a", "d"]
    os.rename(m.path / "a", m.path / "d" / "b")
    assert listing(m.path) == ["d"]
    assert listing(m.path / "d") == ["b"]
    os.unlink(m.path / "d" / "b")
    assert listing(m.path / "d") == []


def test_dot_entries_are_listed(mounted):
    emulator, m = mounted
    out = subprocess.run(["ls", "-a", str(m.path)], capture_output=True, text=True, timeout=30,
                         check=True).stdout.split()
    assert out[:2] == [".", ".."]
