#include "fs/block_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fs/thread_pool.h"

namespace fs {
namespace {

BlockCache::Key key(int64_t index, int64_t mtime = 1) { return {"/f", 100 << 20, mtime, index}; }

TEST(BlockCache, ConcurrentReadersOfAMissingBlockShareOneFetch) {
  BlockCache cache(64 << 20);
  std::atomic<int> fetches{0};
  auto fetch = [&] {
    ++fetches;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return std::string(1000, 'x');
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 8; ++i) {
    readers.emplace_back([&] { EXPECT_EQ(cache.get(key(0), fetch)->size(), 1000u); });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(fetches, 1);
}

TEST(BlockCache, PrefetchedBlocksAreNotFetchedAgain) {
  BlockCache cache(64 << 20);
  ThreadPool pool(2);
  std::atomic<int> fetches{0};
  auto fetch = [&] {
    ++fetches;
    return std::string("data");
  };
  cache.prefetch(key(3), fetch, pool);
  cache.prefetch(key(3), fetch, pool);
  EXPECT_EQ(*cache.get(key(3), fetch), "data");
  EXPECT_EQ(fetches, 1);
}

TEST(BlockCache, EvictsLeastRecentlyUsedBeyondItsBudget) {
  BlockCache cache(3000);
  auto fetch = [] { return std::string(1000, 'x'); };
  cache.get(key(0), fetch);
  cache.get(key(1), fetch);
  cache.get(key(2), fetch);
  cache.get(key(0), fetch);  // 0 is now the most recent
  cache.get(key(3), fetch);  // evicts 1
  EXPECT_TRUE(cache.contains(key(0)));
  EXPECT_FALSE(cache.contains(key(1)));
  EXPECT_TRUE(cache.contains(key(2)));
  EXPECT_TRUE(cache.contains(key(3)));
  EXPECT_LE(cache.stats().bytes, 3000u);
}

TEST(BlockCache, BlocksInFlightCountAgainstTheBudget) {
  BlockCache cache(4500);
  auto fetch = [] { return std::string(1000, 'x'); };
  cache.get(key(0), fetch);
  cache.get(key(1), fetch);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread reader([&] {
    cache.get(key(9), [released] {
      released.wait();
      return std::string(1000, 'y');
    });
  });
  while (cache.stats().misses < 3) std::this_thread::yield();  // block 9 is in flight
  // Three held blocks and one on its way (1000 bytes and its 1333-byte answer) overrun 4500:
  // fetching 2 evicts 0.
  cache.get(key(2), fetch);
  EXPECT_FALSE(cache.contains(key(0)));
  EXPECT_TRUE(cache.contains(key(1)));
  EXPECT_TRUE(cache.contains(key(2)));
  release.set_value();
  reader.join();
  EXPECT_TRUE(cache.contains(key(9)));
  EXPECT_LE(cache.stats().bytes, 4500u);
}

TEST(BlockCache, AFailedFetchReachesTheReaderAndIsRetriedLater) {
  BlockCache cache(64 << 20);
  int calls = 0;
  auto failing = [&]() -> std::string {
    ++calls;
    throw std::runtime_error("boom");
  };
  EXPECT_THROW(cache.get(key(0), failing), std::runtime_error);
  EXPECT_EQ(*cache.get(key(0), [] { return std::string("ok"); }), "ok");
  EXPECT_EQ(calls, 1);
}

TEST(BlockCache, ANewVersionOfAFileIsADifferentBlock) {
  BlockCache cache(64 << 20);
  cache.get(key(0, 1), [] { return std::string("old"); });
  EXPECT_EQ(*cache.get(key(0, 2), [] { return std::string("new"); }), "new");
  cache.forget("/f");
  EXPECT_FALSE(cache.contains(key(0, 1)));
  EXPECT_EQ(cache.stats().bytes, 0u);
}

}  // namespace
}  // namespace fs
