#include "fs/block_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fs/thread_pool.h"

namespace fs {
namespace {

BlockCache::Key key(int64_t index, int64_t mtime = 1) { return {"/f", 100 << 20, mtime, index}; }
BlockBytes bytes(std::string_view text) { return BlockBytes::copy_of(text); }

TEST(BlockCache, ConcurrentReadersOfAMissingBlockShareOneFetch) {
  BlockCache cache(64 << 20);
  std::atomic<int> fetches{0};
  auto fetch = [&] {
    ++fetches;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return bytes(std::string(1000, 'x'));
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
    return bytes(std::string("data"));
  };
  cache.prefetch(key(3), fetch, pool);
  cache.prefetch(key(3), fetch, pool);
  EXPECT_EQ(cache.get(key(3), fetch)->view(), "data");
  EXPECT_EQ(fetches, 1);
}

TEST(BlockCache, EvictsLeastRecentlyUsedBeyondItsBudget) {
  BlockCache cache(3000);
  auto fetch = [] { return bytes(std::string(1000, 'x')); };
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
  auto fetch = [] { return bytes(std::string(1000, 'x')); };
  cache.get(key(0), fetch);
  cache.get(key(1), fetch);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread reader([&] {
    cache.get(key(9), [released] {
      released.wait();
      return bytes(std::string(1000, 'y'));
    });
  });
  while (cache.stats().misses < 3) std::this_thread::yield();  // block 9 is in flight
  EXPECT_TRUE(cache.contains(key(9)));  // a reader would share that fetch
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
  auto failing = [&]() -> BlockBytes {
    ++calls;
    throw std::runtime_error("boom");
  };
  EXPECT_THROW(cache.get(key(0), failing), std::runtime_error);
  EXPECT_EQ(cache.get(key(0), [] { return bytes(std::string("ok")); })->view(), "ok");
  EXPECT_EQ(calls, 1);
}

TEST(BlockCache, ANewVersionOfAFileIsADifferentBlock) {
  BlockCache cache(64 << 20);
  cache.get(key(0, 1), [] { return bytes(std::string("old")); });
  EXPECT_EQ(cache.get(key(0, 2), [] { return bytes(std::string("new")); })->view(), "new");
  cache.forget("/f");
  EXPECT_FALSE(cache.contains(key(0, 1)));
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(BlockCache, TakeHandsOverABlockOnlyTheCallerHolds) {
  BlockCache cache(64 << 20);
  auto fetch = [] { return bytes(std::string(1000, 'x')); };
  auto mine = cache.get(key(0), fetch);
  const char* memory = mine->data();
  auto taken = cache.take(key(0), mine);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->data(), memory);  // the same memory, not a copy
  EXPECT_EQ(taken->view(), std::string(1000, 'x'));
  EXPECT_EQ(mine, nullptr);
  EXPECT_FALSE(cache.contains(key(0)));
  EXPECT_EQ(cache.stats().bytes, 0u);
  EXPECT_EQ(cache.stats().taken, 1u);
}

TEST(BlockCache, TakeLeavesABlockAnotherReaderHolds) {
  BlockCache cache(64 << 20);
  auto fetch = [] { return bytes(std::string(1000, 'x')); };
  auto mine = cache.get(key(0), fetch);
  auto theirs = cache.get(key(0), fetch);
  EXPECT_FALSE(cache.take(key(0), mine).has_value());
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->view(), std::string(1000, 'x'));
  EXPECT_TRUE(cache.contains(key(0)));
  theirs.reset();
  EXPECT_TRUE(cache.take(key(0), mine).has_value());  // now only the caller holds it
}

TEST(BlockCache, TakeLeavesABlockOfAnotherVersionOrNotFromTheCache) {
  BlockCache cache(64 << 20);
  auto fetch = [] { return bytes("abc"); };
  auto mine = cache.get(key(0, 1), fetch);
  EXPECT_FALSE(cache.take(key(0, 2), mine).has_value());
  BlockCache::Block stranger = std::make_shared<const BlockBytes>(bytes("abc"));
  EXPECT_FALSE(cache.take(key(0, 1), stranger).has_value());
  EXPECT_TRUE(cache.contains(key(0, 1)));
}

// The reader that waited for readahead's fetch is the block's only holder besides the cache, so
// it can always take it: readahead keeps no reference once the block is in.
TEST(BlockCache, AReaderCanTakeTheBlockReadaheadFetchedForIt) {
  BlockCache cache(64 << 20);
  ThreadPool pool(2);
  for (int round = 0; round < 50; ++round) {
    auto slow = [] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return bytes(std::string(4096, 'p'));
    };
    cache.prefetch(key(round), slow, pool);
    auto mine = cache.get(key(round), slow);  // waits for the prefetch
    auto taken = cache.take(key(round), mine);
    ASSERT_TRUE(taken.has_value()) << "round " << round;
    EXPECT_EQ(taken->view(), std::string(4096, 'p'));
  }
  EXPECT_EQ(cache.stats().misses, 50u);  // each block fetched once, by readahead
}

// Readers on other threads let go of a block while the caller takes it: the bytes are whole and
// ThreadSanitizer (tests/run) sees the hand-over ordered after every reader's last access.
TEST(BlockCache, TakeAfterConcurrentReadersLetGo) {
  BlockCache cache(64 << 20);
  for (int round = 0; round < 200; ++round) {
    auto fetch = [] { return bytes(std::string(4096, 'r')); };
    auto mine = cache.get(key(round), fetch);
    std::vector<std::thread> readers;
    for (int i = 0; i < 3; ++i) {
      readers.emplace_back([&] {
        auto block = cache.get(key(round), fetch);
        size_t sum = 0;
        for (char c : block->view()) sum += static_cast<unsigned char>(c);
        EXPECT_EQ(sum, 4096u * 'r');
      });
    }
    std::optional<BlockBytes> taken;
    while (!(taken = cache.take(key(round), mine))) std::this_thread::yield();
    for (auto& t : readers) t.join();
    EXPECT_EQ(taken->view(), std::string(4096, 'r'));
  }
}

}  // namespace
}  // namespace fs
