// The encodings of an email's text (RFC 2045, RFC 2047, RFC 5322): pure
// functions on bytes, used by compose_email.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/time.h"

namespace citypulse::notify {

// `text` (UTF-8, lines ended by LF, CRLF or CR) as a quoted-printable body
// (RFC 2045 §6.7): CRLF line ends, every line ending in CRLF, at most 76
// characters a line (soft breaks "=" CRLF), '=' and bytes outside printable
// ASCII as =XX, spaces and tabs before a line end encoded. A '.' that would
// start a line is written =2E: SMTP's end-of-data is a line holding a single
// dot, so the body never depends on the client's dot-stuffing (libcurl
// does it too, lib/smtp.c), and mbox readers do not trip on it either.
std::string quoted_printable(std::string_view text);

// A header's unstructured text (a Subject, a display name): as it is when
// it is printable ASCII, else RFC 2047 encoded words "=?UTF-8?Q?...?=", each
// whole UTF-8 characters, folded so no line exceeds 76 characters;
// `used` is how much of the first line the header's name took ("Subject: "
// is 9). The caller has refused CR and LF beforehand.
std::string header_text(std::string_view utf8, std::size_t used);

// RFC 5322 §3.3 date-time in UTC: "Tue, 07 Jan 2025 08:05:09 +0000".
std::string rfc5322_date(TimeMs t);

}  // namespace citypulse::notify
