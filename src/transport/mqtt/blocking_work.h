// BlockingWork: a few threads for what an I/O thread must not wait on —
// store reads and writes, a directory rebuild, an API key check. Work runs
// in no particular order; the destructor finishes what was queued.
#pragma once

#include <functional>
#include <memory>

namespace citypulse::mqtt {

class BlockingWork {
 public:
  explicit BlockingWork(int threads);
  ~BlockingWork();
  BlockingWork(const BlockingWork&) = delete;
  BlockingWork& operator=(const BlockingWork&) = delete;

  void run(std::move_only_function<void()> work);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citypulse::mqtt
