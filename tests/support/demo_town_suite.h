// A test suite sharing one `citypulse demo` server (the demo town with its
// seeded readings) across its tests, each test signed in as `email`.
#pragma once

#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {

// `Suite` is the derived fixture, so that each suite has its own server.
template <class Suite>
class DemoTownSuite : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data", kQuickDemo,
                                              std::map<std::string, std::string>{}, "demo");
    started_ = server_->start();
  }
  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    server_.reset();
    tmp_.reset();
  }

 protected:
  void SetUp() override {
    ASSERT_TRUE(started_) << server_->output();
    client_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(client_->sign_in("viewer@hechingen.demo", "hechingen-demo").status, 200);
  }
  HttpClient& http() { return *client_; }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace citypulse::test
