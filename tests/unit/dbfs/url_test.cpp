#include "dbfs/url.h"

#include <gtest/gtest.h>

namespace dbfs {
namespace {

TEST(Url, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(url::encode_component("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(url::encode_component("/a b"), "%2Fa%20b");
  EXPECT_EQ(url::encode_component("%+&#?=/"), "%25%2B%26%23%3F%3D%2F");
  EXPECT_EQ(url::encode_component("ü€"), "%C3%BC%E2%82%AC");
  EXPECT_EQ(url::encode_component(std::string("\x00\xff", 2)), "%00%FF");
  EXPECT_EQ(url::encode_component(""), "");
}

TEST(Url, DecodeUndoesEncodingAndRefusesMalformedEscapes) {
  for (std::string text : {std::string("/a b"), std::string("%+&#?=/"), std::string("ü€"),
                           std::string("\x00\xff", 2), std::string()}) {
    EXPECT_EQ(url::decode(url::encode_component(text)), text);
  }
  EXPECT_EQ(url::decode("a+b%2fc"), "a+b/c");  // '+' is itself; lower-case hex is accepted
  EXPECT_EQ(url::decode("%4"), std::nullopt);
  EXPECT_EQ(url::decode("%"), std::nullopt);
  EXPECT_EQ(url::decode("%zz"), std::nullopt);
}

TEST(Url, Pairs) {
  EXPECT_EQ(url::encode_pairs({{"path", "/x y&z"}, {"offset", "0"}}), "path=%2Fx%20y%26z&offset=0");
  EXPECT_EQ(url::encode_pairs({{"grant_type", "client_credentials"}, {"scope", "all-apis"}}),
            "grant_type=client_credentials&scope=all-apis");
}

}  // namespace
}  // namespace dbfs
