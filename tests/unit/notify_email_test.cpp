// Email: the encodings (quoted-printable, encoded words, dates), the
// composed message, and real sends to an SMTP server on loopback (aiosmtpd,
// with and without STARTTLS) whose received messages Python's email parser
// reads back.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "../support/notify_peers.h"
#include "notify/email.h"
#include "notify/mime.h"
#include "notify/retry.h"

namespace citypulse::notify {
namespace {

using test::SmtpSink;
using test::SmtpSinkOptions;

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t end = text.find("\r\n");
    EXPECT_NE(end, std::string_view::npos) << "every line ends in CRLF";
    if (end == std::string_view::npos) break;
    lines.emplace_back(text.substr(0, end));
    text.remove_prefix(end + 2);
  }
  return lines;
}

// Our own reading of quoted-printable, only to check round trips here; the
// SMTP tests use Python's.
std::string decode_qp(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "=\r\n") == 0) {
      i += 2;
    } else if (text[i] == '=') {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (text.compare(i, 2, "\r\n") == 0) {
      out += '\n';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

TEST(NotifyMime, QuotedPrintableKeepsPlainTextAndEscapesTheRest) {
  EXPECT_EQ(quoted_printable("Boiler 2 is off"), "Boiler 2 is off\r\n");
  EXPECT_EQ(quoted_printable("a=b"), "a=3Db\r\n");
  EXPECT_EQ(quoted_printable("trailing \nspace\t"), "trailing=20\r\nspace=09\r\n");
  EXPECT_EQ(quoted_printable("92 \xC2\xB0"
                             "C"),
            "92 =C2=B0C\r\n");
  EXPECT_EQ(quoted_printable("one\r\n\r\ntwo\rthree"), "one\r\n\r\ntwo\r\nthree\r\n");
  EXPECT_EQ(quoted_printable(""), "");
}

TEST(NotifyMime, QuotedPrintableNeverStartsALineWithADot) {
  EXPECT_EQ(quoted_printable(".\n..\n.x"), "=2E\r\n=2E.\r\n=2Ex\r\n");
  // A long line whose soft break falls right before a dot.
  const std::string line = std::string(75, 'a') + ".b";
  const std::string encoded = quoted_printable(line);
  for (const std::string& l : lines_of(encoded)) EXPECT_FALSE(l.starts_with('.')) << l;
  EXPECT_EQ(decode_qp(encoded), line + "\n");
}

TEST(NotifyMime, QuotedPrintableLinesStayShortAndRoundTrip) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += (i % 7 == 0) ? "\xC3\xA4" : (i % 11 == 0 ? "=" : "x ");
  text += "\nshort\n" + std::string(200, ' ') + "end";
  const std::string encoded = quoted_printable(text);
  for (const std::string& line : lines_of(encoded)) EXPECT_LE(line.size(), 76u) << line;
  EXPECT_EQ(decode_qp(encoded), text + "\n");
}

// Decodes the encoded words of a header value (RFC 2047 Q, UTF-8 only).
std::string decode_words(std::string_view value) {
  std::string out;
  std::size_t at = 0;
  while ((at = value.find("=?UTF-8?Q?", at)) != std::string_view::npos) {
    const std::size_t end = value.find("?=", at + 10);
    for (std::size_t i = at + 10; i < end; ++i) {
      if (value[i] == '_') {
        out += ' ';
      } else if (value[i] == '=') {
        out += static_cast<char>(std::stoi(std::string(value.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += value[i];
      }
    }
    at = end + 2;
  }
  return out;
}

TEST(NotifyMime, HeaderTextEncodesWholeCharactersInShortLines) {
  EXPECT_EQ(header_text("Boiler 2: flow 92 C", 9), "Boiler 2: flow 92 C");
  const std::string subject =
      "St\xC3\xB6rung: Kessel 2 \xE2\x80\x94 Vorlauf 92 \xC2\xB0"
      "C in der Grundschule S\xC3\xBC"
      "d, Heizzentrale im Untergeschoss \xF0\x9F\x94\xA5";
  const std::string encoded = header_text(subject, 9);
  EXPECT_TRUE(encoded.starts_with("=?UTF-8?Q?"));
  std::size_t first = 9;  // "Subject: " shares the first line
  for (std::string_view rest = encoded; !rest.empty();) {
    const std::size_t end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    EXPECT_LE(first + line.size(), 76u) << line;
    first = 0;
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 2);
    EXPECT_TRUE(rest.starts_with(' ')) << "folded lines start with white space";
  }
  EXPECT_EQ(decode_words(encoded), subject);
}

TEST(NotifyMime, DatesAreRfc5322InUtc) {
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(1'736'237'109'123), "Tue, 07 Jan 2025 08:05:09 +0000");
}

SmtpSettings settings_for(const std::string& url) {
  SmtpSettings settings;
  settings.url = url;
  settings.from = "CityPulse Alerts <alerts@town.example>";
  settings.tls = SmtpSettings::Tls::none;
  settings.timeout_ms = 5000;
  return settings;
}

EmailMessage alarm_mail() {
  return EmailMessage{{"ops@town.example"}, "Boiler 2: flow temperature high", "Flow 92 C.\n"};
}

TEST(NotifyEmail, ComposesTheHeadersAndRefusesInjection) {
  const SmtpSettings settings = settings_for("smtp://127.0.0.1:25");
  Result<std::string> mail = compose_email(settings, alarm_mail(), 1'736'237'109'000);
  ASSERT_TRUE(mail) << mail.error().message;
  EXPECT_NE(mail->find("Date: Tue, 07 Jan 2025 08:05:09 +0000\r\n"), std::string::npos);
  EXPECT_NE(mail->find("From: CityPulse Alerts <alerts@town.example>\r\n"), std::string::npos);
  EXPECT_NE(mail->find("To: ops@town.example\r\n"), std::string::npos);
  EXPECT_NE(mail->find("Message-ID: <"), std::string::npos);
  EXPECT_NE(mail->find("@town.example>\r\n"), std::string::npos);
  EXPECT_NE(mail->find("\r\n\r\nFlow 92 C.\r\n"), std::string::npos);

  auto refused = [&](EmailMessage message, SmtpSettings s, std::string_view field) {
    Result<std::string> r = compose_email(s, message, 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid);
    EXPECT_EQ(r.error().field, field);
  };
  EmailMessage m = alarm_mail();
  m.subject = "Alarm\r\nBcc: everyone@example.org";
  refused(m, settings, "subject");
  m.subject = "Alarm\nBcc: everyone@example.org";
  refused(m, settings, "subject");
  m = alarm_mail();
  m.to.push_back("ops@town.example\r\nBcc: everyone@example.org");
  refused(m, settings, "to/1");
  m.to = {"Ops <ops@town.example>"};
  refused(m, settings, "to/0");
  m.to = {};
  refused(m, settings, "to");
  SmtpSettings bad = settings;
  bad.from = "alerts@town.example\r\nBcc: everyone@example.org";
  refused(alarm_mail(), bad, "from");
}

TEST(NotifyEmail, ArrivesOverStartTlsWithItsHeadersAndText) {
  SmtpSink sink(SmtpSinkOptions{.starttls = true});
  ASSERT_TRUE(sink.ready()) << sink.log();
  SmtpSettings settings = settings_for(sink.url());
  settings.tls = SmtpSettings::Tls::starttls_required;
  settings.ca_file = sink.cert_path();
  const std::string subject =
      "St\xC3\xB6rung: Kessel 2 \xE2\x80\x94 Vorlauf 92 \xC2\xB0"
      "C (Grundschule S\xC3\xBC"
      "d)";
  const std::string text =
      "Kessel 2 meldet 92 \xC2\xB0"
      "C.\n.\n.hidden line\nsum = 3\n" +
      std::string(120, 'x') +
      "\n\nGr\xC3\xBC\xC3\x9F"
      "e\n";
  const EmailMessage message{{"ops@town.example", "energy@town.example"}, subject, text};

  const Status sent = send_email(settings, message);
  ASSERT_TRUE(sent) << sent.error().message;
  std::optional<test::ReceivedMail> mail = sink.wait_for_mail(1);
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->envelope_from, "alerts@town.example");
  EXPECT_EQ(mail->envelope_to,
            (std::vector<std::string>{"ops@town.example", "energy@town.example"}));
  const boost::json::object parsed = boost::json::parse(mail->parsed).as_object();
  const boost::json::object& headers = parsed.at("headers").as_object();
  EXPECT_EQ(headers.at("subject").as_string(), subject);
  EXPECT_EQ(headers.at("from").as_string(), "CityPulse Alerts <alerts@town.example>");
  EXPECT_EQ(headers.at("to").as_string(), "ops@town.example, energy@town.example");
  EXPECT_EQ(headers.at("mime-version").as_string(), "1.0");
  EXPECT_TRUE(headers.contains("date"));
  EXPECT_TRUE(headers.contains("message-id"));
  EXPECT_EQ(parsed.at("content_type").as_string(), "text/plain");
  EXPECT_EQ(parsed.at("charset").as_string(), "utf-8");
  // The parser keeps the message's CRLF line ends in the decoded text.
  std::string received(parsed.at("text").as_string());
  for (std::size_t at; (at = received.find("\r\n")) != std::string::npos;) received.erase(at, 1);
  EXPECT_EQ(received, text);
  EXPECT_TRUE(parsed.at("defects").as_array().empty()) << mail->parsed;
  for (const std::string& line : lines_of(mail->data)) EXPECT_LE(line.size(), 78u) << line;
}

TEST(NotifyEmail, StartTlsRequiredFailsClearlyWithoutIt) {
  SmtpSink sink;  // no STARTTLS
  ASSERT_TRUE(sink.ready()) << sink.log();
  SmtpSettings settings = settings_for(sink.url());
  settings.tls = SmtpSettings::Tls::starttls_required;
  const Status sent = send_email(settings, alarm_mail());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::invalid) << sent.error().message;
  EXPECT_NE(sent.error().message.find("TLS"), std::string::npos) << sent.error().message;
  EXPECT_FALSE(retryable(sent.error()));
  EXPECT_EQ(sink.mail_count(), 0);

  // When TLS is only wanted, the same server takes the message.
  settings.tls = SmtpSettings::Tls::starttls_if_offered;
  const Status plain = send_email(settings, alarm_mail());
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_TRUE(sink.wait_for_mail(1));
}

TEST(NotifyEmail, AnUntrustedCertificateIsNotRetried) {
  SmtpSink sink(SmtpSinkOptions{.starttls = true});
  ASSERT_TRUE(sink.ready()) << sink.log();
  SmtpSettings settings = settings_for(sink.url());
  settings.tls = SmtpSettings::Tls::starttls_required;  // system CAs only
  const Status sent = send_email(settings, alarm_mail());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::invalid) << sent.error().message;
  EXPECT_FALSE(retryable(sent.error()));
  EXPECT_EQ(sink.mail_count(), 0);
}

TEST(NotifyEmail, ARefusedRecipientIsNotRetried) {
  SmtpSink sink(SmtpSinkOptions{.refuse = {"nobody@town.example"}});
  ASSERT_TRUE(sink.ready()) << sink.log();
  EmailMessage message = alarm_mail();
  message.to.push_back("nobody@town.example");
  const Status sent = send_email(settings_for(sink.url()), message);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::invalid) << sent.error().message;
  EXPECT_NE(sent.error().message.find("550"), std::string::npos) << sent.error().message;
  EXPECT_FALSE(retryable(sent.error()));
  EXPECT_EQ(sink.mail_count(), 0) << "one refused recipient stops the whole message";
}

TEST(NotifyEmail, ADeadPortIsRetryable) {
  const Status sent = send_email(
      settings_for("smtp://127.0.0.1:" + std::to_string(test::free_port())), alarm_mail());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::unavailable) << sent.error().message;
  EXPECT_TRUE(retryable(sent.error()));
}

TEST(NotifyEmail, HeaderInjectionIsRefusedBeforeConnecting) {
  EmailMessage message = alarm_mail();
  message.subject = "Alarm\r\nBcc: everyone@example.org";
  // A dead port: reaching out would be unavailable, so invalid shows that
  // nothing was sent.
  const Status sent =
      send_email(settings_for("smtp://127.0.0.1:" + std::to_string(test::free_port())), message);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::invalid);
  EXPECT_EQ(sent.error().field, "subject");
}

TEST(NotifyEmail, CredentialsGoOnlyOverTlsAndBadOnesAreNotRetried) {
  SmtpSink sink(SmtpSinkOptions{.starttls = true, .login = "citypulse:right-password"});
  ASSERT_TRUE(sink.ready()) << sink.log();
  SmtpSettings settings = settings_for(sink.url());
  settings.username = "citypulse";
  settings.password = "wrong-password";
  settings.ca_file = sink.cert_path();

  settings.tls = SmtpSettings::Tls::starttls_if_offered;
  Status sent = send_email(settings, alarm_mail());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().field, "tls");

  settings.tls = SmtpSettings::Tls::starttls_required;
  sent = send_email(settings, alarm_mail());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::forbidden) << sent.error().message;
  EXPECT_FALSE(retryable(sent.error()));

  settings.password = "right-password";
  sent = send_email(settings, alarm_mail());
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_TRUE(sink.wait_for_mail(1));
}

TEST(NotifyEmail, OnlySmtpUrls) {
  const Status sent = send_email(settings_for("http://127.0.0.1:25"), alarm_mail());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().field, "url");
}

}  // namespace
}  // namespace citypulse::notify
