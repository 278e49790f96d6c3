#include "auth/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "auth/secret.h"

namespace citypulse::auth {
namespace {

namespace fs = std::filesystem;

std::unexpected<Error> io_failure(std::string_view action, std::string_view what,
                                  const fs::path& file) {
  return fail(ErrorCode::io, fmt::format("cannot {} {} '{}': {}", action, what, file.string(),
                                         std::strerror(errno)));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<std::string> read_secret_file(const fs::path& file, std::string_view what) {
  Fd in{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return io_failure("open", what, file);
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(in.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_failure("read", what, file);
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

Result<SecretWritten> write_secret_file(const fs::path& file, std::string_view text, bool replace,
                                        std::string_view what) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  if (ec)
    return fail(ErrorCode::io, fmt::format("cannot create the directory of {} '{}': {}", what,
                                           file.string(), ec.message()));
  fs::path temp = file;
  temp += ".tmp-" + random_token(6);
  {
    // Mode 0600 from the start, so the secret is never readable by others, not even briefly.
    Fd out{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
    if (out.fd < 0) return io_failure("create a temporary file for", what, file);
    bool ok = ::fchmod(out.fd, 0600) == 0;  // the umask may only have removed bits; be exact
    for (std::size_t done = 0; ok && done < text.size();) {
      const ssize_t n = ::write(out.fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(out.fd) == 0;
    if (!ok) {
      auto error = io_failure("write", what, file);
      ::unlink(temp.c_str());
      return error;
    }
  }
  SecretWritten result = SecretWritten::yes;
  if (replace) {
    if (::rename(temp.c_str(), file.c_str()) != 0) {
      auto error = io_failure("replace", what, file);
      ::unlink(temp.c_str());
      return error;
    }
  } else {
    // link() fails with EEXIST instead of overwriting: two processes starting
    // together end up sharing the first one's secret.
    if (::link(temp.c_str(), file.c_str()) != 0) {
      if (errno == EEXIST) {
        result = SecretWritten::file_existed;
      } else {
        auto error = io_failure("create", what, file);
        ::unlink(temp.c_str());
        return error;
      }
    }
    ::unlink(temp.c_str());
  }
  // The new directory entry survives a crash only once the directory is synced.
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  Fd dir_fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir_fd.fd >= 0) ::fsync(dir_fd.fd);
  return result;
}

}  // namespace citypulse::auth
