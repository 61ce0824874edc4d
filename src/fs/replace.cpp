#include "fs/replace.h"

#include <spdlog/spdlog.h>

#include "dbfs/api_error.h"
#include "fs/upload_journal.h"
#include "fs/upload_names.h"

namespace fs {

std::optional<std::string> move_replacing(Storage& storage, UploadJournal* journal,
                                          const std::string& from, const std::string& to) {
  try {
    storage.move(from, to);
    return std::nullopt;
  } catch (const dbfs::ApiError& e) {
    if (!e.is_already_exists()) throw;
  }
  std::string aside = upload_names::aside_for(to);
  if (journal) journal->set_aside(aside, to);
  try {
    storage.move(to, aside);
  } catch (...) {
    if (journal) journal->end(aside);
    throw;
  }
  try {
    storage.move(from, to);
  } catch (const dbfs::ApiError& e) {
    try {
      storage.move(aside, to);
      if (journal) journal->end(aside);
    } catch (const dbfs::ApiError& back) {
      // The journal still says where the old content is: the next mount puts it back.
      spdlog::error("{}: could not move its old content back from {}: {}", to, aside, back.what());
    }
    throw;
  }
  return aside;
}

std::string retire_file(Storage& storage, UploadJournal* journal, const std::string& path) {
  std::string aside = upload_names::aside_for(path);
  if (journal) journal->retire(aside);
  try {
    storage.move(path, aside);
  } catch (...) {
    if (journal) journal->end(aside);
    throw;
  }
  return aside;
}

void discard_hidden(Storage& storage, UploadJournal* journal, const std::string& hidden) {
  try {
    storage.remove(hidden);
    if (journal) journal->end(hidden);
  } catch (const std::exception& e) {
    spdlog::warn("could not remove {}: {} (the next mount removes it)", hidden, e.what());
  }
}

}  // namespace fs
