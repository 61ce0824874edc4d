"""The Files API 2.0 on directories (docs/volumes-api.md, "Directories"): HEAD, the paginated
listing, mkdir -p, rmdir of an empty directory, and the volume levels."""
import os

import pytest

from dbfs_http import VOLUME, fs_error

D = f"{VOLUME}/dir"
NOT_FOUND = fs_error(404, "NOT_FOUND", "FILES_API_DIRECTORY_IS_NOT_FOUND")


def local(emu, path):
    return emu.root / path.lstrip("/")


def listing(fs, path, **query):
    import json
    status, _, body = fs("GET", "directories", path, **query)
    assert status == 200, body
    return json.loads(body)


def list_all(fs, path, **query):
    """Every entry, page after page, until a page has no next_page_token."""
    entries, pages = [], 0
    while True:
        page = listing(fs, path, **query)
        entries += page.get("contents", [])
        pages += 1
        if "next_page_token" not in page:
            return entries, pages
        query["page_token"] = page["next_page_token"]


def test_head_is_200_for_a_directory_and_404_for_a_file_or_nothing(emulator, volume, fs):
    local(emulator, D).mkdir()
    (local(emulator, D) / "f").write_bytes(b"x")
    assert fs("HEAD", "directories", D)[::2] == (200, b"")
    assert fs("HEAD", "directories", VOLUME)[0] == 200
    assert fs("HEAD", "directories", D + "/f")[::2] == (404, b"")
    assert fs("HEAD", "directories", D + "/missing")[::2] == (404, b"")


def test_list_entries_have_the_directory_entry_fields(emulator, volume, fs):
    local(emulator, D + "/sub").mkdir(parents=True)
    local(emulator, D + "/f").write_bytes(b"12345")
    os.utime(local(emulator, D + "/f"), (1_600_000_000.25, 1_600_000_000.25))
    entries = {e["name"]: e for e in listing(fs, D)["contents"]}
    assert entries["f"] == {"path": D + "/f", "name": "f", "is_directory": False,
                            "file_size": 5, "last_modified": 1_600_000_000_250}
    sub_mtime_ms = local(emulator, D + "/sub").stat().st_mtime_ns // 1_000_000
    assert entries["sub"] == {"path": D + "/sub", "name": "sub", "is_directory": True,
                              "last_modified": sub_mtime_ms}


def test_an_empty_directory_lists_as_an_empty_object(emulator, volume, fs):
    local(emulator, D).mkdir()
    assert listing(fs, D) == {}


def test_pages_hold_at_most_1000_entries_and_a_token_leads_on(emulator, volume, fs):
    local(emulator, D).mkdir()
    for i in range(1001):
        (local(emulator, D) / f"f{i:04}").write_bytes(b"")
    first = listing(fs, D)
    assert len(first["contents"]) == 1000 and first["next_page_token"]
    assert len(listing(fs, D, page_size=5000)["contents"]) == 1000  # coerced to 1000
    entries, pages = list_all(fs, D)
    assert pages == 2 and sorted(e["name"] for e in entries) == [f"f{i:04}" for i in range(1001)]


def test_page_size_pages_through_everything_once(emulator, volume, fs):
    names = ["a", "b b", "c%", "d", "é", "f"]
    for name in names:
        local(emulator, D + "/" + name).mkdir(parents=True)
    entries, pages = list_all(fs, D, page_size=4)
    assert pages == 2 and sorted(e["name"] for e in entries) == sorted(names)
    entries, pages = list_all(fs, D, page_size=1)
    assert pages == 6 and len(entries) == 6


@pytest.mark.parametrize("query", [{"page_size": "x"}, {"page_size": "-1"},
                                   {"page_token": "not-a-token"}])
def test_bad_paging_parameters_are_400(emulator, volume, fs, query):
    local(emulator, D).mkdir()
    status, _, body = fs("GET", "directories", D, **query)
    assert fs_error(400, "INVALID_PARAMETER_VALUE")(status, body)


def test_list_of_a_file_or_of_nothing_is_404(emulator, volume, fs):
    local(emulator, D).mkdir()
    local(emulator, D + "/f").write_bytes(b"x")
    for path in (D + "/f", D + "/missing"):
        status, _, body = fs("GET", "directories", path)
        assert NOT_FOUND(status, body), path


def test_mkdir_is_mkdir_p_and_idempotent(emulator, volume, fs):
    assert fs("PUT", "directories", D + "/a/b/c")[::2] == (204, b"")
    assert local(emulator, D + "/a/b/c").is_dir()
    assert fs("PUT", "directories", D + "/a/b/c")[0] == 204
    assert fs("PUT", "directories", VOLUME)[0] == 204


def test_mkdir_over_or_below_a_file_is_409(emulator, volume, fs):
    local(emulator, D).mkdir()
    local(emulator, D + "/f").write_bytes(b"x")
    status, _, body = fs("PUT", "directories", D + "/f")
    assert fs_error(409, "ALREADY_EXISTS")(status, body)
    import json
    assert json.loads(body)["message"] == ("The given path points to an existing file. This API "
                                           "does not support operations on files.")
    status, _, body = fs("PUT", "directories", D + "/f/below")
    assert fs_error(409, "ALREADY_EXISTS")(status, body)
    assert local(emulator, D + "/f").read_bytes() == b"x"


def test_rmdir_removes_an_empty_directory_only(emulator, volume, fs):
    local(emulator, D + "/empty").mkdir(parents=True)
    local(emulator, D + "/f").write_bytes(b"x")
    assert fs("DELETE", "directories", D + "/empty")[::2] == (204, b"")
    assert not local(emulator, D + "/empty").exists()
    status, _, body = fs("DELETE", "directories", D)
    assert fs_error(400, "INVALID_PARAMETER_VALUE", "FILES_API_DIRECTORY_IS_NOT_EMPTY")(status, body)
    assert local(emulator, D + "/f").exists()


def test_rmdir_of_nothing_or_of_a_file_is_404(emulator, volume, fs):
    local(emulator, D).mkdir()
    local(emulator, D + "/f").write_bytes(b"x")
    for path in (D + "/missing", D + "/f"):
        status, _, body = fs("DELETE", "directories", path)
        assert NOT_FOUND(status, body), path
    assert local(emulator, D + "/f").exists()


@pytest.mark.parametrize("method", ["HEAD", "GET", "PUT", "DELETE"])
@pytest.mark.parametrize("path", ["/Volumes", "/Volumes/main", "/Volumes/main/default", "/tmp"])
def test_above_the_volumes_is_403(emulator, volume, fs, method, path):
    status, _, body = fs(method, "directories", path)
    assert status == 403
    if method != "HEAD":
        assert fs_error(403, "PERMISSION_DENIED")(status, body)
    assert local(emulator, VOLUME).is_dir()


def test_a_volume_root_cannot_be_removed_and_volumes_are_not_made(emulator, volume, fs):
    status, _, body = fs("DELETE", "directories", VOLUME)
    assert fs_error(403, "PERMISSION_DENIED")(status, body)
    assert local(emulator, VOLUME).is_dir()
    status, _, body = fs("PUT", "directories", "/Volumes/main/default/other/dir")
    assert NOT_FOUND(status, body)
    status, _, body = fs("PUT", "directories", "/Volumes/main/default/other")
    assert NOT_FOUND(status, body)
    assert not local(emulator, "/Volumes/main/default/other").exists()
    assert fs("HEAD", "directories", "/Volumes/main/default/other")[0] == 404


def test_symlinks_are_not_followed(emulator, volume, fs, tmp_path):
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "secret").write_bytes(b"secret")
    os.symlink(outside, local(emulator, D))
    assert fs("GET", "directories", D)[0] == 404
    assert fs("GET", "files", D + "/secret")[0] == 404
    assert fs("PUT", "files", D + "/new", b"x")[0] == 409
    assert listing(fs, VOLUME) == {}
    assert sorted(os.listdir(outside)) == ["secret", "sub"]
