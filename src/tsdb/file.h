// Files of the engine: an owned descriptor, closed exactly once by its
// destructor, and the few POSIX calls the log needs, each returning Status
// with the path and the system's reason instead of leaving errno to read.
//
// Durability on Linux takes two steps: fdatasync() of a file makes its bytes
// durable, fsync() of its directory makes its name (creation, rename,
// deletion) durable. sync_dir() is the second step; callers do it after
// every change of a directory's entries that recovery relies on.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "core/result.h"

namespace citypulse::tsdb {

class File {
 public:
  File() = default;  // not open
  // Opens `path` with open(2) `flags` (O_CLOEXEC is added). Fails with
  // ErrorCode::not_found when the file does not exist and O_CREAT is absent,
  // ErrorCode::io otherwise.
  static Result<File> open(const std::filesystem::path& path, int flags, mode_t mode = 0644);

  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();  // closes; an error of close() is lost here, call close() to see it

  bool is_open() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }

  // Writes all of `data` at `offset`, retrying short writes and EINTR. On
  // failure some prefix of `data` may be in the file.
  Status write_at(std::string_view data, std::uint64_t offset);
  // The same for a gather list. `parts` is used up: its entries are advanced
  // past what was written, so the caller must not reuse it.
  Status write_at(std::span<iovec> parts, std::uint64_t offset);

  // Reads up to out.size() bytes at `offset`; fewer only at the end of the
  // file. Returns how many were read.
  Result<std::size_t> read_at(std::span<char> out, std::uint64_t offset) const;

  Result<std::uint64_t> size() const;
  Status truncate(std::uint64_t size);

  // fdatasync(2): the bytes written so far (and the size) are on disk when it
  // returns success. After a failure the kernel may have dropped the dirty
  // pages, so a retry proving success proves nothing: callers treat a failed
  // sync as permanent.
  Status datasync();

  // fsync(2): like datasync() and also the metadata; what a directory needs.
  Status sync();

  // flock(2) LOCK_EX | LOCK_NB: holds the file (or directory) exclusively
  // for as long as this File is open. Fails with ErrorCode::unavailable when
  // another open File, in this process or another, holds it.
  Status try_lock();

  // Closes now and reports the result; the File is then not open.
  Status close();

 private:
  File(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;                 // owned; -1 when not open
  std::filesystem::path path_;  // for error messages
};

// fsync(2) of the directory `dir`: makes the creations, renames and deletions
// of its entries so far durable.
Status sync_dir(const std::filesystem::path& dir);

// The message for errno value `error` about `path`: "<what> <path>: <reason>".
Error io_error(std::string_view what, const std::filesystem::path& path, int error);

}  // namespace citypulse::tsdb
