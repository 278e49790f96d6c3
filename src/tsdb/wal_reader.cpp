// The reading side of the WAL: recovery after a restart or a crash.
//
// What a crash can leave, and what we make of it:
// - The writer syncs a segment before it creates the next, and creates a
//   segment under a temporary name, header synced, before renaming it. So a
//   crash can only leave the last segment ending in part of a record (or, on
//   file systems that grow the size before the data, in zeros). That is a
//   torn tail: the end of the log, not an error. The records in it were never
//   acknowledged as durable.
// - A CRC mismatch or an impossible length anywhere else is real damage (a bad
//   disk, a stray write). We still treat it as the end of the log, since the
//   records after it cannot be trusted to follow their lost predecessors, but
//   we keep the bytes: repair is a separate step (move aside), and a person
//   can look at what was moved.
// - The type byte is under the CRC, so a flipped type is caught, not replayed
//   as another kind of record. The length is not, but a wrong length makes
//   the CRC run over the wrong bytes or past the end of the file.
#include <fcntl.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "tsdb/crc32c.h"
#include "tsdb/file.h"
#include "tsdb/wal.h"
#include "tsdb/wal_format.h"

namespace citypulse::tsdb {
namespace {

namespace fs = std::filesystem;

// How much is read at once; a record larger than this is read whole.
constexpr std::size_t kReadBlock = 256 << 10;

// Where the valid prefix of a segment ends, and why.
struct Damage {
  std::uint64_t offset = 0;  // the first byte that is not part of a valid record
  std::string why;
};

// Reads a segment front to back through a buffer. Every read is bounded by
// the file size taken once at the start, so a length field, whatever it
// says, can only make us allocate what the file really holds.
class SegmentReader {
 public:
  SegmentReader(File file, std::uint64_t size) : file_(std::move(file)), size_(size) {}

  std::uint64_t size() const { return size_; }

  // The `n` bytes at `offset`; the caller has checked offset + n <= size().
  Result<std::string_view> read(std::uint64_t offset, std::size_t n) {
    if (offset < buffer_offset_ || offset + n > buffer_offset_ + buffer_.size()) {
      const std::size_t want = static_cast<std::size_t>(
          std::min<std::uint64_t>(std::max(n, kReadBlock), size_ - offset));
      buffer_.resize(want);
      buffer_offset_ = offset;
      auto got = file_.read_at(buffer_, offset);
      if (!got) return fail(got.error());
      if (*got < n) {
        // The file shrank under us: someone else is writing the log.
        return fail(ErrorCode::io,
                    "read " + file_.path().string() + ": file changed during replay");
      }
      buffer_.resize(*got);
    }
    return std::string_view(buffer_).substr(static_cast<std::size_t>(offset - buffer_offset_), n);
  }

 private:
  File file_;
  std::uint64_t size_;  // taken once: the bound of every read
  std::string buffer_;  // bytes [buffer_offset_, buffer_offset_ + size)
  std::uint64_t buffer_offset_ = 0;
};

struct Segment {
  std::uint64_t sequence;
  fs::path path;
};

using RecordFn = std::function<Status(WalPosition, std::uint8_t, std::string_view)>;

// What reading one segment found: its valid end, and the damage if any.
struct SegmentResult {
  std::uint64_t end = 0;
  std::optional<Damage> damage;
};

Result<SegmentResult> replay_segment(const Segment& segment, WalPosition from,
                                     const RecordFn& record) {
  auto file = File::open(segment.path, O_RDONLY);
  if (!file) return fail(file.error());
  auto size = file->size();
  if (!size) return fail(size.error());
  SegmentReader reader(std::move(*file), *size);

  // The header. Any failure of it but the version is damage: the file was
  // complete when it got its name (see create_segment in wal_writer.cpp).
  if (reader.size() < wal::kSegmentHeaderSize) {
    return SegmentResult{0, Damage{0, "segment header cut short"}};
  }
  auto header = reader.read(0, wal::kSegmentHeaderSize);
  if (!header) return fail(header.error());
  if (!std::equal(wal::kMagic.begin(), wal::kMagic.end(), header->begin())) {
    return SegmentResult{0, Damage{0, "not a WAL segment (bad magic)"}};
  }
  if (crc32c(header->substr(0, 20)) != wal::get_u32(header->data() + 20)) {
    return SegmentResult{0, Damage{0, "segment header checksum mismatch"}};
  }
  if (const std::uint32_t version = wal::get_u32(header->data() + 8);
      version != wal::kFormatVersion) {
    return fail(ErrorCode::io, segment.path.string() + ": WAL format version " +
                                   std::to_string(version) +
                                   " is not supported (this build reads " +
                                   std::to_string(wal::kFormatVersion) + ")");
  }
  if (wal::get_u64(header->data() + 12) != segment.sequence) {
    return SegmentResult{0, Damage{0, "segment header names sequence " +
                                          std::to_string(wal::get_u64(header->data() + 12))}};
  }

  std::uint64_t offset = wal::kSegmentHeaderSize;
  while (offset < reader.size()) {
    const std::uint64_t left = reader.size() - offset;
    if (left < wal::kRecordHeaderSize) {
      return SegmentResult{offset, Damage{offset, "record header cut short"}};
    }
    auto head = reader.read(offset, wal::kRecordHeaderSize);
    if (!head) return fail(head.error());
    const std::uint32_t length = wal::get_u32(head->data());
    const std::uint32_t crc = wal::get_u32(head->data() + 4);
    const auto type = static_cast<std::uint8_t>((*head)[8]);
    // Both checks come before any allocation for the payload.
    if (length > wal::kMaxPayloadBytes) {
      return SegmentResult{
          offset, Damage{offset, "record length " + std::to_string(length) + " over the limit"}};
    }
    if (length > left - wal::kRecordHeaderSize) {
      return SegmentResult{
          offset, Damage{offset, "record of " + std::to_string(length) + " bytes cut short"}};
    }
    // Re-read header and payload together: the buffer may move for a large
    // payload, which would leave `head` dangling.
    auto whole = reader.read(offset, wal::kRecordHeaderSize + length);
    if (!whole) return fail(whole.error());
    const std::string_view body = whole->substr(8);  // type + payload, what the CRC covers
    if (crc32c(body) != crc) {
      return SegmentResult{offset, Damage{offset, "record checksum mismatch"}};
    }
    const WalPosition position{segment.sequence, offset};
    if (position >= from) {
      if (auto s = record(position, type, body.substr(1)); !s) return fail(s.error());
    }
    offset += wal::kRecordHeaderSize + length;
  }
  return SegmentResult{offset, std::nullopt};
}

Status copy_tail(const fs::path& from, std::uint64_t offset, const fs::path& to) {
  auto source = File::open(from, O_RDONLY);
  if (!source) return fail(source.error());
  auto target = File::open(to, O_CREAT | O_TRUNC | O_WRONLY);
  if (!target) return fail(target.error());
  std::string block(1 << 20, '\0');
  for (std::uint64_t at = offset, out = 0;;) {
    auto got = source->read_at(block, at);
    if (!got) return fail(got.error());
    if (*got == 0) break;
    if (auto s = target->write_at(std::string_view(block).substr(0, *got), out); !s) return s;
    at += *got;
    out += *got;
  }
  if (auto s = target->datasync(); !s) return s;
  return target->close();
}

Status rename_file(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) return fail(ErrorCode::io, "rename " + from.string() + ": " + ec.message());
  return {};
}

// Moves everything from `damage` on aside: the tail of segments[index] and
// every later segment. The order makes each step safe to cut short by a
// crash: the tail is copied before anything is removed; later segments go
// before the damaged one is truncated, so until the last step a new replay
// finds the same damage again and redoes the rest (the copy is overwritten
// with the same bytes).
Status move_aside(const fs::path& dir, const std::vector<Segment>& segments, std::size_t index,
                  const Damage& damage, const std::function<void(const std::string&)>& warn) {
  const Segment& damaged = segments[index];
  const std::string name = damaged.path.filename().string();
  const fs::path tail = dir / wal::corrupt_file_name(name, damage.offset);
  std::error_code ec;
  const std::uint64_t size = fs::file_size(damaged.path, ec);
  if (ec) return fail(ErrorCode::io, "stat " + damaged.path.string() + ": " + ec.message());

  if (damage.offset > 0) {
    if (auto s = copy_tail(damaged.path, damage.offset, tail); !s) return s;
    if (auto s = sync_dir(dir); !s) return s;
  }
  for (std::size_t i = index + 1; i < segments.size(); ++i) {
    const std::string later = segments[i].path.filename().string();
    if (auto s = rename_file(segments[i].path, dir / wal::corrupt_file_name(later, 0)); !s)
      return s;
  }
  if (damage.offset > 0) {
    auto file = File::open(damaged.path, O_WRONLY);
    if (!file) return fail(file.error());
    if (auto s = file->truncate(damage.offset); !s) return s;
    if (auto s = file->datasync(); !s) return s;
    if (auto s = file->close(); !s) return s;
  } else {
    if (auto s = rename_file(damaged.path, tail); !s) return s;
  }
  if (auto s = sync_dir(dir); !s) return s;

  if (warn) {
    std::string message = "WAL " + damaged.path.string() + ": " + damage.why + " at offset " +
                          std::to_string(damage.offset) + "; the log ends there, " +
                          std::to_string(size - damage.offset) + " bytes moved to " +
                          tail.filename().string();
    if (const std::size_t later = segments.size() - index - 1; later > 0) {
      message += ", and " + std::to_string(later) +
                 " later segment(s) moved to <segment>.corrupt-0 (not replayed)";
    }
    warn(message);
  }
  return {};
}

}  // namespace

Result<WalPosition> replay_wal(const std::filesystem::path& dir, WalPosition from,
                               const RecordFn& record,
                               const std::function<void(const std::string&)>& warn) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (ec) return fail(ErrorCode::io, "stat " + dir.string() + ": " + ec.message());
    return from;
  }
  // The writer's lock: recovery moves files a writer would be appending to.
  auto lock = File::open(dir, O_RDONLY | O_DIRECTORY);
  if (!lock) return fail(lock.error());
  if (auto s = lock->try_lock(); !s) return fail(s.error());

  std::vector<Segment> segments;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto sequence = wal::parse_segment_file_name(it->path().filename().string(), /*exact=*/true);
    if (sequence && *sequence >= from.segment) segments.push_back({*sequence, it->path()});
  }
  if (ec) return fail(ErrorCode::io, "list " + dir.string() + ": " + ec.message());
  std::sort(segments.begin(), segments.end(),
            [](const Segment& a, const Segment& b) { return a.sequence < b.sequence; });

  // Sequences may have gaps: a replay that moved segments aside leaves one,
  // and the next Wal::open numbers after the moved ones. A gap is not damage.
  WalPosition end = from;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    auto result = replay_segment(segments[i], from, record);
    if (!result) return fail(result.error());
    if (result->damage) {
      if (auto s = move_aside(dir, segments, i, *result->damage, warn); !s) return fail(s.error());
      // A segment whose header was bad is gone whole; the end stays in the
      // segment before it.
      if (result->damage->offset > 0) end = {segments[i].sequence, result->end};
      break;
    }
    end = {segments[i].sequence, result->end};
  }
  return end;
}

}  // namespace citypulse::tsdb
