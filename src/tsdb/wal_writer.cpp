// The writing side of the WAL: Wal::open and the writer thread.
//
// One mutex guards the queue, the next position and the failure; the writer
// thread alone touches the segment file. Positions are handed out in append()
// under the mutex, in the same order as the queue, so the log order is the
// queue order and the writer only follows the positions it is given (a record
// whose position names the next segment is where it rolls).
#include <fcntl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "tsdb/crc32c.h"
#include "tsdb/file.h"
#include "tsdb/wal.h"
#include "tsdb/wal_format.h"

namespace citypulse::tsdb {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// One queued append, or a sync() barrier (no record, durable).
struct Pending {
  WalPosition position;                               // where the record starts
  std::array<char, wal::kRecordHeaderSize> header{};  // length, crc, type
  std::string payload;
  bool has_record = false;        // false for a barrier or an append that is refused
  bool durable = false;           // completes only after a sync covers it
  std::optional<Error> rejected;  // completes with this and writes nothing
  WalCompletion done;

  std::size_t bytes() const { return has_record ? header.size() + payload.size() : 0; }
};

// Set on the writer thread, so that calls made from a completion can tell.
thread_local const void* t_writer_of = nullptr;

std::string segment_header(std::uint64_t sequence) {
  std::string header(wal::kSegmentHeaderSize, '\0');
  std::copy(wal::kMagic.begin(), wal::kMagic.end(), header.begin());
  wal::put_u32(header.data() + 8, wal::kFormatVersion);
  wal::put_u64(header.data() + 12, sequence);
  wal::put_u32(header.data() + 20, crc32c(std::string_view(header).substr(0, 20)));
  return header;
}

// Creates segment `sequence` and returns it open for writing. The header is
// written and synced under a temporary name first and only then renamed, so a
// file with a segment's name always starts with a whole header: recovery can
// then treat a bad header as damage, never as a crash in the middle of this.
Result<File> create_segment(const fs::path& dir, std::uint64_t sequence) {
  const std::string name = wal::segment_file_name(sequence);
  const fs::path tmp = dir / (name + ".tmp");
  {
    auto file = File::open(tmp, O_CREAT | O_TRUNC | O_WRONLY);
    if (!file) return fail(file.error());
    if (auto s = file->write_at(segment_header(sequence), 0); !s) return fail(s.error());
    if (auto s = file->datasync(); !s) return fail(s.error());
    if (auto s = file->close(); !s) return fail(s.error());
  }
  std::error_code ec;
  fs::rename(tmp, dir / name, ec);
  if (ec) return fail(ErrorCode::io, "rename " + tmp.string() + ": " + ec.message());
  if (auto s = sync_dir(dir); !s) return fail(s.error());
  return File::open(dir / name, O_WRONLY);
}

class WalImpl final : public Wal {
 public:
  WalImpl(const WalOptions& options, File dir_lock, File segment, std::uint64_t sequence,
          std::uint64_t existing_bytes)
      : options_(options),
        dir_lock_(std::move(dir_lock)),
        next_{sequence, wal::kSegmentHeaderSize},
        segment_(std::move(segment)),
        segment_seq_(sequence),
        segment_end_(wal::kSegmentHeaderSize),
        size_bytes_(existing_bytes + wal::kSegmentHeaderSize),
        active_segment_(sequence) {}

  ~WalImpl() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_one();
    space_cv_.notify_all();
    if (writer_.joinable()) writer_.join();
  }

  // Separate from the constructor so that open() can turn a failure to start
  // a thread into an error instead of an exception.
  void start() {
    writer_ = std::thread([this] { run(); });
  }

  WalPosition append(std::uint8_t type, std::string payload, bool durable,
                     WalCompletion done) override;
  Status sync() override;
  Status truncate_before(WalPosition keep_from) override;
  std::uint64_t size_bytes() const override { return size_bytes_.load(); }
  std::uint64_t sync_count() const override { return syncs_.load(); }
  bool has_room(std::size_t payload_bytes) const override {
    const std::size_t bytes = wal::kRecordHeaderSize + payload_bytes;
    std::lock_guard lock(mu_);
    // The same test append()'s wait makes.
    return failed_ || stopping_ || queued_bytes_ == 0 ||
           queued_bytes_ + bytes <= options_.max_queue_bytes;
  }

 private:
  void run();
  void process(std::vector<Pending>& batch, bool stopping);
  Status write_records(std::vector<Pending>& batch);
  Status flush(std::vector<iovec>& parts, std::size_t bytes);
  Status roll(std::uint64_t sequence);
  Status sync_segment();
  void set_failed(const Error& error);
  static void complete(Pending& pending, const Status& status);

  const WalOptions options_;
  File dir_lock_;  // the directory, flock-ed: one writer per log

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // the writer waits here for work or its timer
  std::condition_variable space_cv_;  // appenders wait here while the queue is full
  std::vector<Pending> queue_;        // appended, not yet taken by the writer
  std::size_t queued_bytes_ = 0;      // of records queued or being written: the back-pressure
  WalPosition next_;                  // where the next record will start
  bool stopping_ = false;             // the destructor runs
  std::optional<Error> failed_;       // the first write or sync failure; sticky

  // The writer thread's own state.
  File segment_;                       // the segment being written
  std::uint64_t segment_seq_;          // its sequence
  std::uint64_t segment_end_;          // bytes written to it
  bool dirty_ = false;                 // written since its last sync
  Clock::time_point sync_deadline_{};  // when written-but-unsynced bytes must be synced
  std::vector<iovec> parts_;           // reused gather list

  std::atomic<std::uint64_t> size_bytes_;      // of all segment files
  std::atomic<std::uint64_t> syncs_{0};        // of record data, for metrics and tests
  std::atomic<std::uint64_t> active_segment_;  // segment_seq_, for truncate_before
  std::mutex truncate_mu_;                     // one truncate_before at a time
  std::thread writer_;
};

WalPosition WalImpl::append(std::uint8_t type, std::string payload, bool durable,
                            WalCompletion done) {
  Pending pending;
  pending.durable = durable;
  pending.done = std::move(done);
  if (payload.size() > wal::kMaxPayloadBytes) {
    // Refused, but the log stays usable: the caller sent too much, the disk
    // did not fail.
    pending.rejected =
        Error{ErrorCode::too_large,
              "WAL record of " + std::to_string(payload.size()) + " bytes is over the limit of " +
                  std::to_string(wal::kMaxPayloadBytes),
              {}};
  } else {
    // The CRC is computed here, on the caller's thread, so that concurrent
    // appenders share the CPU work and the single writer thread only writes.
    const char type_byte = static_cast<char>(type);
    const std::uint32_t crc = crc32c(payload, crc32c(std::string_view(&type_byte, 1)));
    wal::put_u32(pending.header.data(), static_cast<std::uint32_t>(payload.size()));
    wal::put_u32(pending.header.data() + 4, crc);
    pending.header[8] = type_byte;
    pending.payload = std::move(payload);
    pending.has_record = true;
  }
  std::size_t bytes = pending.bytes();

  std::unique_lock lock(mu_);
  // Back-pressure: wait while the queue is full. A record larger than the
  // whole limit still goes once the queue is empty, or it could never go. A
  // completion that appends must not wait for the thread it runs on, so
  // appends from the writer thread never block.
  if (bytes > 0 && t_writer_of != this) {
    space_cv_.wait(lock, [&] {
      return failed_ || stopping_ || queued_bytes_ == 0 ||
             queued_bytes_ + bytes <= options_.max_queue_bytes;
    });
  }
  if (failed_) {
    // Nothing more is written after a failure; the writer completes this one
    // with the error at once, without I/O.
    pending.has_record = false;
    pending.payload = {};
    bytes = 0;
  }
  WalPosition position = next_;
  if (pending.has_record) {
    // A segment is closed once it has passed segment_bytes; one that holds
    // nothing but its header takes the record however large it is.
    if (next_.offset >= options_.segment_bytes && next_.offset > wal::kSegmentHeaderSize) {
      ++next_.segment;
      next_.offset = wal::kSegmentHeaderSize;
    }
    position = next_;
    pending.position = position;
    next_.offset += bytes;
  }
  queued_bytes_ += bytes;
  // The writer only ever waits with an empty queue, so it needs waking only
  // when this append makes the queue non-empty.
  const bool wake = queue_.empty();
  queue_.push_back(std::move(pending));
  lock.unlock();
  if (wake) work_cv_.notify_one();
  return position;
}

Status WalImpl::sync() {
  if (t_writer_of == this) {
    return fail(ErrorCode::internal, "Wal::sync called from a completion would wait for itself");
  }
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  Pending barrier;
  barrier.durable = true;
  barrier.done = [promise](Status status) { promise->set_value(std::move(status)); };
  {
    std::lock_guard lock(mu_);
    const bool wake = queue_.empty();
    queue_.push_back(std::move(barrier));
    if (wake) work_cv_.notify_one();
  }
  return future.get();
}

Status WalImpl::truncate_before(WalPosition keep_from) {
  std::lock_guard guard(truncate_mu_);
  // Never the segment being written, whatever position the caller names.
  const std::uint64_t limit = std::min(keep_from.segment, active_segment_.load());
  std::error_code ec;
  bool removed = false;
  for (fs::directory_iterator it(options_.dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    auto sequence = wal::parse_segment_file_name(name, /*exact=*/true);
    if (!sequence || *sequence >= limit) continue;
    std::error_code size_ec;
    const std::uint64_t size = fs::file_size(it->path(), size_ec);
    std::error_code remove_ec;
    if (!fs::remove(it->path(), remove_ec) || remove_ec) {
      return fail(ErrorCode::io, "remove " + it->path().string() + ": " + remove_ec.message());
    }
    if (!size_ec) size_bytes_ -= size;
    removed = true;
  }
  if (ec) return fail(ErrorCode::io, "list " + options_.dir.string() + ": " + ec.message());
  // Deleting is safe to lose in a crash (the segments are replayed again and
  // the engine skips what it has), but not to half-remember: sync the names.
  if (removed) return sync_dir(options_.dir);
  return {};
}

void WalImpl::run() {
  t_writer_of = this;
  std::vector<Pending> batch;
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      while (queue_.empty() && !stopping_) {
        // Durable appends never wait for this timer: they arrive on the queue
        // and wake the writer. The timer only bounds how long bytes nobody
        // waits on stay unsynced.
        if (!dirty_ || failed_) {
          work_cv_.wait(lock);
        } else if (work_cv_.wait_until(lock, sync_deadline_) == std::cv_status::timeout) {
          break;
        }
      }
      std::swap(batch, queue_);
      stopping = stopping_;
    }
    process(batch, stopping);
    std::size_t bytes = 0;
    for (const Pending& pending : batch) bytes += pending.bytes();
    batch.clear();
    bool done = false;
    {
      std::lock_guard lock(mu_);
      queued_bytes_ -= bytes;
      done = stopping && queue_.empty();
    }
    space_cv_.notify_all();
    if (done) return;
  }
}

// Writes the batch, completes what needed only the write, syncs if anything
// in the batch waits for it (or the timer is due, or the log is closing), then
// completes the rest. Completions run in log order. Group commit is this loop:
// appends that arrive while one sync runs are queued, and the next pass
// writes all of them and covers them with one sync.
void WalImpl::process(std::vector<Pending>& batch, bool stopping) {
  Status status = failed_ ? Status(fail(*failed_)) : Status{};
  std::size_t first_waiting = batch.size();  // the first entry that waits for the sync
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].durable) {
      first_waiting = i;
      break;
    }
  }
  if (status) status = write_records(batch);
  if (!status) {
    set_failed(status.error());
    for (Pending& pending : batch) complete(pending, status);
    return;
  }
  for (std::size_t i = 0; i < first_waiting; ++i) complete(batch[i], status);

  const bool due = dirty_ && Clock::now() >= sync_deadline_;
  if (dirty_ && (first_waiting < batch.size() || stopping || due)) {
    status = sync_segment();
    if (!status) set_failed(status.error());
  }
  for (std::size_t i = first_waiting; i < batch.size(); ++i) complete(batch[i], status);
}

Status WalImpl::write_records(std::vector<Pending>& batch) {
  parts_.clear();
  std::size_t bytes = 0;
  for (Pending& pending : batch) {
    if (!pending.has_record) continue;
    if (pending.position.segment != segment_seq_) {
      if (auto s = flush(parts_, bytes); !s) return s;
      bytes = 0;
      if (auto s = roll(pending.position.segment); !s) return s;
    }
    if (pending.position.offset != segment_end_ + bytes) {
      return fail(ErrorCode::internal, "WAL writer lost its place: record for offset " +
                                           std::to_string(pending.position.offset) + " at offset " +
                                           std::to_string(segment_end_ + bytes));
    }
    parts_.push_back({pending.header.data(), pending.header.size()});
    parts_.push_back({pending.payload.data(), pending.payload.size()});
    bytes += pending.bytes();
  }
  return flush(parts_, bytes);
}

Status WalImpl::flush(std::vector<iovec>& parts, std::size_t bytes) {
  if (parts.empty()) return {};
  Status status = options_.before_write ? options_.before_write() : Status{};
  // A failed write may leave part of a record in the file; nothing is written
  // after it, and recovery reads the part as a torn tail.
  if (status) status = segment_.write_at(parts, segment_end_);
  parts.clear();
  if (!status) return status;
  segment_end_ += bytes;
  size_bytes_ += bytes;
  if (!dirty_) {
    dirty_ = true;
    sync_deadline_ = Clock::now() + std::chrono::milliseconds(options_.sync_interval_ms);
  }
  return {};
}

// The old segment is synced before the next is created, so at most the last
// segment can end in a torn record: damage anywhere else is real corruption.
Status WalImpl::roll(std::uint64_t sequence) {
  if (sequence != segment_seq_ + 1) {
    return fail(ErrorCode::internal, "WAL writer asked to skip from segment " +
                                         std::to_string(segment_seq_) + " to " +
                                         std::to_string(sequence));
  }
  if (dirty_) {
    if (auto s = sync_segment(); !s) return s;
  }
  if (auto s = segment_.close(); !s) return s;
  auto next = create_segment(options_.dir, sequence);
  if (!next) return fail(next.error());
  segment_ = std::move(*next);
  segment_seq_ = sequence;
  segment_end_ = wal::kSegmentHeaderSize;
  size_bytes_ += wal::kSegmentHeaderSize;
  active_segment_ = sequence;
  return {};
}

Status WalImpl::sync_segment() {
  Status status = options_.before_sync ? options_.before_sync() : Status{};
  if (status) status = segment_.datasync();
  if (!status) return status;
  dirty_ = false;
  ++syncs_;
  if (options_.after_sync) options_.after_sync();
  return {};
}

void WalImpl::set_failed(const Error& error) {
  {
    std::lock_guard lock(mu_);
    if (!failed_) failed_ = error;
  }
  // Appenders blocked on a full queue must not wait for a writer that will
  // write nothing more.
  space_cv_.notify_all();
}

void WalImpl::complete(Pending& pending, const Status& status) {
  if (!pending.done) return;
  if (pending.rejected) {
    pending.done(fail(*pending.rejected));
  } else {
    pending.done(status);
  }
}

}  // namespace

Result<std::unique_ptr<Wal>> Wal::open(const WalOptions& options) {
  if (options.dir.empty()) return fail(ErrorCode::invalid, "WAL directory is empty", "dir");
  if (options.segment_bytes == 0) {
    return fail(ErrorCode::invalid, "segment_bytes must be positive", "segment_bytes");
  }
  if (options.sync_interval_ms <= 0) {
    return fail(ErrorCode::invalid, "sync_interval_ms must be positive", "sync_interval_ms");
  }
  if (options.max_queue_bytes == 0) {
    return fail(ErrorCode::invalid, "max_queue_bytes must be positive", "max_queue_bytes");
  }

  std::error_code ec;
  const fs::path dir = fs::absolute(options.dir, ec);
  if (ec) return fail(ErrorCode::io, "WAL directory " + options.dir.string() + ": " + ec.message());
  const bool created = fs::create_directories(dir, ec);
  if (ec) return fail(ErrorCode::io, "create " + dir.string() + ": " + ec.message());
  if (created) {
    if (auto s = sync_dir(dir.parent_path()); !s) return fail(s.error());
  }

  // Two writers on one log would interleave records and number segments
  // alike; the lock on the directory, held until the Wal is destroyed, keeps
  // a second process (or a second open in this one) out.
  auto dir_lock = File::open(dir, O_RDONLY | O_DIRECTORY);
  if (!dir_lock) return fail(dir_lock.error());
  if (auto s = dir_lock->try_lock(); !s) return fail(s.error());

  // The new segment comes after every number in use, moved-aside ones
  // included, so a sequence is never reused.
  std::uint64_t last = 0;
  std::uint64_t existing_bytes = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    auto sequence = wal::parse_segment_file_name(name, /*exact=*/false);
    if (!sequence) continue;
    last = std::max(last, *sequence);
    if (name.ends_with(".tmp")) {
      // A segment whose creation a crash interrupted: it never got its name,
      // so it holds no record.
      std::error_code remove_ec;
      fs::remove(it->path(), remove_ec);
    } else if (name.size() == wal::segment_file_name(*sequence).size()) {
      std::error_code size_ec;
      const std::uint64_t size = fs::file_size(it->path(), size_ec);
      if (!size_ec) existing_bytes += size;
    }
  }
  if (ec) return fail(ErrorCode::io, "list " + dir.string() + ": " + ec.message());

  const std::uint64_t sequence = std::max(last + 1, wal::kFirstSegment);
  auto segment = create_segment(dir, sequence);
  if (!segment) return fail(segment.error());

  WalOptions resolved = options;
  resolved.dir = dir;
  auto wal = std::make_unique<WalImpl>(resolved, std::move(*dir_lock), std::move(*segment),
                                       sequence, existing_bytes);
  try {
    wal->start();
  } catch (const std::system_error& e) {
    return fail(ErrorCode::io, std::string("start the WAL writer thread: ") + e.what());
  }
  return std::unique_ptr<Wal>(std::move(wal));
}

}  // namespace citypulse::tsdb
