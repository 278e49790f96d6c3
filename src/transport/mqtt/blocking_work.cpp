#include "transport/mqtt/blocking_work.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace citypulse::mqtt {

struct BlockingWork::Impl {
  explicit Impl(int threads) : pool(static_cast<std::size_t>(std::max(1, threads))) {}
  boost::asio::thread_pool pool;
};

BlockingWork::BlockingWork(int threads) : impl_(std::make_unique<Impl>(threads)) {}

BlockingWork::~BlockingWork() {
  impl_->pool.join();
}

void BlockingWork::run(std::move_only_function<void()> work) {
  // asio wants copyable handlers: the work lives behind a shared pointer.
  auto shared = std::make_shared<std::move_only_function<void()>>(std::move(work));
  boost::asio::post(impl_->pool, [shared] { (*shared)(); });
}

}  // namespace citypulse::mqtt
