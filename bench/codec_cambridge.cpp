// Chunk codec on real meter data: bytes per reading and encode/decode speed
// for several chunk sizes, over the hourly electricity files of the Cambridge
// University Estates archive (datetime,"equipment load [kWh]"; an exact 0 is
// a missing reading and is skipped). Each file is one series, cut into chunks
// of up to N samples.
//
//   bench_codec_cambridge [data dir]   (default ../shared/data/cambridge/electricity
//                                       beside the source tree, or $CITYPULSE_CAMBRIDGE_DIR)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tsdb/chunk_codec.h"

namespace {

using citypulse::tsdb::Sample;
using citypulse::tsdb::Timestamp;
using Clock = std::chrono::steady_clock;

// Local naive timestamps are read as UTC: only their spacing matters here.
std::vector<Sample> load(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // the column names
  std::vector<Sample> s;
  while (std::getline(in, line)) {
    int y, mo, d, h, mi, sec;
    double v;
    if (std::sscanf(line.c_str(), "%d-%d-%d %d:%d:%d,%lf", &y, &mo, &d, &h, &mi, &sec, &v) != 7) {
      continue;
    }
    if (v == 0) continue;  // missing reading
    const auto days =
        std::chrono::sys_days(std::chrono::year(y) / mo / d).time_since_epoch().count();
    s.push_back({((Timestamp{days} * 24 + h) * 60 + mi) * 60'000 + sec * 1000LL, v, 0});
  }
  return s;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir =
      std::string(CITYPULSE_SOURCE_DIR) + "/../shared/data/cambridge/electricity";
  if (const char* env = std::getenv("CITYPULSE_CAMBRIDGE_DIR")) dir = env;
  if (argc > 1) dir = argv[1];
  std::vector<std::vector<Sample>> series;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".csv") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::size_t total = 0;
  for (const auto& f : files) {
    series.push_back(load(f));
    total += series.back().size();
  }
  if (total == 0) {
    std::fprintf(stderr, "no readings under %s\n", dir.c_str());
    return 1;
  }
  std::printf("%zu files, %zu readings (zeros skipped) from %s\n\n", files.size(), total,
              dir.c_str());
  std::printf(
      "| samples per chunk | chunks | bytes | bytes per reading | encode (M samples/s) | decode (M "
      "samples/s) |\n");
  std::printf("|---|---|---|---|---|---|\n");

  for (std::size_t chunk_size : {256, 512, 1024, 4096, 65535}) {
    std::vector<std::vector<Sample>> parts;
    for (const auto& s : series) {
      for (std::size_t i = 0; i < s.size(); i += chunk_size) {
        parts.emplace_back(s.begin() + i, s.begin() + std::min(s.size(), i + chunk_size));
      }
    }
    std::vector<std::string> chunks(parts.size());
    std::size_t bytes = 0;
    // Repeat until each measurement has run for at least half a second.
    int rounds = 0;
    const auto encode_start = Clock::now();
    do {
      for (std::size_t i = 0; i < parts.size(); ++i)
        chunks[i] = citypulse::tsdb::encode_chunk(parts[i]);
      ++rounds;
    } while (seconds_since(encode_start) < 0.5);
    const double encode_rate = double(total) * rounds / seconds_since(encode_start);
    for (const auto& c : chunks) bytes += c.size();

    std::vector<Sample> out;
    out.reserve(chunk_size);
    std::size_t decoded = 0;
    rounds = 0;
    const auto decode_start = Clock::now();
    do {
      for (const auto& c : chunks) {
        out.clear();
        if (!citypulse::tsdb::decode_chunk(c, out)) {
          std::fprintf(stderr, "decode failed\n");
          return 1;
        }
        decoded += out.size();
      }
      ++rounds;
    } while (seconds_since(decode_start) < 0.5);
    const double decode_rate = double(decoded) / seconds_since(decode_start);
    // Every chunk must give back exactly what went in.
    for (std::size_t i = 0; i < parts.size(); ++i) {
      out.clear();
      (void)citypulse::tsdb::decode_chunk(chunks[i], out);
      if (out != parts[i]) {
        std::fprintf(stderr, "round trip failed\n");
        return 1;
      }
    }
    std::printf("| %zu | %zu | %zu | %.3f | %.1f | %.1f |\n", chunk_size, chunks.size(), bytes,
                double(bytes) / double(total), encode_rate / 1e6, decode_rate / 1e6);
  }
  return 0;
}
