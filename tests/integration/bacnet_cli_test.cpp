// `citypulse bacnet whois|read|write` against the simulated BACnet/IP site
// on a loopback port: readable output and exit 0 when the device answers,
// a clear error and exit 1 when it refuses or is dead, 2 for bad arguments.
#include <gtest/gtest.h>

#include <string>

#include "drivers/bacnet/services.h"
#include "sim/bacnet_site.h"
#include "server_process.h"

namespace citypulse {
namespace {

namespace ot = bacnet::object_type;

class BacnetCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<sim::BacnetDeviceOptions> devices;
    devices.push_back({.instance = 100, .name = "AHU Turnhalle", .objects = sim::ahu_objects()});
    devices.push_back(
        {.instance = 301, .name = "Heizkreis", .objects = sim::ahu_objects(), .mac = 7});
    devices.push_back(
        {.instance = 302, .name = "Dead", .objects = sim::ahu_objects(), .mac = 8, .silent = true});
    auto started = sim::BacnetSite::start({}, std::move(devices));
    ASSERT_TRUE(started) << started.error().message;
    site_ = std::move(*started);
    target_ = "127.0.0.1:" + std::to_string(site_->port());
  }

  int bacnet(std::vector<std::string> args, std::string& out) {
    args.insert(args.begin(), "bacnet");
    return test::run_binary(args, out);
  }

  std::unique_ptr<sim::BacnetSite> site_;
  std::string target_;
};

TEST_F(BacnetCli, WhoIsListsTheDevicesThatAnswer) {
  std::string out;
  ASSERT_EQ(bacnet({"whois", "--target", target_, "--wait-ms", "500"}, out), 0) << out;
  EXPECT_NE(out.find("device 100  at " + target_ + "  (max APDU 1476, segmentation none"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("device 301  at " + target_ + "/2001:07"), std::string::npos) << out;
  EXPECT_EQ(out.find("device 302"), std::string::npos) << out;
  EXPECT_NE(out.find("2 devices"), std::string::npos) << out;
  ASSERT_EQ(
      bacnet({"whois", "--target", target_, "--low", "300", "--high", "399", "--wait-ms", "300"},
             out),
      0)
      << out;
  EXPECT_NE(out.find("1 device\n"), std::string::npos) << out;
  EXPECT_EQ(
      bacnet({"whois", "--target", target_, "--low", "5000", "--high", "5001", "--wait-ms", "200"},
             out),
      1);
  EXPECT_NE(out.find("no device answered within 200 ms"), std::string::npos) << out;
}

TEST_F(BacnetCli, ReadsAPropertyOfARoutedDeviceFoundByItsInstance) {
  std::string out;
  ASSERT_EQ(
      bacnet({"read", "--target", target_, "--device", "301", "--object", "analog-value:1"}, out),
      0)
      << out;
  EXPECT_NE(out.find("analog-value:1 present-value = 20"), std::string::npos) << out;
  ASSERT_EQ(bacnet({"read", "--target", target_, "--device", "301", "--object", "ai:1",
                    "--property", "units"},
                   out),
            0)
      << out;
  EXPECT_NE(out.find("analog-input:1 units = 62 (°C)"), std::string::npos) << out;
  ASSERT_EQ(
      bacnet({"read", "--target", target_, "--object", "device:100", "--property", "object-list"},
             out),
      0)
      << out;
  EXPECT_NE(out.find("device:100 object-list[1] = device:100"), std::string::npos) << out;
  EXPECT_NE(out.find("device:100 object-list[10] = multi-state-value:1"), std::string::npos) << out;
  ASSERT_EQ(bacnet({"read", "--target", target_, "--object", "bi:1"}, out), 0) << out;
  EXPECT_NE(out.find("binary-input:1 present-value = active"), std::string::npos) << out;
}

TEST_F(BacnetCli, WritesAtAPriorityAndReadsBack) {
  std::string out;
  ASSERT_EQ(bacnet({"write", "--target", target_ + "/2001:07", "--object", "analog-value:1",
                    "--value", "22.5", "--priority", "8"},
                   out),
            0)
      << out;
  EXPECT_NE(out.find("written 22.5 at priority 8"), std::string::npos) << out;
  EXPECT_NE(out.find("analog-value:1 present-value = 22.5"), std::string::npos) << out;
  EXPECT_EQ(site_->present_value(301, {ot::analog_value, 1}), 22.5);
  EXPECT_EQ(site_->active_priority(301, {ot::analog_value, 1}), 8);
  ASSERT_EQ(bacnet({"write", "--target", target_ + "/2001:07", "--object", "analog-value:1",
                    "--value", "null", "--priority", "8"},
                   out),
            0)
      << out;
  EXPECT_EQ(site_->active_priority(301, {ot::analog_value, 1}), std::nullopt);
  ASSERT_EQ(bacnet({"write", "--target", target_, "--object", "bo:1", "--value", "inactive",
                    "--priority", "8"},
                   out),
            0)
      << out;
  EXPECT_NE(out.find("binary-output:1 present-value = inactive"), std::string::npos) << out;
}

TEST_F(BacnetCli, RefusalsDeadDevicesAndBadArgumentsExitNonZero) {
  std::string out;
  EXPECT_EQ(bacnet({"write", "--target", target_, "--object", "analog-value:1", "--value", "80",
                    "--priority", "8"},
                   out),
            1);
  EXPECT_NE(out.find("property: value-out-of-range"), std::string::npos) << out;
  EXPECT_EQ(bacnet({"read", "--target", target_, "--object", "analog-input:99"}, out), 1);
  EXPECT_NE(out.find("object: unknown-object"), std::string::npos) << out;
  EXPECT_EQ(
      bacnet({"read", "--target", target_ + "/2001:08", "--object", "ai:1", "--timeout-ms", "200"},
             out),
      1);
  EXPECT_NE(out.find("did not answer (2 attempts of 200 ms)"), std::string::npos) << out;
  EXPECT_EQ(bacnet({"read", "--target", "nowhere:47808", "--object", "ai:1"}, out), 2);
  EXPECT_NE(out.find("not a BACnet device address"), std::string::npos) << out;
  EXPECT_EQ(bacnet({"read", "--target", target_, "--object", "pump:1"}, out), 2);
  EXPECT_NE(out.find("'pump' is not a BACnet object type"), std::string::npos) << out;
  EXPECT_EQ(bacnet({"write", "--target", target_, "--object", "av:1", "--value", "warm"}, out), 2);
  EXPECT_NE(out.find("--value 'warm' is not a number or null"), std::string::npos) << out;
  EXPECT_EQ(bacnet({"write", "--target", target_, "--object", "av:1", "--value", "null"}, out), 2);
  EXPECT_NE(out.find("give --priority"), std::string::npos) << out;
  EXPECT_EQ(site_->present_value(100, {ot::analog_value, 1}), 20.0);  // nothing written
}

}  // namespace
}  // namespace citypulse
