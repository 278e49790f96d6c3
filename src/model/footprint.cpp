#include "model/footprint.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace citypulse {
namespace {

constexpr std::size_t kMinVertices = 4;  // a triangle, closed
constexpr std::size_t kMaxVertices = 1000;

Error mistake(std::string_view what) {
  return Error{ErrorCode::invalid, fmt::format("'footprint': {}", what), "/footprint"};
}

// Reads WKT left to right; spaces between tokens are free.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool take(char c) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  bool take_word(std::string_view word) {
    skip_space();
    if (text_.size() - at_ < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
      if (std::toupper(static_cast<unsigned char>(text_[at_ + i])) != word[i]) return false;
    at_ += word.size();
    return true;
  }
  bool number(double& out) {
    skip_space();
    const char* first = text_.data() + at_;
    const auto [end, ec] = std::from_chars(first, text_.data() + text_.size(), out);
    if (ec != std::errc() || !std::isfinite(out)) return false;
    at_ += static_cast<std::size_t>(end - first);
    return true;
  }
  bool done() {
    skip_space();
    return at_ == text_.size();
  }
  std::size_t position() const { return at_; }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

Result<std::vector<Vertex>> parse_footprint(std::string_view wkt) {
  Reader r(wkt);
  if (!r.take_word("POLYGON") || !r.take('(') || !r.take('('))
    return std::unexpected(mistake("write it as POLYGON((lon lat, lon lat, ...))"));
  std::vector<Vertex> ring;
  do {
    Vertex v;
    if (!r.number(v.longitude) || !r.number(v.latitude))
      return std::unexpected(mistake(
          fmt::format("a vertex is two numbers, longitude then latitude (at {})", r.position())));
    if (v.longitude < -180 || v.longitude > 180 || v.latitude < -90 || v.latitude > 90)
      return std::unexpected(
          mistake(fmt::format("vertex {} ({} {}) is not a longitude and a latitude",
                              ring.size() + 1, v.longitude, v.latitude)));
    ring.push_back(v);
    if (ring.size() > kMaxVertices)
      return std::unexpected(mistake(fmt::format("more than {} vertices", kMaxVertices)));
  } while (r.take(','));
  if (!r.take(')'))
    return std::unexpected(mistake(fmt::format("expected ')' at {}", r.position())));
  if (r.take(',')) return std::unexpected(mistake("an outline has one ring: holes are not taken"));
  if (!r.take(')'))
    return std::unexpected(mistake(fmt::format("expected ')' at {}", r.position())));
  if (!r.done()) return std::unexpected(mistake("nothing may follow the polygon"));
  if (ring.size() < kMinVertices)
    return std::unexpected(mistake(fmt::format(
        "a polygon needs at least {} vertices, the first repeated last", kMinVertices)));
  if (ring.front().longitude != ring.back().longitude ||
      ring.front().latitude != ring.back().latitude)
    return std::unexpected(mistake("the ring must be closed: the last vertex repeats the first"));
  return ring;
}

}  // namespace citypulse
