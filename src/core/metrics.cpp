#include "core/metrics.h"

#include <cmath>
#include <fmt/format.h>

namespace citypulse {
namespace {

std::string render_labels(const Labels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return {};
  std::string s = "{";
  for (const auto& [k, v] : labels) {
    if (s.size() > 1) s += ',';
    s += fmt::format("{}=\"{}\"", k, escape_label_value(v));
  }
  if (!extra.empty()) {
    if (s.size() > 1) s += ',';
    s += extra;
  }
  return s + "}";
}

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0) sum_micros_.fetch_add(static_cast<std::uint64_t>(v * 1e6), std::memory_order_relaxed);
}

void Histogram::snapshot(std::vector<std::uint64_t>& cumulative, double& sum,
                         std::uint64_t& count) const {
  cumulative.assign(bounds_.size() + 1, 0);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    cumulative[i] = running;
  }
  count = running;
  sum = static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
}

CounterFamily::CounterFamily(std::string name, std::string help)
    : name_(std::move(name)), help_(std::move(help)) {}

Counter& CounterFamily::with(const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = series_[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

void CounterFamily::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name_, help_, name_);
  for (const auto& [labels, c] : series_)
    out += fmt::format("{}{} {}\n", name_, render_labels(labels), c->value());
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), bounds_(std::move(bounds)) {}

Histogram& HistogramFamily::with(const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = series_[labels];
  if (!slot) slot = std::make_unique<Histogram>(bounds_);
  return *slot;
}

void HistogramFamily::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name_, help_, name_);
  std::vector<std::uint64_t> cumulative;
  for (const auto& [labels, h] : series_) {
    double sum = 0;
    std::uint64_t count = 0;
    h->snapshot(cumulative, sum, count);
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      const double le = i < bounds_.size() ? bounds_[i] : INFINITY;
      out += fmt::format("{}_bucket{} {}\n", name_,
                         render_labels(labels, fmt::format("le=\"{}\"", format_number(le))),
                         cumulative[i]);
    }
    out += fmt::format("{}_sum{} {}\n", name_, render_labels(labels), format_number(sum));
    out += fmt::format("{}_count{} {}\n", name_, render_labels(labels), count);
  }
}

void render_gauge(std::string& out, const std::string& name, const std::string& help,
                  double value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name,
                     format_number(value));
}

}  // namespace citypulse
