#include "notify_peers.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "child_process.h"
#include "core/text.h"
#include "core/time.h"
#include "tls_support.h"

namespace citypulse::test {

namespace fs = std::filesystem;

namespace {

// Reads from `fd` into `out` until `done(out)` or the peer closes or 2 s
// pass without data.
template <class Done>
void read_until(int fd, std::string& out, Done done) {
  char buffer[4096];
  while (!done(out)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) return;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

// ---- the SMTP sink ---------------------------------------------------------

SmtpSink::SmtpSink(SmtpSinkOptions options) {
  std::vector<std::string> args = {CITYPULSE_SOURCE_DIR "/tests/support/smtp_sink.py",
                                   folder_.path()};
  if (options.starttls) {
    cert_path_ = folder_.path() + "/cert.pem";
    const std::string key_path = folder_.path() + "/key.pem";
    write_self_signed_certificate(cert_path_, key_path);
    args.insert(args.end(), {"--cert", cert_path_, "--key", key_path});
  }
  for (const std::string& address : options.refuse) args.insert(args.end(), {"--refuse", address});
  if (!options.login.empty()) args.insert(args.end(), {"--login", options.login});
  // Debian's interpreter, where python3-aiosmtpd is installed (a python3
  // earlier in PATH may be another one).
  process_ = std::make_unique<ChildProcess>("/usr/bin/python3", args);
  const std::string port_file = folder_.path() + "/port";
  for (int waited = 0; waited < 10'000; waited += 20) {
    if (fs::exists(port_file)) {
      port_ = static_cast<std::uint16_t>(std::stoi(read_file(port_file)));
      return;
    }
    if (process_->wait(0) >= 0) return;  // it ended: see log()
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

SmtpSink::~SmtpSink() {
  if (process_) process_->stop();
}

std::string SmtpSink::log() const {
  return process_ ? process_->output() : std::string();
}

int SmtpSink::mail_count() const {
  int n = 0;
  while (fs::exists(folder_.path() + "/mail-" + std::to_string(n + 1) + ".eml")) ++n;
  return n;
}

std::optional<ReceivedMail> SmtpSink::wait_for_mail(int n, int timeout_ms) const {
  const std::string base = folder_.path() + "/mail-" + std::to_string(n);
  for (int waited = 0;; waited += 10) {
    // The envelope and the parse are written first, the message last (both renamed into
    // place), so a message that is there has them.
    if (fs::exists(base + ".eml")) break;
    if (waited >= timeout_ms) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ReceivedMail mail;
  mail.data = read_file(base + ".eml");
  mail.parsed = read_file(base + ".json");
  const std::string envelope = read_file(base + ".env");
  for (std::size_t start = 0; start < envelope.size();) {
    std::size_t end = envelope.find('\n', start);
    if (end == std::string::npos) end = envelope.size();
    const std::string line = envelope.substr(start, end - start);
    if (line.starts_with("from ")) mail.envelope_from = line.substr(5);
    if (line.starts_with("to ")) mail.envelope_to.push_back(line.substr(3));
    start = end + 1;
  }
  return mail;
}

// ---- the HTTP receiver -----------------------------------------------------

std::string ReceivedRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals_ascii(n, name)) return v;
  return {};
}

HttpReceiver::HttpReceiver(std::vector<int> statuses, bool silent)
    : statuses_(std::move(statuses)), silent_(silent) {
  listen_fd_ = bind_loopback(port_);
  if (::listen(listen_fd_, 16) != 0) throw std::runtime_error("listen failed");
  thread_ = std::thread([this] { serve(); });
}

HttpReceiver::~HttpReceiver() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
  for (int fd : held_) ::close(fd);
}

std::string HttpReceiver::url(std::string_view target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(target);
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void HttpReceiver::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) answer(fd);
  }
}

// One request a connection (the clients ask for nothing else of it).
void HttpReceiver::answer(int fd) {
  std::string text;
  read_until(fd, text,
             [](const std::string& t) { return t.find("\r\n\r\n") != std::string::npos; });
  const std::size_t head_end = text.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    ::close(fd);
    return;
  }
  ReceivedRequest request;
  std::string_view head(text.data(), head_end);
  std::size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const std::size_t space = request_line.find(' ');
  request.method = std::string(request_line.substr(0, space));
  request.target = std::string(request_line.substr(space + 1, request_line.rfind(' ') - space - 1));
  std::size_t content_length = 0;
  while (line_end != std::string_view::npos) {
    const std::size_t next = head.find("\r\n", line_end + 2);
    const std::string_view line =
        head.substr(line_end + 2,
                    next == std::string_view::npos ? std::string_view::npos : next - line_end - 2);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      request.headers.emplace_back(std::string(line.substr(0, colon)),
                                   std::string(trim(line.substr(colon + 1))));
      if (iequals_ascii(request.headers.back().first, "Content-Length"))
        content_length = std::stoul(request.headers.back().second);
    }
    line_end = next;
  }
  const std::size_t body_start = head_end + 4;
  read_until(fd, text,
             [&](const std::string& t) { return t.size() >= body_start + content_length; });
  request.body = text.substr(body_start, content_length);
  request.received_at = now_ms();
  int status = 0;
  {
    std::lock_guard lock(mutex_);
    const std::size_t turn = requests_.size();
    requests_.push_back(std::move(request));
    if (!statuses_.empty()) status = statuses_[std::min(turn, statuses_.size() - 1)];
    if (silent_) {
      held_.push_back(fd);
      return;
    }
  }
  const std::string body = "status " + std::to_string(status);
  const std::string response = "HTTP/1.1 " + std::to_string(status) +
                               " Scripted\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nConnection: close\r\n\r\n" + body;
  (void)!::write(fd, response.data(), response.size());
  ::close(fd);
}

}  // namespace citypulse::test
