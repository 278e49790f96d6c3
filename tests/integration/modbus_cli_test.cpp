// `citypulse modbus read|write|plant` (app/modbus_cli.h) as the commissioning
// technician runs it: the built binary against the simulated plant on
// loopback. Reads print the raw words and the value, a write shows in the
// next read, the device's refusal and a refused connection exit 1 with the
// reason, bad arguments exit 2, and the plant runs standalone until SIGTERM.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "child_process.h"
#include "refused_port.h"
#include "sim/modbus_plant.h"

#ifndef CITYPULSE_BINARY
#error "CITYPULSE_BINARY must name the citypulse executable"
#endif

namespace citypulse::test {
namespace {

class ModbusCli : public testing::Test {
 protected:
  void SetUp() override {
    auto plant = sim::ModbusPlant::start({});
    ASSERT_TRUE(plant) << plant.error().message;
    plant_ = std::move(*plant);
    target_ = "127.0.0.1:" + std::to_string(plant_->port());
  }

  // Runs `citypulse modbus <args>`: its exit code, its output in `output_`.
  int modbus(std::vector<std::string> args) {
    args.insert(args.begin(), "modbus");
    output_.clear();
    return run_program(CITYPULSE_BINARY, args, output_, 20'000);
  }

  std::unique_ptr<sim::ModbusPlant> plant_;
  std::string target_;
  std::string output_;
};

TEST_F(ModbusCli, ReadsRegistersWithRawWordsAndValues) {
  ASSERT_EQ(modbus({"read", "--target", target_, "--table", "holding", "--register", "0", "--count",
                    "3", "--type", "int16", "--scale", "0.1"}),
            0)
      << output_;
  EXPECT_NE(output_.find("holding 0  0x00C8  20\n"), std::string::npos) << output_;
  EXPECT_NE(output_.find("holding 1  0x0001  0.1"), std::string::npos) << output_;
  EXPECT_NE(output_.find("holding 2  0x003C  6"), std::string::npos) << output_;

  // The COP is a float32 with the low word first: two words on one line.
  ASSERT_EQ(modbus({"read", "--target", target_, "--table", "input", "--register", "8", "--type",
                    "float32", "--word-order", "little"}),
            0)
      << output_;
  // "input 8  0xHHHH 0xHHHH  <cop>\n"
  const std::string words = "input 8  0x0000 0x0000  ";
  ASSERT_GT(output_.size(), words.size()) << output_;
  EXPECT_EQ(output_.substr(0, 11), "input 8  0x") << output_;
  EXPECT_EQ(output_.substr(15, 3), " 0x") << output_;
  const double cop = std::stod(output_.substr(words.size()));
  EXPECT_GE(cop, 2.0) << output_;
  EXPECT_LE(cop, 6.0) << output_;

  ASSERT_EQ(modbus({"read", "--target", target_, "--table", "coil", "--register", "0"}), 0);
  EXPECT_EQ(output_, "coil 0  1\n");
}

TEST_F(ModbusCli, WriteShowsInTheNextRead) {
  ASSERT_EQ(modbus({"write", "--target", target_, "--table", "holding", "--register", "0", "--type",
                    "int16", "--scale", "0.1", "--value", "22.5"}),
            0)
      << output_;
  EXPECT_NE(output_.find("wrote holding 0: 0x00E1 (22.5)"), std::string::npos) << output_;
  ASSERT_EQ(modbus({"read", "--target", target_, "--table", "holding", "--register", "0", "--type",
                    "int16", "--scale", "0.1"}),
            0);
  EXPECT_EQ(output_, "holding 0  0x00E1  22.5\n");

  ASSERT_EQ(modbus({"write", "--target", target_, "--table", "coil", "--register", "0", "--value",
                    "off"}),
            0)
      << output_;
  ASSERT_EQ(modbus({"read", "--target", target_, "--table", "coil", "--register", "0"}), 0);
  EXPECT_EQ(output_, "coil 0  0\n");
}

TEST_F(ModbusCli, DeviceRefusalsAndBadArguments) {
  EXPECT_EQ(modbus({"write", "--target", target_, "--table", "holding", "--register", "0", "--type",
                    "int16", "--scale", "0.1", "--value", "50"}),
            1);
  EXPECT_NE(output_.find("illegal data value (exception 3)"), std::string::npos) << output_;
  EXPECT_EQ(modbus({"read", "--target", target_, "--table", "input", "--register", "200"}), 1);
  EXPECT_NE(output_.find("illegal data address (exception 2)"), std::string::npos) << output_;

  EXPECT_EQ(
      modbus({"read", "--target", "127.0.0.1:notaport", "--table", "input", "--register", "0"}), 2);
  EXPECT_NE(output_.find("'notaport' is not a port"), std::string::npos) << output_;
  EXPECT_EQ(modbus({"read", "--target", target_, "--table", "registers", "--register", "0"}), 2);
  EXPECT_EQ(modbus({"read", "--target", target_, "--table", "input", "--register", "0", "--count",
                    "63", "--type", "float32"}),
            2);
  EXPECT_NE(output_.find("over the 125"), std::string::npos) << output_;
  EXPECT_EQ(modbus({"write", "--target", target_, "--table", "holding", "--register", "0", "--type",
                    "int16", "--value", "40000"}),
            2);
  EXPECT_NE(output_.find("out of range"), std::string::npos) << output_;
}

TEST_F(ModbusCli, RefusedConnectionExitsOne) {
  RefusedPort nobody;
  ASSERT_NE(nobody.port(), 0);
  const int code = modbus({"read", "--target", "127.0.0.1:" + std::to_string(nobody.port()),
                           "--table", "holding", "--register", "0"});
  EXPECT_EQ(code, 1);
  EXPECT_NE(output_.find("connection refused"), std::string::npos) << output_;
}

TEST_F(ModbusCli, PlantRunsStandalone) {
  ChildProcess plant(CITYPULSE_BINARY, {"modbus", "plant", "--port", "0"});
  ASSERT_TRUE(plant.wait_for_output("modbus plant listening on 127.0.0.1:", 20'000))
      << plant.output();
  ASSERT_TRUE(plant.wait_for_output("\n", 5'000));
  const std::string banner = plant.output();
  const std::string prefix = "listening on 127.0.0.1:";
  const std::string port = banner.substr(banner.find(prefix) + prefix.size(),
                                         banner.find('\n') - banner.find(prefix) - prefix.size());
  ASSERT_EQ(
      modbus({"read", "--target", "127.0.0.1:" + port, "--table", "input", "--register", "10"}), 0)
      << output_;
  EXPECT_EQ(output_, "input 10  0x0001  1\n");  // running
  EXPECT_EQ(plant.stop(SIGTERM, 5'000), 0);
}

}  // namespace
}  // namespace citypulse::test
