#include "core/log.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace citypulse {
namespace {

std::shared_ptr<spdlog::logger> access_logger() {
  static auto logger = [] {
    auto l = spdlog::stdout_logger_mt("access");
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::info);
    return l;
  }();
  return logger;
}

}  // namespace

Status init_logging(std::string_view level) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off")
    return fail(ErrorCode::invalid, fmt::format("unknown log level '{}'", level), "log.level");
  static auto main_logger = [] {
    auto l = spdlog::stderr_logger_mt("citypulse");
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    l->flush_on(spdlog::level::info);
    spdlog::set_default_logger(l);
    return l;
  }();
  main_logger->set_level(lvl);
  access_logger();
  return {};
}

void log_access(std::string_view json_object) { access_logger()->info("{}", json_object); }

}  // namespace citypulse
