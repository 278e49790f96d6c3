#include "notify/email.h"

#include <openssl/rand.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "core/digest.h"
#include "core/text.h"
#include "notify/mime.h"
#include "webclient/curl_handle.h"

namespace citypulse::notify {

using webclient::append;
using webclient::CurlEasy;
using webclient::CurlList;
using webclient::make_curl_easy;
using webclient::transfer_error;

namespace {

constexpr std::size_t kMaxSubjectBytes = 500;
constexpr std::size_t kMaxTextBytes = 1 << 20;
constexpr std::size_t kMaxAddressBytes = 254;  // RFC 5321 §4.5.3.1 path limit, less "<>"

struct Mailbox {
  std::string display_name;  // may be empty
  std::string address;       // local@domain
};

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

// A plain addr-spec: a dot-atom local part and a domain, ASCII, nothing that
// would end an SMTP path or a header (<>, commas, quotes, white space).
bool plain_address(std::string_view address) {
  const std::size_t at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= address.size() ||
      address.size() > kMaxAddressBytes || address.find('@', at + 1) != std::string_view::npos)
    return false;
  return std::ranges::all_of(address, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f &&
           std::string_view("<>()[]\\,;:\"").find(c) == std::string_view::npos;
  });
}

std::unexpected<Error> bad_address(std::string_view field) {
  return fail(ErrorCode::invalid,
              "not a plain email address (local@domain, ASCII, no quotes or brackets)",
              std::string(field));
}

// "alerts@town.example" or "Name <alerts@town.example>" (the name optionally
// in double quotes).
Result<Mailbox> parse_mailbox(std::string_view text, std::string_view field) {
  if (has_line_break(text)) return bad_address(field);
  text = trim(text);
  Mailbox box;
  const std::size_t open = text.rfind('<');
  if (open == std::string_view::npos) {
    box.address = std::string(text);
  } else {
    if (!text.ends_with('>')) return bad_address(field);
    box.address = std::string(text.substr(open + 1, text.size() - open - 2));
    std::string_view name = trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    box.display_name = std::string(name);
  }
  if (!plain_address(box.address)) return bad_address(field);
  return box;
}

// A display name as a phrase: encoded words when not ASCII, a quoted string
// when it holds RFC 5322 specials.
std::string display_name(std::string_view name, std::size_t used) {
  const bool ascii = std::ranges::all_of(name, [](char c) { return c >= 0x20 && c < 0x7f; });
  if (!ascii) return header_text(name, used);
  if (name.find_first_of("()<>[]:;@\\,.\"") == std::string_view::npos) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + '"';
}

Result<std::string> message_id(std::string_view sender) {
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1)
    return fail(ErrorCode::internal, "no random bytes for a Message-ID");
  const std::string_view domain = sender.substr(sender.find('@') + 1);
  return fmt::format(
      "<{}@{}>", hex_lower(std::string_view(reinterpret_cast<const char*>(random), sizeof random)),
      domain);
}

struct Upload {
  std::string_view rest;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->rest.size());
  std::memcpy(buffer, upload->rest.data(), n);
  upload->rest.remove_prefix(n);
  return n;
}

// An SMTP reply code decides where curl's code alone cannot: 4xx is "not
// now" (RFC 5321 §4.2.1), 5xx is "not this".
Error smtp_error(CURLcode code, long reply, const char* detail) {
  constexpr std::string_view kPeer = "the SMTP server";
  const std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_USE_SSL_FAILED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_OUT_OF_MEMORY:
      return transfer_error(code, kPeer, detail);
    default:
      break;
  }
  if (reply >= 400 && reply < 500)
    return Error{ErrorCode::unavailable,
                 fmt::format("{} deferred the message ({}): {}", kPeer, reply, why),
                 {}};
  if (reply >= 500 && reply < 600 && code != CURLE_LOGIN_DENIED)
    return Error{
        ErrorCode::invalid, fmt::format("{} refused the message ({}): {}", kPeer, reply, why), {}};
  return transfer_error(code, kPeer, detail);
}

}  // namespace

Result<std::string> compose_email(const SmtpSettings& settings, const EmailMessage& message,
                                  TimeMs now) {
  Result<Mailbox> from = parse_mailbox(settings.from, "from");
  if (!from) return fail(from.error());
  if (message.to.empty()) return fail(ErrorCode::invalid, "an email needs a recipient", "to");
  for (std::size_t i = 0; i < message.to.size(); ++i)
    if (!plain_address(message.to[i])) return bad_address(fmt::format("to/{}", i));
  if (has_line_break(message.subject))
    return fail(ErrorCode::invalid, "a subject is one line", "subject");
  if (trim(message.subject).empty() || message.subject.size() > kMaxSubjectBytes)
    return fail(ErrorCode::invalid, fmt::format("a subject has 1 to {} bytes", kMaxSubjectBytes),
                "subject");
  if (message.text.size() > kMaxTextBytes)
    return fail(ErrorCode::too_large, "an email's text is limited to 1 MiB", "text");
  Result<std::string> id = message_id(from->address);
  if (!id) return fail(id.error());

  std::string mail;
  mail += "Date: " + rfc5322_date(now) + "\r\n";
  mail += "From: ";
  if (!from->display_name.empty()) mail += display_name(from->display_name, 6) + " ";
  mail += "<" + from->address + ">\r\n";
  mail += "To: ";
  for (std::size_t i = 0; i < message.to.size(); ++i)
    mail += (i == 0 ? "" : ",\r\n ") + message.to[i];  // one address a line keeps lines short
  mail += "\r\n";
  mail += "Subject: " + header_text(message.subject, 9) + "\r\n";
  mail += "Message-ID: " + *id + "\r\n";
  // RFC 3834: out-of-office and other automatic replies must not answer a
  // machine's message.
  mail += "Auto-Submitted: auto-generated\r\n";
  mail += "MIME-Version: 1.0\r\n";
  mail += "Content-Type: text/plain; charset=utf-8\r\n";
  mail += "Content-Transfer-Encoding: quoted-printable\r\n";
  mail += "\r\n";
  mail += quoted_printable(message.text);
  return mail;
}

Status send_email(const SmtpSettings& settings, const EmailMessage& message) {
  const std::string scheme = lower_ascii(settings.url.substr(0, 8));
  const bool implicit_tls = scheme.starts_with("smtps://");
  if (!implicit_tls && !scheme.starts_with("smtp://"))
    return fail(ErrorCode::invalid, "the SMTP URL must start with smtp:// or smtps://", "url");
  const bool credentials = !settings.username.empty() || !settings.password.empty();
  if (credentials && !implicit_tls && settings.tls != SmtpSettings::Tls::starttls_required)
    return fail(ErrorCode::invalid,
                "credentials are sent only over TLS: use smtps:// or require STARTTLS", "tls");
  Result<std::string> mail = compose_email(settings, message, now_ms());
  if (!mail) return fail(mail.error());
  const std::string sender = "<" + parse_mailbox(settings.from, "from")->address + ">";

  char detail[CURL_ERROR_SIZE];
  Result<CurlEasy> made = make_curl_easy(detail, "smtp,smtps");
  if (!made) return fail(made.error());
  CURL* curl = made->get();
  CurlList recipients;
  for (const std::string& to : message.to)
    if (Status added = append(recipients, "<" + to + ">"); !added) return added;
  Upload upload{*mail};
  curl_easy_setopt(curl, CURLOPT_URL, settings.url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mail->size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max(1, settings.timeout_ms)));
  switch (settings.tls) {
    case SmtpSettings::Tls::none:
      curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE));
      break;
    case SmtpSettings::Tls::starttls_if_offered:
      curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
      break;
    case SmtpSettings::Tls::starttls_required:
      curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
      break;
  }
  if (!settings.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings.ca_file.c_str());
  if (credentials) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, settings.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings.password.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) return {};
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  return fail(smtp_error(code, reply, detail));
}

}  // namespace citypulse::notify
