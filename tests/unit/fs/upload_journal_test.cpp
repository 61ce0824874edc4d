// The upload journal and the replace it guards, against the emulator's Store in-process: every
// moment of a replace leaves the old or the new content under the final name, and recovery after
// a crash finishes what the journal says, touching nothing but our own hidden names.

#include "fs/upload_journal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "counting_api.h"
#include "scratch_store.h"
#include "dbfs/api_error.h"
#include "emulator/store.h"
#include "fs/journal_files.h"
#include "fs/journal_format.h"
#include "fs/replace.h"

namespace fs {
namespace {

constexpr char kWorkspace[] = "https://example.cloud.databricks.com";
// A process number above any pid_max: no such process, so its journal is a dead one's.
constexpr pid_t kDeadPid = 4194303 + 1;

class UploadJournalTest : public ::testing::Test {
 protected:
  testing::ScratchStore scratch_{"journal-test"};
  emulator::Store* store_ = scratch_.store.get();
  testing::CountingApi* api_ = scratch_.api.get();

  void put(const std::string& path, const std::string& data) { store_->put(path, data, true); }
  std::string content(const std::string& path) {
    std::string out;
    store_->read(path, 0, 1 << 20, out);
    return out;
  }
  bool exists(const std::string& path) {
    try {
      store_->get_status(path);
      return true;
    } catch (const dbfs::ApiError&) {
      return false;
    }
  }
  std::string cache() const { return scratch_.cache(); }
  // Writes a dead process's journal holding `lines`.
  void dead_journal(const std::vector<std::string>& lines) {
    std::string file = journal_files::path_for(cache(), kDeadPid);
    std::ofstream out(file);
    out << journal_files::header(kWorkspace) << "\n";
    for (const auto& line : lines) out << line << "\n";
    out.close();
    ::chmod(file.c_str(), 0600);
  }
  int recover() { return UploadJournal::recover(cache(), kWorkspace, *scratch_.storage); }
  bool journal_left() {
    return std::filesystem::exists(journal_files::path_for(cache(), kDeadPid));
  }
};

const std::string kTemp = "/d/.dbfs-fuse-upload.00000000000000aa";
const std::string kAside = "/d/.dbfs-fuse-old.00000000000000bb";

TEST_F(UploadJournalTest, FormatRoundTripsAwkwardPaths) {
  std::string path = "/a b/100%\nsure\t/.dbfs-fuse-upload.0123456789abcdef";
  std::string line = journal_format::format('=', path, "/a b/100%\nsure\t/x y");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto parsed = journal_format::parse(line);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->tag, '=');
  EXPECT_EQ(parsed->path, path);
  EXPECT_EQ(parsed->final_path, "/a b/100%\nsure\t/x y");
  EXPECT_FALSE(journal_format::parse("= /only-one-path"));
  EXPECT_FALSE(journal_format::parse("+ /bad%zzescape"));
  EXPECT_FALSE(journal_format::parse("+ relative"));
  auto legacy = journal_format::parse("+/d/.dbfs-fuse-upload.0123456789abcdef");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->path, "/d/.dbfs-fuse-upload.0123456789abcdef");
}

TEST_F(UploadJournalTest, ReplaceMovesTheOldAsideAndHandsItBack) {
  put("/d/f", "old");
  put(kTemp, "new");
  UploadJournal journal(cache(), kWorkspace);
  auto aside = move_replacing(*scratch_.storage, &journal, kTemp, "/d/f");
  ASSERT_TRUE(aside);
  EXPECT_EQ(content("/d/f"), "new");
  EXPECT_EQ(content(*aside), "old");
  discard_hidden(*scratch_.storage, &journal, *aside);
  EXPECT_FALSE(exists(*aside));
  EXPECT_TRUE(journal.wait_until_settled(std::chrono::milliseconds(0)));
}

TEST_F(UploadJournalTest, AFailedMoveInPutsTheOldContentBack) {
  put("/d/f", "old");
  put(kTemp, "new");
  int moves = 0;
  api_->before = [&](const std::string& op) {
    // The first move finds the old file there, the second moves it aside, the third fails.
    if (op == "move" && ++moves == 3) {
      throw dbfs::ApiError::http("move", 500, "INTERNAL_ERROR", "injected");
    }
  };
  UploadJournal journal(cache(), kWorkspace);
  EXPECT_THROW(move_replacing(*scratch_.storage, &journal, kTemp, "/d/f"), dbfs::ApiError);
  EXPECT_EQ(content("/d/f"), "old");
  EXPECT_EQ(content(kTemp), "new");
  EXPECT_TRUE(journal.wait_until_settled(std::chrono::milliseconds(0)));
}

TEST_F(UploadJournalTest, RecoveryPutsACompleteNewFileInPlaceOfAnEmptyName) {
  put(kTemp, "new");
  put(kAside, "old");
  dead_journal({journal_format::format('=', kTemp, "/d/f"),
                journal_format::format('<', kAside, "/d/f")});
  EXPECT_EQ(recover(), 2);
  EXPECT_EQ(content("/d/f"), "new");
  EXPECT_FALSE(exists(kTemp));
  EXPECT_FALSE(exists(kAside));
  EXPECT_FALSE(journal_left());
}

TEST_F(UploadJournalTest, RecoveryPutsTheOldContentBackWhenTheNewWasNotComplete) {
  put(kTemp, "ne");
  put(kAside, "old");
  dead_journal({journal_format::format('+', kTemp),
                journal_format::format('<', kAside, "/d/f")});
  recover();
  EXPECT_EQ(content("/d/f"), "old");
  EXPECT_FALSE(exists(kTemp));
  EXPECT_FALSE(exists(kAside));
}

TEST_F(UploadJournalTest, RecoveryKeepsWhatIsUnderTheFinalName) {
  put("/d/f", "newer, from elsewhere");
  put(kTemp, "new");
  put(kAside, "old");
  put("/d/.dbfs-fuse-old.00000000000000cc", "retired");
  dead_journal({journal_format::format('=', kTemp, "/d/f"),
                journal_format::format('<', kAside, "/d/f"),
                journal_format::format('x', "/d/.dbfs-fuse-old.00000000000000cc")});
  recover();
  EXPECT_EQ(content("/d/f"), "newer, from elsewhere");
  EXPECT_FALSE(exists(kTemp));
  EXPECT_FALSE(exists(kAside));
  EXPECT_FALSE(exists("/d/.dbfs-fuse-old.00000000000000cc"));
}

TEST_F(UploadJournalTest, RecoveryIgnoresEndedEntriesForeignNamesAndOtherWorkspaces) {
  put("/d/keep", "mine");
  put(kTemp, "was committed");
  dead_journal({journal_format::format('+', "/d/keep"),
                journal_format::format('+', kTemp), journal_format::format('-', kTemp),
                journal_format::format('<', kAside, "/elsewhere/f")});
  recover();
  EXPECT_EQ(content("/d/keep"), "mine");
  EXPECT_TRUE(exists(kTemp));
  EXPECT_FALSE(exists("/elsewhere/f"));

  std::string file = journal_files::path_for(cache(), kDeadPid);
  std::ofstream(file) << "workspace https://other.example.com\n+ " << kTemp << "\n";
  ::chmod(file.c_str(), 0600);
  recover();
  EXPECT_TRUE(exists(kTemp));
  EXPECT_TRUE(journal_left());  // another workspace's: left for a mount of that one
}

TEST_F(UploadJournalTest, ARecoveryThatFailsKeepsTheJournalForTheNextMount) {
  put(kTemp, "ne");
  dead_journal({journal_format::format('+', kTemp)});
  api_->before = [](const std::string& op) {
    if (op == "delete") throw dbfs::ApiError::http("delete", 503, "TEMPORARILY_UNAVAILABLE", "x");
  };
  recover();
  EXPECT_TRUE(journal_left());
  api_->before = nullptr;
  EXPECT_EQ(recover(), 1);
  EXPECT_FALSE(exists(kTemp));
  EXPECT_FALSE(journal_left());
}

}  // namespace
}  // namespace fs
