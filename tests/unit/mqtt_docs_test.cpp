// docs/mqtt.md's "Normative statements" tables stay honest: every statement
// id the broker's code cites has a row, every row's status is one of the
// four, and every file and test a row names exists. A test is named as
// Suite.Name (`*` matches any run of characters) and looked for among the
// GoogleTest definitions under tests/ and fuzz/; anything with a '/' is a
// file, relative to the source tree (in the "where" column, a bare name is a
// file of src/transport/mqtt/).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace citypulse::mqtt {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = CITYPULSE_SOURCE_DIR;
constexpr std::string_view kSection = "## Normative statements";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool is_ident(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every "MQTT-x.y.z-n" in `text` (a placeholder such as "MQTT-4.3.3-?" is none).
std::set<std::string> statement_ids(std::string_view text) {
  std::set<std::string> ids;
  for (auto at = text.find("MQTT-"); at != std::string_view::npos;
       at = text.find("MQTT-", at + 1)) {
    std::size_t i = at + 5;
    bool ok = true;
    for (const char separator : {'.', '.', '-', '\0'}) {
      const std::size_t digits = i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i;
      if (i == digits) ok = false;
      if (!ok || separator == '\0') break;
      if (i >= text.size() || text[i] != separator) {
        ok = false;
        break;
      }
      ++i;
    }
    if (ok) ids.insert(std::string(text.substr(at, i - at)));
  }
  return ids;
}

// The text between backticks in `cell`.
std::vector<std::string> backticked(std::string_view cell) {
  std::vector<std::string> out;
  for (auto open = cell.find('`'); open != std::string_view::npos;) {
    const auto close = cell.find('`', open + 1);
    if (close == std::string_view::npos) break;
    out.emplace_back(cell.substr(open + 1, close - open - 1));
    open = cell.find('`', close + 1);
  }
  return out;
}

// A table row's cells, without the outer bars.
std::vector<std::string> cells(std::string_view line) {
  std::vector<std::string> out;
  std::string_view rest = line.substr(line.find('|') + 1);
  for (auto bar = rest.find('|'); bar != std::string_view::npos; bar = rest.find('|')) {
    out.push_back(trim(rest.substr(0, bar)));
    rest.remove_prefix(bar + 1);
  }
  return out;
}

struct Row {
  std::size_t table = 0;  // which table of the section, from 0
  std::size_t line = 0;   // in docs/mqtt.md, from 1
  std::string id, status, where, tested_by;
};

struct Doc {
  bool found = false;
  std::vector<Row> rows;
  std::vector<std::string> problems;  // tables the parser could not read
};

// The rows of every table in the section whose header names the columns
// id, status, where and "tested by".
Doc statement_tables() {
  Doc doc;
  std::istringstream in(read(kSource / "docs/mqtt.md"));
  std::string line;
  std::size_t number = 0;
  bool inside = false;
  std::map<std::string, std::size_t> columns;  // of the table being read
  bool header_seen = false;
  std::size_t tables = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.starts_with("## ")) {
      inside = trim(line) == kSection;
      doc.found = doc.found || inside;
      continue;
    }
    if (!inside) continue;
    if (!line.starts_with('|')) {
      header_seen = false;
      columns.clear();
      continue;
    }
    const auto c = cells(line);
    if (!header_seen) {
      header_seen = true;
      ++tables;
      for (std::size_t i = 0; i < c.size(); ++i) columns[lower(c[i])] = i;
      for (const char* name : {"id", "status", "where", "tested by"})
        if (!columns.contains(name))
          doc.problems.push_back("line " + std::to_string(number) + ": a table without a '" + name +
                                 "' column");
      continue;
    }
    if (c.empty() || c[0].starts_with("---")) continue;  // the separator
    if (columns.size() < 4 || c.size() != columns.size()) {
      doc.problems.push_back("line " + std::to_string(number) + ": " + std::to_string(c.size()) +
                             " cells, the header has " + std::to_string(columns.size()));
      continue;
    }
    doc.rows.push_back(Row{tables - 1, number, c[columns["id"]], c[columns["status"]],
                           c[columns["where"]], c[columns["tested by"]]});
  }
  return doc;
}

std::vector<fs::path> sources_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".cpp" || ext == ".h" || ext == ".cc"))
      out.push_back(entry.path());
  }
  return out;
}

// Suite.Name of every GoogleTest test defined under tests/ and fuzz/.
std::set<std::string> defined_tests() {
  static const std::set<std::string> macros = {"TEST", "TEST_F", "TEST_P", "TYPED_TEST",
                                               "TYPED_TEST_P"};
  std::set<std::string> names;
  for (const char* dir : {"tests", "fuzz"}) {
    for (const auto& path : sources_under(kSource / dir)) {
      const std::string text = read(path);
      std::size_t i = 0;
      auto skip_space = [&] {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
      };
      auto identifier = [&] {
        const std::size_t from = i;
        while (i < text.size() && is_ident(text[i])) ++i;
        return text.substr(from, i - from);
      };
      for (std::size_t at = text.find("TEST"); at != std::string::npos;
           at = text.find("TEST", at + 1)) {
        if (at > 0 && is_ident(text[at - 1])) continue;
        i = at;
        if (!macros.contains(identifier())) continue;
        skip_space();
        if (i >= text.size() || text[i++] != '(') continue;
        skip_space();
        const std::string suite = identifier();
        skip_space();
        if (suite.empty() || i >= text.size() || text[i++] != ',') continue;
        skip_space();
        const std::string name = identifier();
        skip_space();
        if (name.empty() || i >= text.size() || text[i] != ')') continue;
        names.insert(suite + "." + name);
      }
    }
  }
  return names;
}

// `pattern` with '*' for any run of characters.
bool glob(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '*')
    return glob(pattern.substr(1), text) || (!text.empty() && glob(pattern, text.substr(1)));
  return !text.empty() && pattern[0] == text[0] && glob(pattern.substr(1), text.substr(1));
}

bool looks_like_test(std::string_view token) {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == token.size()) return false;
  for (std::size_t i = 0; i < token.size(); ++i)
    if (i != dot && !is_ident(token[i]) && token[i] != '*') return false;
  return true;
}

std::string where(const Row& row) {
  return "docs/mqtt.md:" + std::to_string(row.line) + " (" + row.id + ")";
}

TEST(MqttDocs, TheSectionHasTablesOfStatements) {
  const Doc doc = statement_tables();
  ASSERT_TRUE(doc.found) << "docs/mqtt.md has no \"" << kSection << "\" section";
  for (const auto& p : doc.problems) ADD_FAILURE() << "docs/mqtt.md " << p;
  EXPECT_GE(doc.rows.size(), 150u) << "the tables hold far fewer statements than MQTT 5.0 has";
  // An id may have a row in the 5.0 table and one in the 3.1.1 table, but
  // not two in one table.
  std::set<std::pair<std::size_t, std::string>> seen;
  for (const auto& row : doc.rows) {
    const auto ids = statement_ids(row.id);
    EXPECT_EQ(ids.size(), 1u) << where(row) << ": the id cell names one statement";
    if (ids.size() != 1) continue;
    EXPECT_EQ(row.id, *ids.begin()) << where(row) << ": the id cell holds the id alone";
    EXPECT_TRUE(seen.emplace(row.table, row.id).second) << where(row) << ": a second row";
  }
}

TEST(MqttDocs, EveryStatementTheBrokerCitesHasARow) {
  std::set<std::string> rows;
  for (const auto& row : statement_tables().rows) rows.merge(statement_ids(row.id));
  std::map<std::string, std::string> cited;  // id -> a file citing it
  auto scan = [&](const fs::path& path) {
    for (const auto& id : statement_ids(read(path)))
      cited.emplace(id, path.lexically_relative(kSource).string());
  };
  for (const auto& path : sources_under(kSource / "src/transport/mqtt")) scan(path);
  scan(kSource / "src/app/mqtt_websocket.cpp");
  scan(kSource / "src/core/mqtt_topic.h");
  scan(kSource / "src/core/mqtt_topic.cpp");
  ASSERT_GT(cited.size(), 50u) << "the broker's sources were not found under " << kSource;
  for (const auto& [id, file] : cited)
    EXPECT_TRUE(rows.contains(id))
        << file << " cites [" << id << "], which has no row in docs/mqtt.md's tables";
}

TEST(MqttDocs, EveryStatusIsOneOfTheFour) {
  for (const auto& row : statement_tables().rows) {
    const std::string status = lower(row.status);
    bool known = false;
    for (const std::string_view word : {"done", "partly", "not yet", "n/a"}) {
      if (!status.starts_with(word)) continue;
      const char next = status.size() > word.size() ? status[word.size()] : ':';
      known = known || next == ':' || next == ' ' || next == '(';
    }
    EXPECT_TRUE(known) << where(row) << ": status \"" << row.status
                       << "\" is none of done, partly, not yet, n/a";
  }
}

TEST(MqttDocs, EveryFileNamedExists) {
  for (const auto& row : statement_tables().rows) {
    const auto files = backticked(row.where);
    EXPECT_FALSE(files.empty()) << where(row) << ": no file in the 'where' column";
    for (const auto& f : files) {
      const fs::path path =
          f.find('/') != std::string::npos ? kSource / f : kSource / "src/transport/mqtt" / f;
      EXPECT_TRUE(fs::is_regular_file(path)) << where(row) << ": no file " << path;
    }
  }
}

TEST(MqttDocs, EveryTestNamedExists) {
  const auto tests = defined_tests();
  // The scan finds this very test, or it finds nothing.
  ASSERT_TRUE(tests.contains("MqttDocs.EveryTestNamedExists"))
      << "no tests found under " << kSource;
  for (const auto& row : statement_tables().rows) {
    const auto named = backticked(row.tested_by);
    EXPECT_TRUE(!named.empty() || row.tested_by == "—")
        << where(row) << ": 'tested by' is neither tests nor —";
    for (const auto& token : named) {
      if (token.find('/') != std::string::npos) {
        EXPECT_TRUE(fs::is_regular_file(kSource / token)) << where(row) << ": no file " << token;
        continue;
      }
      if (!looks_like_test(token)) {
        ADD_FAILURE() << where(row) << ": `" << token << "` is neither Suite.Name nor a path";
        continue;
      }
      bool found = false;
      for (const auto& t : tests) found = found || glob(token, t);
      EXPECT_TRUE(found) << where(row) << ": no test " << token << " under tests/ or fuzz/";
    }
  }
}

}  // namespace
}  // namespace citypulse::mqtt
