// Email over SMTP (libcurl): an alarm's notification as a plain-text mail
// to a list of addresses. Blocking: call it from a delivery thread
// (DeliveryQueue), never from an I/O thread. Safe from several threads.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::notify {

struct SmtpSettings {
  // smtp://host:port (plain, then STARTTLS as `tls` says) or smtps://host:port
  // (TLS from the first byte, whatever `tls` says). A path names the EHLO
  // domain (smtp://mail.example:587/citypulse.example).
  std::string url;
  // The sender: "alerts@town.example" or "CityPulse Alerts <alerts@town.example>".
  std::string from;
  // Credentials for SMTP AUTH; both empty for a relay that needs none. They
  // are sent only over TLS: with credentials, `tls` must be starttls_required
  // or the URL smtps://, else the settings are invalid.
  std::string username, password;
  enum class Tls {
    none,                 // never STARTTLS (a relay on the same host)
    starttls_if_offered,  // STARTTLS when the server offers it, plain otherwise
    starttls_required,    // STARTTLS or fail (invalid, not retried)
  } tls = Tls::starttls_required;
  // PEM file of the certificates to trust; empty: the system's CAs. The
  // server's certificate is always verified, host name included.
  std::string ca_file;
  int timeout_ms = 30'000;  // the whole exchange, connection included
};

struct EmailMessage {
  std::vector<std::string> to;  // plain addresses ("ops@town.example"), at least one
  std::string subject;          // UTF-8, one line, up to 500 bytes
  std::string text;             // UTF-8 plain text, up to 1 MiB; any line ends
};

// The message as it is uploaded (RFC 5322, CRLF line ends): Date (`now`),
// From, To, Subject (RFC 2047 encoded words when not ASCII), Message-ID
// (random, at the sender's domain), MIME-Version, Auto-Submitted,
// Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding
// quoted-printable, then the body (notify/mime.h). invalid (naming the
// field: "from", "to/<i>", "subject", "text") for a sender or recipient
// that is not a plain address (no quoted local parts, no address literals,
// ASCII only), no recipient, CR or LF in the subject (header injection),
// an empty or oversized subject; too_large for a text over 1 MiB.
Result<std::string> compose_email(const SmtpSettings& settings, const EmailMessage& message,
                                  TimeMs now);

// Composes the message and hands it to the SMTP server for every recipient
// (all or none: one refused recipient fails the whole send). Success means
// the server accepted the message for delivery.
//
// Failures, and whether retryable() (notify/retry.h) says to try again:
// - invalid settings or message (as compose_email; an URL that is not
//   smtp:// or smtps://; credentials without assured TLS): invalid, no;
// - server unreachable, connection broken, no answer in time, a 4xx reply
//   (greylisting, a full mailbox for now): unavailable or timed_out, yes;
// - STARTTLS required but not offered, an untrusted certificate: invalid, no;
// - credentials refused: forbidden, no;
// - a 5xx reply (a refused recipient or sender, a rejected message):
//   invalid, no. The message quotes the server's reply code.
Status send_email(const SmtpSettings& settings, const EmailMessage& message);

}  // namespace citypulse::notify
