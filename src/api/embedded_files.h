// Files compiled into the binary (cmake/embed_tree.cmake): the web UI's
// built files, so a release binary serves its UI with nothing beside it.
#pragma once

#include <cstddef>
#include <string_view>

namespace citypulse::embedded {

struct EmbeddedFile {
  std::string_view path;  // "/index.html", "/assets/index-3f2a.js"
  std::string_view bytes;
};

// The web UI (web/dist when the binary was built); web_ui_count is 0 when it
// was not built.
extern const EmbeddedFile web_ui[];
extern const std::size_t web_ui_count;

}  // namespace citypulse::embedded
