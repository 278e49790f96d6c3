#include "drivers/modbus/connection.h"

#include <fmt/format.h>
#include <modbus.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace citypulse::modbus {
namespace {

// The exception codes' names (Modbus Application Protocol V1.1b3, 7).
const char* exception_name(int code) {
  switch (code) {
    case MODBUS_EXCEPTION_ILLEGAL_FUNCTION:
      return "illegal function";
    case MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS:
      return "illegal data address";
    case MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE:
      return "illegal data value";
    case MODBUS_EXCEPTION_SLAVE_OR_SERVER_FAILURE:
      return "server device failure";
    case MODBUS_EXCEPTION_ACKNOWLEDGE:
      return "acknowledge (still processing)";
    case MODBUS_EXCEPTION_SLAVE_OR_SERVER_BUSY:
      return "server device busy";
    case MODBUS_EXCEPTION_NEGATIVE_ACKNOWLEDGE:
      return "negative acknowledge";
    case MODBUS_EXCEPTION_MEMORY_PARITY:
      return "memory parity error";
    case MODBUS_EXCEPTION_GATEWAY_PATH:
      return "gateway path unavailable";
    case MODBUS_EXCEPTION_GATEWAY_TARGET:
      return "gateway target device failed to respond";
    default:
      return "unknown exception";
  }
}

bool is_exception(int error) {
  return error > MODBUS_ENOBASE && error <= EMBXGTAR;
}

ErrorCode code_of(int error) {
  if (is_exception(error)) {
    const int exception = error - MODBUS_ENOBASE;
    if (exception <= MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE) return ErrorCode::invalid;
    if (exception == MODBUS_EXCEPTION_GATEWAY_TARGET) return ErrorCode::timed_out;
    return ErrorCode::unavailable;
  }
  if (error == ETIMEDOUT || error == EINPROGRESS) return ErrorCode::timed_out;
  if (error > MODBUS_ENOBASE) return ErrorCode::io;  // bad data, CRC, unit, too much data
  return ErrorCode::unavailable;                     // refused, unreachable, reset, broken pipe
}

std::string describe(int error, int timeout_ms) {
  if (is_exception(error))
    return fmt::format("device answered: {} (exception {})", exception_name(error - MODBUS_ENOBASE),
                       error - MODBUS_ENOBASE);
  if (error == ETIMEDOUT || error == EINPROGRESS)
    return fmt::format("no answer within {} ms", timeout_ms);
  if (error == ECONNREFUSED) return "connection refused (no Modbus TCP server listens there)";
  if (error > MODBUS_ENOBASE) return fmt::format("malformed answer: {}", modbus_strerror(error));
  return modbus_strerror(error);
}

const char* table_items(Table table) {
  switch (table) {
    case Table::holding:
      return "holding registers";
    case Table::input:
      return "input registers";
    case Table::coil:
      return "coils";
    case Table::discrete:
      return "discrete inputs";
  }
  return "?";
}

}  // namespace

Endpoint endpoint_of(const DeviceConfig& c) {
  return Endpoint{c.host, c.port, c.unit_id, c.timeout_ms, c.retries};
}

struct Connection::Impl {
  Endpoint endpoint;
  modbus_t* context = nullptr;
  bool connected = false;

  explicit Impl(Endpoint e) : endpoint(std::move(e)) {}
  ~Impl() { drop(); }

  std::string device() const {
    return fmt::format("{}:{} unit {}", endpoint.host, endpoint.port, endpoint.unit_id);
  }

  Error error(int errno_value, std::string_view what) const {
    return Error{
        code_of(errno_value),
        fmt::format("{} of {}: {}", what, device(), describe(errno_value, endpoint.timeout_ms)),
        {}};
  }

  void drop() {
    if (!context) return;
    modbus_close(context);
    modbus_free(context);
    context = nullptr;
    connected = false;
  }

  Status open() {
    if (connected) return {};
    if (!context) {
      // The _pi variant resolves host names; plain modbus_new_tcp takes only
      // dotted IPv4.
      context = modbus_new_tcp_pi(endpoint.host.c_str(), std::to_string(endpoint.port).c_str());
      if (!context)
        return fail(ErrorCode::invalid,
                    fmt::format("cannot address {}: {}", device(), modbus_strerror(errno)));
      if (modbus_set_slave(context, endpoint.unit_id) == -1) {
        drop();
        return fail(ErrorCode::invalid,
                    fmt::format("unit id {} is not a Modbus TCP unit id", endpoint.unit_id));
      }
      const auto ms = static_cast<std::uint32_t>(endpoint.timeout_ms);
      modbus_set_response_timeout(context, ms / 1000, ms % 1000 * 1000);
    }
    errno = 0;
    if (modbus_connect(context) == -1) {
      // libmodbus leaves errno as connect() or select() left it: EINPROGRESS
      // when the connect timed out.
      const int e = errno != 0 ? errno : ECONNABORTED;
      drop();
      return fail(error(e, "connecting"));
    }
    connected = true;
    return {};
  }

  // Runs `request` on an open connection, with the retries of the header.
  template <class Request>
  Status attempt(std::string_view what, Request request) {
    Error last;
    for (int tries = 0; tries <= endpoint.retries; ++tries) {
      if (auto s = open(); !s) {
        last = s.error();
        continue;
      }
      errno = 0;
      if (request(context) != -1) return {};
      const int e = errno;
      last = error(e, what);
      if (is_exception(e)) return fail(std::move(last));
      drop();
    }
    return fail(std::move(last));
  }
};

Connection::Connection(Endpoint endpoint) : impl_(std::make_unique<Impl>(std::move(endpoint))) {}
Connection::~Connection() = default;
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;

const Endpoint& Connection::endpoint() const {
  return impl_->endpoint;
}
Status Connection::open() {
  return impl_->open();
}
void Connection::close() {
  impl_->drop();
}
bool Connection::is_open() const {
  return impl_->connected;
}

Result<RegisterBlock> Connection::read(Table table, std::uint16_t start, std::uint16_t count) {
  const unsigned limit = has_registers(table) ? kMaxReadRegisters : kMaxReadBits;
  const std::string what = fmt::format("reading {} {}..{}", table_items(table), start,
                                       static_cast<unsigned>(start) + count - 1);
  if (count == 0 || count > limit || start + count > 0x10000)
    return fail(ErrorCode::invalid,
                fmt::format("{}: one read takes 1 to {} {} below 65536", what, limit,
                            has_registers(table) ? "registers" : "bits"));
  RegisterBlock block;
  block.table = table;
  block.start = start;
  std::vector<std::uint8_t> bits;
  if (has_registers(table))
    block.registers.resize(count);
  else
    bits.resize(count);
  auto s = impl_->attempt(what, [&](modbus_t* m) {
    switch (table) {
      case Table::holding:
        return modbus_read_registers(m, start, count, block.registers.data());
      case Table::input:
        return modbus_read_input_registers(m, start, count, block.registers.data());
      case Table::coil:
        return modbus_read_bits(m, start, count, bits.data());
      case Table::discrete:
        return modbus_read_input_bits(m, start, count, bits.data());
    }
    return -1;
  });
  if (!s) return std::unexpected(s.error());
  block.bits.assign(bits.begin(), bits.end());
  return block;
}

Result<RegisterBlock> Connection::read(const ReadRequest& request) {
  return read(request.table, request.start, request.count);
}

Status Connection::write_register(std::uint16_t address, std::uint16_t value) {
  return impl_->attempt(fmt::format("writing holding register {}", address),
                        [&](modbus_t* m) { return modbus_write_register(m, address, value); });
}

Status Connection::write_registers(std::uint16_t address, std::span<const std::uint16_t> values) {
  const std::string what = fmt::format("writing holding registers {}..{}", address,
                                       static_cast<unsigned>(address) + values.size() - 1);
  if (values.empty() || values.size() > MODBUS_MAX_WRITE_REGISTERS ||
      address + values.size() > 0x10000)
    return fail(ErrorCode::invalid, fmt::format("{}: one write takes 1 to {} registers below 65536",
                                                what, MODBUS_MAX_WRITE_REGISTERS));
  return impl_->attempt(what, [&](modbus_t* m) {
    return modbus_write_registers(m, address, static_cast<int>(values.size()), values.data());
  });
}

Status Connection::write_coil(std::uint16_t address, bool on) {
  return impl_->attempt(fmt::format("writing coil {}", address), [&](modbus_t* m) {
    return modbus_write_bit(m, address, on ? TRUE : FALSE);
  });
}

}  // namespace citypulse::modbus
