// Unit tests of src/auth/password.h: the policy a new password must meet and
// Argon2id hashing.
#include <gtest/gtest.h>

#include <string>

#include "auth/password.h"

namespace citypulse::auth {
namespace {

std::string repeat(std::string_view unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

// The policy's verdict on `password`: empty when accepted, else the message.
std::string verdict(std::string_view password, std::string_view email = {}) {
  Status status = check_password_policy(password, email);
  if (status) return {};
  EXPECT_EQ(status.error().code, ErrorCode::invalid);
  EXPECT_EQ(status.error().field, "/password");
  return status.error().message;
}

TEST(PasswordPolicy, CountsLengthInCodePointsNotBytes) {
  const std::string e_acute = "\xc3\xa9";  // é: 2 bytes, 1 code point
  EXPECT_EQ(verdict(repeat(e_acute, 9)), "the password has 9 characters; at least 10 are required");
  EXPECT_EQ(verdict(repeat(e_acute, 10)), "");
  const std::string emoji = "\xf0\x9f\x94\x91";  // U+1F511: 4 bytes, 1 code point
  EXPECT_NE(verdict(repeat(emoji, 9)), "");
  EXPECT_EQ(verdict(repeat(emoji, 10)), "");
  EXPECT_NE(verdict("Xk4!pQ9#z"), "");
  EXPECT_EQ(verdict("Xk4!pQ9#zL"), "");
  EXPECT_NE(verdict(""), "");
}

TEST(PasswordPolicy, RejectsMoreThan1024Bytes) {
  EXPECT_EQ(verdict(repeat("k", 1024)), "");
  EXPECT_EQ(verdict(repeat("k", 1025)), "the password is longer than 1024 bytes");
}

TEST(PasswordPolicy, RejectsInvalidUtf8) {
  const std::string padding = "Xk4!pQ9#zL";
  for (const std::string& bad : {
           std::string("\xff"),              // never in UTF-8
           std::string("\x80"),              // continuation without a lead byte
           std::string("\xc0\xaf"),          // overlong '/'
           std::string("\xe0\x80\xaf"),      // overlong '/' in three bytes
           std::string("\xed\xa0\x80"),      // UTF-16 surrogate U+D800
           std::string("\xf4\x90\x80\x80"),  // above U+10FFFF
           std::string("\xe2\x82"),          // cut short
       }) {
    EXPECT_EQ(verdict(padding + bad), "the password is not valid UTF-8")
        << testing::PrintToString(bad);
    EXPECT_EQ(verdict(bad + padding), "the password is not valid UTF-8")
        << testing::PrintToString(bad);
  }
  // The largest code point and the last ones before and after the surrogates are fine.
  EXPECT_EQ(verdict(padding + "\xf4\x8f\xbf\xbf" + "\xed\x9f\xbf" + "\xee\x80\x80"), "");
}

TEST(PasswordPolicy, RejectsCommonPasswordsInAnyCase) {
  for (const char* common :
       {"1234567890", "qwertyuiop", "password123", "iloveyou12", "qwerty1234", "1q2w3e4r5t",
        "passw0rd12", "abcdefghij", "QwErTyUiOp", "Password123", "PASSW0RD12", "Welcome2024"}) {
    const std::string message = verdict(common);
    EXPECT_EQ(
        message,
        "the password is one of the most common passwords; choose one that is harder to guess")
        << common;
    EXPECT_EQ(message.find(common), std::string::npos) << "the message echoes the password";
  }
  EXPECT_EQ(verdict("password123 but longer"), "");
}

TEST(PasswordPolicy, CommonListLooksUpCaseInsensitively) {
  EXPECT_TRUE(is_common_password("1234567890"));
  EXPECT_TRUE(is_common_password("QWERTYUIOP"));
  EXPECT_FALSE(is_common_password("qwertyuiop!"));
  EXPECT_FALSE(is_common_password("1234567890" + repeat("0", 2000)));
  EXPECT_FALSE(is_common_password(""));
}

TEST(PasswordPolicy, RejectsTheEmailAndItsLocalPart) {
  const std::string email = "Alice.Martin@town.example";
  EXPECT_EQ(verdict("alice.martin@TOWN.example", email),
            "the password is the same as the email address");
  EXPECT_EQ(verdict("ALICE.MARTIN", email),
            "the password is the same as the part of the email address before '@'");
  EXPECT_EQ(verdict("alice.martin-2024!", email), "");  // containing it is allowed
  EXPECT_EQ(verdict("alice.martin"), "");               // no email given: nothing to compare
  EXPECT_EQ(verdict("@town.example.org", "@town.example.org"),
            "the password is the same as the email address");
}

TEST(PasswordHash, RoundTrips) {
  const std::string password = "correct horse battery staple \xc3\xa9";
  Result<std::string> hash = hash_password(password);
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_EQ(hash->find(password), std::string::npos);
  EXPECT_TRUE(verify_password(*hash, password));
  EXPECT_FALSE(verify_password(*hash, "correct horse battery staple e"));
  EXPECT_FALSE(verify_password(*hash, "correct horse battery staple \xc3\xa9 "));
  EXPECT_FALSE(verify_password(*hash, ""));
}

TEST(PasswordHash, SaltsEveryHash) {
  const std::string password = "the same password twice";
  Result<std::string> first = hash_password(password);
  Result<std::string> second = hash_password(password);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(verify_password(*first, password));
  EXPECT_TRUE(verify_password(*second, password));
}

TEST(PasswordHash, MalformedHashVerifiesNothing) {
  const std::string password = "a password of some length";
  Result<std::string> hash = hash_password(password);
  ASSERT_TRUE(hash.has_value());
  EXPECT_FALSE(verify_password("", password));
  EXPECT_FALSE(verify_password("not a hash", password));
  EXPECT_FALSE(verify_password(hash->substr(0, hash->size() - 5), password));
  EXPECT_FALSE(verify_password(*hash + std::string(1, '\0') + "x", password));
  EXPECT_FALSE(verify_password(*hash + repeat("A", 200), password));
  std::string flipped = *hash;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password(flipped, password));
}

TEST(PasswordHash, DecoyIsAStableHashOfNothingGuessable) {
  const std::string& decoy = decoy_password_hash();
  EXPECT_EQ(&decoy, &decoy_password_hash());
  EXPECT_TRUE(decoy.starts_with("$argon2id$")) << decoy;
  for (const char* guess : {"", "password", "1234567890", "password123", "qwertyuiop", "admin"})
    EXPECT_FALSE(verify_password(decoy, guess)) << guess;
}

}  // namespace
}  // namespace citypulse::auth
