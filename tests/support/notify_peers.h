// Real peers for the notification tests, all on 127.0.0.1: an SMTP server
// (aiosmtpd in a child process, optionally with STARTTLS on a throwaway
// certificate) that writes what it accepts to files, and an HTTP receiver
// on plain sockets that records requests and answers a scripted sequence
// of statuses.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "scratch.h"

namespace citypulse::test {

class ChildProcess;

struct SmtpSinkOptions {
  bool starttls = false;                 // offer STARTTLS with a self-signed certificate
  std::vector<std::string> refuse = {};  // recipients answered 550
  std::string login = {};                // "user:password": AUTH required, only this accepted
};

struct ReceivedMail {
  std::string envelope_from;
  std::vector<std::string> envelope_to;
  std::string data;    // the message as received, dot-unstuffed
  std::string parsed;  // JSON: what Python's email parser read (see notify_smtp_sink.py)
};

class SmtpSink {
 public:
  explicit SmtpSink(SmtpSinkOptions options = {});
  ~SmtpSink();  // SIGTERM, then SIGKILL after 5 s
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  bool ready() const { return port_ != 0; }  // false: it did not start; see log()
  std::uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  const std::string& cert_path() const { return cert_path_; }  // the certificate to trust
  std::string log() const;
  // Message n (1 for the first), once it is there within `timeout_ms`.
  std::optional<ReceivedMail> wait_for_mail(int n, int timeout_ms = 5000) const;
  int mail_count() const;

 private:
  TempDir folder_;
  std::string cert_path_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

struct ReceivedRequest {
  std::string method, target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::int64_t received_at = 0;  // wall time (now_ms) when it was read
  // The first header of that name (any case); empty when absent.
  std::string header(std::string_view name) const;
};

class HttpReceiver {
 public:
  // Answers the statuses in turn, the last one from then on; `silent`: reads
  // requests and never answers (until destroyed), for timeouts.
  explicit HttpReceiver(std::vector<int> statuses, bool silent = false);
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view target = "/hook") const;
  std::vector<ReceivedRequest> requests() const;

 private:
  void serve();
  void answer(int fd);

  std::vector<int> statuses_;
  bool silent_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
  std::vector<int> held_;  // silent connections, closed at the end
  std::thread thread_;
};

}  // namespace citypulse::test
