#include "dbfs/json_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>

#include "dbfs/base64.h"
#include "error_of.h"
#include "peak_memory.h"

namespace dbfs {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::error_of;

TEST(JsonRequest, EscapesAnyNameAndKeepsUtf8) {
  std::string body = json::RequestBody()
                         .add("path", "/a \"q\" \\ \n\t\x01/ünï/%+&#?")
                         .add("overwrite", true)
                         .add("handle", int64_t{7925567539485178})
                         .finish();
  EXPECT_EQ(body,
            "{\"path\":\"/a \\\"q\\\" \\\\ \\n\\t\\u0001/ünï/%+&#?\",\"overwrite\":true,"
            "\"handle\":7925567539485178}");
}

TEST(JsonRequest, Base64PayloadGoesLast) {
  EXPECT_EQ(json::RequestBody().add("handle", int64_t{3}).finish_with_base64("data", "foo"),
            "{\"handle\":3,\"data\":\"Zm9v\"}");
  EXPECT_EQ(json::RequestBody().finish_with_base64("data", ""), "{\"data\":\"\"}");
  EXPECT_EQ(json::RequestBody().finish(), "{}");
}

TEST(JsonResponse, FileInfoWithAllFourFields) {
  FileInfo info = json::parse_file_info(
      "get-status",
      R"({"path":"/a/b","is_dir":false,"file_size":12,"modification_time":1700000000123})");
  EXPECT_EQ(info, (FileInfo{"/a/b", false, 12, 1700000000123}));
}

TEST(JsonResponse, FileInfoToleratesMissingFieldsPrefixAndStringBooleans) {
  EXPECT_EQ(json::parse_file_info("get-status", R"({"path":"dbfs:/d","is_dir":"true"})"),
            (FileInfo{"/d", true, 0, 0}));
  EXPECT_EQ(json::parse_file_info("get-status", R"({"path":"/f","file_size":1.0e3,"x":[1]})"),
            (FileInfo{"/f", false, 1000, 0}));
}

TEST(JsonResponse, FileInfoWithoutPathIsAProtocolError) {
  ApiError e = error_of([] { json::parse_file_info("get-status", R"({"is_dir":true})"); });
  EXPECT_EQ(e.kind(), ApiError::Kind::kProtocol);
  EXPECT_EQ(e.op(), "get-status");
  EXPECT_EQ(e.to_errno(), EIO);
}

TEST(JsonResponse, ListWithAndWithoutFiles) {
  EXPECT_TRUE(json::parse_list("list", "{}").empty());
  EXPECT_TRUE(json::parse_list("list", R"({"files":[]})").empty());
  auto entries = json::parse_list(
      "list", R"({"files":[{"path":"/a","is_dir":true,"file_size":0,"modification_time":1},
                           {"path":"/b","is_dir":false,"file_size":5,"modification_time":2}]})");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1], (FileInfo{"/b", false, 5, 2}));
  EXPECT_EQ(error_of([] { json::parse_list("list", R"({"files":{}})"); }).kind(),
            ApiError::Kind::kProtocol);
  EXPECT_EQ(error_of([] { json::parse_list("list", R"({"files":[{"is_dir":1}]})"); }).kind(),
            ApiError::Kind::kProtocol);
}

TEST(JsonResponse, ListToleratesWhatTheOtherAnswersTolerate) {
  auto entries = json::parse_list(
      "list", R"( {"extra":{"files":[1,{"x":[]}]},"files":[
                   {"path":"dbfs:/a","is_dir":"true","file_size":null,"unknown":{"path":[1]}},
                   {"path":"/b","file_size":1.0e3,"modification_time":7,"tags":["x",{"y":2}]}],
                   "files":"ignored, as a second member of that name","next":null} )");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0], (FileInfo{"/a", true, 0, 0}));
  EXPECT_EQ(entries[1], (FileInfo{"/b", false, 1000, 7}));
  EXPECT_TRUE(json::parse_list("list", R"({"files":null})").empty());
  EXPECT_EQ(json::parse_list("list", R"({"files":[{"path":"/q\"\u0000x"}]})")[0].path,
            std::string("/q\"\0x", 5));
}

TEST(JsonResponse, ListFailsOnWhatIsNoListing) {
  for (const char* body :
       {"", "[]", "5", "{", R"({"files":[]} {})", R"({"files":5})", R"({"files":{}})",
        R"({"files":[5]})", R"({"files":[null]})", R"({"files":[[]]})", R"({"files":[{}]})",
        R"({"files":[{"path":5}]})", R"({"files":[{"path":"/a","is_dir":"yes"}]})",
        R"({"files":[{"path":"/a","file_size":1.5}]})",
        R"({"files":[{"path":"/a","file_size":18446744073709551615}]})",
        R"({"files":[{"path":"/a","modification_time":{}}]})"}) {
    ApiError e = error_of([&] { json::parse_list("list", body); });
    EXPECT_EQ(e.kind(), ApiError::Kind::kProtocol) << body;
    EXPECT_EQ(e.op(), "list");
  }
  EXPECT_THAT(error_of([] { json::parse_list("list", R"({"files":{}})"); }).what(),
              HasSubstr("\"files\" is not a list"));
  EXPECT_THAT(error_of([] { json::parse_list("list", R"({"files":[{"is_dir":1}]})"); }).what(),
              HasSubstr("malformed entry"));
  EXPECT_THAT(error_of([] { json::parse_list("list", "<html>Bad Gateway</html>"); }).what(),
              HasSubstr("Bad Gateway"));
  // Nested a million levels deep: a clear error, not a stack overflow.
  std::string deep = R"({"files":[{"path":"/a","x":)" + std::string(1000000, '[');
  EXPECT_THAT(error_of([&] { json::parse_list("list", deep); }).what(), HasSubstr("invalid JSON"));
}

TEST(JsonResponse, AMillionEntryListingCostsLittleMoreThanItsEntries) {
  constexpr size_t kEntries = 1000000;
  std::string body = "{\"files\":[";
  char entry[160];
  for (size_t i = 1; i <= kEntries; ++i) {
    body.append(entry, static_cast<size_t>(std::snprintf(
                           entry, sizeof entry,
                           "%s{\"path\":\"/big/f%07zu\",\"is_dir\":false,\"file_size\":1,"
                           "\"modification_time\":1700000000000}",
                           i > 1 ? "," : "", i)));
  }
  body += "]}";
  std::vector<FileInfo> entries;
  int64_t parse = testing::peak_growth_kib([&] { entries = json::parse_list("list", body); });
  ASSERT_EQ(entries.size(), kEntries);
  EXPECT_EQ(entries.back(), (FileInfo{"/big/f1000000", false, 1, 1700000000000}));
  // What the entries cost by themselves in this build (sanitizers included).
  size_t checksum = 0;
  int64_t alone = testing::peak_growth_kib([&] {
    std::vector<FileInfo> copies(kEntries);
    for (size_t i = 0; i < kEntries; ++i) copies[i].path = entries[i].path;
    checksum = copies[kEntries / 2].path.size();
  });
  EXPECT_EQ(checksum, 13u);
  std::printf("parse_list of 1,000,000 entries (%zu MiB): peak growth %lld MiB; the entries "
              "alone: %lld MiB\n", body.size() >> 20, static_cast<long long>(parse >> 10),
              static_cast<long long>(alone >> 10));
  // A document of the answer would cost several times the answer.
  EXPECT_LT(parse, alone * 5 / 4 + (8 << 10));
}

TEST(JsonResponse, DeeplyNestedAnswersFailWithoutExhaustingTheStack) {
  // As deep as the 256 KiB an answer may hold allows.
  std::string deep = R"({"path":"/a","x":)" + std::string(256 << 10, '[');
  EXPECT_EQ(error_of([&] { json::parse_file_info("get-status", deep); }).kind(),
            ApiError::Kind::kProtocol);
  EXPECT_EQ(error_of([&] { json::parse_handle("create", deep); }).kind(), ApiError::Kind::kProtocol);
  EXPECT_EQ(json::parse_error("mkdirs", 500, deep).to_errno(), EIO);
  std::string read = R"({"bytes_read":0,"x":)" + std::string(256 << 10, '[');
  std::string out;
  EXPECT_EQ(error_of([&] { json::parse_read("read", read, out); }).kind(),
            ApiError::Kind::kProtocol);
}

TEST(JsonResponse, ReadDecodesInPlace) {
  std::string out = "old contents";
  std::string body = R"({"bytes_read":6,"data":"Zm9vYmFy"})";
  EXPECT_EQ(json::parse_read("read", body, out), 6);
  EXPECT_EQ(out, "foobar");
}

TEST(JsonResponse, ReadWithMissingOrEmptyDataIsEmpty) {
  std::string out = "x";
  std::string body = R"({"bytes_read":0})";
  EXPECT_EQ(json::parse_read("read", body, out), 0);
  EXPECT_EQ(out, "");
  body = R"({"bytes_read":0,"data":""})";
  EXPECT_EQ(json::parse_read("read", body, out), 0);
}

TEST(JsonResponse, ReadRejectsBadBase64AndCountMismatch) {
  std::string out;
  std::string body = R"({"bytes_read":3,"data":"Zm9!"})";
  EXPECT_THAT(error_of([&] { json::parse_read("read", body, out); }).what(),
              HasSubstr("base64"));
  body = R"({"bytes_read":4,"data":"Zm9v"})";
  EXPECT_THAT(error_of([&] { json::parse_read("read", body, out); }).what(),
              HasSubstr("bytes_read"));
}

TEST(JsonResponse, ReadOfHtmlOrTruncatedAnswersFailsClearly) {
  std::string out;
  std::string html = "<html><head><title>Bad Gateway</title></head><body>x</body></html>";
  ApiError e = error_of([&] { json::parse_read("read", html, out); });
  EXPECT_EQ(e.kind(), ApiError::Kind::kProtocol);
  EXPECT_THAT(e.what(), HasSubstr("Bad Gateway"));
  std::string truncated = "{\"bytes_read\":3,\"data\":\"Zm9";
  EXPECT_THAT(error_of([&] { json::parse_read("read", truncated, out); }).what(),
              HasSubstr("invalid JSON"));
  std::string empty;
  EXPECT_EQ(error_of([&] { json::parse_read("read", empty, out); }).kind(),
            ApiError::Kind::kProtocol);
}

TEST(JsonResponse, ReadOfAFullMiB) {
  std::string bytes(1 << 20, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 + 7);
  std::string body = "{\"bytes_read\":1048576,\"data\":\"" + base64::encode(bytes) + "\"}";
  std::string out;
  EXPECT_EQ(json::parse_read("read", body, out), 1 << 20);
  EXPECT_EQ(out, bytes);
}

TEST(JsonResponse, Handle) {
  EXPECT_EQ(json::parse_handle("create", R"({"handle":7925567539485178})"), 7925567539485178);
  EXPECT_EQ(error_of([] { json::parse_handle("create", "{}"); }).kind(), ApiError::Kind::kProtocol);
}

TEST(JsonError, StringCode) {
  ApiError e = json::parse_error(
      "get-status", 404, R"({"error_code":"RESOURCE_DOES_NOT_EXIST","message":"No file: /x"})");
  EXPECT_EQ(e.kind(), ApiError::Kind::kHttp);
  EXPECT_EQ(e.http_status(), 404);
  EXPECT_EQ(e.error_code(), "RESOURCE_DOES_NOT_EXIST");
  EXPECT_EQ(e.message(), "No file: /x");
  EXPECT_EQ(e.to_errno(), ENOENT);
  EXPECT_FALSE(e.ambiguous());
}

TEST(JsonError, NumericCodesOfAuthErrors) {
  ApiError e = json::parse_error("list", 403, R"({"error_code":403,"message":"Invalid access token."})");
  EXPECT_EQ(e.error_code(), "403");
  EXPECT_EQ(e.message(), "Invalid access token.");
  EXPECT_EQ(e.to_errno(), EACCES);
  EXPECT_EQ(json::parse_error("list", 401, R"({"error_code":401})").to_errno(), EACCES);
}

TEST(JsonError, HtmlBodyGivesStatusAndPageTitle) {
  ApiError e = json::parse_error(
      "list", 502, "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
                   "<body><h1>Bad Gateway</h1></body></html>");
  EXPECT_EQ(e.http_status(), 502);
  EXPECT_EQ(e.error_code(), "");
  EXPECT_THAT(e.what(), HasSubstr("HTTP 502"));
  EXPECT_THAT(e.what(), HasSubstr("502 Bad Gateway"));
  EXPECT_THAT(e.what(), Not(HasSubstr("<")));
  EXPECT_TRUE(e.is_retryable());
  EXPECT_TRUE(e.ambiguous()) << "a gateway error says nothing of what the backend did";
}

TEST(JsonError, PlainTextAndEmpty429AreRetryable) {
  ApiError e = json::parse_error("read", 429, "Too Many Requests\r\n");
  EXPECT_EQ(e.to_errno(), EAGAIN);
  EXPECT_TRUE(e.is_retryable());
  EXPECT_THAT(e.what(), HasSubstr("Too Many Requests"));
  EXPECT_THAT(json::parse_error("read", 429, "").what(), HasSubstr("empty answer"));
}

TEST(JsonError, GarbageAndHugeBodiesGiveShortPrintableMessages) {
  std::string garbage("\x00\x01{{\xff\xfe]]\x7f", 9);
  ApiError e = json::parse_error("read", 500, garbage);
  EXPECT_EQ(e.to_errno(), EIO);
  for (char c : std::string(e.what())) EXPECT_FALSE(c >= 0 && c < 32) << e.what();
  ApiError big = json::parse_error("read", 503, std::string(10 << 20, 'x'));
  EXPECT_LT(std::string(big.what()).size(), 300u);
}

TEST(JsonError, PartialDeleteIsNotRetryableByThePolicy) {
  ApiError e = json::parse_error("delete", 503,
                                 R"({"error_code":"PARTIAL_DELETE","message":"deleted 10 files"})");
  EXPECT_FALSE(e.is_retryable());
}

TEST(Excerpt, CollapsesWhitespaceAndCutsAtCharacterBoundary) {
  EXPECT_EQ(json::excerpt("  a \n\n b\t c  "), "a b c");
  EXPECT_EQ(json::excerpt("abc", 3), "abc");
  EXPECT_EQ(json::excerpt("abcd", 3), "abc...");
  EXPECT_EQ(json::excerpt("aé€x", 3), "a...");
}

TEST(Excerpt, MasksEchoedCredentials) {
  EXPECT_EQ(json::excerpt("Authorization: Bearer dapi0123456789abcdef seen"),
            "Authorization: Bearer <redacted> seen");
}

TEST(OAuthCodec, TokenEndpointAndToken) {
  EXPECT_EQ(json::parse_token_endpoint("oauth-token", R"({"token_endpoint":"https://h/oidc/v1/token"})"),
            "https://h/oidc/v1/token");
  json::OAuthToken token = json::parse_oauth_token(
      "oauth-token", R"({"access_token":"abc","token_type":"Bearer","expires_in":3600})");
  EXPECT_EQ(token.access_token, "abc");
  EXPECT_EQ(token.token_type, "Bearer");
  EXPECT_EQ(token.expires_in, 3600);
  EXPECT_EQ(error_of([] { json::parse_oauth_token("oauth-token", R"({"token_type":"Bearer"})"); })
                .kind(),
            ApiError::Kind::kProtocol);
}

}  // namespace
}  // namespace dbfs
