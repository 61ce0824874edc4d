#include <string>

#include "fs/file_node.h"
#include "fs/storage.h"

// FileNode's streamed upload: a file written front to back from empty sends its full blocks
// while it is written (kStreaming), and stops doing so in one place (give_up_stream).

namespace fs {

void FileNode::give_up_stream(bool wait) {
  if (stream_) {
    if (wait) {
      stream_->abandon_and_wait();
    } else {
      stream_->abandon();
    }
    stream_.reset();
  }
  if (content_ == Content::kStreaming || content_ == Content::kFresh) content_ = Content::kStaged;
}

void FileNode::stream_blocks(NodeServices& services) {
  if ((content_ != Content::kFresh && content_ != Content::kStreaming) || unlinked_) return;
  Storage::Capabilities can = services.storage.capabilities(path_);
  if (!can.streamed_upload) return;
  int64_t size = staging_->size();
  if (!stream_) {
    if (size <= can.max_single_upload) return;  // goes up in one call at close
    stream_ = std::make_unique<UploadStream>(services.storage, path_, &services.journal);
    stream_frontier_ = 0;
    content_ = Content::kStreaming;
  }
  std::string block;
  while (size - stream_frontier_ >= can.upload_block) {
    staging_->read(stream_frontier_, size_t(can.upload_block), block);
    if (!stream_->push(std::move(block))) {
      give_up_stream(false);
      return;
    }
    stream_frontier_ += can.upload_block;
  }
  staging_->uncache_before(stream_frontier_);
}

std::optional<dbfs::FileInfo> FileNode::finish_stream() {
  int64_t size = staging_->size();
  std::string tail;
  staging_->read(stream_frontier_, size_t(size - stream_frontier_), tail);
  auto info = stream_->finish(std::move(tail), path_, size);
  stream_.reset();
  content_ = Content::kStaged;
  return info;
}

void FileNode::stop_streaming_for_move() { give_up_stream(/*wait=*/true); }

}  // namespace fs
