// `citypulse bench baseline` and bench/compare_tsdb: the baselines print the
// JSON line of bench tsdb, and the comparison script starts a throw-away
// PostgreSQL cluster, fills its table, and leaves neither folder nor server
// behind.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "bench_output.h"
#include "server_process.h"

#ifndef CITYPULSE_BINARY
#error "CITYPULSE_BINARY must name the citypulse executable"
#endif

namespace citypulse::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A process that still runs (a zombie waiting for its reaper does not).
bool running(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

// `pid` runs and is a PostgreSQL server (not a process that took the number since).
bool postgres_running(long pid) {
  return running(pid) && read_file("/proc/" + std::to_string(pid) + "/cmdline").find("postgres") !=
                             std::string::npos;
}

// Processes whose command line names `text` (the cluster's folder), zombies aside.
std::vector<long> processes_naming(const std::string& text) {
  std::vector<long> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = read_file(entry.path().string() + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(text) != std::string::npos && running(std::stol(name)))
      out.push_back(std::stol(name));
  }
  return out;
}

TEST(BenchBaseline, SqlitePrintsTheFieldsOfBenchTsdb) {
  std::string output;
  ASSERT_EQ(
      run_binary({"bench", "baseline", "--store", "sqlite", "--series", "3", "--points", "5000"},
                 output),
      0)
      << output;
  const auto o = json_line(output);
  EXPECT_EQ(o.at("store"), "sqlite");
  EXPECT_EQ(number(o, "series"), 3);
  EXPECT_EQ(number(o, "points"), 15000);
  EXPECT_EQ(o.at("durable"), false);
  EXPECT_GT(number(o, "points_per_sec"), 0);
  EXPECT_GT(number(o, "p50_append_us"), 0);
  EXPECT_GE(number(o, "p99_append_us"), number(o, "p50_append_us"));
  // A key of two integers and a double per row cannot take less than 8 bytes,
  // nor a mostly-full B-tree more than 64.
  EXPECT_GT(number(o, "bytes_per_point"), 8);
  EXPECT_LT(number(o, "bytes_per_point"), 64);
  EXPECT_EQ(number(o, "wal_bytes"), 0);  // after checkpoint(TRUNCATE)
  EXPECT_GT(number(o, "query_1y_hourly_ms"), 0);
  EXPECT_GT(number(o, "query_100x1d_raw_ms"), 0);
  EXPECT_NEAR(number(o, "query_span_days"), 5000.0 / 1440, 0.01);
}

TEST(BenchBaseline, BadOptionsExitTwo) {
  ::unsetenv("CITYPULSE_BENCH_PG_URL");
  std::string output;
  EXPECT_EQ(
      run_binary({"bench", "baseline", "--store", "postgres", "--series", "3", "--points", "10"},
                 output),
      2)
      << output;
  EXPECT_NE(output.find("CITYPULSE_BENCH_PG_URL"), std::string::npos) << output;
  EXPECT_EQ(run_binary({"bench", "baseline", "--store", "mysql", "--series", "3", "--points", "10"},
                       output),
            2)
      << output;
  EXPECT_EQ(run_binary({"bench", "baseline", "--store", "sqlite", "--series", "3"}, output), 2)
      << output;
  EXPECT_EQ(run_binary({"bench", "baseline", "--store", "sqlite", "--series", "3", "--points", "10",
                        "--pg-url", "postgresql://127.0.0.1/x"},
                       output),
            2)
      << output;
}

TEST(CompareTsdb, QuickRunPrintsSixRowsAndLeavesNothingBehind) {
  TempDir tmp;
  const std::string err = tmp.path() + "/stderr";
  const std::string command = std::string("'") + CITYPULSE_SOURCE_DIR +
                              "/bench/compare_tsdb' --quick --citypulse '" + CITYPULSE_BINARY +
                              "' 2>'" + err + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = ::pclose(pipe);
  const std::string errors = read_file(err);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out << errors;

  // Six rows, engine/sqlite/postgres for each workload, every figure positive.
  // A row: | store | workload | five figures |.
  std::map<std::string, int> rows;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cells;
    std::istringstream split(line);
    for (std::string cell; std::getline(split, cell, '|');) cells.push_back(cell);
    if (cells.size() < 2 || !cells[0].empty()) continue;
    const std::string store = cells[1];
    if (store != " engine " && store != " sqlite " && store != " postgres ") continue;
    ++rows[store.substr(1, store.size() - 2)];
    ASSERT_EQ(cells.size(), 8u) << line;
    for (std::size_t i = 3; i < cells.size(); ++i) {
      std::string figure = cells[i];
      figure.erase(std::remove(figure.begin(), figure.end(), ','), figure.end());
      EXPECT_GT(std::strtod(figure.c_str(), nullptr), 0) << "in: " << line;
    }
  }
  EXPECT_EQ(rows, (std::map<std::string, int>{{"engine", 2}, {"sqlite", 2}, {"postgres", 2}}))
      << out;
  EXPECT_NE(out.find("bench baseline --store postgres --series 4 --points 20000 --durable "
                     "--pg-url postgresql://postgres@127.0.0.1:"),
            std::string::npos)
      << out;

  // The cluster it named is gone: folder and server (given a moment for the
  // server's last children to be reaped).
  const std::string marker = "compare_tsdb: cluster ";
  const auto at = errors.find(marker);
  ASSERT_NE(at, std::string::npos) << errors;
  std::istringstream named(errors.substr(at + marker.size()));
  std::string folder, pid_word;
  long pid = 0;
  named >> folder >> pid_word >> pid;
  ASSERT_TRUE(pid_word == "pid" && pid > 0 &&
              folder.find("citypulse-compare-") != std::string::npos)
      << errors;
  EXPECT_FALSE(fs::exists(folder)) << folder;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((postgres_running(pid) || !processes_naming(folder).empty()) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(postgres_running(pid)) << "postmaster " << pid << " still runs";
  EXPECT_TRUE(processes_naming(folder).empty()) << "a process still names " << folder;
}

}  // namespace
}  // namespace citypulse::test
