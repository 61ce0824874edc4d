#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/thread_annotations.h"
#include "emulator/root_dir.h"
#include "emulator/staging.h"
#include "emulator/store.h"
#include "emulator/unique_fd.h"
#include "emulator/volume_path.h"

namespace emulator::files {

struct VolumeOptions {
  // A file uploaded below missing directories creates them ([guess], default on); off, such an
  // upload answers 404 FILES_API_DIRECTORY_IS_NOT_FOUND.
  bool implicit_parents = true;
};

// One entry of a directory listing.
struct VolumeEntry {
  std::string name;
  bool is_directory = false;
  int64_t size = 0;  // files only
  int64_t mtime_ms = 0;
};

// One page of a listing, in name order: entries after a name, and whether more follow.
struct VolumePage {
  std::vector<VolumeEntry> entries;
  bool more = false;
};

// A regular file opened for reading, with what fstat said of it.
struct OpenedFile {
  UniqueFd fd;
  struct stat st;
};

// Files API semantics (docs/volumes-api.md) over the folder the Store serves:
// "/Volumes/c/s/v/a" is ROOT/Volumes/c/s/v/a. Catalogs, schemas and volumes are the folders that
// exist; nothing here creates or removes them. Errors are thrown as FilesApiError. Changes to
// the tree take the Store's namespace lock, so they serialise with the DBFS side's; lookups and
// reads do not. Symlinks are never followed (RootDir).
class VolumeStore {
 public:
  VolumeStore(Store& store, VolumeOptions options);

  // The regular file at `path`; 404 FILES_API_FILE_NOT_FOUND for anything else.
  OpenedFile open_file(const VolumePath& path) const;
  // Throws what placing a file at `path` would (409, 404): checked before a body is read.
  void check_file_writable(const VolumePath& path, bool overwrite) const;
  // A file to stream an upload into, out of every reader's sight.
  StagedFile stage();
  // Renames the staged file to `path` at once, so readers see the old file or the new one.
  void place_file(const VolumePath& path, StagedFile& file, bool overwrite) EXCLUDES(mu_);
  void delete_file(const VolumePath& path) EXCLUDES(mu_);

  bool is_directory(const VolumePath& path) const;
  // At most `limit` entries named after `after` ("" from the start); 404 unless a directory.
  VolumePage list(const VolumePath& path, size_t limit, const std::string& after) const;
  void make_directories(const VolumePath& path) EXCLUDES(mu_);
  void remove_directory(const VolumePath& path) EXCLUDES(mu_);

 private:
  // The volume of `path`, or 404 FILES_API_DIRECTORY_IS_NOT_FOUND: volumes are never made here.
  UniqueFd open_volume(const VolumePath& path) const;
  // The directory holding `path`'s file, made if missing and the options allow.
  UniqueFd parent_for_upload(const VolumePath& path) const REQUIRES(mu_);

  const VolumeOptions options_;
  const RootDir& root_;
  StagingArea& staging_;
  // The Store's namespace lock (Store::namespace_mutex()).
  threads::Mutex& mu_;
};

}  // namespace emulator::files
