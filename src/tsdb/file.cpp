#include "tsdb/file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>
#include <system_error>
#include <utility>

namespace citypulse::tsdb {

Error io_error(std::string_view what, const std::filesystem::path& path, int error) {
  return Error{
      error == ENOENT ? ErrorCode::not_found : ErrorCode::io,
      std::string(what) + " " + path.string() + ": " + std::generic_category().message(error),
      {}};
}

Result<File> File::open(const std::filesystem::path& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    int error = errno;
    // A missing file the caller meant to create is an I/O failure (a missing
    // directory), not "not found" in the caller's sense.
    Error e = io_error("open", path, error);
    if ((flags & O_CREAT) != 0) e.code = ErrorCode::io;
    return fail(std::move(e));
  }
  return File(fd, path);
}

File::File(File&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

Status File::write_at(std::string_view data, std::uint64_t offset) {
  iovec part{const_cast<char*>(data.data()), data.size()};
  return write_at(std::span<iovec>(&part, 1), offset);
}

Status File::write_at(std::span<iovec> parts, std::uint64_t offset) {
  while (!parts.empty()) {
    if (parts.front().iov_len == 0) {
      parts = parts.subspan(1);
      continue;
    }
    int count = static_cast<int>(std::min<std::size_t>(parts.size(), IOV_MAX));
    ssize_t n = ::pwritev(fd_, parts.data(), count, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(io_error("write", path_, errno));
    }
    if (n == 0) return fail(io_error("write", path_, EIO));  // no progress: do not spin
    offset += static_cast<std::uint64_t>(n);
    // A short write (signal, disk nearly full) leaves the rest to write:
    // advance over what went out and try again, which reports the error if
    // there is one.
    auto left = static_cast<std::size_t>(n);
    while (left > 0 && !parts.empty()) {
      std::size_t step = std::min(left, parts.front().iov_len);
      parts.front().iov_base = static_cast<char*>(parts.front().iov_base) + step;
      parts.front().iov_len -= step;
      left -= step;
      if (parts.front().iov_len == 0) parts = parts.subspan(1);
    }
  }
  return {};
}

Result<std::size_t> File::read_at(std::span<char> out, std::uint64_t offset) const {
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n =
        ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(io_error("read", path_, errno));
    }
    if (n == 0) break;  // end of file
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Result<std::uint64_t> File::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return fail(io_error("stat", path_, errno));
  return static_cast<std::uint64_t>(st.st_size);
}

Status File::truncate(std::uint64_t size) {
  while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) return fail(io_error("truncate", path_, errno));
  }
  return {};
}

Status File::datasync() {
  while (::fdatasync(fd_) != 0) {
    if (errno != EINTR) return fail(io_error("fdatasync", path_, errno));
  }
  return {};
}

Status File::sync() {
  while (::fsync(fd_) != 0) {
    if (errno != EINTR) return fail(io_error("fsync", path_, errno));
  }
  return {};
}

Status File::try_lock() {
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return fail(ErrorCode::unavailable, path_.string() + " is in use by another log writer");
    }
    if (errno != EINTR) return fail(io_error("lock", path_, errno));
  }
  return {};
}

Status File::close() {
  if (fd_ < 0) return {};
  // No retry on EINTR: on Linux the descriptor is released either way, and a
  // second close could hit a descriptor another thread just opened.
  int rc = ::close(std::exchange(fd_, -1));
  if (rc != 0 && errno != EINTR) return fail(io_error("close", path_, errno));
  return {};
}

Status sync_dir(const std::filesystem::path& dir) {
  auto file = File::open(dir, O_RDONLY | O_DIRECTORY);
  if (!file) return fail(file.error());
  if (auto synced = file->sync(); !synced) return synced;
  return file->close();
}

}  // namespace citypulse::tsdb
