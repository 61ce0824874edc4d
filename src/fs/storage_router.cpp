#include "fs/storage_router.h"

#include <cerrno>
#include <system_error>

#include "dbfs/path.h"

namespace fs {

bool StorageRouter::in_volumes(const std::string& path) {
  return dbfs::path::is_within(path, "/Volumes");
}

Storage& StorageRouter::store_for(const std::string& path) const {
  return volumes_ && in_volumes(path) ? *volumes_ : dbfs_;
}

void StorageRouter::move(const std::string& from, const std::string& to) {
  Storage& store = store_for(from);
  if (&store != &store_for(to)) {
    throw std::system_error(EXDEV, std::generic_category(),
                            "a move between DBFS and a Unity Catalog volume: " + from + " to " +
                                to);
  }
  store.move(from, to);
}

}  // namespace fs
