// Unit tests of src/auth/jwt.h: signing and verifying access tokens, and the
// key ring kept on disk. Forged tokens are built here by hand (own HMAC, own
// JSON text) so the verifier is tested against tokens it did not make.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/jwt.h"
#include "auth/secret.h"
#include "core/base64.h"

namespace citypulse::auth {
namespace {

namespace fs = std::filesystem;

constexpr TimeMs kNow = 1'700'000'000'500;  // half a second past a whole second
constexpr std::int64_t kNowS = 1'700'000'000;
const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string kid_of(std::string_view secret) {
  return sha256_hex(secret).substr(0, 8);
}

// A token with exactly this header and payload text, signed with `secret`.
std::string forge(std::string_view header, std::string_view payload, std::string_view secret) {
  const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  return input + "." + base64url_encode(hmac(secret, input));
}

std::string header_with(std::string_view alg, std::string_view kid) {
  return "{\"alg\":\"" + std::string(alg) + "\",\"typ\":\"JWT\",\"kid\":\"" + std::string(kid) +
         "\"}";
}

std::string good_header() {
  return header_with("HS256", kid_of(kSecret));
}

std::string payload_with(std::int64_t exp, std::string_view extra = "") {
  return "{\"sub\":\"42\",\"tenant\":7,\"roles\":[\"operator\"],\"iat\":" +
         std::to_string(kNowS - 60) + ",\"exp\":" + std::to_string(exp) + std::string(extra) + "}";
}

SigningKeys test_keys() {
  return SigningKeys::from_secret(kSecret).value();
}

// The verifier's message for `token`, or "" when it is accepted.
std::string rejection(std::string_view token, std::int64_t leeway_s = 30,
                      const SigningKeys& keys = test_keys()) {
  Result<AccessClaims> claims = verify_access_token(keys, token, kNow, leeway_s);
  if (claims) return {};
  EXPECT_EQ(claims.error().code, ErrorCode::unauthenticated);
  return claims.error().message;
}

AccessClaims sample_claims() {
  AccessClaims claims;
  claims.subject = "42";
  claims.tenant = 7;
  claims.roles = {"operator", "technician"};
  claims.issued_at = kNowS;
  claims.expires_at = kNowS + 900;
  claims.not_before = kNowS - 5;
  claims.token_id = "jti-123";
  return claims;
}

void expect_same(const AccessClaims& a, const AccessClaims& b) {
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.tenant, b.tenant);
  EXPECT_EQ(a.roles, b.roles);
  EXPECT_EQ(a.issued_at, b.issued_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.not_before, b.not_before);
  EXPECT_EQ(a.token_id, b.token_id);
}

// ---- signing and verifying ----------------------------------------------------

TEST(AccessToken, RoundTripsEveryClaim) {
  const SigningKeys keys = test_keys();
  const AccessClaims claims = sample_claims();
  Result<AccessClaims> back = verify_access_token(keys, sign_access_token(keys, claims), kNow);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  expect_same(*back, claims);
}

TEST(AccessToken, RoundTripsWithoutOptionalClaims) {
  const SigningKeys keys = test_keys();
  AccessClaims claims = sample_claims();
  claims.tenant.reset();  // a superadmin
  claims.roles.clear();
  claims.not_before.reset();
  claims.token_id.clear();
  const std::string token = sign_access_token(keys, claims);
  Result<AccessClaims> back = verify_access_token(keys, token, kNow);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  expect_same(*back, claims);
  const std::string payload =
      *base64url_decode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1));
  EXPECT_EQ(payload.find("tenant"), std::string::npos) << payload;
  EXPECT_EQ(payload.find("nbf"), std::string::npos) << payload;
}

TEST(AccessToken, HeaderNamesHs256AndTheSigningKey) {
  const SigningKeys keys = test_keys();
  const std::string token = sign_access_token(keys, sample_claims());
  EXPECT_EQ(*base64url_decode(token.substr(0, token.find('.'))),
            "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + kid_of(kSecret) + "\"}");
  EXPECT_EQ(keys.current_kid(), kid_of(kSecret));
}

TEST(AccessToken, AcceptsAHandBuiltToken) {
  // Proves the forging helpers agree with the signer, so the rejections below
  // are about what each test changes and nothing else.
  Result<AccessClaims> claims = verify_access_token(
      test_keys(), forge(good_header(), payload_with(kNowS + 60), kSecret), kNow);
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  EXPECT_EQ(claims->subject, "42");
  EXPECT_EQ(claims->tenant, 7);
  EXPECT_EQ(claims->roles, std::vector<std::string>{"operator"});
}

TEST(AccessToken, RejectsAlgorithmNone) {
  const std::string payload = base64url_encode(payload_with(kNowS + 60));
  for (const char* alg : {"none", "None", "NONE"}) {
    const std::string token =
        base64url_encode(header_with(alg, kid_of(kSecret))) + "." + payload + ".";
    EXPECT_EQ(rejection(token),
              "the access token uses algorithm '" + std::string(alg) + "'; only HS256 is accepted");
  }
}

TEST(AccessToken, RejectsOtherAlgorithmsEvenWithAValidMac) {
  for (const char* alg : {"RS256", "ES256", "HS512", "hs256"})
    EXPECT_EQ(
        rejection(forge(header_with(alg, kid_of(kSecret)), payload_with(kNowS + 60), kSecret)),
        "the access token uses algorithm '" + std::string(alg) + "'; only HS256 is accepted");
  EXPECT_EQ(rejection(forge("{\"typ\":\"JWT\",\"kid\":\"" + kid_of(kSecret) + "\"}",
                            payload_with(kNowS + 60), kSecret)),
            "the access token names no algorithm ('alg'); only HS256 is accepted");
  EXPECT_EQ(rejection(forge("{\"alg\":256,\"kid\":\"" + kid_of(kSecret) + "\"}",
                            payload_with(kNowS + 60), kSecret)),
            "the access token's 'alg' header is not a string");
}

TEST(AccessToken, RejectsAnotherKeysSignature) {
  const std::string other = "another secret that is long enough, 32+";
  EXPECT_EQ(rejection(forge(good_header(), payload_with(kNowS + 60), other)),
            "the access token's signature does not match");
}

TEST(AccessToken, RejectsUnknownOrMissingKid) {
  EXPECT_EQ(rejection(forge(header_with("HS256", "xyz"), payload_with(kNowS + 60), kSecret)),
            "the access token was signed with key 'xyz', which this server does not have");
  EXPECT_EQ(
      rejection(forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload_with(kNowS + 60), kSecret)),
      "the access token names no signing key ('kid')");
  EXPECT_EQ(rejection(forge("{\"alg\":\"HS256\",\"kid\":7}", payload_with(kNowS + 60), kSecret)),
            "the access token's 'kid' header is not a string");
  // What the token says is echoed only as short printable text.
  const std::string message =
      rejection(forge(header_with("HS256", "evil\\nline" + std::string(100, 'k')),
                      payload_with(kNowS + 60), kSecret));
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_LT(message.size(), 150u) << message;
}

TEST(AccessToken, RejectsCriticalHeaderExtensions) {
  EXPECT_EQ(
      rejection(forge("{\"alg\":\"HS256\",\"kid\":\"" + kid_of(kSecret) + "\",\"crit\":[\"exp\"]}",
                      payload_with(kNowS + 60), kSecret)),
      "the access token has critical header parameters ('crit'), which this server does not "
      "support");
}

TEST(AccessToken, RejectsExpiredTokensWithLeeway) {
  const std::string expired = "the access token has expired";
  EXPECT_EQ(rejection(forge(good_header(), payload_with(kNowS - 31), kSecret)), expired);
  EXPECT_EQ(rejection(forge(good_header(), payload_with(kNowS - 29), kSecret)), "");
  EXPECT_EQ(rejection(forge(good_header(), payload_with(kNowS - 29), kSecret), 0), expired);
  EXPECT_EQ(rejection(forge(good_header(), payload_with(kNowS), kSecret), 0), expired);
  EXPECT_EQ(rejection(forge(good_header(), payload_with(kNowS + 1), kSecret), 0), "");
  // A far-future or far-past exp does not overflow into acceptance.
  EXPECT_EQ(rejection(forge(good_header(), payload_with(INT64_MIN), kSecret)), expired);
  EXPECT_EQ(rejection(forge(good_header(), payload_with(INT64_MAX), kSecret)), "");
}

TEST(AccessToken, RejectsTokensNotValidYetWithLeeway) {
  auto with_nbf = [](std::int64_t nbf) {
    return forge(good_header(), payload_with(kNowS + 900, ",\"nbf\":" + std::to_string(nbf)),
                 kSecret);
  };
  const std::string early = "the access token is not valid yet";
  EXPECT_EQ(rejection(with_nbf(kNowS + 60)), early);
  EXPECT_EQ(rejection(with_nbf(kNowS + 20)), "");
  EXPECT_EQ(rejection(with_nbf(kNowS + 20), 0), early);
  EXPECT_EQ(rejection(with_nbf(kNowS), 0), "");
  EXPECT_EQ(rejection(with_nbf(INT64_MAX)), early);
}

TEST(AccessToken, RejectsATamperedPayload) {
  const SigningKeys keys = test_keys();
  const std::string token = sign_access_token(keys, sample_claims());
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.rfind('.');
  std::string payload = *base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  const std::size_t role = payload.find("operator");
  ASSERT_NE(role, std::string::npos);
  payload.replace(role, 8, "admin");
  const std::string tampered =
      token.substr(0, dot1 + 1) + base64url_encode(payload) + token.substr(dot2);
  EXPECT_EQ(rejection(tampered, 30, keys), "the access token's signature does not match");
  // One character of the signature changed.
  std::string resigned = token;
  resigned[dot2 + 1] = resigned[dot2 + 1] == 'A' ? 'B' : 'A';
  EXPECT_EQ(rejection(resigned, 30, keys), "the access token's signature does not match");
  // The signature cut short.
  EXPECT_EQ(rejection(token.substr(0, token.size() - 4), 30, keys),
            "the access token's signature does not match");
}

TEST(AccessToken, RejectsWrongNumbersOfParts) {
  const std::string token = forge(good_header(), payload_with(kNowS + 60), kSecret);
  const std::string two = token.substr(0, token.rfind('.'));
  EXPECT_EQ(rejection(two), "the access token has 2 dot-separated parts; a JWT has 3");
  EXPECT_EQ(rejection(token + ".e30"), "the access token has 4 dot-separated parts; a JWT has 3");
  EXPECT_EQ(rejection("nodots"), "the access token has 1 dot-separated parts; a JWT has 3");
  EXPECT_EQ(rejection(""), "the access token is empty");
  EXPECT_EQ(rejection(std::string(9000, 'a')), "the access token is longer than 8192 bytes");
}

TEST(AccessToken, RejectsGarbageBase64) {
  const std::string token = forge(good_header(), payload_with(kNowS + 60), kSecret);
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.rfind('.');
  EXPECT_EQ(rejection("!!!" + token.substr(dot1)), "the access token's header is not base64url");
  EXPECT_EQ(rejection(token.substr(0, dot2 + 1) + "a+b/"),
            "the access token's signature is not base64url");
  EXPECT_EQ(rejection(token.substr(0, dot2 + 1) + token.substr(dot2 + 1) + "="),
            "the access token's signature is not base64url");
  // A payload that is not base64url, correctly signed: found after the signature check.
  const std::string input = base64url_encode(good_header()) + ".e30=";
  EXPECT_EQ(rejection(input + "." + base64url_encode(hmac(kSecret, input))),
            "the access token's payload is not base64url");
}

TEST(AccessToken, RejectsJsonThatIsNotAnObject) {
  EXPECT_EQ(rejection(forge("[\"HS256\"]", payload_with(kNowS + 60), kSecret)),
            "the access token's header is not a JSON object");
  EXPECT_EQ(rejection(forge("{\"alg\":", payload_with(kNowS + 60), kSecret)),
            "the access token's header is not a JSON object");
  EXPECT_EQ(rejection(forge(good_header(), "\"a string\"", kSecret)),
            "the access token's payload is not a JSON object");
  EXPECT_EQ(rejection(forge(good_header(), "{\"sub\":\"42\"", kSecret)),
            "the access token's payload is not a JSON object");
}

TEST(AccessToken, RejectsClaimsOfTheWrongType) {
  const std::string iat = std::to_string(kNowS);
  const std::string exp = std::to_string(kNowS + 60);
  struct Case {
    std::string payload;
    std::string message;
  };
  const Case cases[] = {
      {"{\"roles\":[],\"iat\":" + iat + ",\"exp\":" + exp + "}",
       "the access token has no 'sub' claim"},
      {"{\"sub\":42,\"roles\":[],\"iat\":" + iat + ",\"exp\":" + exp + "}",
       "the access token's 'sub' claim is not a string"},
      {"{\"sub\":\"42\",\"tenant\":\"7\",\"roles\":[],\"iat\":" + iat + ",\"exp\":" + exp + "}",
       "the access token's 'tenant' claim is not an integer"},
      {"{\"sub\":\"42\",\"iat\":" + iat + ",\"exp\":" + exp + "}",
       "the access token has no 'roles' claim"},
      {"{\"sub\":\"42\",\"roles\":\"admin\",\"iat\":" + iat + ",\"exp\":" + exp + "}",
       "the access token's 'roles' claim is not an array of strings"},
      {"{\"sub\":\"42\",\"roles\":[\"admin\",1],\"iat\":" + iat + ",\"exp\":" + exp + "}",
       "the access token's 'roles' claim is not an array of strings"},
      {"{\"sub\":\"42\",\"roles\":[],\"exp\":" + exp + "}", "the access token has no 'iat' claim"},
      {"{\"sub\":\"42\",\"roles\":[],\"iat\":" + iat + "}", "the access token has no 'exp' claim"},
      {"{\"sub\":\"42\",\"roles\":[],\"iat\":" + iat + ",\"exp\":\"" + exp + "\"}",
       "the access token's 'exp' claim is not an integer"},
      {"{\"sub\":\"42\",\"roles\":[],\"iat\":" + iat + ",\"exp\":" + exp + ".5}",
       "the access token's 'exp' claim is not an integer"},
      {"{\"sub\":\"42\",\"roles\":[],\"iat\":" + iat + ",\"exp\":" + exp + ",\"nbf\":null}",
       "the access token's 'nbf' claim is not an integer"},
      {"{\"sub\":\"42\",\"roles\":[],\"iat\":" + iat + ",\"exp\":" + exp + ",\"jti\":5}",
       "the access token's 'jti' claim is not a string"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(rejection(forge(good_header(), c.payload, kSecret)), c.message) << c.payload;
    // Signed with another key, the same claims are not even looked at.
    EXPECT_EQ(rejection(forge(good_header(), c.payload, "another key, 32 bytes or more......")),
              "the access token's signature does not match")
        << c.payload;
  }
}

// ---- the key ring ---------------------------------------------------------------

class KeyRingFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("citypulse-keys-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    file_ = dir_ / "secrets" / "jwt.keys";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string read() const {
    std::ifstream in(file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void write(const std::string& text) const {
    fs::create_directories(file_.parent_path());
    std::ofstream(file_) << text;
  }
  unsigned mode() const {
    struct stat st {};
    EXPECT_EQ(::stat(file_.c_str(), &st), 0);
    return st.st_mode & 0777;
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(read());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  std::size_t files_in_directory() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(file_.parent_path()), fs::directory_iterator()));
  }

  fs::path dir_;
  fs::path file_;
};

TEST_F(KeyRingFile, CreatesAPrivateFileWithOneKey) {
  Result<SigningKeys> keys = SigningKeys::load_or_create(file_);
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  ASSERT_TRUE(fs::exists(file_));
  EXPECT_EQ(mode(), 0600u);
  EXPECT_EQ(files_in_directory(), 1u) << "a temporary file was left behind";
  const std::vector<std::string> file_lines = lines();
  ASSERT_EQ(file_lines.size(), 1u);
  const std::string& line = file_lines[0];
  const std::size_t space = line.find(' ');
  ASSERT_NE(space, std::string::npos) << line;
  EXPECT_EQ(line.substr(0, space), keys->current_kid());
  const std::optional<std::string> secret = base64url_decode(line.substr(space + 1));
  ASSERT_TRUE(secret.has_value()) << line;
  EXPECT_EQ(secret->size(), 32u);
  EXPECT_EQ(keys->current_kid(), kid_of(*secret));
  EXPECT_EQ(keys->secret(keys->current_kid()), std::string_view(*secret));
  EXPECT_FALSE(keys->secret("nope").has_value());
}

TEST_F(KeyRingFile, ReloadsTheSameKey) {
  Result<SigningKeys> first = SigningKeys::load_or_create(file_);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  const std::string before = read();
  Result<SigningKeys> second = SigningKeys::load_or_create(file_);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->current_kid(), first->current_kid());
  EXPECT_EQ(read(), before);
  const std::string token = sign_access_token(*first, sample_claims());
  EXPECT_TRUE(verify_access_token(*second, token, kNow).has_value());
}

TEST_F(KeyRingFile, RotationSignsWithTheNewKeyAndStillAcceptsTheOld) {
  Result<SigningKeys> old_keys = SigningKeys::load_or_create(file_);
  ASSERT_TRUE(old_keys.has_value()) << old_keys.error().message;
  const std::string old_token = sign_access_token(*old_keys, sample_claims());

  Result<SigningKeys> rotated = SigningKeys::rotate(file_);
  ASSERT_TRUE(rotated.has_value()) << rotated.error().message;
  EXPECT_NE(rotated->current_kid(), old_keys->current_kid());
  EXPECT_EQ(mode(), 0600u);
  EXPECT_EQ(files_in_directory(), 1u) << "a temporary file was left behind";
  const std::vector<std::string> file_lines = lines();
  ASSERT_EQ(file_lines.size(), 2u);
  EXPECT_TRUE(file_lines[0].starts_with(old_keys->current_kid() + " "));  // oldest first
  EXPECT_TRUE(file_lines[1].starts_with(rotated->current_kid() + " "));

  const std::string new_token = sign_access_token(*rotated, sample_claims());
  const std::string new_header = *base64url_decode(new_token.substr(0, new_token.find('.')));
  EXPECT_NE(new_header.find("\"kid\":\"" + rotated->current_kid() + "\""), std::string::npos);
  EXPECT_TRUE(verify_access_token(*rotated, new_token, kNow).has_value());
  EXPECT_TRUE(verify_access_token(*rotated, old_token, kNow).has_value());
  // A server that has not reloaded does not know the new key.
  EXPECT_EQ(rejection(new_token, 30, *old_keys), "the access token was signed with key '" +
                                                     rotated->current_kid() +
                                                     "', which this server does not have");

  Result<SigningKeys> reloaded = SigningKeys::load_or_create(file_);
  ASSERT_TRUE(reloaded.has_value()) << reloaded.error().message;
  EXPECT_EQ(reloaded->current_kid(), rotated->current_kid());
  EXPECT_TRUE(verify_access_token(*reloaded, old_token, kNow).has_value());
}

TEST_F(KeyRingFile, RotatingAMissingFileCreatesIt) {
  Result<SigningKeys> rotated = SigningKeys::rotate(file_);
  ASSERT_TRUE(rotated.has_value()) << rotated.error().message;
  EXPECT_EQ(lines().size(), 1u);
  EXPECT_EQ(mode(), 0600u);
}

TEST_F(KeyRingFile, RejectsAMalformedFileNamingTheLine) {
  const std::string good = kid_of(kSecret) + " " + base64url_encode(kSecret);
  const std::string other = "another secret that is long enough, 32+";
  const std::string good2 = kid_of(other) + " " + base64url_encode(other);
  struct Case {
    std::string text;
    std::string expected;  // part of the message
  };
  const Case cases[] = {
      {"just-one-field\n", "line 1 is not '<kid> <secret in base64url>'"},
      {good + "\nkid not+base64\n", "line 2 is not '<kid> <secret in base64url>'"},
      {good + "\n\n" + "bad/kid " + base64url_encode(other) + "\n",
       "line 3 is not '<kid> <secret in base64url>'"},
      {"short " + base64url_encode("only 16 bytes!!!") + "\n",
       "line 1 holds a secret of 16 bytes; at least 32 are required"},
      {good + "\n" + good + "\n", "line 2 repeats the key id '" + kid_of(kSecret) + "'"},
      {"", "holds no keys"},
      {"\n\n", "holds no keys"},
  };
  for (const Case& c : cases) {
    write(c.text);
    Result<SigningKeys> keys = SigningKeys::load_or_create(file_);
    ASSERT_FALSE(keys.has_value()) << c.text;
    EXPECT_EQ(keys.error().code, ErrorCode::invalid) << c.text;
    EXPECT_NE(keys.error().message.find(c.expected), std::string::npos) << keys.error().message;
    EXPECT_NE(keys.error().message.find(file_.string()), std::string::npos) << keys.error().message;
    // Rotation refuses to rewrite a file it cannot read.
    EXPECT_FALSE(SigningKeys::rotate(file_).has_value());
    EXPECT_EQ(read(), c.text);
  }
  // Blank lines and Windows line ends are tolerated.
  write(good + "\r\n\n" + good2 + "\n");
  Result<SigningKeys> keys = SigningKeys::load_or_create(file_);
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  EXPECT_EQ(keys->current_kid(), kid_of(other));
  EXPECT_TRUE(keys->secret(kid_of(kSecret)).has_value());
}

TEST_F(KeyRingFile, ReportsIoFailures) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "a-file") << "x";
  Result<SigningKeys> keys = SigningKeys::load_or_create(dir_ / "a-file" / "jwt.keys");
  ASSERT_FALSE(keys.has_value());
  EXPECT_EQ(keys.error().code, ErrorCode::io);
}

TEST(SigningKeysFromSecret, NeedsAtLeast32Bytes) {
  Result<SigningKeys> short_secret = SigningKeys::from_secret(std::string(31, 's'));
  ASSERT_FALSE(short_secret.has_value());
  EXPECT_EQ(short_secret.error().code, ErrorCode::invalid);
  EXPECT_EQ(short_secret.error().message,
            "the JWT signing secret has 31 bytes; at least 32 are required");
  EXPECT_EQ(short_secret.error().field, "auth.jwt_secret");
  Result<SigningKeys> enough = SigningKeys::from_secret(std::string(32, 's'));
  ASSERT_TRUE(enough.has_value());
  EXPECT_EQ(enough->current_kid(), sha256_hex(std::string(32, 's')).substr(0, 8));
  EXPECT_EQ(enough->secret(enough->current_kid()), std::string(32, 's'));
}

}  // namespace
}  // namespace citypulse::auth
