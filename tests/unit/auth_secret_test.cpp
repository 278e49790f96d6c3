// Unit tests of src/auth/secret.h: random tokens, SHA-256, constant-time equality.
#include <gtest/gtest.h>

#include <set>

#include "auth/secret.h"
#include "core/base64.h"

namespace citypulse::auth {
namespace {

TEST(RandomToken, IsBase64UrlOfTheRequestedBytes) {
  const std::string token = random_token();
  EXPECT_EQ(token.size(), 43u);  // 32 bytes, no padding
  ASSERT_TRUE(base64url_decode(token).has_value());
  EXPECT_EQ(base64url_decode(token)->size(), 32u);
  EXPECT_EQ(random_token(16).size(), 22u);
  EXPECT_EQ(base64url_decode(random_token(16))->size(), 16u);
  EXPECT_EQ(random_token(0), "");
}

TEST(RandomToken, NeverRepeats) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(random_token()).second);
  // Not all zero bytes: a randomness source that failed silently would show here.
  EXPECT_NE(*base64url_decode(random_token()), std::string(32, '\0'));
}

TEST(Sha256Hex, MatchesTheStandardVectors) {
  // FIPS 180-2 appendix B and the empty message.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string_view("a\0b", 3)), sha256_hex(std::string_view("a\0b", 3)));
  EXPECT_NE(sha256_hex(std::string_view("a\0b", 3)), sha256_hex("a"));
}

TEST(ConstantTimeEqual, ComparesEveryByteAndTheLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("same token", "same token"));
  EXPECT_FALSE(constant_time_equal("same token", "same tokeN"));
  EXPECT_FALSE(constant_time_equal("Same token", "same token"));
  EXPECT_FALSE(constant_time_equal("same token", "same token "));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace citypulse::auth
