// Unit tests of src/core: time, base64url, configuration, metrics.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/base64.h"
#include "core/config.h"
#include "core/metrics.h"
#include "core/text.h"
#include "core/time.h"

namespace citypulse {
namespace {

TEST(Time, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Time, ParsesOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.123Z").value(), 1'700'000'000'123);
  EXPECT_EQ(parse_rfc3339("2023-11-14T23:13:20.123+01:00").value(), 1'700'000'000'123);
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.123456789Z").value(), 1'700'000'000'123);
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20Z").value(), 1'700'000'000'000);
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z").value(), 1'709'164'800'000);
}

TEST(Time, RejectsMalformedDates) {
  for (const char* bad : {"", "2023-11-14", "2023-11-14T22:13:20", "2023-02-29T00:00:00Z",
                          "2023-13-01T00:00:00Z", "2023-11-14T24:00:00Z", "2023-11-14T22:13:20.Z",
                          "2023-11-14T22:13:20Zjunk", "2023-11-14T22:13:20+0100"}) {
    auto r = parse_rfc3339(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  }
}

TEST(Time, RoundTrips) {
  for (TimeMs t :
       {TimeMs{0}, TimeMs{951'782'400'000}, TimeMs{4'102'444'799'999}, TimeMs{1'234'567'890'987}})
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)).value(), t);
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)).value(), bytes);
    bytes += static_cast<char>(i * 37);
  }
  EXPECT_EQ(base64url_encode("hello?>"), "aGVsbG8_Pg");
}

TEST(Base64Url, RejectsForeignText) {
  EXPECT_FALSE(base64url_decode("aGVsbG8=").has_value());  // padding
  EXPECT_FALSE(base64url_decode("a+b/").has_value());      // standard alphabet
  EXPECT_FALSE(base64url_decode("abcde").has_value());     // impossible length
  EXPECT_FALSE(base64url_decode("aGVsbG9").has_value());   // non-zero trailing bits
}

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class ConfigFile : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("citypulse-config-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(ConfigFile, DefaultsWork) {
  auto c = load_config(nullptr, fake_env({}));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->http.port, 8080);
  EXPECT_EQ(c->http.bind, "127.0.0.1");
  EXPECT_EQ(c->storage.data_dir, "./data");
}

TEST_F(ConfigFile, FileThenEnvironment) {
  const auto path = write("[http]\nport = 9000\nthreads = 3\n[log]\nlevel = \"debug\"\n");
  auto c = load_config(&path, fake_env({{"CITYPULSE_HTTP_PORT", "9100"}}));
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->http.port, 9100);
  EXPECT_EQ(c->http.threads, 3);
  EXPECT_EQ(c->log.level, "debug");
  EXPECT_EQ(c->realtime.replay_age_s, 300);
  auto r = load_config(nullptr, fake_env({{"CITYPULSE_REALTIME_REPLAY_AGE_S", "60"},
                                          {"CITYPULSE_REALTIME_MAX_PENDING_EVENTS", "50"}}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->realtime.replay_age_s, 60);
  EXPECT_EQ(r->realtime.max_pending_events, 50);
}

TEST_F(ConfigFile, ErrorsNameTheKey) {
  struct Case {
    std::string toml, key;
  };
  for (const auto& [toml, key] :
       std::vector<Case>{{"[http]\nport = 70000\n", "http.port"},
                         {"[http]\nport = \"x\"\n", "http.port"},
                         {"[http]\nprot = 1\n", "http.prot"},
                         {"[log]\nlevel = \"loud\"\n", "log.level"},
                         {"[nosuch]\nkey = 1\n", "nosuch.key"},
                         {"[http]\naccess_log = 3\n", "http.access_log"},
                         {"[realtime]\nmax_unsent_kb = 1\n", "realtime.max_unsent_kb"},
                         {"[realtime]\nreplay_age_s = -1\n", "realtime.replay_age_s"}}) {
    const auto path = write(toml);
    auto c = load_config(&path, fake_env({}));
    ASSERT_FALSE(c.has_value()) << toml;
    EXPECT_EQ(c.error().field, key) << toml;
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

TEST_F(ConfigFile, SyntaxErrorNamesTheLine) {
  const auto path = write("[http]\nport = = 3\n");
  auto c = load_config(&path, fake_env({}));
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message.find("line 2"), std::string::npos) << c.error().message;
}

TEST_F(ConfigFile, BadEnvironmentValueNamesTheVariable) {
  auto c = load_config(nullptr, fake_env({{"CITYPULSE_HTTP_THREADS", "many"}}));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().field, "http.threads");
  EXPECT_NE(c.error().message.find("CITYPULSE_HTTP_THREADS"), std::string::npos);
}

TEST_F(ConfigFile, SecretsAreNeverPrinted) {
  auto c = load_config(
      nullptr, fake_env({{"CITYPULSE_AUTH_JWT_SECRET", "s3cr3t-0123456789-abcdefghijklmnop"},
                         {"CITYPULSE_RATE_LIMIT_READ_PER_MINUTE", "0"}}));
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->auth.jwt_secret, "s3cr3t-0123456789-abcdefghijklmnop");
  EXPECT_EQ(c->rate_limit.read_per_minute, 0);
  const auto text = render_config(*c);
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos) << text;
  EXPECT_NE(text.find("jwt_secret = \"(set, not shown)\""), std::string::npos) << text;
}

TEST_F(ConfigFile, RenderedConfigReadsBackTheSame) {
  Config c;
  c.http.port = 1234;
  c.http.web_root = "/srv/web \"quoted\"";
  c.http.access_log = false;
  const auto path = write(render_config(c));
  auto back = load_config(&path, fake_env({}));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(render_config(*back), render_config(c));
  EXPECT_EQ(back->http.web_root, c.http.web_root);
}

TEST(Metrics, RendersCountersAndHistograms) {
  CounterFamily counters("t_requests_total", "Requests.");
  counters.with({{"route", "/a"}, {"status", "200"}}).add(3);
  counters.with({{"route", "q\"uote"}}).add();
  HistogramFamily hist("t_seconds", "Time.", {0.1, 1});
  hist.with({{"route", "/a"}}).observe(0.05);
  hist.with({{"route", "/a"}}).observe(0.5);
  hist.with({{"route", "/a"}}).observe(5);
  std::string out;
  counters.render(out);
  hist.render(out);
  EXPECT_NE(out.find("# TYPE t_requests_total counter"), std::string::npos);
  EXPECT_NE(out.find("t_requests_total{route=\"/a\",status=\"200\"} 3"), std::string::npos) << out;
  EXPECT_NE(out.find("t_requests_total{route=\"q\\\"uote\"} 1"), std::string::npos) << out;
  EXPECT_NE(out.find("t_seconds_bucket{route=\"/a\",le=\"0.1\"} 1"), std::string::npos) << out;
  EXPECT_NE(out.find("t_seconds_bucket{route=\"/a\",le=\"1\"} 2"), std::string::npos) << out;
  EXPECT_NE(out.find("t_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3"), std::string::npos) << out;
  EXPECT_NE(out.find("t_seconds_count{route=\"/a\"} 3"), std::string::npos) << out;
  EXPECT_NE(out.find("t_seconds_sum{route=\"/a\"} 5.55"), std::string::npos) << out;
}

}  // namespace
}  // namespace citypulse

namespace citypulse {
namespace {

TEST(Text, TrimsSplitsAndComparesInAscii) {
  EXPECT_EQ(trim(" \t a b \t"), "a b");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(split_list(" a , ,b,, c "), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_TRUE(split_list(" , ").empty());
  EXPECT_EQ(lower_ascii("Anna.Müller@Example.ORG"), "anna.müller@example.org");
  EXPECT_TRUE(iequals_ascii("Content-Type", "content-TYPE"));
  EXPECT_FALSE(iequals_ascii("Bearer", "Bearers"));
  EXPECT_FALSE(iequals_ascii("É", "é"));  // not ASCII: compared as bytes
}

}  // namespace
}  // namespace citypulse
