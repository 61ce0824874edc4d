#pragma once

// Clang thread-safety annotations (checked with -Wthread-safety); empty for other compilers.
// Mutex is std::mutex declared as a capability, so GUARDED_BY/REQUIRES can name it.

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define DBFS_TSA(x) __attribute__((x))
#else
#define DBFS_TSA(x)
#endif

#define CAPABILITY(x) DBFS_TSA(capability(x))
#define SCOPED_CAPABILITY DBFS_TSA(scoped_lockable)
#define GUARDED_BY(x) DBFS_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) DBFS_TSA(pt_guarded_by(x))
#define REQUIRES(...) DBFS_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) DBFS_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) DBFS_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) DBFS_TSA(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS DBFS_TSA(no_thread_safety_analysis)

namespace fs {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { m_.lock(); }
  void unlock() RELEASE() { m_.unlock(); }
  std::mutex& native() { return m_; }

 private:
  std::mutex m_;
};

// A scoped lock that also works with std::condition_variable (through native()).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& m) ACQUIRE(m) : lock_(m.native()) {}
  ~MutexLock() RELEASE() {}
  // Waits on `cv` until woken, the lock held again on return. Wakeups may be spurious: callers
  // loop on their condition, which the lock checker then sees them read under the lock.
  void wait(std::condition_variable& cv) { cv.wait(lock_); }
  // As wait, but gives up at `deadline`; false then.
  bool wait_until(std::condition_variable& cv, std::chrono::steady_clock::time_point deadline) {
    return cv.wait_until(lock_, deadline) == std::cv_status::no_timeout;
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace fs
