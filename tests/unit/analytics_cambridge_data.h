// Where the analytics unit tests find the Cambridge archive: ../shared/data/cambridge beside
// the source tree (CITYPULSE_CAMBRIDGE_DIR, set in tests/unit/CMakeLists.txt). The data are
// test material kept outside the project, so a test that needs them skips when they are absent:
//
//   const auto dir = cambridge_data({"electricity/b2_2019.csv", "weather"});
//   if (!dir) GTEST_SKIP() << kNoCambridgeData;
#pragma once

#include <filesystem>
#include <initializer_list>
#include <optional>

namespace citypulse::analytics {

inline constexpr const char* kNoCambridgeData = "no Cambridge data in " CITYPULSE_CAMBRIDGE_DIR;

// The archive's folder when each of `needed` (files or folders relative to it) exists.
inline std::optional<std::filesystem::path> cambridge_data(
    std::initializer_list<std::filesystem::path> needed) {
  const std::filesystem::path dir = CITYPULSE_CAMBRIDGE_DIR;
  std::error_code ec;
  for (const auto& relative : needed) {
    if (!std::filesystem::exists(dir / relative, ec)) return std::nullopt;
  }
  return dir;
}

}  // namespace citypulse::analytics
