// libFuzzer target for WAL recovery: the input is one segment file, as a
// crash, a failing disk or a stray write could leave it, and replay_wal()
// reads it. tests/unit/tsdb_wal_fuzz_replay_test.cpp runs this same entry
// over thousands of mutated segments on every test run. For open-ended
// fuzzing build it with a clang whose C++23 covers libstdc++'s std::expected
// (clang 16 or later; Debian 12's clang 14 does not), from the repository
// root, as one command:
//
//   clang++ -std=c++2b -g -O1 -fsanitize=fuzzer,address,undefined -Isrc
//     fuzz/wal_reader_fuzz.cpp src/tsdb/wal_reader.cpp src/tsdb/file.cpp
//     src/tsdb/crc32c.cpp -o wal_reader_fuzz && ./wal_reader_fuzz
//
// Beyond what the sanitizers catch (overruns, leaks, undefined behaviour) it
// checks what recovery promises, and aborts when a promise is broken:
// - replay fails only for a segment of an unknown format version, and then
//   touches nothing;
// - no byte is lost: what stays in the segment followed by what was moved
//   aside is the input, and there is a warning exactly when something moved;
// - records come at increasing positions, each inside the file with the
//   length, checksum, type and payload the file holds there, and the end is
//   right after the last one;
// - recovery is done once: a second replay finds the same records, the same
//   end and nothing to warn about.
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "tsdb/crc32c.h"
#include "tsdb/wal.h"
#include "tsdb/wal_format.h"

namespace {

namespace fs = std::filesystem;
using citypulse::Status;
using citypulse::tsdb::WalPosition;
namespace wal = citypulse::tsdb::wal;

[[noreturn]] void broken(const char* promise) {
  std::fprintf(stderr, "wal_reader_fuzz: broken promise: %s\n", promise);
  std::abort();
}

// One directory for the whole run, removed at exit.
struct WorkDir {
  fs::path path;
  WorkDir() {
    std::string pattern = (fs::temp_directory_path() / "wal_reader_fuzz_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) broken("a temporary directory can be made");
    path = pattern;
  }
  ~WorkDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Replay {
  std::vector<std::tuple<WalPosition, std::uint8_t, std::string>> records;
  bool ok = false;
  WalPosition end;
  int warnings = 0;
};

Replay replay(const fs::path& dir) {
  Replay out;
  auto end = citypulse::tsdb::replay_wal(
      dir, {},
      [&](WalPosition position, std::uint8_t type, std::string_view payload) -> Status {
        out.records.emplace_back(position, type, std::string(payload));
        return {};
      },
      [&](const std::string&) { ++out.warnings; });
  out.ok = end.has_value();
  if (end) out.end = *end;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const WorkDir work;
  const fs::path& dir = work.path;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove(entry.path(), ec);

  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::string name = wal::segment_file_name(wal::kFirstSegment);
  {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(input.data(), static_cast<std::streamsize>(input.size()));
  }

  const Replay first = replay(dir);
  if (!first.ok) {
    const bool newer_version = input.size() >= wal::kSegmentHeaderSize &&
                               std::equal(wal::kMagic.begin(), wal::kMagic.end(), input.begin()) &&
                               citypulse::tsdb::crc32c(std::string_view(input).substr(0, 20)) ==
                                   wal::get_u32(input.data() + 20) &&
                               wal::get_u32(input.data() + 8) != wal::kFormatVersion;
    if (!newer_version) broken("replay fails only for an unknown format version");
    if (first.warnings != 0) broken("a failed replay warns about nothing");
    if (read_file(dir / name) != input) broken("a failed replay leaves the segment as it was");
    return 0;
  }

  // What is left where, after recovery.
  std::string kept, aside;
  int aside_files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (file == name) {
      kept = read_file(entry.path());
    } else if (file.starts_with(name + ".corrupt-")) {
      aside = read_file(entry.path());
      ++aside_files;
    } else {
      broken("recovery makes no file but <segment>.corrupt-<offset>");
    }
  }
  if (aside_files > 1) broken("one damage, one file moved aside");
  if (kept + aside != input) broken("the valid prefix and the moved tail are the input");
  if (first.warnings != aside_files) broken("a warning exactly when bytes were moved aside");
  if (aside_files == 1 && !fs::exists(dir / wal::corrupt_file_name(name, kept.size()))) {
    broken("the moved tail is named after the offset it came from");
  }

  std::uint64_t next = wal::kSegmentHeaderSize;
  for (const auto& [position, type, payload] : first.records) {
    if (position.segment != wal::kFirstSegment || position.offset != next) {
      broken("records follow each other without gaps");
    }
    next = position.offset + wal::kRecordHeaderSize + payload.size();
    if (next > kept.size()) broken("a record lies inside the kept file");
    const char* head = kept.data() + position.offset;
    if (wal::get_u32(head) != payload.size() || static_cast<std::uint8_t>(head[8]) != type ||
        std::string_view(head + wal::kRecordHeaderSize, payload.size()) != payload) {
      broken("a record is what the file holds at its position");
    }
    if (citypulse::tsdb::crc32c(std::string_view(head + 8, 1 + payload.size())) !=
        wal::get_u32(head + 4)) {
      broken("only records whose checksum matches are replayed");
    }
  }
  const WalPosition expected_end =
      kept.empty() ? WalPosition{} : WalPosition{wal::kFirstSegment, next};
  if (first.end != expected_end) broken("the end is right after the last record");
  if (!kept.empty() && next != kept.size()) broken("the kept file ends with its last record");

  const Replay second = replay(dir);
  if (!second.ok || second.warnings != 0) broken("a recovered log replays cleanly");
  if (second.records != first.records || second.end != first.end) {
    broken("a second replay finds the same records");
  }
  return 0;
}
