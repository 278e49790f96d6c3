// SMS gateways: template checks, the substitution of {to} and {text} with
// the encoding each place needs (URL, JSON, form), the length limit, and
// real requests to an HTTP receiver on loopback.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "../support/notify_peers.h"
#include "notify/retry.h"
#include "notify/sms.h"

namespace citypulse::notify {
namespace {

using test::HttpReceiver;

const std::string kText =
    "Kessel 2: \"92 \xC2\xB0"
    "C\" & steigend\nBitte pr\xC3\xBC"
    "fen";

SmsGateway json_gateway(const std::string& base) {
  return SmsGateway{"POST",
                    base + "/v1/sms?to={to}&sender=CityPulse",
                    R"({"recipient":"{to}","message":{"text":"{text}"}})",
                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer t0ken"}},
                    5000};
}

TEST(NotifySms, JsonBodiesAreEscapedAndUrlsPercentEncoded) {
  const Result<SmsRequest> r =
      render_sms(json_gateway("https://sms.example"), "+49 171 555", kText);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url, "https://sms.example/v1/sms?to=%2B49%20171%20555&sender=CityPulse");
  EXPECT_EQ(r->body,
            "{\"recipient\":\"+49 171 555\",\"message\":{\"text\":\"Kessel 2: \\\"92 \xC2\xB0"
            "C\\\" & steigend\\nBitte pr\xC3\xBC"
            "fen\"}}");
  const boost::json::value parsed = boost::json::parse(r->body);
  EXPECT_EQ(parsed.at("message").at("text").as_string(), kText);
  EXPECT_EQ(r->headers, (std::vector<std::string>{"Content-Type: application/json",
                                                  "Authorization: Bearer t0ken"}));
}

TEST(NotifySms, OtherBodiesAreFormEncoded) {
  const SmsGateway gateway{
      "POST", "http://gw.example/send", "to={to}&msg={text}&user=town", {}, 5000};
  const Result<SmsRequest> r = render_sms(gateway, "+49171555", "Boiler 2 & pump = off");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "to=%2B49171555&msg=Boiler+2+%26+pump+%3D+off&user=town");
  EXPECT_EQ(r->headers,
            (std::vector<std::string>{"Content-Type: application/x-www-form-urlencoded"}));
}

TEST(NotifySms, GetPutsEverythingInTheUrl) {
  const SmsGateway gateway{"GET", "http://gw.example/send?to={to}&text={text}", "", {}, 5000};
  const Result<SmsRequest> r = render_sms(gateway, "+49171555",
                                          "Flow 92 \xC2\xB0"
                                          "C/high");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->url, "http://gw.example/send?to=%2B49171555&text=Flow%2092%20%C2%B0C%2Fhigh");
  EXPECT_TRUE(r->body.empty());
}

TEST(NotifySms, TemplatesAreChecked) {
  auto refused = [](SmsGateway gateway, std::string_view field) {
    const Status s = check_sms_gateway(gateway);
    ASSERT_FALSE(s) << field;
    EXPECT_EQ(s.error().code, ErrorCode::invalid);
    EXPECT_EQ(s.error().field, field) << s.error().message;
  };
  SmsGateway g = json_gateway("http://gw.example");
  EXPECT_TRUE(check_sms_gateway(g));
  g.body_template = R"({"to":"{to}","text":"{message}"})";
  refused(g, "body_template");
  g = json_gateway("http://gw.example");
  g.url_template = "http://gw.example/send?to={phone}";
  refused(g, "url_template");
  g = json_gateway("ftp://gw.example");
  refused(g, "url_template");
  g = json_gateway("http://gw.example");
  g.method = "PUT";
  refused(g, "method");
  g.method = "GET";
  refused(g, "body_template");
  g = json_gateway("http://gw.example");
  g.headers.emplace_back("X-Token", "a\r\nX-Injected: 1");
  refused(g, "headers/2");
  g = json_gateway("http://gw.example");
  g.headers.emplace_back("Bad Name", "1");
  refused(g, "headers/2");
  // Braces that are not a placeholder are text.
  g = json_gateway("http://gw.example");
  g.body_template = R"({"a":{},"b":"{ to }","c":"{text}"})";
  EXPECT_TRUE(check_sms_gateway(g));
  const Result<SmsRequest> r = render_sms(g, "+49171555", "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"a":{},"b":"{ to }","c":"x"})");
}

TEST(NotifySms, RecipientsAreChecked) {
  const SmsGateway g = json_gateway("http://gw.example");
  for (const std::string& to : {std::string(), std::string(65, '1'), std::string("+49\r\n1")}) {
    const Result<SmsRequest> r = render_sms(g, to, "x");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "to");
  }
}

TEST(NotifySms, LongTextsAreCutWithAnEllipsis) {
  EXPECT_EQ(sms_text(std::string(480, 'a')), std::string(480, 'a'));
  EXPECT_EQ(sms_text(std::string(481, 'a')), std::string(479, 'a') + "\xE2\x80\xA6");
  std::string umlauts;
  for (int i = 0; i < 500; ++i) umlauts += "\xC3\xBC";
  const std::string cut = sms_text(umlauts);
  EXPECT_EQ(cut, umlauts.substr(0, 2 * 479) + "\xE2\x80\xA6");
}

TEST(NotifySms, SentToTheGateway) {
  HttpReceiver receiver({201});
  const Result<int> sent = send_sms(json_gateway(receiver.url("")), "+49 171 555", kText);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(*sent, 201);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/sms?to=%2B49%20171%20555&sender=CityPulse");
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer t0ken");
  EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
  const boost::json::value body = boost::json::parse(requests[0].body);
  EXPECT_EQ(body.at("recipient").as_string(), "+49 171 555");
  EXPECT_EQ(body.at("message").at("text").as_string(), kText);

  HttpReceiver get_receiver({200});
  const SmsGateway get{"GET", get_receiver.url("/send?to={to}&text={text}"), "", {}, 5000};
  ASSERT_TRUE(send_sms(get, "+49171555", "Boiler off"));
  ASSERT_EQ(get_receiver.requests().size(), 1u);
  EXPECT_EQ(get_receiver.requests()[0].method, "GET");
  EXPECT_EQ(get_receiver.requests()[0].target, "/send?to=%2B49171555&text=Boiler%20off");
}

TEST(NotifySms, GatewayFailuresRetryLikeWebhooks) {
  HttpReceiver busy({502});
  const Result<int> r = send_sms(json_gateway(busy.url("")), "+49171555", "x");
  ASSERT_FALSE(r);
  EXPECT_TRUE(retryable(r.error())) << r.error().message;
  HttpReceiver refusing({422});
  const Result<int> refused = send_sms(json_gateway(refusing.url("")), "+49171555", "x");
  ASSERT_FALSE(refused);
  EXPECT_FALSE(retryable(refused.error())) << refused.error().message;
}

}  // namespace
}  // namespace citypulse::notify
