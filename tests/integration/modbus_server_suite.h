// What the Modbus TCP integration tests of the server share: the real binary
// with a tenant and a building, and two simulated AHUs on loopback — one that
// answers, one that hangs (it takes connections and answers nothing) — started
// once per suite; and the register maps they are driven with.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "admin_api.h"
#include "driver_api.h"
#include "http_client.h"
#include "server_process.h"
#include "sim/modbus_plant.h"

namespace citypulse::test {

class ModbusServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (auto* plant : {&plant_, &dead_plant_}) {
      auto started = sim::ModbusPlant::start({});
      ASSERT_TRUE(started) << started.error().message;
      *plant = std::move(*started);
    }
    dead_plant_->set_answering(false);
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    ASSERT_TRUE(server_->start()) << server_->output();
    http_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(http_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(*http_, "tenants", {{"name", "Modbus Town"}});
    building_ =
        create_record(*http_, "buildings",
                      {{"tenant_id", tenant_}, {"name", "Hallenbad"}, {"type", "swimming_pool"}});
  }
  static void TearDownTestSuite() {
    http_.reset();
    server_.reset();
    tmp_.reset();
    plant_.reset();
    dead_plant_.reset();
  }

  // An active device of `protocol` whose channels feed the points
  // ([{"channel", "point_id"}]).
  static std::int64_t device(const std::string& name, const boost::json::array& channels,
                             const std::string& protocol = "modbus_tcp") {
    return create_driven_device(*http_, tenant_, building_, name, protocol, channels);
  }

  // A register map of the plant at `port` with one group of a second.
  static boost::json::object document(std::uint16_t port, boost::json::array points,
                                      int timeout_ms = 1000, int retries = 1) {
    return {{"host", "127.0.0.1"},
            {"port", port},
            {"timeout_ms", timeout_ms},
            {"retries", retries},
            {"groups", {{{"name", "fast"}, {"interval_ms", 1000}}}},
            {"points", std::move(points)}};
  }

  static inline std::unique_ptr<sim::ModbusPlant> plant_, dead_plant_;
  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<HttpClient> http_;
  static inline std::int64_t tenant_ = 0, building_ = 0;
};

}  // namespace citypulse::test
