#pragma once

#include <optional>
#include <string>

#include "fs/storage.h"

namespace fs {

class UploadJournal;

// Moves `from` to `to` on DBFS, replacing a file already at `to`, so that `to` names the old
// content or the new one at every moment, never neither (DBFS's move never replaces): the old
// file is first moved aside to a hidden name next to it, then `from` is moved in, and if that
// fails the old one is moved back. Returns the hidden name of the old content when there was
// one: it is still on DBFS and journaled as set aside; the caller deletes it (discard_aside) or
// keeps it for descriptors still reading it (UploadJournal::retire). Throws dbfs::ApiError.
std::optional<std::string> move_replacing(Storage& storage, UploadJournal* journal,
                                          const std::string& from, const std::string& to);

// Moves the file at `path` to a fresh hidden name next to it (journaled as retired: only open
// descriptors read it now) and returns that name.
std::string retire_file(Storage& storage, UploadJournal* journal, const std::string& path);

// Deletes a hidden file of ours. A failure is logged, not thrown: the journal keeps the name and
// the next mount removes it.
void discard_hidden(Storage& storage, UploadJournal* journal, const std::string& hidden);

}  // namespace fs
