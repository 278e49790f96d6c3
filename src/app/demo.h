// `citypulse demo`: the demo town seeded into the stores, its past filled in
// and its devices brought to life by the simulator (docs/demo.md).
//
// In order, as run_server calls it: seed() makes or completes the town in
// the metadata store; fill_history() writes the past through the bulk path —
// `history_days` on a store without the town's readings, else the gap since
// the last stop (at most as long), meter registers counting on from their
// stored values, then this year's energy budgets by the history's pace where
// a building has none; start_live() (once the server listens) runs the simulator
// against the server's real ports until stop(), and with a driver host the
// directly polled plant (sim/demo_plant.h): its BACnet/IP, Modbus TCP and REST
// peers on 127.0.0.1 and the driver documents that point the host at them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/config.h"
#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse {

namespace drivers {
class DriverHost;
}

struct DemoOptions {
  int buildings = 40;      // 1..500
  int history_days = 365;  // 0..3650
  std::uint64_t seed = 1;
  int fault_period_days = 21;  // each kind of fault once in so many days; 0: none
  bool live = true;
  std::string weather_dir = "../shared/data/cambridge/weather";
};

Status validate(const DemoOptions& options);

class Demo {
 public:
  static Result<std::unique_ptr<Demo>> seed(MetaStore& store, const Config& config,
                                            const DemoOptions& options);
  ~Demo();

  Id tenant_id() const;
  Status fill_history(SeriesStore& series);
  // `drivers`: the server's running driver host, or null (no directly polled
  // plant); it must outlive stop().
  Status start_live(std::uint16_t http_port, std::uint16_t mqtt_port, drivers::DriverHost* drivers);
  void stop();

 private:
  struct State;
  explicit Demo(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace citypulse
