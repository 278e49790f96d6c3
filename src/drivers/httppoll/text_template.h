// A text with named placeholders, as an HTTP poller document writes its
// URLs, headers and bodies: "{base_url}/api/thermostats/{serial}",
// "{\"value\": {value}}".
//
// - `{name}`, where name is a lower-case letter followed by lower-case
//   letters, digits or '_', is a placeholder. Every other brace
//   is text, so a JSON body keeps its own braces and needs no escaping.
// - parse() refuses a placeholder that is not among the names the text may
//   use there (invalid, saying which and which are known); the caller puts
//   the field's pointer on the error.
// - render() puts each placeholder's value in. In a URL a value is
//   percent-encoded (RFC 3986 2.3: unreserved characters stay), so a
//   serial "A/7 b" cannot change the path, unless the substitution is
//   marked raw (the base URL, itself a URL). Elsewhere values go in as they
//   are: a body's author writes the quotes a string value needs.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace citypulse::httppoll {

struct Substitution {
  std::string_view name;
  std::string value;
  bool raw = false;  // put into a URL without percent-encoding
};

enum class Context { url, text };

class TextTemplate {
 public:
  TextTemplate() = default;
  static Result<TextTemplate> parse(std::string_view text,
                                    std::initializer_list<std::string_view> allowed);

  const std::string& text() const { return text_; }
  bool uses(std::string_view name) const;
  // Whether the text begins with the placeholder `name`.
  bool starts_with(std::string_view name) const;
  // The text with every placeholder replaced; one without a substitution
  // stays as written (parse() made sure that none is unknown).
  std::string render(const std::vector<Substitution>& values, Context context) const;

  bool operator==(const TextTemplate& other) const { return text_ == other.text_; }

 private:
  struct Part {
    std::string text;  // literal text, or the placeholder's name
    bool placeholder = false;
  };
  std::string text_;
  std::vector<Part> parts_;
};

// `value` percent-encoded for a URL: every byte but A-Z a-z 0-9 - . _ ~.
std::string percent_encode(std::string_view value);

}  // namespace citypulse::httppoll
