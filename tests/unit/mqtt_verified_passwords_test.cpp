// The broker's memory of verified device passwords
// (transport/mqtt/verified_passwords.h): the same password for the same
// credential until the time is up, nothing else.
#include <gtest/gtest.h>

#include "transport/mqtt/verified_passwords.h"

namespace citypulse::mqtt {
namespace {

TEST(VerifiedPasswords, RemembersOnePasswordPerCredentialForAWhile) {
  VerifiedPasswords verified(1000);
  EXPECT_FALSE(verified.contains(1, "correct horse", 0));
  verified.remember(1, "correct horse", 10);
  EXPECT_TRUE(verified.contains(1, "correct horse", 10));
  EXPECT_TRUE(verified.contains(1, "correct horse", 1009));
  EXPECT_FALSE(verified.contains(1, "correct horse", 1010));
  EXPECT_FALSE(verified.contains(1, "correct horsE", 20));
  EXPECT_FALSE(verified.contains(1, "", 20));
  EXPECT_FALSE(verified.contains(2, "correct horse", 20));
  verified.remember(1, "battery staple", 30);
  EXPECT_TRUE(verified.contains(1, "battery staple", 40));
  EXPECT_FALSE(verified.contains(1, "correct horse", 40));
}

TEST(VerifiedPasswords, ManyCredentialsStayCorrectAcrossSweeps) {
  VerifiedPasswords verified(100);
  for (Id id = 1; id <= 5000; ++id) verified.remember(id, "pw" + std::to_string(id), id);
  // The early ones expired and may have been swept; the recent ones are there.
  EXPECT_FALSE(verified.contains(1, "pw1", 5000));
  for (Id id = 4950; id <= 5000; ++id)
    EXPECT_TRUE(verified.contains(id, "pw" + std::to_string(id), 5000)) << id;
}

}  // namespace
}  // namespace citypulse::mqtt
