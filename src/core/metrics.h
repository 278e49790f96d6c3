// Process metrics in the Prometheus text exposition format (version 0.0.4).
//
// Families are registered once (usually as function-local statics) and live for
// the whole process; a family hands out one series per label set. Series
// updates are lock-free atomics, so hot paths may count freely; only the first
// use of a new label set takes the family's lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace citypulse {

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void observe(double v);
  // Cumulative counts per bound, then +Inf; sum and count.
  void snapshot(std::vector<std::uint64_t>& cumulative, double& sum, std::uint64_t& count) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // one per bound, plus +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};  // sum in millionths, to stay atomic
};

using Labels = std::vector<std::pair<std::string, std::string>>;

class CounterFamily {
 public:
  CounterFamily(std::string name, std::string help);
  Counter& with(const Labels& labels);
  void render(std::string& out) const;

 private:
  std::string name_, help_;
  mutable std::mutex mutex_;
  std::map<Labels, std::unique_ptr<Counter>> series_;
};

class HistogramFamily {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<double> bounds);
  Histogram& with(const Labels& labels);
  void render(std::string& out) const;

 private:
  std::string name_, help_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<Labels, std::unique_ptr<Histogram>> series_;
};

// Appends "name{labels} value\n" lines for a gauge computed at scrape time.
void render_gauge(std::string& out, const std::string& name, const std::string& help, double value);

// Escapes a label value as the text format requires (backslash, quote, newline).
std::string escape_label_value(const std::string& value);

}  // namespace citypulse
