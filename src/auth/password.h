// Passwords: the policy a new password must meet, and Argon2id hashing
// (libsodium crypto_pwhash_str, interactive limits: about 64 MiB and a few
// tenths of a second per hash, so guessing a stolen hash is slow too).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace citypulse::auth {

// invalid (field "/password") when the password has fewer than 10 characters
// (Unicode code points), more than 1024 bytes, is not valid UTF-8, equals the
// email or its local part, or is one of the most common passwords (compared
// case-insensitively). The message says which rule failed, never echoing the
// password.
Status check_password_policy(std::string_view password, std::string_view email = {});

// Whether `password` is on the built-in list of the most common passwords of
// 10 or more characters (shorter ones fail the length rule anyway), compared
// case-insensitively (ASCII letters). Part of check_password_policy.
bool is_common_password(std::string_view password);

// An Argon2id hash string with its own salt and parameters. Fails only when
// the system is out of memory (internal).
Result<std::string> hash_password(std::string_view password);

// Whether `password` matches `hash` (a string from hash_password). False for
// a malformed hash. The comparison inside libsodium is constant-time.
bool verify_password(std::string_view hash, std::string_view password);

// A valid hash of a random password, made once: sign-in verifies against it
// when the email is unknown, so the answer takes as long as for a known one.
const std::string& decoy_password_hash();

}  // namespace citypulse::auth
