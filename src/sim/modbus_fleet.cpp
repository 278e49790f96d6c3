#include "sim/modbus_fleet.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <modbus.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace citypulse::sim {
namespace {

constexpr int kMaxSlaves = 10'000;
constexpr int kMaxRegisters = 10'000;
constexpr int kListenBacklog = 16;

// Register `k` of slave `slave` at `now_s`, as the header says: tenths of a
// degree, 20.0 + 0.1 k plus a ramp that steps every 10 s, each slave at its
// own phase.
std::uint16_t register_value(int slave, int k, std::int64_t now_s) {
  const auto ramp = static_cast<int>((now_s / 10 + slave) % 20);
  return static_cast<std::uint16_t>(200 + k + ramp);
}

struct Client {
  int fd = -1;
  int slave = 0;
};

}  // namespace

struct ModbusFleet::State {
  ModbusFleetOptions options;
  // Framing only: its socket is set to the client being served, never
  // connected or listening itself.
  modbus_t* context = nullptr;
  // One map for all: filled with the slave's values before each answer
  // (the thread serves one request at a time).
  modbus_mapping_t* mapping = nullptr;
  std::vector<int> listeners;  // slave i listens on listeners[i]
  std::vector<std::uint16_t> ports;
  std::vector<Client> clients;
  int wake[2] = {-1, -1};  // written to by stop(): the self-pipe that ends poll()
  std::thread thread;
  std::atomic<std::int64_t> answered{0};

  ~State() {
    for (const auto& c : clients) ::close(c.fd);
    for (int fd : listeners) ::close(fd);
    for (int fd : wake)
      if (fd >= 0) ::close(fd);
    if (mapping) modbus_mapping_free(mapping);
    if (context) {
      modbus_set_socket(context, -1);  // the descriptors above are closed already
      modbus_free(context);
    }
  }

  Status listen_all() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, options.host.c_str(), &address.sin_addr);
    for (int i = 0; i < options.slaves; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (fd < 0)
        return fail(ErrorCode::io, fmt::format("Modbus fleet: slave {} has no socket: {}", i,
                                               std::strerror(errno)));
      listeners.push_back(fd);
      sockaddr_in bound = address;
      socklen_t size = sizeof bound;
      auto* as_sockaddr = reinterpret_cast<sockaddr*>(&bound);
      if (::bind(fd, as_sockaddr, size) != 0 || ::listen(fd, kListenBacklog) != 0 ||
          ::getsockname(fd, as_sockaddr, &size) != 0)
        return fail(ErrorCode::io, fmt::format("Modbus fleet: slave {} cannot listen on {}: {}", i,
                                               options.host, std::strerror(errno)));
      ports.push_back(ntohs(bound.sin_port));
    }
    return {};
  }

  void accept_from(int slave) {
    for (;;) {
      const int fd =
          ::accept4(listeners[static_cast<std::size_t>(slave)], nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN: none left waiting (or out of descriptors)
      // Answers are single small writes; no reason to let Nagle hold one.
      const int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      clients.push_back({.fd = fd, .slave = slave});
    }
  }

  // Reads one request of `client` and answers it; false when the client is
  // gone or broke the protocol.
  bool serve(const Client& client) {
    std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    modbus_set_socket(context, client.fd);
    const int length = modbus_receive(context, query);
    if (length < 0) return false;
    if (length == 0) return true;  // not for this unit: nothing to answer
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    for (int k = 0; k < options.registers; ++k)
      mapping->tab_input_registers[k] = register_value(client.slave, k, now_s);
    const bool sent = modbus_reply(context, query, length, mapping) >= 0;
    if (sent) answered.fetch_add(1, std::memory_order_relaxed);
    return sent;
  }

  void run() {
    std::vector<pollfd> waiting;
    for (;;) {
      // [0] the wake pipe, then the listeners by slave, then the clients.
      waiting.clear();
      waiting.push_back({.fd = wake[0], .events = POLLIN, .revents = 0});
      for (int fd : listeners) waiting.push_back({.fd = fd, .events = POLLIN, .revents = 0});
      for (const auto& c : clients) waiting.push_back({.fd = c.fd, .events = POLLIN, .revents = 0});
      if (::poll(waiting.data(), waiting.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (waiting[0].revents != 0) return;
      // Clients first, as they stood when poll() returned; the accepted ones
      // join the end of the list after.
      const std::size_t first_client = 1 + listeners.size();
      std::size_t kept = 0;
      const std::size_t polled = clients.size();
      for (std::size_t i = 0; i < polled; ++i) {
        const auto revents = waiting[first_client + i].revents;
        if (revents != 0 && !serve(clients[i])) {
          ::close(clients[i].fd);
          continue;
        }
        clients[kept++] = clients[i];
      }
      clients.resize(kept);
      for (std::size_t i = 0; i < listeners.size(); ++i)
        if (waiting[1 + i].revents != 0) accept_from(static_cast<int>(i));
    }
  }
};

Result<std::unique_ptr<ModbusFleet>> ModbusFleet::start(const ModbusFleetOptions& options) {
  in_addr ignored{};
  if (::inet_pton(AF_INET, options.host.c_str(), &ignored) != 1)
    return fail(ErrorCode::invalid,
                fmt::format("the fleet listens on a dotted IPv4 address, not '{}'", options.host),
                "host");
  if (options.slaves < 1 || options.slaves > kMaxSlaves)
    return fail(ErrorCode::invalid, fmt::format("a fleet has 1 to {} slaves", kMaxSlaves),
                "slaves");
  if (options.registers < 1 || options.registers > kMaxRegisters)
    return fail(ErrorCode::invalid,
                fmt::format("a slave has 1 to {} input registers", kMaxRegisters), "registers");
  auto s = std::make_unique<State>();
  s->options = options;
  s->context = modbus_new_tcp(options.host.c_str(), 0);
  s->mapping = modbus_mapping_new(0, 0, 0, options.registers);
  if (!s->context || !s->mapping || ::pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0)
    return fail(ErrorCode::io,
                fmt::format("cannot set up the Modbus fleet: {}", std::strerror(errno)));
  if (auto listening = s->listen_all(); !listening) return std::unexpected(listening.error());
  State* state = s.get();
  s->thread = std::thread([state] { state->run(); });
  return std::unique_ptr<ModbusFleet>(new ModbusFleet(std::move(s)));
}

ModbusFleet::ModbusFleet(std::unique_ptr<State> state) : state_(std::move(state)) {}
ModbusFleet::~ModbusFleet() {
  stop();
}

std::uint16_t ModbusFleet::port(int slave) const {
  return state_->ports.at(static_cast<std::size_t>(slave));
}

std::int64_t ModbusFleet::answered() const {
  return state_->answered.load(std::memory_order_relaxed);
}

void ModbusFleet::stop() {
  if (!state_->thread.joinable()) return;
  const char byte = 1;
  [[maybe_unused]] auto written = ::write(state_->wake[1], &byte, 1);
  state_->thread.join();
  for (const auto& c : state_->clients) ::close(c.fd);
  state_->clients.clear();
  for (int fd : state_->listeners) ::close(fd);
  state_->listeners.clear();
}

}  // namespace citypulse::sim
