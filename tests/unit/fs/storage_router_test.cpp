// StorageRouter: the one place that picks the store of a path.

#include "fs/storage_router.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <system_error>

#include "scratch_store.h"

namespace fs {
namespace {

TEST(StorageRouter, VolumesGoToTheirStoreAndEverythingElseToDbfs) {
  testing::ScratchStore dbfs("router-dbfs"), volumes("router-volumes");
  StorageRouter router(*dbfs.storage, volumes.storage.get());
  EXPECT_EQ(&router.store_for("/Volumes"), volumes.storage.get());
  EXPECT_EQ(&router.store_for("/Volumes/main/default/raw/f"), volumes.storage.get());
  EXPECT_EQ(&router.store_for("/VolumesX"), dbfs.storage.get());
  EXPECT_EQ(&router.store_for("/"), dbfs.storage.get());
  EXPECT_EQ(&router.store_for("/tmp/Volumes/f"), dbfs.storage.get());
  router.mkdir("/Volumes/main");
  router.mkdir("/a");
  EXPECT_EQ(volumes.api->count("mkdirs"), 1);
  EXPECT_EQ(dbfs.api->count("mkdirs"), 1);
}

TEST(StorageRouter, AMoveBetweenStoresFailsWithExdevBeforeAnyCall) {
  testing::ScratchStore dbfs("router-dbfs"), volumes("router-volumes");
  StorageRouter router(*dbfs.storage, volumes.storage.get());
  try {
    router.move("/a", "/Volumes/main/default/raw/a");
    FAIL() << "moved across stores";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EXDEV);
  }
  EXPECT_EQ(dbfs.api->total() + volumes.api->total(), 0);
}

TEST(StorageRouter, WithoutAVolumesStoreEveryPathIsDbfs) {
  testing::ScratchStore dbfs("router-dbfs");
  StorageRouter router(*dbfs.storage);
  EXPECT_EQ(&router.store_for("/Volumes/main/default/raw"), dbfs.storage.get());
  EXPECT_TRUE(router.capabilities("/x").server_side_move);
}

}  // namespace
}  // namespace fs
