#include "tsdb/wal_batch.h"

#include <bit>
#include <cstring>

namespace citypulse::tsdb {
namespace {

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= s_.size()) return false;
      const auto b = static_cast<unsigned char>(s_[pos_++]);
      v |= std::uint64_t{b & 0x7fu} << shift;
      if (b < 0x80) return true;
    }
    return false;
  }
  bool bytes(void* out, std::size_t n) {
    if (s_.size() - pos_ < n) return false;
    std::memcpy(out, s_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == s_.size(); }
  std::size_t left() const { return s_.size() - pos_; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

Status corrupt(const char* what) {
  return fail(ErrorCode::io, std::string("corrupt WAL record: ") + what);
}

}  // namespace

std::string encode_sample_batch(std::span<const SeriesSample> batch, std::uint8_t flags) {
  std::string out;
  out.reserve(batch.size() * 14 + 8);
  out.push_back(static_cast<char>(flags));
  put_varint(out, batch.size());
  SeriesId series = 0;
  Timestamp t = 0;
  for (const auto& s : batch) {
    // Wrapping differences: any int64 pair round-trips.
    put_varint(out, zigzag(static_cast<std::int64_t>(static_cast<std::uint64_t>(s.series) -
                                                     static_cast<std::uint64_t>(series))));
    put_varint(out, zigzag(static_cast<std::int64_t>(static_cast<std::uint64_t>(s.sample.t) -
                                                     static_cast<std::uint64_t>(t))));
    const auto bits = std::bit_cast<std::uint64_t>(s.sample.v);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(bits >> (8 * i)));
    out.push_back(static_cast<char>(s.sample.quality));
    series = s.series;
    t = s.sample.t;
  }
  return out;
}

Status decode_sample_batch(std::string_view payload, std::vector<SeriesSample>& out,
                           std::uint8_t& flags) {
  Reader r(payload);
  if (!r.bytes(&flags, 1)) return corrupt("no flags");
  std::uint64_t count = 0;
  if (!r.varint(count)) return corrupt("no count");
  // Each sample takes at least 11 bytes: a count beyond that is a lie.
  if (count > r.left() / 11) return corrupt("count larger than the record");
  out.reserve(out.size() + count);
  std::uint64_t series = 0, t = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t ds = 0, dt = 0;
    unsigned char value[8];
    std::uint8_t quality = 0;
    if (!r.varint(ds) || !r.varint(dt) || !r.bytes(value, 8) || !r.bytes(&quality, 1))
      return corrupt("sample cut short");
    series += static_cast<std::uint64_t>(unzigzag(ds));
    t += static_cast<std::uint64_t>(unzigzag(dt));
    std::uint64_t bits = 0;
    for (int b = 0; b < 8; ++b) bits |= std::uint64_t{value[b]} << (8 * b);
    out.push_back({static_cast<SeriesId>(series),
                   {static_cast<Timestamp>(t), std::bit_cast<double>(bits), quality}});
  }
  if (!r.done()) return corrupt("bytes after the last sample");
  return {};
}

std::string encode_delete(const DeleteRecord& d) {
  std::string out;
  for (std::int64_t v : {d.series, d.from, d.to})
    for (int i = 0; i < 8; ++i)
      out.push_back(static_cast<char>(static_cast<std::uint64_t>(v) >> (8 * i)));
  return out;
}

Result<DeleteRecord> decode_delete(std::string_view payload) {
  if (payload.size() != 24) return std::unexpected(corrupt("a deletion is 24 bytes").error());
  std::int64_t v[3];
  for (int k = 0; k < 3; ++k) {
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= std::uint64_t{static_cast<unsigned char>(payload[8 * k + i])} << (8 * i);
    v[k] = static_cast<std::int64_t>(bits);
  }
  return DeleteRecord{v[0], v[1], v[2]};
}

}  // namespace citypulse::tsdb
