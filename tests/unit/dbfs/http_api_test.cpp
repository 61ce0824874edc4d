// Every DBFS call of HttpApi against a real dbfs-emulator over HTTP, error paths and injected
// faults included.
#include "dbfs/http_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <thread>

#include "dbfs/auth.h"
#include "dbfs/base64.h"
#include "emulator_process.h"
#include "error_of.h"
#include "peak_memory.h"

namespace dbfs {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::error_of;
using testing::EmulatorProcess;
using testing::peak_growth_kib;

std::unique_ptr<HttpApi> make_api(const std::string& url, std::shared_ptr<TokenProvider> token,
                                  milliseconds budget = milliseconds(3000),
                                  size_t max_list_answer = limits::kListAnswer) {
  HttpApiConfig config;
  config.host = url;
  config.token = std::move(token);
  config.retry = {milliseconds(5), milliseconds(50), budget};
  config.transport.connect_timeout = std::chrono::seconds(2);
  config.transport.inactivity_timeout = std::chrono::seconds(5);
  config.max_list_answer = max_list_answer;
  return std::make_unique<HttpApi>(std::move(config));
}


std::string pattern(size_t n, int seed) {
  std::string bytes(n, '\0');
  for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>((i * 131 + seed * 7) >> 3);
  return bytes;
}

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (EmulatorProcess::executable().empty()) {
      GTEST_SKIP() << "no dbfs-emulator: build it or set DBFS_EMULATOR";
    }
  }
  void start(const std::vector<std::string>& args = {}, milliseconds budget = milliseconds(3000)) {
    emulator_ = std::make_unique<EmulatorProcess>(args);
    api_ = make_api(emulator_->url(), std::make_shared<StaticToken>(EmulatorProcess::kToken),
                    budget);
  }
  int64_t requests(const std::string& op) { return emulator_->requests()[op]; }
  std::string read_all(const std::string& path) {
    std::string data, chunk;
    for (int64_t offset = 0;; offset += static_cast<int64_t>(chunk.size())) {
      api_->read(path, offset, Api::kMaxBlock, chunk);
      if (chunk.empty()) return data;
      data += chunk;
    }
  }

  std::unique_ptr<EmulatorProcess> emulator_;
  std::unique_ptr<HttpApi> api_;
};

TEST_F(HttpApiTest, AllTenCalls) {
  start();
  api_->mkdirs("/d/sub");
  api_->put("/d/small", "hello", false);
  FileInfo small = api_->get_status("/d/small");
  EXPECT_EQ(small.path, "/d/small");
  EXPECT_FALSE(small.is_dir);
  EXPECT_EQ(small.file_size, 5);
  EXPECT_GT(small.modification_time, 1'600'000'000'000);

  std::string big = pattern(Api::kMaxBlock + 12345, 1);
  int64_t handle = api_->create("/d/big", false);
  api_->add_block(handle, std::string_view(big).substr(0, Api::kMaxBlock));
  api_->add_block(handle, std::string_view(big).substr(Api::kMaxBlock));
  api_->close(handle);
  EXPECT_EQ(api_->get_status("/d/big").file_size, static_cast<int64_t>(big.size()));

  std::string out;
  EXPECT_EQ(api_->read("/d/big", 1000, 100, out), 100);
  EXPECT_EQ(out, big.substr(1000, 100));
  EXPECT_EQ(api_->read("/d/big", 0, 4 * Api::kMaxBlock, out), Api::kMaxBlock) << "length capped";
  EXPECT_EQ(read_all("/d/big"), big);
  EXPECT_EQ(api_->read("/d/small", 5, 10, out), 0);
  EXPECT_EQ(out, "");

  api_->move("/d/big", "/d/sub/moved");
  std::vector<FileInfo> entries = api_->list("/d");
  std::vector<std::string> paths;
  for (const FileInfo& e : entries) paths.push_back(e.path);
  EXPECT_THAT(paths, ::testing::UnorderedElementsAre("/d/small", "/d/sub"));
  EXPECT_TRUE(api_->list("/d/sub/moved").size() == 1) << "list of a file lists the file";
  EXPECT_TRUE(api_->list("/d/sub")[0].path == "/d/sub/moved");

  api_->mkdirs("/empty");
  EXPECT_TRUE(api_->list("/empty").empty());

  api_->remove("/d", true);
  EXPECT_EQ(error_of([&] { api_->get_status("/d/small"); }).to_errno(), ENOENT);
  api_->remove("/d", true);  // a missing path deletes fine

  ApiStats stats = api_->stats();
  EXPECT_EQ(stats[Op::kAddBlock].calls, 2u);
  EXPECT_GT(stats[Op::kAddBlock].bytes_sent, big.size());
  EXPECT_GT(stats[Op::kRead].bytes_received, big.size());
  EXPECT_EQ(stats[Op::kGetStatus].errors, 1u);
  EXPECT_THAT(stats.summary(), HasSubstr("add-block: 2 calls"));
}

TEST_F(HttpApiTest, PutOverwriteAndDbfsPrefix) {
  start();
  api_->put("dbfs:/p/x", "one", false);
  EXPECT_EQ(api_->get_status("/p/x").file_size, 3);
  api_->put("/p/x/", "three", true);
  EXPECT_EQ(read_all("dbfs:/p/x"), "three");
  api_->put("/p/empty", "", false);
  EXPECT_EQ(api_->get_status("/p/empty").file_size, 0);
}

TEST_F(HttpApiTest, ErrorsMapToErrno) {
  start();
  api_->mkdirs("/dir/child");
  api_->put("/file", "abc", false);
  EXPECT_EQ(error_of([&] { api_->get_status("/missing"); }).to_errno(), ENOENT);
  EXPECT_EQ(error_of([&] { api_->list("/missing"); }).to_errno(), ENOENT);
  std::string out;
  EXPECT_EQ(error_of([&] { api_->read("/missing", 0, 10, out); }).to_errno(), ENOENT);
  EXPECT_EQ(error_of([&] { api_->read("/file", 10, 10, out); }).to_errno(), EINVAL);
  EXPECT_EQ(error_of([&] { api_->read("/dir", 0, 10, out); }).to_errno(), EINVAL);
  EXPECT_EQ(error_of([&] { api_->create("/file", false); }).to_errno(), EEXIST);
  EXPECT_EQ(error_of([&] { api_->create("/dir", true); }).to_errno(), EEXIST);
  EXPECT_EQ(error_of([&] { api_->put("/file", "x", false); }).to_errno(), EEXIST);
  EXPECT_EQ(error_of([&] { api_->mkdirs("/file/below"); }).to_errno(), EEXIST);
  EXPECT_EQ(error_of([&] { api_->move("/missing", "/elsewhere"); }).to_errno(), ENOENT);
  EXPECT_EQ(error_of([&] { api_->move("/file", "/dir"); }).to_errno(), EEXIST);
  EXPECT_EQ(error_of([&] { api_->add_block(4242, "x"); }).to_errno(), ENOENT);
  EXPECT_EQ(error_of([&] { api_->close(4242); }).to_errno(), ENOENT);
  ApiError not_empty = error_of([&] { api_->remove("/dir", false); });
  EXPECT_EQ(not_empty.op(), "delete");
  EXPECT_EQ(not_empty.to_errno(), ENOTEMPTY);
  EXPECT_EQ(error_of([&] { api_->put("/big", pattern(Api::kMaxBlock + 1, 2), true); }).to_errno(),
            EFBIG);
}

TEST_F(HttpApiTest, InvalidPathsFailWithoutARequest) {
  start();
  for (const char* bad : {"relative", "/a/../b", "/./x", ""}) {
    ApiError e = error_of([&] { api_->get_status(bad); });
    EXPECT_EQ(e.error_code(), "INVALID_PARAMETER_VALUE");
    EXPECT_EQ(e.to_errno(), EINVAL);
  }
  EXPECT_EQ(error_of([&] { api_->move("/ok", "no/slash"); }).to_errno(), EINVAL);
  EXPECT_EQ(requests("get-status") + requests("move"), 0);
}

TEST_F(HttpApiTest, OddNamesRoundTrip) {
  start();
  const std::vector<std::string> names = {"a b", "100%", "a+b", "x&y=z", "#hash", "what?",
                                          "ünïcødé €", "quote\"'", "semi;colon", "tab\tname"};
  api_->mkdirs("/odd dir%+");
  for (const std::string& name : names) {
    std::string path = "/odd dir%+/" + name;
    api_->put(path, name, false);
    EXPECT_EQ(api_->get_status(path).path, path);
    EXPECT_EQ(read_all(path), name);
  }
  std::vector<std::string> listed;
  for (const FileInfo& e : api_->list("/odd dir%+")) listed.push_back(e.path.substr(11));
  std::sort(listed.begin(), listed.end());
  std::vector<std::string> expected = names;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listed, expected);
  api_->move("/odd dir%+/ünïcødé €", "/odd dir%+/renamed ü&?");
  EXPECT_EQ(read_all("/odd dir%+/renamed ü&?"), "ünïcødé €");
}

TEST_F(HttpApiTest, Retries503UntilItSucceeds) {
  start({"--fault", "read:first=2:status=503"});
  api_->put("/f", "data", false);
  std::string out;
  EXPECT_EQ(api_->read("/f", 0, 10, out), 4);
  EXPECT_EQ(requests("read"), 3);
  EXPECT_EQ(api_->stats()[Op::kRead].retries, 2u);
}

TEST_F(HttpApiTest, Honours429RetryAfter) {
  start({"--fault", "get-status:first=1:status=429,retry-after=1"});
  api_->mkdirs("/x");
  auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(api_->get_status("/x").is_dir);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, milliseconds(1000));
  EXPECT_EQ(requests("get-status"), 2);
}

TEST_F(HttpApiTest, ResetConnectionOfAnIdempotentCallIsRetried) {
  start({"--fault", "get-status:first=1:reset"});
  api_->mkdirs("/x");
  EXPECT_TRUE(api_->get_status("/x").is_dir);
  EXPECT_EQ(requests("get-status"), 2);
}

TEST_F(HttpApiTest, LostAddBlockIsAmbiguousAndNeverRetried) {
  start({"--fault", "add-block:first=1:lost"});
  int64_t handle = api_->create("/upload", true);
  ApiError e = error_of([&] { api_->add_block(handle, "block"); });
  EXPECT_TRUE(e.ambiguous());
  EXPECT_EQ(e.op(), "add-block");
  EXPECT_EQ(requests("add-block"), 1);
  EXPECT_EQ(api_->stats()[Op::kAddBlock].errors, 1u);
}

TEST_F(HttpApiTest, AddBlockRefusedWith503IsRetried) {
  start({"--fault", "add-block:first=1:status=503"});
  int64_t handle = api_->create("/upload", true);
  api_->add_block(handle, "block");
  api_->close(handle);
  EXPECT_EQ(requests("add-block"), 2);
  EXPECT_EQ(read_all("/upload"), "block");
}

TEST_F(HttpApiTest, LostCloseIsAmbiguousAndNotRetried) {
  start({"--fault", "close:first=1:lost"});
  int64_t handle = api_->create("/upload", true);
  api_->add_block(handle, "block");
  EXPECT_TRUE(error_of([&] { api_->close(handle); }).ambiguous());
  EXPECT_EQ(requests("close"), 1);
}

TEST_F(HttpApiTest, LostMoveIsRetriedAndRecognisedAsDone) {
  start({"--fault", "move:first=1:lost"});
  api_->put("/from", "x", false);
  api_->move("/from", "/to");
  EXPECT_EQ(requests("move"), 2);
  EXPECT_EQ(read_all("/to"), "x");
  EXPECT_EQ(error_of([&] { api_->get_status("/from"); }).to_errno(), ENOENT);
}

TEST_F(HttpApiTest, HtmlErrorPageGivesAClearMessage) {
  start({"--fault", "list:always:html=502"}, milliseconds(200));
  ApiError e = error_of([&] { api_->list("/"); });
  EXPECT_EQ(e.http_status(), 502);
  EXPECT_THAT(e.what(), HasSubstr("HTTP 502"));
  EXPECT_THAT(e.what(), Not(HasSubstr("<")));
  EXPECT_EQ(e.to_errno(), EIO);
  EXPECT_GE(requests("list"), 2) << "502 is retried within the budget";
}

TEST_F(HttpApiTest, PlainText500IsNotRetried) {
  start({"--fault", "mkdirs:always:text=500"});
  ApiError e = error_of([&] { api_->mkdirs("/x"); });
  EXPECT_EQ(e.http_status(), 500);
  EXPECT_EQ(requests("mkdirs"), 1);
}

TEST_F(HttpApiTest, BadOrMissingTokenIsEacces) {
  start();
  auto wrong = make_api(emulator_->url(), std::make_shared<StaticToken>("wrong-token-value"));
  ApiError e = error_of([&] { wrong->get_status("/"); });
  EXPECT_EQ(e.http_status(), 403);
  EXPECT_EQ(e.to_errno(), EACCES);
  EXPECT_THAT(e.what(), Not(HasSubstr("wrong-token-value")));
  auto none = make_api(emulator_->url(), nullptr);
  ApiError missing = error_of([&] { none->list("/"); });
  EXPECT_EQ(missing.http_status(), 401);
  EXPECT_EQ(missing.to_errno(), EACCES);
}

TEST_F(HttpApiTest, PartialDeleteIsRepeatedUntilDone) {
  start({"--partial-delete-after", "2"});
  for (int i = 0; i < 7; ++i) api_->put("/tree/f" + std::to_string(i), "x", false);
  api_->remove("/tree", true);
  EXPECT_EQ(error_of([&] { api_->get_status("/tree"); }).to_errno(), ENOENT);
  EXPECT_GE(requests("delete"), 4);
  EXPECT_EQ(api_->stats()[Op::kDelete].errors, static_cast<uint64_t>(requests("delete") - 1));
}

TEST_F(HttpApiTest, OAuthMachineToMachine) {
  start({"--oauth-client", "sp-id:sp-secret-value", "--oauth-token-ttl-s", "3600"});
  RetryOptions retry{milliseconds(5), milliseconds(50), milliseconds(3000)};
  auto oauth = std::make_shared<OAuthM2M>(emulator_->url(), "sp-id", "sp-secret-value",
                                          TransportOptions{}, retry);
  auto api = make_api(emulator_->url(), oauth);
  api->mkdirs("/via-oauth");
  EXPECT_TRUE(api->get_status("/via-oauth").is_dir);
  auto refused = std::make_shared<OAuthM2M>(emulator_->url(), "sp-id", "not-the-secret",
                                            TransportOptions{}, retry);
  EXPECT_EQ(error_of([&] { make_api(emulator_->url(), refused)->list("/"); }).to_errno(), EACCES);
}

TEST_F(HttpApiTest, ConcurrentCallsShareFewConnections) {
  start();
  api_->put("/shared", pattern(100000, 3), false);
  constexpr int kThreads = 6, kCalls = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string out;
      for (int i = 0; i < kCalls; ++i) {
        try {
          api_->read("/shared", i * 1000, 1000, out);
          if (out != pattern(100000, 3).substr(i * 1000, 1000)) ++failures;
          api_->put("/t" + std::to_string(t), out, true);
        } catch (const ApiError&) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  ApiStats stats = api_->stats();
  EXPECT_EQ(stats[Op::kRead].calls, static_cast<uint64_t>(kThreads * kCalls));
  EXPECT_LE(stats.connections_opened, static_cast<uint64_t>(kThreads + 2))
      << "each pooled handle keeps its connection";
}

TEST_F(HttpApiTest, ATricklingAnswerFailsWithinTheCallsBudget) {
  start({"--fault", "list:always:trickle=16"}, milliseconds(4000));
  for (int i = 0; i < 40; ++i) api_->put("/d/file" + std::to_string(i), "x", false);
  // The listing is ~3.5 KB: minutes at 16 bytes/s, yet each byte comes well within the
  // inactivity timeout.
  auto begin = Clock::now();
  ApiError e = error_of([&] { api_->list("/d"); });
  auto took = Clock::now() - begin;
  EXPECT_EQ(e.kind(), ApiError::Kind::kTimeout) << e.what();
  EXPECT_EQ(e.to_errno(), ETIMEDOUT);
  // A budget of 4 s; an attempt always gets limits::kMinAttemptTime.
  EXPECT_LT(took, seconds(12));
  EXPECT_GE(took, seconds(3));
}

TEST_F(HttpApiTest, AnswersLongerThanTheirOperationMayHoldAreCutOff) {
  emulator_ = std::make_unique<EmulatorProcess>();
  api_ = make_api(emulator_->url(), std::make_shared<StaticToken>(EmulatorProcess::kToken),
                  milliseconds(3000), 1 << 20);
  api_->put("/f", pattern(1000, 4), false);
  api_->mkdirs("/d");
  emulator_->set_faults({"get-status:always:oversize=64", "read:first=1:oversize=64",
                         "read:always:oversize-chunked=64", "list:always:oversize-chunked=8"});
  std::string out;
  char buffer[1000];
  for (const ApiError& e : {error_of([&] { api_->get_status("/f"); }),
                            error_of([&] { api_->read("/f", 0, 1000, out); }),
                            error_of([&] { api_->read_into("/f", 0, 1000, buffer); }),
                            error_of([&] { api_->list("/d"); })}) {
    EXPECT_EQ(e.kind(), ApiError::Kind::kProtocol) << e.what();
    EXPECT_EQ(e.to_errno(), EIO);
    EXPECT_THAT(e.what(), HasSubstr("the most a " + e.op() + " answer may hold"));
  }
  ApiStats stats = api_->stats();
  // Cut off at the header (Content-Length), or as soon as the cap was passed (chunked).
  EXPECT_LT(stats[Op::kGetStatus].bytes_received, 1u << 10);
  EXPECT_LT(stats[Op::kRead].bytes_received, 64u << 10);
  EXPECT_LE(stats[Op::kList].bytes_received, 1u << 20);
  EXPECT_EQ(stats[Op::kRead].retries, 0u) << "a malformed answer is not retried";
  emulator_->set_faults({});
  EXPECT_EQ(api_->read("/f", 0, 1000, out), 1000);
  EXPECT_EQ(out, pattern(1000, 4));
}

TEST_F(HttpApiTest, AMillionEntryListingCostsLittleMoreThanItsAnswerAndEntries) {
  constexpr size_t kEntries = 1000000;
  start({"--fault", "list:always:entries=1000000"});
  api_->mkdirs("/big");
  std::vector<FileInfo> entries;
  int64_t listing = peak_growth_kib([&] { entries = api_->list("/big"); });
  ASSERT_EQ(entries.size(), kEntries);
  EXPECT_EQ(entries[41].path, "/big/f0000042");
  EXPECT_EQ(entries[41].file_size, 1);
  // What the answer and the entries cost by themselves in this build (sanitizers included).
  size_t answer_bytes = api_->stats()[Op::kList].bytes_received;
  uint64_t checksum = 0;
  int64_t answer_and_entries = peak_growth_kib([&] {
    std::string answer(answer_bytes, 'x');
    std::vector<FileInfo> copies(kEntries);
    for (size_t i = 0; i < kEntries; ++i) copies[i].path = entries[i].path;
    checksum = answer[answer_bytes / 2] + copies[kEntries / 2].path.size();
  });
  EXPECT_EQ(checksum, uint64_t{'x'} + 13);
  std::printf("list of 1,000,000 entries: peak growth %lld MiB; the answer (%zu MiB) and the "
              "entries alone: %lld MiB\n", static_cast<long long>(listing >> 10),
              answer_bytes >> 20, static_cast<long long>(answer_and_entries >> 10));
  // Plus a little for sorting names; a document of the answer would cost several times it.
  EXPECT_LT(listing, answer_and_entries * 5 / 4 + (16 << 10));
}

TEST_F(HttpApiTest, AHostileListingKeepsOnlyDirectChildrenOnceEach) {
  start({"--fault", "list:always:hostile"});
  api_->put("/d/a", "1", false);
  api_->put("/d/b", "22", false);
  auto paths = [](const std::vector<FileInfo>& entries) {
    std::vector<std::string> out;
    for (const FileInfo& e : entries) out.push_back(e.path);
    return out;
  };
  EXPECT_THAT(paths(api_->list("/d")), ::testing::UnorderedElementsAre("/d/a", "/d/b"));
  EXPECT_THAT(paths(api_->list("/")), ::testing::ElementsAre("/d"));
  std::vector<FileInfo> file = api_->list("/d/b");
  ASSERT_EQ(file.size(), 1u) << "a list of a file answers that file";
  EXPECT_EQ(file[0], (FileInfo{"/d/b", false, 2, file[0].modification_time}));
}

TEST_F(HttpApiTest, ATokenEchoedBackInAnyEncodingIsRedacted) {
  const std::string token = "dapi+echo/secret=0123456789";
  start({"--token", token, "--fault", "get-status:always:echo-auth"});
  auto api = make_api(emulator_->url(), std::make_shared<StaticToken>(token));
  ApiError e = error_of([&] { api->get_status("/"); });
  EXPECT_EQ(e.to_errno(), EINVAL);
  EXPECT_THAT(e.what(), HasSubstr("Invalid Authorization header"));
  std::string encoded = base64::encode("Bearer " + token);
  for (std::string form : {token, std::string("dapi%2Becho%2Fsecret%3D0123456789"),
                           encoded.substr(12, 16)}) {
    EXPECT_THAT(e.what(), Not(HasSubstr(form)));
  }
}

// A TCP socket bound to a free loopback port; returns the port.
int bind_loopback(int fd) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  return ntohs(address.sin_port);
}

// A port nobody listens on: bound, never listened, then closed.
int dead_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int port = bind_loopback(fd);
  ::close(fd);
  return port;
}

TEST(HttpApiTransport, DeadPortFailsWithinTheBudget) {
  auto api = make_api("http://127.0.0.1:" + std::to_string(dead_port()),
                      std::make_shared<StaticToken>("some-token"), milliseconds(500));
  auto begin = std::chrono::steady_clock::now();
  ApiError e = error_of([&] { api->get_status("/"); });
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(3));
  EXPECT_EQ(e.kind(), ApiError::Kind::kTransport);
  EXPECT_EQ(e.error_code(), ApiError::kConnectFailed);
  EXPECT_FALSE(e.ambiguous());
  EXPECT_EQ(e.to_errno(), EIO);
  EXPECT_GT(api->stats()[Op::kGetStatus].retries, 0u);
}

TEST(HttpApiTransport, AnUnreachableServerGetsOneAttemptPerCallUntilItAnswers) {
  if (EmulatorProcess::executable().empty()) GTEST_SKIP() << "no dbfs-emulator";
  int port = dead_port();
  auto api = make_api("http://127.0.0.1:" + std::to_string(port),
                      std::make_shared<StaticToken>(EmulatorProcess::kToken), milliseconds(20000));
  // Refused for a few seconds: the server counts as unreachable, and the call ends then.
  auto begin = Clock::now();
  ApiError first = error_of([&] { api->get_status("/"); });
  EXPECT_LT(Clock::now() - begin, seconds(10)) << "not the whole 20 s budget";
  EXPECT_EQ(first.error_code(), ApiError::kConnectFailed);
  // From then on each call makes one attempt and fails at once.
  uint64_t retries = api->stats()[Op::kGetStatus].retries;
  begin = Clock::now();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(error_of([&] { api->list("/"); }).error_code(), ApiError::kConnectFailed);
  }
  EXPECT_LT(Clock::now() - begin, seconds(2));
  EXPECT_EQ(api->stats()[Op::kList].retries, 0u);
  EXPECT_EQ(api->stats()[Op::kGetStatus].retries, retries);
  // The server comes back on that port: the next call gets through, and retries resume.
  EmulatorProcess back({"--port", std::to_string(port), "--fault", "mkdirs:first=1:status=503"});
  EXPECT_TRUE(api->get_status("/").is_dir);
  api->mkdirs("/again");
  EXPECT_EQ(api->stats()[Op::kMkdirs].retries, 1u);
}

TEST(HttpApiTransport, NoConnectionInTimeMeansTheRequestWasNeverSent) {
  // A listener whose accept queue is full: the kernel drops further connection attempts, as a
  // host that swallows packets does.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int port = bind_loopback(fd);
  listen(fd, 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    (void)connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address);
    fillers.push_back(client);
  }
  std::this_thread::sleep_for(milliseconds(200));
  HttpApiConfig config;
  config.host = "http://127.0.0.1:" + std::to_string(port);
  config.retry = {milliseconds(5), milliseconds(50), milliseconds(1500)};
  config.transport.connect_timeout = seconds(1);
  HttpApi api(std::move(config));
  ApiError e = error_of([&] { api.add_block(1, "block"); });
  for (int client : fillers) ::close(client);
  ::close(fd);
  EXPECT_EQ(e.kind(), ApiError::Kind::kTimeout) << e.what();
  EXPECT_EQ(e.error_code(), ApiError::kConnectFailed);
  EXPECT_FALSE(e.ambiguous()) << "nothing went out, so even an add-block may be retried";
  EXPECT_GT(api.stats()[Op::kAddBlock].retries, 0u);
}

TEST(HttpApiTransport, TlsFailureNamesTheWayOut) {
  // Plain HTTP answers a TLS handshake with garbage: the handshake fails before any request.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int port = bind_loopback(fd);
  listen(fd, 4);
  std::thread server([fd] {
    int client = accept(fd, nullptr, nullptr);
    if (client < 0) return;
    const char answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    (void)!write(client, answer, sizeof answer - 1);
    ::close(client);
  });
  auto api = make_api("https://127.0.0.1:" + std::to_string(port),
                      std::make_shared<StaticToken>("some-token"), milliseconds(500));
  ApiError e = error_of([&] { api->list("/"); });
  server.join();
  ::close(fd);
  EXPECT_EQ(e.error_code(), ApiError::kTlsFailed);
  EXPECT_THAT(e.what(), HasSubstr("ca_file"));
  EXPECT_FALSE(e.is_retryable());
}

}  // namespace
}  // namespace dbfs
