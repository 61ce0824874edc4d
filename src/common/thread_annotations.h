#pragma once

// Clang thread-safety annotations (checked with -Wthread-safety); empty for other compilers.
// Mutex is std::mutex (SharedMutex std::shared_mutex) declared as a capability, so
// GUARDED_BY/REQUIRES can name it. Shared by every part of the tree (src/fs, src/dbfs,
// src/emulator); there is deliberately no way to switch the checker off for a function.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

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
#define ACQUIRE_SHARED(...) DBFS_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) DBFS_TSA(release_shared_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) DBFS_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) DBFS_TSA(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) DBFS_TSA(acquired_after(__VA_ARGS__))

namespace threads {

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

// Many readers at once, or one writer: for state read far more often than it changes.
class CAPABILITY("shared mutex") SharedMutex {
 public:
  void lock() ACQUIRE() { m_.lock(); }
  void unlock() RELEASE() { m_.unlock(); }
  void lock_shared() ACQUIRE_SHARED() { m_.lock_shared(); }
  void unlock_shared() RELEASE_SHARED() { m_.unlock_shared(); }
  std::shared_mutex& native() { return m_; }

 private:
  std::shared_mutex m_;
};

// Holds a SharedMutex alone, to change what it guards.
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex& m) ACQUIRE(m) : lock_(m.native()) {}
  ~WriterMutexLock() RELEASE() {}

 private:
  std::unique_lock<std::shared_mutex> lock_;
};

// Holds a SharedMutex with other readers, to read what it guards.
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex& m) ACQUIRE_SHARED(m) : lock_(m.native()) {}
  ~ReaderMutexLock() RELEASE() {}

 private:
  std::shared_lock<std::shared_mutex> lock_;
};

}  // namespace threads
