#include "dbfs/base64.h"

#include <gtest/gtest.h>

#include <random>

namespace dbfs {
namespace {

TEST(Base64, KnownVectors) {
  EXPECT_EQ(base64::encode(""), "");
  EXPECT_EQ(base64::encode("f"), "Zg==");
  EXPECT_EQ(base64::encode("fo"), "Zm8=");
  EXPECT_EQ(base64::encode("foo"), "Zm9v");
  EXPECT_EQ(base64::encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64::encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  std::string out;
  ASSERT_TRUE(base64::decode("Zm9vYg==", out));
  EXPECT_EQ(out, "foob");
  ASSERT_TRUE(base64::decode("Zm9vYg", out));
  EXPECT_EQ(out, "foob");
  ASSERT_TRUE(base64::decode("Zm9vYmE=", out));
  EXPECT_EQ(out, "fooba");
  ASSERT_TRUE(base64::decode("", out));
  EXPECT_EQ(out, "");
}

TEST(Base64, RejectsGarbage) {
  std::string out;
  EXPECT_FALSE(base64::decode("Zm9v!mFy", out));
  EXPECT_FALSE(base64::decode("Z", out));
  EXPECT_FALSE(base64::decode("Zm9vY", out));
  EXPECT_FALSE(base64::decode("Zm=v", out));
  EXPECT_FALSE(base64::decode("Zg===", out));
  EXPECT_FALSE(base64::decode("<html>", out));
  EXPECT_FALSE(base64::decode("Zm9vYmFy\n", out));
}

TEST(Base64, RoundTripsRandomBytesOfEveryLengthMod3) {
  std::mt19937 rng(42);
  for (size_t len : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 100u, 1000u, 1u << 20, (1u << 20) + 1}) {
    std::string bytes(len, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    std::string decoded;
    ASSERT_TRUE(base64::decode(base64::encode(bytes), decoded)) << len;
    EXPECT_EQ(decoded, bytes) << len;
  }
}

}  // namespace
}  // namespace dbfs
