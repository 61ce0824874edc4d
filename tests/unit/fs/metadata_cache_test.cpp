#include "fs/metadata_cache.h"

#include <gtest/gtest.h>

namespace fs {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  Clock::time_point now{};
  NowFn fn() {
    return [this] { return now; };
  }
};

dbfs::FileInfo file(const std::string& path, int64_t size = 1) { return {path, false, size, 1000}; }

TEST(MetadataCache, AttributesExpireAfterTheirTtl) {
  FakeClock clock;
  MetadataCache cache({10s, 20s, 5s}, clock.fn());
  cache.put(file("/a"));
  EXPECT_EQ(cache.lookup("/a").state, MetadataCache::State::kPresent);
  clock.now += 11s;
  EXPECT_EQ(cache.lookup("/a").state, MetadataCache::State::kUnknown);
}

TEST(MetadataCache, MissingNamesAreRememberedForTheNegativeTtl) {
  FakeClock clock;
  MetadataCache cache({10s, 20s, 5s}, clock.fn());
  cache.put_missing("/gone");
  EXPECT_EQ(cache.lookup("/gone").state, MetadataCache::State::kMissing);
  clock.now += 6s;
  EXPECT_EQ(cache.lookup("/gone").state, MetadataCache::State::kUnknown);
}

TEST(MetadataCache, AFreshListingAnswersForEveryNameInItsDirectory) {
  FakeClock clock;
  MetadataCache cache({10s, 20s, 5s}, clock.fn());
  cache.put_listing("/d", {file("/d/x", 7)});
  auto x = cache.lookup("/d/x");
  ASSERT_EQ(x.state, MetadataCache::State::kPresent);
  EXPECT_EQ(x.info.file_size, 7);
  EXPECT_EQ(cache.lookup("/d/y").state, MetadataCache::State::kMissing);
  // The entry's own attribute expires before the listing; the listing still answers.
  clock.now += 15s;
  EXPECT_EQ(cache.lookup("/d/x").state, MetadataCache::State::kPresent);
  EXPECT_EQ(cache.lookup("/d/y").state, MetadataCache::State::kMissing);
  clock.now += 10s;
  EXPECT_EQ(cache.lookup("/d/y").state, MetadataCache::State::kUnknown);
  EXPECT_FALSE(cache.listing("/d"));
}

TEST(MetadataCache, OwnChangesKeepTheParentListingInStep) {
  MetadataCache cache({10s, 20s, 5s});
  cache.put_listing("/d", {file("/d/x"), file("/d/y")});
  cache.put(file("/d/z", 3));
  cache.put_missing("/d/x");
  auto entries = cache.listing("/d");
  ASSERT_TRUE(entries);
  std::vector<std::string> paths;
  for (auto& e : *entries) paths.push_back(e.path);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/d/y", "/d/z"}));
  EXPECT_EQ(cache.lookup("/d/x").state, MetadataCache::State::kMissing);
}

TEST(MetadataCache, InvalidateForgetsTheTreeAndTheParentListing) {
  MetadataCache cache({10s, 20s, 5s});
  cache.put_listing("/", {dbfs::FileInfo{"/d", true, 0, 0}});
  cache.put_listing("/d", {file("/d/x")});
  cache.put(file("/dx"));
  cache.invalidate("/d");
  EXPECT_EQ(cache.lookup("/d/x").state, MetadataCache::State::kUnknown);
  EXPECT_FALSE(cache.listing("/d"));
  EXPECT_FALSE(cache.listing("/"));
  EXPECT_EQ(cache.lookup("/dx").state, MetadataCache::State::kPresent);  // a sibling, not below
}

}  // namespace
}  // namespace fs
