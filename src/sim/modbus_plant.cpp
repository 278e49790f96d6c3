#include "sim/modbus_plant.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <modbus.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "sim/ahu_model.h"

namespace citypulse::sim {
namespace {

// The register map of the header.
namespace input {
constexpr int supply = 0, return_air = 1, outdoor = 2, fan = 3, power_abcd = 4, energy_u32 = 6,
              cop_cdab = 8, status = 10, energy_f64 = 12, power_dcba = 20, count = 22;
}
namespace holding {
constexpr int setpoint = 0, mode = 1, fan_setpoint = 2, options = 3, count = 4;
}
constexpr int kCoilEnable = 0, kCoils = 1;
constexpr int kDiscreteFault = 0, kDiscreteFilter = 1, kDiscretes = 2;

constexpr int kTickMs = 20;
constexpr int kMaxClients = 64;

// The register values are written here by hand rather than with libmodbus'
// modbus_set_float_*: in 3.1.6 those put the bytes of each word swapped on a
// little-endian host, and the plant must be a reference the driver's codec
// is checked against, not share its assumptions.
void put_tenths(std::uint16_t* r, double value) {
  r[0] = static_cast<std::uint16_t>(static_cast<std::int16_t>(std::lround(value * 10)));
}
void put_u32(std::uint16_t* r, std::uint32_t raw) {  // high word first
  r[0] = static_cast<std::uint16_t>(raw >> 16);
  r[1] = static_cast<std::uint16_t>(raw);
}
void put_float_abcd(std::uint16_t* r, float value) {
  put_u32(r, std::bit_cast<std::uint32_t>(value));
}
void put_float_cdab(std::uint16_t* r, float value) {
  const auto raw = std::bit_cast<std::uint32_t>(value);
  r[0] = static_cast<std::uint16_t>(raw);
  r[1] = static_cast<std::uint16_t>(raw >> 16);
}
void put_float_dcba(std::uint16_t* r, float value) {
  const auto raw = std::bit_cast<std::uint32_t>(value);
  r[0] = static_cast<std::uint16_t>((raw & 0xFF) << 8 | (raw >> 8 & 0xFF));
  r[1] = static_cast<std::uint16_t>((raw >> 16 & 0xFF) << 8 | raw >> 24);
}
void put_double(std::uint16_t* r, double value) {
  const auto raw = std::bit_cast<std::uint64_t>(value);
  for (int i = 0; i < 4; ++i) r[i] = static_cast<std::uint16_t>(raw >> (48 - 16 * i));
}

// Whether `value` may be written to holding register `address`.
bool accepts(int address, std::uint16_t value) {
  switch (address) {
    case holding::setpoint: {
      const auto tenths = static_cast<std::int16_t>(value);
      return tenths >= 100 && tenths <= 350;
    }
    case holding::mode:
      return value <= 3;
    case holding::fan_setpoint:
      return value <= 100;
    default:
      return true;
  }
}

}  // namespace

struct ModbusPlant::State {
  ModbusPlantOptions options;
  modbus_t* context = nullptr;
  modbus_mapping_t* mapping = nullptr;
  int listener = -1;
  int wake[2] = {-1, -1};  // written to by stop(): the self-pipe that ends select()
  std::uint16_t port = 0;
  std::vector<int> clients;
  std::thread thread;
  std::atomic<int> reply_delay_ms{0};
  std::atomic<bool> answering{true};
  std::atomic<bool> fault{false};

  AhuState ahu;
  std::minstd_rand noise{2601};  // the sensors' read noise (the plant's thread only)
  double sim_time_s = 8 * 3600;  // the plant starts at 08:00
  std::chrono::steady_clock::time_point last_step = std::chrono::steady_clock::now();

  ~State() {
    for (int fd : clients) ::close(fd);
    if (listener >= 0) ::close(listener);
    for (int fd : wake)
      if (fd >= 0) ::close(fd);
    if (mapping) modbus_mapping_free(mapping);
    if (context) modbus_free(context);  // its socket is one of those closed above
  }

  AhuControls controls() const {
    AhuControls c;
    c.enabled = mapping->tab_bits[kCoilEnable] != 0;
    c.mode = mapping->tab_registers[holding::mode];
    c.supply_setpoint_c =
        static_cast<std::int16_t>(mapping->tab_registers[holding::setpoint]) / 10.0;
    c.fan_setpoint_pct = mapping->tab_registers[holding::fan_setpoint];
    c.night_setback = (mapping->tab_registers[holding::options] & 1) != 0;
    return c;
  }

  // A temperature sensor's error on one read (0 without noise).
  double sensor_noise() {
    const double k = options.sensor_noise_k;
    return k > 0 ? std::uniform_real_distribution<double>(-k, k)(noise) : 0.0;
  }

  // Moves the physics to now and shows it in the input tables.
  void advance() {
    const auto now = std::chrono::steady_clock::now();
    const double seconds =
        std::chrono::duration<double>(now - last_step).count() * options.time_scale;
    last_step = now;
    sim_time_s += seconds;
    ahu.fault = fault.load();
    step_ahu(ahu, controls(), seconds, std::fmod(sim_time_s, 86'400.0));
    std::uint16_t* r = mapping->tab_input_registers;
    put_tenths(r + input::supply, ahu.supply_c + sensor_noise());
    put_tenths(r + input::return_air, ahu.return_c + sensor_noise());
    put_tenths(r + input::outdoor, ahu.outdoor_c + sensor_noise());
    r[input::fan] = static_cast<std::uint16_t>(std::lround(ahu.fan_pct));
    put_float_abcd(r + input::power_abcd, static_cast<float>(ahu.power_kw));
    put_u32(r + input::energy_u32, static_cast<std::uint32_t>(ahu.energy_kwh));
    put_float_cdab(r + input::cop_cdab, static_cast<float>(ahu.cop));
    r[input::status] = static_cast<std::uint16_t>((ahu.running ? 1 : 0) | (ahu.fault ? 2 : 0) |
                                                  (ahu.filter_alarm ? 4 : 0));
    put_double(r + input::energy_f64, ahu.energy_kwh);
    put_float_dcba(r + input::power_dcba, static_cast<float>(ahu.power_kw));
    mapping->tab_input_bits[kDiscreteFault] = ahu.fault;
    mapping->tab_input_bits[kDiscreteFilter] = ahu.filter_alarm;
  }

  // Whether the plant must stop; waits up to `ms` for it.
  bool stopping(int ms) const {
    pollfd p{wake[0], POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }

  // The exception a write breaking the map's ranges gets, or 0.
  int refusal(const std::uint8_t* query, int length) const {
    const int h = modbus_get_header_length(context);
    if (length < h + 5) return 0;
    const int function = query[h];
    const int address = query[h + 1] << 8 | query[h + 2];
    auto word = [&](int at) { return static_cast<std::uint16_t>(query[at] << 8 | query[at + 1]); };
    if (function == MODBUS_FC_WRITE_AND_READ_REGISTERS) return MODBUS_EXCEPTION_ILLEGAL_FUNCTION;
    if (function == MODBUS_FC_WRITE_SINGLE_REGISTER)
      return accepts(address, word(h + 3)) ? 0 : MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE;
    if (function == MODBUS_FC_WRITE_MULTIPLE_REGISTERS) {
      const int count = word(h + 3);
      if (length < h + 6 + 2 * count) return 0;  // libmodbus answers the malformed request
      for (int i = 0; i < count; ++i)
        if (!accepts(address + i, word(h + 6 + 2 * i))) return MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE;
    }
    return 0;
  }

  // Reads one request from `fd` and answers it; false when the client is gone.
  bool serve(int fd) {
    std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    modbus_set_socket(context, fd);
    const int length = modbus_receive(context, query);
    if (length < 0) return false;
    if (length == 0 || !answering.load()) return true;
    if (const int delay = reply_delay_ms.load(); delay > 0 && stopping(delay)) return true;
    advance();
    if (const int exception = refusal(query, length); exception != 0)
      return modbus_reply_exception(context, query, static_cast<unsigned>(exception)) >= 0;
    return modbus_reply(context, query, length, mapping) >= 0;
  }

  void run() {
    for (;;) {
      fd_set readable;
      FD_ZERO(&readable);
      FD_SET(wake[0], &readable);
      FD_SET(listener, &readable);
      int top = std::max(wake[0], listener);
      for (int fd : clients) {
        FD_SET(fd, &readable);
        top = std::max(top, fd);
      }
      timeval tick{0, kTickMs * 1000};
      const int ready = ::select(top + 1, &readable, nullptr, nullptr, &tick);
      advance();
      if (ready < 0 && errno != EINTR) return;
      if (ready <= 0) continue;
      if (FD_ISSET(wake[0], &readable)) return;
      if (FD_ISSET(listener, &readable)) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        // select() handles descriptors below FD_SETSIZE only.
        if (fd >= FD_SETSIZE || (fd >= 0 && clients.size() >= kMaxClients))
          ::close(fd);
        else if (fd >= 0)
          clients.push_back(fd);
      }
      for (std::size_t i = 0; i < clients.size();) {
        if (FD_ISSET(clients[i], &readable) && !serve(clients[i])) {
          ::close(clients[i]);
          clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(i));
          continue;
        }
        ++i;
      }
    }
  }
};

Result<std::unique_ptr<ModbusPlant>> ModbusPlant::start(const ModbusPlantOptions& options) {
  in_addr ignored{};
  if (::inet_pton(AF_INET, options.host.c_str(), &ignored) != 1)
    return fail(ErrorCode::invalid,
                fmt::format("the plant listens on a dotted IPv4 address, not '{}'", options.host),
                "host");
  if (!(options.time_scale >= 0.001 && options.time_scale <= 100'000))
    return fail(ErrorCode::invalid, "the time scale must be from 0.001 to 100000", "time_scale");
  if (!(options.sensor_noise_k >= 0 && options.sensor_noise_k <= 5))
    return fail(ErrorCode::invalid, "the sensor noise must be from 0 to 5 K", "sensor_noise_k");
  auto s = std::make_unique<State>();
  s->options = options;
  s->context = modbus_new_tcp(options.host.c_str(), options.port);
  s->mapping = modbus_mapping_new(kCoils, kDiscretes, holding::count, input::count);
  if (!s->context || !s->mapping || ::pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0)
    return fail(ErrorCode::io,
                fmt::format("cannot set up the Modbus plant: {}", std::strerror(errno)));
  s->listener = modbus_tcp_listen(s->context, 16);
  if (s->listener < 0)
    return fail(ErrorCode::unavailable, fmt::format("cannot listen on {}:{}: {}", options.host,
                                                    options.port, modbus_strerror(errno)));
  ::fcntl(s->listener, F_SETFD, FD_CLOEXEC);
  sockaddr_in bound{};
  socklen_t size = sizeof bound;
  ::getsockname(s->listener, reinterpret_cast<sockaddr*>(&bound), &size);
  s->port = ntohs(bound.sin_port);

  const AhuControls initial;
  s->mapping->tab_registers[holding::setpoint] =
      static_cast<std::uint16_t>(std::lround(initial.supply_setpoint_c * 10));
  s->mapping->tab_registers[holding::mode] = static_cast<std::uint16_t>(initial.mode);
  s->mapping->tab_registers[holding::fan_setpoint] =
      static_cast<std::uint16_t>(initial.fan_setpoint_pct);
  s->mapping->tab_bits[kCoilEnable] = initial.enabled;
  s->advance();
  State* state = s.get();
  s->thread = std::thread([state] { state->run(); });
  return std::unique_ptr<ModbusPlant>(new ModbusPlant(std::move(s)));
}

ModbusPlant::ModbusPlant(std::unique_ptr<State> state) : state_(std::move(state)) {}
ModbusPlant::~ModbusPlant() {
  stop();
}

std::uint16_t ModbusPlant::port() const {
  return state_->port;
}

void ModbusPlant::set_reply_delay(std::chrono::milliseconds delay) {
  state_->reply_delay_ms = static_cast<int>(delay.count());
}
void ModbusPlant::set_answering(bool answering) {
  state_->answering = answering;
}
void ModbusPlant::set_fault(bool fault) {
  state_->fault = fault;
}

void ModbusPlant::stop() {
  if (!state_->thread.joinable()) return;
  const char byte = 1;
  [[maybe_unused]] auto written = ::write(state_->wake[1], &byte, 1);
  state_->thread.join();
  for (int fd : state_->clients) ::close(fd);
  state_->clients.clear();
  ::close(state_->listener);
  state_->listener = -1;
}

}  // namespace citypulse::sim
