// The write-ahead log: every sample batch is in the log before it is in
// memory, so a crash loses nothing that was acknowledged.
//
// Files: segment files "<dir>/<16-digit sequence>.wal", each starting with a
// header (magic, format version, segment sequence). Records are
// [length u32][crc32c u32 of type+payload][type u8][payload]; the payload is
// opaque to this layer (the engine encodes sample batches above it). A
// segment is closed and the next begun when it passes `segment_bytes`.
// src/tsdb/wal_format.h and docs/storage.md ("WAL format") give the bytes.
//
// Writing: one writer thread takes appends from a queue and writes them in
// order. Group commit: a sync (fdatasync) starts as soon as the previous one
// ended and covers everything written meanwhile; an append that asked to be
// durable completes only after the sync that covers it. Appends nobody waits
// on are synced at least every `sync_interval_ms` (a timer, off the path of
// durable writes). So a durable append costs about one disk sync, and many
// concurrent ones share it.
//
// Reading (recovery): records are replayed in order from a given position. A
// torn tail — a record cut short, or one whose CRC does not match — is the end
// of the log, not an error: the valid prefix is kept and everything from the
// bad record on is moved aside into "<segment>.corrupt-<offset>" with a log
// line, so the server still starts. Segments after the one with the bad
// record are moved aside whole ("<segment>.corrupt-0"): replaying them would
// apply records whose predecessors are lost. Checkpoint: segments wholly
// before a position the engine names are deleted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace citypulse::tsdb {

// A place in the log: segment sequence and byte offset in it. Segments are
// numbered from 1, so WalPosition{} lies before every record.
struct WalPosition {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  auto operator<=>(const WalPosition&) const = default;
};

struct WalOptions {
  std::filesystem::path dir;
  std::uint64_t segment_bytes = 64ull << 20;
  int sync_interval_ms = 20;                  // for appends nobody waits on
  std::size_t max_queue_bytes = 64ull << 20;  // appends block beyond this (back-pressure)

  // Test hooks, empty in production. They run on the writer thread. An error
  // returned by before_write or before_sync fails that write or sync without
  // doing it, as a full disk or a failing device would.
  std::function<Status()> before_write;  // before each write of records
  std::function<Status()> before_sync;   // before each fdatasync of records
  std::function<void()> after_sync;      // after each fdatasync of records that succeeded
};

// Called once per append, on the writer thread, when the record is written
// (and, for a durable append, synced). A failed write or sync passes the
// error; the log is then unusable and every later append fails too.
// Completions run in log order (a non-durable record after a durable one in
// the same batch waits for its sync). They must not throw, must not call
// Wal::sync() (it returns an error from there) and must not destroy the Wal;
// they may append (which then never blocks).
using WalCompletion = std::function<void(Status)>;

class Wal {
 public:
  // Opens the log in options.dir (created if missing) for appending. Appends
  // go to a new segment after the existing ones, so a tail that recovery cut
  // off is never written over; call replay_wal() first to read what is there.
  // One Wal per directory: the directory is locked (flock) until the Wal is
  // destroyed. Fails with ErrorCode::invalid for a zero segment_bytes,
  // sync_interval_ms or max_queue_bytes, ErrorCode::unavailable when another
  // Wal (in any process) has the directory open, ErrorCode::io when the
  // directory or the first segment cannot be created.
  static Result<std::unique_ptr<Wal>> open(const WalOptions& options);
  // Writes and syncs what is queued, runs its completions (with the error if
  // the log has failed) and stops the writer thread. Appending concurrently
  // with destruction is a bug of the caller.
  virtual ~Wal() = default;

  // Queues one record. `done` may be empty. Returns where the record will
  // start. Thread-safe; records of one thread keep their order. Blocks while
  // max_queue_bytes are queued or being written. Never fails itself: a
  // payload over 64 MiB (wal::kMaxPayloadBytes) completes with
  // ErrorCode::too_large and leaves the log usable; after a write or sync
  // failure `done` gets that error without any I/O, and nothing is written.
  // In both cases the returned position is where the next record would go.
  virtual WalPosition append(std::uint8_t type, std::string payload, bool durable,
                             WalCompletion done) = 0;

  // Whether an append of `payload_bytes` would go without waiting for queue
  // space now. Only the caller's own appends can make it false again, so a
  // caller that alone appends (the engine, under its lock) can rely on it.
  virtual bool has_room(std::size_t payload_bytes) const = 0;

  // Blocks until everything appended before the call is synced. Returns the
  // log's failure if it has failed.
  virtual Status sync() = 0;

  // Deletes the segments that lie wholly before `keep_from` (those with a
  // smaller sequence), never the one being written. Deleting what replay
  // would still need is the caller's decision: it names the position.
  virtual Status truncate_before(WalPosition keep_from) = 0;

  // Bytes in all segment files, for metrics and tests.
  virtual std::uint64_t size_bytes() const = 0;

  // Syncs of record data so far (segment creation not counted), for metrics
  // and tests: appends per sync is how well group commit groups.
  virtual std::uint64_t sync_count() const = 0;
};

// Replays the log in `dir` from `from`: calls `record` for each valid record
// in order with its position, type and payload (the view lives until `record`
// returns). Segments before from.segment are not read. Moves a corrupt tail
// aside as described above (and logs it through `warn`: one call per damage
// found). Returns the position after the last valid record (after the header
// of the last segment kept if it holds none), or `from` when `dir` has no
// segment at or after it; a missing `dir` is an empty log, not an error.
//
// Errors: an error returned by `record` stops the replay and is returned, with
// no file touched. A segment of an unknown format version fails with
// ErrorCode::io and is left as it is (a newer build wrote it; moving it aside
// would lose it). Failing to read or to move a tail aside fails with
// ErrorCode::io. While a Wal is open on `dir` it fails with
// ErrorCode::unavailable: recovery runs before Wal::open.
Result<WalPosition> replay_wal(
    const std::filesystem::path& dir, WalPosition from,
    const std::function<Status(WalPosition, std::uint8_t, std::string_view)>& record,
    const std::function<void(const std::string&)>& warn);

}  // namespace citypulse::tsdb
