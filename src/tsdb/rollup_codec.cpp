#include "tsdb/rollup_codec.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "tsdb/crc32c.h"
#include "tsdb/timestamp_codec.h"
#include "tsdb/value_codec.h"
#include "tsdb/varint.h"

namespace citypulse::tsdb {
namespace {

constexpr std::uint8_t kFormatVersion = 1;
constexpr std::size_t kColumns = 9;
constexpr std::uint8_t kSameAs = 16;  // tag 16 + k: a copy of column k
constexpr std::size_t kMaxRollups = 65'535;
constexpr std::size_t kMaxVarintBytes = 4;

std::unexpected<Error> corrupt(std::string_view what) {
  return fail(ErrorCode::io, "corrupt rollup block: " + std::string(what));
}

void put_u32(std::string& out, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>(v >> (8 * i));
}

std::uint64_t get_le(std::string_view bytes, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v |= std::uint64_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  return v;
}

double column_value(const Rollup& r, std::size_t column) {
  switch (column) {
    case 0:
      return static_cast<double>(r.count);
    case 1:
      return r.sum;
    case 2:
      return r.min;
    case 3:
      return r.max;
    case 4:
      return r.first;
    case 5:
      return r.last;
    case 6:
      return r.increase;
    case 7:
      return static_cast<double>(r.first_t - r.start);
    default:
      return static_cast<double>(r.last_t - r.start);
  }
}

bool same_bits(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint64_t>(a[i].v) != std::bit_cast<std::uint64_t>(b[i].v)) return false;
  return true;
}

// A count or offset column must hold non-negative integers (counts positive).
bool whole(double v, double least) {
  return std::isfinite(v) && v >= least && v <= 9.0e15 && v == std::floor(v);
}

}  // namespace

std::string encode_rollup_block(std::span<const Rollup> rollups) {
  std::string out(4, '\0');
  out.push_back(static_cast<char>(kFormatVersion));
  out.push_back(0);
  const std::size_t n = std::min(rollups.size(), kMaxRollups);
  put_varint(n, out);
  if (n > 0) {
    std::vector<Sample> starts(n);
    for (std::size_t i = 0; i < n; ++i) starts[i].t = rollups[i].start;
    const auto first = static_cast<std::uint64_t>(starts[0].t);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(first >> (8 * i)));
    std::string stream;
    encode_timestamps(starts, stream);
    put_varint(stream.size(), out);
    out += stream;
    std::vector<std::vector<Sample>> columns(kColumns, starts);
    for (std::size_t c = 0; c < kColumns; ++c) {
      for (std::size_t i = 0; i < n; ++i) columns[c][i].v = column_value(rollups[i], c);
      std::size_t same = c;
      for (std::size_t k = 0; k < c && same == c; ++k)
        if (same_bits(columns[k], columns[c])) same = k;
      if (same != c) {
        out.push_back(static_cast<char>(kSameAs + same));
        continue;
      }
      stream.clear();
      const auto encoding = encode_values(columns[c], stream);
      out.push_back(static_cast<char>(encoding));
      put_varint(stream.size(), out);
      out += stream;
    }
  }
  put_u32(out, 0, crc32c(std::string_view(out).substr(4)));
  return out;
}

Status decode_rollup_block(std::string_view bytes, std::vector<Rollup>& out) {
  out.clear();
  if (bytes.size() < 7) return corrupt("shorter than its header");
  if (crc32c(bytes.substr(4)) != get_le(bytes, 0, 4)) return corrupt("checksum mismatch");
  if (static_cast<std::uint8_t>(bytes[4]) != kFormatVersion) return corrupt("unknown version");
  if (bytes[5] != 0) return corrupt("reserved flags set");
  std::size_t pos = 6, n = 0;
  if (!get_varint(bytes, pos, n, kMaxVarintBytes) || n == 0 || n > kMaxRollups)
    return corrupt("bad rollup count");
  if (bytes.size() - pos < 8) return corrupt("truncated first start");
  const auto first = static_cast<Timestamp>(get_le(bytes, pos, 8));
  pos += 8;
  auto stream = [&](std::string_view& s) -> bool {
    std::size_t len = 0;
    if (!get_varint(bytes, pos, len, kMaxVarintBytes) || len > bytes.size() - pos) return false;
    s = bytes.substr(pos, len);
    pos += len;
    return true;
  };
  std::string_view ts_stream;
  if (!stream(ts_stream)) return corrupt("truncated start stream");
  std::vector<Timestamp> starts(n);
  TimestampDecoder ts(ts_stream, first, static_cast<std::uint32_t>(n));
  if (!ts.next(starts.data(), static_cast<unsigned>(n)) || !ts.finish(starts[n - 1]))
    return corrupt(ts.error() ? ts.error() : "bad start stream");
  std::vector<std::vector<double>> columns(kColumns);
  for (std::size_t c = 0; c < kColumns; ++c) {
    if (pos >= bytes.size()) return corrupt("truncated column");
    const auto tag = static_cast<std::uint8_t>(bytes[pos++]);
    if (tag >= kSameAs) {
      if (static_cast<std::size_t>(tag - kSameAs) >= c)
        return corrupt("column refers to a later one");
      columns[c] = columns[tag - kSameAs];
      continue;
    }
    if (tag > kMaxValueEncoding) return corrupt("unknown value encoding");
    std::string_view vs;
    if (!stream(vs)) return corrupt("truncated value stream");
    columns[c].resize(n);
    ValueDecoder values(vs, static_cast<ValueEncoding>(tag), static_cast<std::uint32_t>(n));
    if (!values.next(columns[c].data(), static_cast<unsigned>(n)) || !values.finish())
      return corrupt(values.error() ? values.error() : "bad value stream");
  }
  if (pos != bytes.size()) return corrupt("trailing bytes");
  std::vector<Rollup> rollups(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!whole(columns[0][i], 1) || !whole(columns[7][i], 0) || !whole(columns[8][i], 0))
      return corrupt("count or time offset is not a whole number");
    auto& r = rollups[i];
    r.start = starts[i];
    r.count = static_cast<std::int64_t>(columns[0][i]);
    r.sum = columns[1][i];
    r.min = columns[2][i];
    r.max = columns[3][i];
    r.first = columns[4][i];
    r.last = columns[5][i];
    r.increase = columns[6][i];
    if (__builtin_add_overflow(r.start, static_cast<Timestamp>(columns[7][i]), &r.first_t) ||
        __builtin_add_overflow(r.start, static_cast<Timestamp>(columns[8][i]), &r.last_t))
      return corrupt("time offset past the end of time");
  }
  out = std::move(rollups);
  return {};
}

}  // namespace citypulse::tsdb
