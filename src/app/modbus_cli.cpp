#include "app/modbus_cli.h"

#include <fmt/format.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "drivers/modbus/connection.h"
#include "drivers/modbus/register_codec.h"
#include "sim/modbus_plant.h"

namespace citypulse {
namespace {

using namespace citypulse::modbus;

constexpr int kUsage = 2;
constexpr int kFailed = 1;

struct RegisterOptions {
  std::string target;
  int unit = 1;
  std::string table;
  int address = 0;
  int count = 1;
  std::string type;  // empty: uint16 for registers, bool for bits
  std::string word_order = "big";
  std::string byte_order = "big";
  double scale = 1;
  double offset = 0;
  int timeout_ms = 1000;
  int retries = 0;
  std::string value;  // write only
};

// Ends the process: stdout flushed, the message (if any) on stderr.
[[noreturn]] void finish(const char* command, int code, const std::string& message = {}) {
  std::fflush(stdout);
  if (!message.empty()) std::fprintf(stderr, "citypulse modbus %s: %s\n", command, message.c_str());
  std::exit(code);
}

Result<Endpoint> endpoint_from(const RegisterOptions& o) {
  Endpoint e;
  std::string_view target = o.target;
  const auto colon = target.rfind(':');
  e.host = std::string(target.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view port = target.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535)
      return fail(ErrorCode::invalid, fmt::format("--target: '{}' is not a port (1..65535)", port));
    e.port = static_cast<std::uint16_t>(value);
  }
  if (!is_host_name(e.host))
    return fail(ErrorCode::invalid,
                fmt::format("--target: '{}' is not HOST[:PORT] with an IPv4 address or host name",
                            o.target));
  if (o.unit < 0 || (o.unit > 247 && o.unit != 255))
    return fail(ErrorCode::invalid, "--unit must be from 0 to 247, or 255");
  e.unit_id = static_cast<std::uint8_t>(o.unit);
  e.timeout_ms = o.timeout_ms;
  e.retries = o.retries;
  return e;
}

// The point the options describe, at the first address.
Result<RegisterPoint> point_from(const RegisterOptions& o) {
  RegisterPoint p;
  p.table = *parse_table(o.table);
  p.address = static_cast<std::uint16_t>(o.address);
  p.format.word_order = *parse_order(o.word_order);
  p.format.byte_order = *parse_order(o.byte_order);
  p.format.scale = o.scale;
  p.format.offset = o.offset;
  const bool registers = has_registers(p.table);
  p.format.type = registers ? ValueType::uint16 : ValueType::boolean;
  if (!o.type.empty()) {
    auto type = parse_value_type(o.type);
    if (!type || (registers && *type == ValueType::boolean) ||
        (!registers && *type != ValueType::boolean))
      return fail(ErrorCode::invalid,
                  fmt::format("--type {} does not go with --table {}: {}", o.type, o.table,
                              registers ? "int16, uint16, int32, uint32, float32 or float64"
                                        : "a coil or discrete input is bool"));
    p.format.type = *type;
  }
  if (o.scale == 0) return fail(ErrorCode::invalid, "--scale must not be 0");
  const unsigned items = item_count(p) * static_cast<unsigned>(o.count);
  const unsigned limit = registers ? kMaxReadRegisters : kMaxReadBits;
  if (o.count < 1 || items > limit)
    return fail(ErrorCode::invalid, fmt::format("--count {} of {} is {} {}, over the {} one "
                                                "request takes",
                                                o.count, to_string(p.format.type), items,
                                                registers ? "registers" : "bits", limit));
  if (o.address + items > 0x10000)
    return fail(ErrorCode::invalid, "--register and --count run past address 65535");
  return p;
}

std::string hex_words(std::span<const std::uint16_t> words) {
  std::string out;
  for (auto w : words) out += fmt::format("{}0x{:04X}", out.empty() ? "" : " ", w);
  return out;
}

void run_read(const RegisterOptions& o) {
  auto endpoint = endpoint_from(o);
  if (!endpoint) finish("read", kUsage, endpoint.error().message);
  auto point = point_from(o);
  if (!point) finish("read", kUsage, point.error().message);
  const unsigned size = item_count(*point);
  Connection connection(*endpoint);
  auto block = connection.read(point->table, point->address,
                               static_cast<std::uint16_t>(size * static_cast<unsigned>(o.count)));
  if (!block) finish("read", kFailed, block.error().message);
  for (int i = 0; i < o.count; ++i) {
    RegisterPoint one = *point;
    one.address = static_cast<std::uint16_t>(point->address + i * size);
    auto value = decode_point(one, *block);
    const std::string shown = value ? fmt::format("{}", *value) : "(" + value.error().message + ")";
    if (has_registers(one.table))
      std::printf("%s %u  %s  %s\n", o.table.c_str(), one.address,
                  hex_words(std::span(block->registers).subspan(i * size, size)).c_str(),
                  shown.c_str());
    else
      std::printf("%s %u  %s\n", o.table.c_str(), one.address, shown.c_str());
  }
  finish("read", 0);
}

void run_write(const RegisterOptions& o) {
  auto endpoint = endpoint_from(o);
  if (!endpoint) finish("write", kUsage, endpoint.error().message);
  auto point = point_from(o);
  if (!point) finish("write", kUsage, point.error().message);
  double value = 0;
  if (o.value == "true" || o.value == "on") {
    value = 1;
  } else if (o.value == "false" || o.value == "off") {
    value = 0;
  } else {
    const auto [end, ec] = std::from_chars(o.value.data(), o.value.data() + o.value.size(), value);
    if (ec != std::errc() || end != o.value.data() + o.value.size())
      finish("write", kUsage, fmt::format("--value '{}' is not a number", o.value));
  }
  Connection connection(*endpoint);
  if (point->table == Table::coil) {
    auto on = encode_bool(value);
    if (!on) finish("write", kUsage, on.error().message);
    if (auto s = connection.write_coil(point->address, *on); !s)
      finish("write", kFailed, s.error().message);
    std::printf("wrote coil %u: %d\n", point->address, *on ? 1 : 0);
    finish("write", 0);
  }
  auto words = encode_registers(point->format, value);
  if (!words) finish("write", kUsage, words.error().message);
  auto s = words->size() == 1 ? connection.write_register(point->address, words->front())
                              : connection.write_registers(point->address, *words);
  if (!s) finish("write", kFailed, s.error().message);
  std::printf("wrote holding %u: %s (%s)\n", point->address, hex_words(*words).c_str(),
              fmt::format("{}", value).c_str());
  finish("write", 0);
}

struct PlantOptions {
  sim::ModbusPlantOptions plant;
  int reply_delay_ms = 0;
};

void run_plant(const PlantOptions& o) {
  // Blocked before the plant's thread starts, so that it inherits the mask
  // and sigwait below is the one place the signals arrive.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto plant = sim::ModbusPlant::start(o.plant);
  if (!plant)
    finish("plant", plant.error().code == ErrorCode::invalid ? kUsage : kFailed,
           plant.error().message);
  (*plant)->set_reply_delay(std::chrono::milliseconds(o.reply_delay_ms));
  std::printf("modbus plant listening on %s:%u\n", o.plant.host.c_str(), (*plant)->port());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  (*plant)->stop();
  finish("plant", 0);
}

void add_register_options(CLI::App* cmd, RegisterOptions& o, bool write) {
  cmd->add_option("--target", o.target, "The device: HOST[:PORT] (port 502)")->required();
  cmd->add_option("--unit", o.unit, "Unit id, 0..247 or 255 (1)");
  cmd->add_option("--table", o.table,
                  write ? "holding or coil" : "holding, input, coil or discrete")
      ->required()
      ->check(write ? CLI::IsMember({"holding", "coil"})
                    : CLI::IsMember({"holding", "input", "coil", "discrete"}));
  cmd->add_option("--register", o.address, "Address, 0-based as on the wire (0..65535)")
      ->required()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--type", o.type,
                  "int16, uint16, int32, uint32, float32 or float64 (uint16); bool for bits")
      ->check(CLI::IsMember({"int16", "uint16", "int32", "uint32", "float32", "float64", "bool"}));
  cmd->add_option("--word-order", o.word_order, "big: the high word first (big)")
      ->check(CLI::IsMember({"big", "little"}));
  cmd->add_option("--byte-order", o.byte_order, "big: each register's bytes as sent (big)")
      ->check(CLI::IsMember({"big", "little"}));
  cmd->add_option("--scale", o.scale, "value = raw * scale + offset (1)");
  cmd->add_option("--offset", o.offset, "value = raw * scale + offset (0)");
  cmd->add_option("--timeout-ms", o.timeout_ms, "Wait for an answer this long (1000)")
      ->check(CLI::Range(10, 60'000));
  cmd->add_option("--retries", o.retries, "Tries again after a failed request (0)")
      ->check(CLI::Range(0, 10));
  if (write)
    cmd->add_option("--value", o.value, "The value (scaled); a coil: 0, 1, on, off")->required();
  else
    cmd->add_option("--count", o.count, "Values to read, one after the other (1)");
}

}  // namespace

void add_modbus_commands(CLI::App& app) {
  auto* modbus = app.add_subcommand("modbus", "Read and write a Modbus TCP device by hand");
  modbus->require_subcommand(1);

  auto read_options = std::make_shared<RegisterOptions>();
  auto* read = modbus->add_subcommand("read", "Read registers or bits and print their values");
  add_register_options(read, *read_options, false);
  read->callback([read_options] { run_read(*read_options); });

  auto write_options = std::make_shared<RegisterOptions>();
  auto* write = modbus->add_subcommand("write", "Write one value to a holding register or coil");
  add_register_options(write, *write_options, true);
  write->callback([write_options] { run_write(*write_options); });

  auto plant_options = std::make_shared<PlantOptions>();
  plant_options->plant.port = 5020;
  auto* plant = modbus->add_subcommand(
      "plant", "Serve the simulated air handling unit over Modbus TCP (sim/modbus_plant.h)");
  plant->add_option("--host", plant_options->plant.host, "Dotted IPv4 to listen on (127.0.0.1)");
  plant->add_option("--port", plant_options->plant.port, "TCP port; 0: any free one (5020)");
  plant->add_option("--time-scale", plant_options->plant.time_scale,
                    "Simulated seconds per real second (1)");
  plant
      ->add_option("--reply-delay-ms", plant_options->reply_delay_ms,
                   "Answer each request this late, as a slow device (0)")
      ->check(CLI::Range(0, 600'000));
  plant->callback([plant_options] { run_plant(*plant_options); });
}

}  // namespace citypulse
