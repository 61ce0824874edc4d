#include "emulator/handle_table.h"

namespace emulator {

HandleTable::HandleTable(std::chrono::milliseconds idle_timeout)
    : timeout_(idle_timeout), random_(std::random_device{}()) {}

int64_t HandleTable::add(std::shared_ptr<WriteHandle> handle) {
  threads::MutexLock lock(mu_);
  // 16-digit ids like the 7925567539485178 seen from real workspaces: in [2^50, 2^53).
  std::uniform_int_distribution<int64_t> pick(int64_t(1) << 50, (int64_t(1) << 53) - 1);
  int64_t id;
  do id = pick(random_);
  while (!issued_.insert(id).second);
  open_.emplace(id, Entry{std::move(handle), Clock::now()});
  return id;
}

std::shared_ptr<WriteHandle> HandleTable::find(int64_t id) {
  threads::MutexLock lock(mu_);
  auto it = open_.find(id);
  if (it == open_.end()) return nullptr;
  auto now = Clock::now();
  if (expired(it->second, now)) {
    open_.erase(it);
    return nullptr;
  }
  it->second.last_used = now;
  return it->second.handle;
}

std::shared_ptr<WriteHandle> HandleTable::take(int64_t id) {
  threads::MutexLock lock(mu_);
  auto it = open_.find(id);
  if (it == open_.end()) return nullptr;
  std::shared_ptr<WriteHandle> handle;
  if (!expired(it->second, Clock::now())) handle = std::move(it->second.handle);
  open_.erase(it);
  return handle;
}

void HandleTable::expire() {
  threads::MutexLock lock(mu_);
  auto now = Clock::now();
  std::erase_if(open_, [&](const auto& item) { return expired(item.second, now); });
}

}  // namespace emulator
