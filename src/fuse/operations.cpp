#include "fuse/operations.h"

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "fuse/caller_process.h"

namespace fuse_adapter {
namespace {

fs::Filesystem& filesystem() {
  return *static_cast<fs::Filesystem*>(fuse_get_context()->private_data);
}

void* init(fuse_conn_info* conn, fuse_config* cfg) {
  // O_TRUNC arrives with open, so a truncating open is one step, not open + truncate.
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  // 1 MiB requests both ways: one FUSE request per DBFS block.
  conn->max_write = 1 << 20;
  conn->max_read = 1 << 20;  // must match the max_read mount option main() passes
  conn->max_readahead = 1 << 20;
  conn->max_background = 64;
  conn->congestion_threshold = 48;
  cfg->use_ino = 1;       // our inode numbers are stable per path
  // A file removed while open is renamed to a .fuse_hidden name, which the core keeps as an
  // alias of the open file and never sends to DBFS (Filesystem::hide): with hard_remove, fstat
  // of such a file would get ESTALE from libfuse, which has no path to give it.
  cfg->hard_remove = 0;
  cfg->nullpath_ok = 0;
  // The core caches attributes for their TTLs; the kernel only briefly, so that changes made
  // through the core are seen by the kernel quickly.
  cfg->attr_timeout = 1.0;
  cfg->entry_timeout = 1.0;
  cfg->negative_timeout = 1.0;
  return fuse_get_context()->private_data;
}

// A descriptor whose file libfuse no longer has a path for still names it.
int getattr(const char* path, struct stat* st, fuse_file_info* fi) {
  if (!path) return fi ? filesystem().getattr(fi->fh, st) : -ESTALE;
  return filesystem().getattr(path, st);
}

// A directory's entries are read once, at opendir, and handed out by offset: entries filled
// with an offset and FUSE_FILL_DIR_PLUS reach the kernel with their attributes, so `ls -l` needs
// no lookup per entry afterwards (with offset 0, libfuse sends names only).
struct DirSnapshot {
  std::vector<fs::Filesystem::DirEntry> entries;
};

int opendir(const char* path, fuse_file_info* fi) {
  auto snapshot = std::make_unique<DirSnapshot>();
  struct stat dot {};
  dot.st_mode = S_IFDIR;
  dot.st_ino = 1;  // with use_ino a zero inode would make readdir(3) skip the entry
  snapshot->entries.push_back({".", dot});
  snapshot->entries.push_back({"..", dot});
  std::vector<fs::Filesystem::DirEntry> entries;
  int rc = filesystem().readdir(path, entries);
  if (rc < 0) return rc;
  for (auto& e : entries) snapshot->entries.push_back(std::move(e));
  fi->fh = reinterpret_cast<uint64_t>(snapshot.release());
  return 0;
}

int readdir(const char*, void* buf, fuse_fill_dir_t fill, off_t offset, fuse_file_info* fi,
            fuse_readdir_flags) {
  auto* snapshot = reinterpret_cast<DirSnapshot*>(fi->fh);
  for (size_t i = size_t(offset); i < snapshot->entries.size(); ++i) {
    const auto& e = snapshot->entries[i];
    auto flags = i < 2 ? fuse_fill_dir_flags(0) : FUSE_FILL_DIR_PLUS;
    if (fill(buf, e.name.c_str(), &e.st, off_t(i + 1), flags)) break;  // buffer full
  }
  return 0;
}

int releasedir(const char*, fuse_file_info* fi) {
  delete reinterpret_cast<DirSnapshot*>(fi->fh);
  return 0;
}

int open(const char* path, fuse_file_info* fi) {
  fs::Filesystem::Handle fh;
  bool keep_cache = false;
  int rc = filesystem().open(path, fi->flags, &fh, &keep_cache, caller_process());
  if (rc == 0) {
    fi->fh = fh;
    fi->keep_cache = keep_cache;
  }
  return rc;
}

int create(const char* path, mode_t, fuse_file_info* fi) {
  fs::Filesystem::Handle fh;
  int rc = filesystem().create(path, fi->flags, &fh, caller_process());
  if (rc == 0) fi->fh = fh;
  return rc;
}

// The reply goes out in the buffer the core's read returned; libfuse frees it with free(). O_DIRECT
// replies bypass the page cache, so those leave whole blocks in dbfs-fuse's cache.
int read_buf(const char*, fuse_bufvec** bufp, size_t size, off_t offset, fuse_file_info* fi) {
  bool page_cached = (fi->flags & O_DIRECT) == 0 && !fi->direct_io;
  fs::Filesystem::ReadResult read = filesystem().read(fi->fh, size, offset, page_cached);
  if (read.error < 0) return read.error;
  auto* vec = static_cast<fuse_bufvec*>(std::malloc(sizeof(fuse_bufvec)));
  if (!vec) return -ENOMEM;
  vec->count = 1;
  vec->idx = 0;
  vec->off = 0;
  vec->buf[0] = fuse_buf{};
  vec->buf[0].size = read.bytes.size();
  vec->buf[0].mem = read.bytes.release();
  vec->buf[0].fd = -1;
  *bufp = vec;
  return 0;
}

int write(const char*, const char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  return filesystem().write(fi->fh, buf, size, offset, fi->writepage != 0);
}

int flush(const char*, fuse_file_info* fi) {
  return filesystem().flush(fi->fh, caller_process());
}
int fsync(const char*, int, fuse_file_info* fi) { return filesystem().fsync(fi->fh); }
int release(const char*, fuse_file_info* fi) { return filesystem().release(fi->fh); }

int truncate(const char* path, off_t size, fuse_file_info* fi) {
  if (fi) return filesystem().truncate(fs::Filesystem::Handle(fi->fh), size);
  if (!path) return -ESTALE;
  return filesystem().truncate(std::string(path), size);
}

int mkdir(const char* path, mode_t) { return filesystem().mkdir(path); }
int rmdir(const char* path) { return filesystem().rmdir(path); }
int unlink(const char* path) { return filesystem().unlink(path); }

int rename(const char* from, const char* to, unsigned int flags) {
  unsigned core = 0;
  if (flags & RENAME_NOREPLACE) core |= fs::Filesystem::kNoReplace;
  if (flags & RENAME_EXCHANGE) core |= fs::Filesystem::kExchange;
  return filesystem().rename(from, to, core);
}

int statfs(const char*, struct statvfs* st) { return filesystem().statfs(st); }

// DBFS stores no modes, owners or times: accepted and dropped, so cp -p and rsync -a work.
int chmod(const char*, mode_t, fuse_file_info*) { return 0; }
int chown(const char*, uid_t, gid_t, fuse_file_info*) { return 0; }
int utimens(const char*, const timespec[2], fuse_file_info*) { return 0; }

// DBFS has no links or special files.
int symlink(const char*, const char*) { return -EPERM; }
int link(const char*, const char*) { return -EPERM; }
int mknod(const char*, mode_t, dev_t) { return -EPERM; }

}  // namespace

fuse_operations make_operations() {
  fuse_operations ops{};
  ops.init = init;
  ops.getattr = getattr;
  ops.opendir = opendir;
  ops.readdir = readdir;
  ops.releasedir = releasedir;
  ops.open = open;
  ops.create = create;
  ops.read_buf = read_buf;
  ops.write = write;
  ops.flush = flush;
  ops.fsync = fsync;
  ops.release = release;
  ops.truncate = truncate;
  ops.mkdir = mkdir;
  ops.rmdir = rmdir;
  ops.unlink = unlink;
  ops.rename = rename;
  ops.statfs = statfs;
  ops.chmod = chmod;
  ops.chown = chown;
  ops.utimens = utimens;
  ops.symlink = symlink;
  ops.link = link;
  ops.mknod = mknod;
  // No xattr operations: the kernel then answers EOPNOTSUPP itself, without asking again.
  return ops;
}

}  // namespace fuse_adapter
