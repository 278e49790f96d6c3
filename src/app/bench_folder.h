// BenchFolder: where a benchmark keeps its servers' files — the folder it
// was given (created when missing, kept afterwards), or a fresh temporary
// one that goes, with everything in it, when the BenchFolder does.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "core/result.h"

namespace citypulse {

class BenchFolder {
 public:
  // `given` empty: a temporary folder.
  explicit BenchFolder(std::string given) : path_(std::move(given)), temporary_(path_.empty()) {}
  ~BenchFolder() {
    std::error_code ignored;
    if (temporary_ && !path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  BenchFolder(const BenchFolder&) = delete;
  BenchFolder& operator=(const BenchFolder&) = delete;

  // Makes the folder; fails with io when it cannot.
  Status create() {
    if (temporary_) {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "citypulse-bench-XXXXXX").string();
      if (!::mkdtemp(pattern.data())) return fail(ErrorCode::io, "cannot make a temporary folder");
      path_ = pattern;
      return {};
    }
    std::error_code ec;
    std::filesystem::create_directories(path_, ec);
    if (ec) return fail(ErrorCode::io, "cannot make " + path_ + ": " + ec.message());
    return {};
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool temporary_;
};

}  // namespace citypulse
