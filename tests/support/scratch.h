// What a test owns for its duration: a temporary folder and loopback ports.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace citypulse::test {

// A TCP socket bound to 127.0.0.1 on a port the kernel chose (close-on-exec,
// SO_REUSEADDR); `port` gets the port. Throws std::runtime_error on failure.
int bind_loopback(std::uint16_t& port);

// A TCP port on 127.0.0.1 that was free a moment ago (nothing listens there).
std::uint16_t free_port();

// Whether process `pid` holds the socket listening on TCP port `port` on
// 127.0.0.1. A port free_port() found may be another test's process's by the
// time ours binds, and then that process would answer in its place.
bool listens_on(pid_t pid, std::uint16_t port);

// A fresh empty folder under the system's temporary folder, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace citypulse::test
