#include "tsdb/quality_codec.h"

#include "tsdb/varint.h"

#include <algorithm>
#include <cstring>

namespace citypulse::tsdb {
namespace {

// 3 varint bytes hold 21 bits, enough for a run of the largest chunk.
constexpr std::size_t kMaxRunBytes = 3;

}  // namespace

bool all_good(std::span<const Sample> samples) {
  return std::all_of(samples.begin(), samples.end(),
                     [](const Sample& s) { return s.quality == 0; });
}

void encode_qualities(std::span<const Sample> samples, std::string& out) {
  std::size_t i = 0;
  while (i < samples.size()) {
    std::size_t j = i + 1;
    while (j < samples.size() && samples[j].quality == samples[i].quality) ++j;
    out.push_back(static_cast<char>(samples[i].quality));
    put_varint(static_cast<std::uint32_t>(j - i), out);
    i = j;
  }
}

bool QualityDecoder::next(std::uint8_t* out, unsigned n) {
  if (n > count_ - done_) return fail("more qualities asked for than the chunk holds");
  if (!present_) {
    std::memset(out, 0, n);
    done_ += n;
    return true;
  }
  while (n > 0) {
    if (run_left_ == 0) {
      if (pos_ >= stream_.size()) return fail("quality stream truncated");
      run_quality_ = static_cast<std::uint8_t>(stream_[pos_++]);
      std::uint32_t length = 0;
      for (std::size_t shift = 0;; shift += 7) {
        if (shift / 7 >= kMaxRunBytes) return fail("quality run length overlong");
        if (pos_ >= stream_.size()) return fail("quality stream truncated");
        const auto byte = static_cast<std::uint8_t>(stream_[pos_++]);
        length |= std::uint32_t{byte & 0x7fu} << shift;
        if ((byte & 0x80) == 0) break;
      }
      if (length == 0) return fail("quality run of length 0");
      if (length > count_ - done_) return fail("quality run past the end of the chunk");
      run_left_ = length;
    }
    const unsigned take = std::min<std::uint32_t>(n, run_left_);
    std::memset(out, run_quality_, take);
    out += take;
    n -= take;
    run_left_ -= take;
    done_ += take;
  }
  return true;
}

bool QualityDecoder::finish() {
  if (done_ != count_) return fail("quality stream not fully read");
  if (pos_ != stream_.size()) return fail("quality stream has trailing bytes");
  return true;
}

}  // namespace citypulse::tsdb
