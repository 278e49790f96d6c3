// The quality stream of a chunk: run-length encoded, since a source's quality
// code changes rarely (mostly it is 0, good, throughout). Each run is the
// quality byte, then its length as a LEB128 varint of at most 3 bytes. A chunk
// whose samples are all good has no quality stream at all; a header bit says
// so (chunk_codec.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tsdb/sample.h"

namespace citypulse::tsdb {

// True when every sample of `samples` has quality 0.
bool all_good(std::span<const Sample> samples);

// Appends the runs of `samples` (non-empty, at most 65,535) to `out`.
void encode_qualities(std::span<const Sample> samples, std::string& out);

// Decodes a quality stream a batch at a time; with no stream (all good) every
// quality is 0.
class QualityDecoder {
 public:
  // `stream` must outlive the decoder; `present` is the header's bit.
  QualityDecoder(std::string_view stream, bool present, std::uint32_t count)
      : stream_(stream), present_(present), count_(count) {}

  // The next `n` qualities into `out`. False when the stream is corrupt (a
  // run of 0, a run past the chunk's count, an overlong varint, truncation);
  // error() says why.
  bool next(std::uint8_t* out, unsigned n);

  // After all `count` qualities: whether the stream ended exactly there.
  bool finish();

  const char* error() const { return error_; }

 private:
  bool fail(const char* why) {
    error_ = why;
    return false;
  }

  std::string_view stream_;
  bool present_;
  std::uint32_t count_;
  std::uint32_t done_ = 0;
  std::size_t pos_ = 0;         // next byte of stream_
  std::uint32_t run_left_ = 0;  // samples left in the current run
  std::uint8_t run_quality_ = 0;
  const char* error_ = nullptr;
};

}  // namespace citypulse::tsdb
