#include "app/ws_load.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstring>
#include <random>

#include "app/http_load.h"
#include "core/text.h"

namespace citypulse {
namespace {

constexpr std::uint8_t kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9,
                       kPong = 0xA;
constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// RFC 4648 base64 with padding of `bytes`.
std::string base64(const unsigned char* bytes, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  return out;
}

// The Sec-WebSocket-Accept the server owes to `key` (RFC 6455 4.2.2).
std::string accept_of(std::string_view key) {
  std::string text(key);
  text += kAcceptGuid;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr);
  return base64(digest, size);
}

// Whether the comma-separated header value `list` holds `token` (any case).
bool has_token(std::string_view list, std::string_view token) {
  for (auto item : split_list(list))
    if (iequals_ascii(item, token)) return true;
  return false;
}

// Checks the answer to the upgrade (its head, through the blank line).
Status check_upgrade(std::string_view head, std::string_view accept) {
  const auto status_line = head.substr(0, head.find("\r\n"));
  if (!status_line.starts_with("HTTP/1.1 101"))
    return fail(ErrorCode::io, fmt::format("the upgrade was answered '{}'", status_line));
  if (!iequals_ascii(header_value(head, "Upgrade"), "websocket"))
    return fail(ErrorCode::io, "the 101 answer has no 'Upgrade: websocket'");
  if (!has_token(header_value(head, "Connection"), "upgrade"))
    return fail(ErrorCode::io, "the 101 answer has no 'Connection: upgrade'");
  const auto got = header_value(head, "Sec-WebSocket-Accept");
  if (got != accept)
    return fail(ErrorCode::io,
                fmt::format("Sec-WebSocket-Accept is '{}', the key calls for '{}'", got, accept));
  if (!header_value(head, "Sec-WebSocket-Extensions").empty())
    return fail(ErrorCode::io, "the server agreed to an extension no one asked for");
  return {};
}

std::uint64_t read_be(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int k = 0; k < bytes; ++k) v = (v << 8) | static_cast<unsigned char>(p[k]);
  return v;
}

}  // namespace

WsLoad::WsLoad(WsLoadOptions options, std::size_t count, const WsLoadEvents& events)
    : options_(std::move(options)),
      events_(events),
      connections_(options_.port, count),
      conns_(count),
      random_((std::random_device{}() ^
               static_cast<std::uint64_t>(
                   std::chrono::steady_clock::now().time_since_epoch().count())) |
              1) {}

WsLoad::~WsLoad() = default;

std::uint32_t WsLoad::random32() {
  random_ ^= random_ << 13;
  random_ ^= random_ >> 7;
  random_ ^= random_ << 17;
  return static_cast<std::uint32_t>(random_ >> 16);
}

Status WsLoad::open(std::size_t i) {
  auto& c = conns_[i];
  if (auto s = connections_.open(i); !s) return s;
  unsigned char nonce[16];
  for (int k = 0; k < 16; k += 4) {
    const auto r = random32();
    std::memcpy(nonce + k, &r, 4);
  }
  const std::string key = base64(nonce, sizeof nonce);
  const std::string accept = accept_of(key);
  std::memcpy(c.accept.data(), accept.data(), c.accept.size());
  c.state = State::upgrading;
  c.message_opcode = 0;
  c.in.clear();
  c.message.clear();
  fmt::format_to(std::back_inserter(connections_.outbox(i)),
                 "GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: {}\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n",
                 options_.target, options_.port, key);
  flush(i);
  return {};
}

void WsLoad::send_text(std::size_t i, std::string_view text) {
  if (conns_[i].state != State::open) return;
  send_frame(i, kText, text);
  flush(i);
}

void WsLoad::close(std::size_t i, std::uint16_t code) {
  auto& c = conns_[i];
  if (c.state != State::open) return;
  const char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  send_frame(i, kClose, std::string_view(payload, 2));
  c.state = State::closing;
  flush(i);
}

void WsLoad::send_frame(std::size_t i, std::uint8_t opcode, std::string_view payload) {
  auto& out = connections_.outbox(i);
  const std::size_t n = payload.size();
  out.push_back(static_cast<char>(0x80 | opcode));  // FIN: every frame sent is a whole message
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(0x80 | 126));
    for (int shift = 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>(static_cast<std::uint64_t>(n) >> shift));
  }
  const std::uint32_t key = random32();
  char mask[4];
  std::memcpy(mask, &key, 4);
  out.append(mask, 4);
  const std::size_t at = out.size();
  out.resize(at + n);
  char* p = out.data() + at;
  for (std::size_t k = 0; k < n; ++k) p[k] = static_cast<char>(payload[k] ^ mask[k & 3]);
}

void WsLoad::flush(std::size_t i) {
  if (!connections_.is_open(i)) return;
  if (auto s = connections_.flush(i); !s) end(i, 0, s.error().message);
}

Status WsLoad::poll(int timeout_ms) {
  return connections_.wait(timeout_ms, [this](std::size_t i) { receive(i); });
}

void WsLoad::receive(std::size_t i) {
  auto& c = conns_[i];
  const auto n = connections_.read(i, c.in);
  if (n == 0) return;
  if (n < 0) {
    end(i, 0,
        c.state == State::upgrading ? "the server closed the connection during the upgrade"
                                    : "the connection dropped without a close frame");
    return;
  }
  std::size_t used = 0;
  if (c.state == State::upgrading) {
    const auto head_end = c.in.find("\r\n\r\n");
    if (head_end == std::string::npos) {
      if (c.in.size() > options_.max_upgrade_answer_bytes)
        end(i, 0, "the answer to the upgrade has no end of its head");
      return;
    }
    const std::string_view head(c.in.data(), head_end + 4);
    if (auto s = check_upgrade(head, std::string_view(c.accept.data(), c.accept.size())); !s) {
      end(i, 0, s.error().message);
      return;
    }
    used = head_end + 4;
    c.state = State::open;
    if (events_.opened) events_.opened(i);
    if (c.state == State::closed) return;
  }
  std::string_view rest(c.in);
  rest.remove_prefix(used);
  if (!rest.empty()) {
    // Frames are handled from the front of `in`: drop the head first.
    if (used > 0) c.in.erase(0, used);
    used = frames(i);
    if (used == std::string::npos) return;
    c.in.erase(0, used);
  } else {
    c.in.clear();
  }
  flush(i);
}

std::size_t WsLoad::frames(std::size_t i) {
  auto& c = conns_[i];
  std::size_t at = 0;
  while (c.state == State::open || c.state == State::closing) {
    const std::size_t left = c.in.size() - at;
    if (left < 2) break;
    const char* p = c.in.data() + at;
    const auto b0 = static_cast<unsigned char>(p[0]), b1 = static_cast<unsigned char>(p[1]);
    const bool fin = (b0 & 0x80) != 0;
    const std::uint8_t opcode = b0 & 0x0f;
    if (b0 & 0x70) {
      end(i, 0, "a frame with reserved bits set (no extension was agreed)");
      return std::string::npos;
    }
    if (b1 & 0x80) {
      end(i, 0, "a masked frame from the server");
      return std::string::npos;
    }
    std::size_t head = 2;
    std::uint64_t size = b1 & 0x7f;
    if (size == 126) {
      if (left < 4) break;
      size = read_be(p + 2, 2);
      head = 4;
    } else if (size == 127) {
      if (left < 10) break;
      size = read_be(p + 2, 8);
      head = 10;
      if (size >> 63) {
        end(i, 0, "a frame length with its most significant bit set");
        return std::string::npos;
      }
    }
    if (size > options_.max_message_bytes) {
      end(i, 0,
          fmt::format("a frame of {} bytes, over the limit of {}", size,
                      options_.max_message_bytes));
      return std::string::npos;
    }
    if (left < head + size) break;
    const std::string_view payload(p + head, static_cast<std::size_t>(size));
    at += head + static_cast<std::size_t>(size);

    if (opcode & 0x8) {  // a control frame: whole, small, possibly between fragments
      if (!fin || size > 125) {
        end(i, 0, "a fragmented or oversized control frame");
        return std::string::npos;
      }
      if (opcode == kPing) {
        ++counts_.pings;
        if (c.state == State::open) send_frame(i, kPong, payload);
      } else if (opcode == kClose) {
        if (size == 1) {
          end(i, 0, "a close frame with a one-byte body");
          return std::string::npos;
        }
        const int code = size >= 2 ? static_cast<int>(read_be(payload.data(), 2)) : 0;
        scratch_.assign(payload.substr(size >= 2 ? 2 : 0));
        if (c.state == State::closing) {
          end(i, code, scratch_, true);
        } else {
          // Echo the code (none when none came), then end.
          send_frame(i, kClose, payload.substr(0, size >= 2 ? 2 : 0));
          flush(i);
          end(i, code, scratch_);
        }
        return std::string::npos;
      } else if (opcode != kPong) {
        end(i, 0, fmt::format("a frame of the unknown control opcode {}", opcode));
        return std::string::npos;
      }
      continue;
    }

    if (opcode == kContinuation) {
      if (c.message_opcode == 0) {
        end(i, 0, "a continuation frame with no message to continue");
        return std::string::npos;
      }
      if (c.message.size() + payload.size() > options_.max_message_bytes) {
        end(i, 0, fmt::format("a message over the limit of {} bytes", options_.max_message_bytes));
        return std::string::npos;
      }
      c.message.append(payload);
      if (fin) {
        const bool binary = c.message_opcode == kBinary;
        c.message_opcode = 0;
        if (events_.message) events_.message(i, c.message, binary);
        c.message.clear();
      }
    } else if (opcode == kText || opcode == kBinary) {
      if (c.message_opcode != 0) {
        end(i, 0, "a new message before the fragmented one ended");
        return std::string::npos;
      }
      if (fin) {
        if (events_.message) events_.message(i, payload, opcode == kBinary);
      } else {
        c.message.assign(payload);
        c.message_opcode = opcode;
      }
    } else {
      end(i, 0, fmt::format("a frame of the unknown data opcode {}", opcode));
      return std::string::npos;
    }
  }
  return c.state == State::closed ? std::string::npos : at;
}

void WsLoad::end(std::size_t i, int code, std::string_view why, bool requested) {
  auto& c = conns_[i];
  if (c.state == State::closed) return;
  const bool upgrading = c.state == State::upgrading;
  c.state = State::closed;
  c.message_opcode = 0;
  connections_.close(i);
  if (!requested) {
    ++counts_.errors;
    if (counts_.first_error.empty())
      counts_.first_error =
          code != 0 ? fmt::format("client {}: the server closed with {} ({})", i, code, why)
                    : fmt::format("client {}: {}{}", i, why, upgrading ? " (upgrading)" : "");
  }
  if (events_.closed) events_.closed(i, WsClosed{code, why, requested});
  c.in.clear();
  c.message.clear();
}

}  // namespace citypulse
