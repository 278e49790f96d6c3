// The read planner (drivers/modbus/read_plan.h): neighbours merged across
// gaps up to max_gap, the 125-register and 2000-bit limits, points never
// split, tables kept apart, and a group's points only.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "drivers/modbus/read_plan.h"

namespace citypulse::modbus {
namespace {

RegisterPoint at(Table table, std::uint16_t address, ValueType type = ValueType::uint16,
                 std::string group = "g") {
  RegisterPoint p;
  p.table = table;
  p.address = address;
  p.group = std::move(group);
  p.format.type = has_registers(table) ? type : ValueType::boolean;
  if (has_registers(table) && type == ValueType::boolean) p.format.bit = 0;
  return p;
}

std::vector<ReadRequest> plan_all(const std::vector<RegisterPoint>& points, unsigned max_gap) {
  std::vector<std::size_t> all(points.size());
  std::iota(all.begin(), all.end(), 0);
  return plan_reads(points, all, max_gap);
}

TEST(ModbusReadPlan, MergesNeighboursAcrossSmallGaps) {
  const std::vector<RegisterPoint> points = {at(Table::holding, 4, ValueType::float32),
                                             at(Table::holding, 0), at(Table::holding, 1),
                                             at(Table::holding, 2)};
  EXPECT_EQ(plan_all(points, 8), (std::vector<ReadRequest>{{Table::holding, 0, 6, {1, 2, 3, 0}}}));
  // The gap of register 3 is one more than max_gap 0 allows.
  EXPECT_EQ(plan_all(points, 0), (std::vector<ReadRequest>{{Table::holding, 0, 3, {1, 2, 3}},
                                                           {Table::holding, 4, 2, {0}}}));
}

TEST(ModbusReadPlan, GapBoundary) {
  const std::vector<RegisterPoint> points = {at(Table::input, 0), at(Table::input, 20)};
  EXPECT_EQ(plan_all(points, 19).size(), 1u);  // registers 1..19 unused: a gap of 19
  EXPECT_EQ(plan_all(points, 19)[0].count, 21);
  EXPECT_EQ(plan_all(points, 18).size(), 2u);
}

TEST(ModbusReadPlan, AtMost125Registers) {
  std::vector<RegisterPoint> points;
  for (std::uint16_t a = 0; a < 126; ++a) points.push_back(at(Table::holding, a));
  auto plan = plan_all(points, 8);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].start, 0);
  EXPECT_EQ(plan[0].count, 125);
  EXPECT_EQ(plan[0].points.size(), 125u);
  EXPECT_EQ(plan[1].start, 125);
  EXPECT_EQ(plan[1].count, 1);
  // A float32 at 124 would end at 126: it opens a request of its own, unsplit.
  plan = plan_all({at(Table::holding, 0), at(Table::holding, 124, ValueType::float32)}, 200);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[1], (ReadRequest{Table::holding, 124, 2, {1}}));
}

TEST(ModbusReadPlan, AtMost2000Bits) {
  std::vector<RegisterPoint> points;
  for (std::uint16_t a = 0; a <= 2000; ++a) points.push_back(at(Table::coil, a));
  auto plan = plan_all(points, 8);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].count, 2000);
  EXPECT_EQ(plan[1].start, 2000);
  EXPECT_EQ(plan[1].count, 1);
}

TEST(ModbusReadPlan, TablesApartInOrder) {
  const std::vector<RegisterPoint> points = {at(Table::discrete, 0), at(Table::coil, 0),
                                             at(Table::input, 0), at(Table::holding, 0),
                                             at(Table::holding, 65535)};
  auto plan = plan_all(points, 100);
  ASSERT_EQ(plan.size(), 5u);
  EXPECT_EQ(plan[0], (ReadRequest{Table::holding, 0, 1, {3}}));
  EXPECT_EQ(plan[1], (ReadRequest{Table::holding, 65535, 1, {4}}));
  EXPECT_EQ(plan[2].table, Table::input);
  EXPECT_EQ(plan[3].table, Table::coil);
  EXPECT_EQ(plan[4].table, Table::discrete);
}

TEST(ModbusReadPlan, BitFieldsOfOneRegisterShareIt) {
  auto running = at(Table::input, 10, ValueType::boolean);
  auto fault = running;
  fault.format.bit = 1;
  auto plan = plan_all({running, fault, at(Table::input, 8, ValueType::float32)}, 0);
  EXPECT_EQ(plan, (std::vector<ReadRequest>{{Table::input, 8, 3, {2, 0, 1}}}));
}

TEST(ModbusReadPlan, OnlyTheGroupsPoints) {
  DeviceConfig config;
  config.max_gap = 8;
  config.groups = {{"fast", 1000}, {"slow", 60000}};
  config.points = {at(Table::input, 0, ValueType::int16, "fast"),
                   at(Table::input, 1, ValueType::int16, "slow"),
                   at(Table::input, 2, ValueType::int16, "fast")};
  EXPECT_EQ(plan_group(config, "fast"), (std::vector<ReadRequest>{{Table::input, 0, 3, {0, 2}}}));
  EXPECT_EQ(plan_group(config, "slow"), (std::vector<ReadRequest>{{Table::input, 1, 1, {1}}}));
  EXPECT_TRUE(plan_group(config, "other").empty());
}

}  // namespace
}  // namespace citypulse::modbus
