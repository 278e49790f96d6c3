#include "api/static_files.h"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "api/embedded_files.h"
#include "api/json_io.h"
#include "api/problem.h"

namespace citypulse {

namespace embedded {
extern const std::string_view placeholder_html;
}

namespace {

namespace fs = std::filesystem;

std::string content_type_of(const fs::path& file) {
  const auto ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool read_file(const fs::path& file, std::string& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = std::move(s).str();
  return true;
}

HttpResponse file_response(const fs::path& file, std::string body) {
  HttpResponse r;
  r.content_type = content_type_of(file);
  r.body = std::move(body);
  // Built assets carry a content hash in their names; index.html must be re-read.
  r.set_header("Cache-Control",
               file.filename() == "index.html" ? "no-cache" : "public, max-age=3600");
  return r;
}

// The files compiled in, by path; a path that is none of them gets
// index.html.
Handler embedded_files() {
  std::map<std::string_view, std::string_view> files;
  for (std::size_t i = 0; i < embedded::web_ui_count; ++i)
    files.emplace(embedded::web_ui[i].path, embedded::web_ui[i].bytes);
  return [files = std::move(files)](RequestContext& ctx) {
    auto it = files.find(ctx.request.path);
    if (it == files.end()) it = files.find("/index.html");
    if (it == files.end())
      return problem_response(404, "not-found", "the built-in web UI has no index.html",
                              ctx.request.path);
    return file_response(fs::path(it->first), std::string(it->second));
  };
}

}  // namespace

Handler static_files(std::string web_root) {
  if (web_root.empty() && embedded::web_ui_count > 0) return embedded_files();
  if (web_root.empty()) {
    return [](RequestContext&) {
      HttpResponse r;
      r.content_type = "text/html; charset=utf-8";
      r.body = std::string(embedded::placeholder_html);
      r.set_header("Cache-Control", "no-cache");
      return r;
    };
  }
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::absolute(web_root), ec);
  return [root](RequestContext& ctx) {
    std::error_code ec;
    const fs::path wanted =
        fs::weakly_canonical(root / fs::path(ctx.request.path).relative_path(), ec);
    // Only files below the root: ".." and symlinks out of it fall back to index.html.
    const auto [r_end, w_it] =
        std::mismatch(root.begin(), root.end(), wanted.begin(), wanted.end());
    std::string body;
    if (!ec && r_end == root.end() && fs::is_regular_file(wanted, ec) && read_file(wanted, body))
      return file_response(wanted, std::move(body));
    const fs::path index = root / "index.html";
    if (read_file(index, body)) return file_response(index, std::move(body));
    return problem_response(404, "not-found",
                            "the web UI is not installed (http.web_root has no index.html)",
                            ctx.request.path);
  };
}

void add_web_settings_route(Router& router, const WebConfig& web) {
  boost::json::object body;
  body["map_tiles"] = web.map_tiles;
  body["map_attribution"] = web.map_attribution;
  router.add("GET", "/api/v1/web-settings", RouteAccess::authenticated(),
             [body](RequestContext&) { return json_response(200, body); });
}

}  // namespace citypulse
