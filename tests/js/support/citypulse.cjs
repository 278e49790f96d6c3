// Runs the real citypulse binary for a test file, as the C++ tests do
// (tests/support/server_process.cpp): free loopback ports for HTTP and
// MQTT, a fresh data folder, the test superadmin, the anonymous MQTT
// sandbox, output captured to a file that is printed when the server
// misbehaves. Also a small HTTP API client signed in as that admin.
'use strict';

const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ADMIN_EMAIL = 'admin@citypulse.test';
const ADMIN_PASSWORD = 'test-admin-passphrase';

function binary() {
  const b = process.env.CITYPULSE_BINARY;
  if (!b || !fs.existsSync(b))
    throw new Error(`CITYPULSE_BINARY must name the citypulse executable (got '${b}')`);
  return b;
}

// A TCP port on 127.0.0.1 that was free a moment ago.
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// A P-256 key and a self-signed certificate for 127.0.0.1, valid for a day.
function selfSignedCertificate(certPath, keyPath) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
    'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
  { stdio: 'pipe' });
}

// The status of a GET over HTTPS that trusts exactly `ca`.
function httpsStatus(url, ca) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.once('error', reject);
  });
}

class CityPulse {
  // Starts the server and waits (up to 30 s: the sanitizer build is slow to
  // start) until HTTP answers, the broker listens and /mqtt is served.
  // With `tls`, the HTTP listener speaks HTTPS only, with a fresh
  // self-signed certificate (cp.ca) for 127.0.0.1; the API client is not
  // signed in then.
  static async start({ env = {}, args = [], tls = false } = {}) {
    const cp = new CityPulse();
    cp.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citypulse-js-'));
    if (tls) {
      const cert = path.join(cp.dir, 'cert.pem');
      const key = path.join(cp.dir, 'key.pem');
      selfSignedCertificate(cert, key);
      cp.ca = fs.readFileSync(cert);
      env = { CITYPULSE_HTTP_TLS_CERT: cert, CITYPULSE_HTTP_TLS_KEY: key, ...env };
    }
    cp.httpPort = await freePort();
    cp.mqttPort = await freePort();
    cp.logPath = path.join(cp.dir, 'server.log');
    const log = fs.openSync(cp.logPath, 'a');
    cp.child = spawn(
      binary(),
      ['serve', '--data-dir', path.join(cp.dir, 'data'), '--http-port', String(cp.httpPort),
        '--mqtt-port', String(cp.mqttPort), ...args],
      {
        env: {
          ...process.env,
          CITYPULSE_ADMIN_EMAIL: ADMIN_EMAIL,
          CITYPULSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
          CITYPULSE_RATE_LIMIT_READ_PER_MINUTE: '0',
          CITYPULSE_RATE_LIMIT_WRITE_PER_MINUTE: '0',
          CITYPULSE_RATE_LIMIT_AUTH_PER_MINUTE: '0',
          CITYPULSE_MQTT_ALLOW_ANONYMOUS: 'true',
          ...env,
        },
        stdio: ['ignore', log, log],
      });
    fs.closeSync(log);
    cp.exited = new Promise((resolve) => cp.child.once('exit', (code, signal) => {
      cp.exitCode = code ?? 128 + os.constants.signals[signal];
      resolve(cp.exitCode);
    }));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (cp.exitCode !== undefined)
        throw new Error(`citypulse exited with ${cp.exitCode}:\n${cp.output()}`);
      try {
        // 426: /mqtt is registered, which happens once the broker listens.
        const status = tls ? await httpsStatus(`${cp.https}/mqtt`, cp.ca)
          : (await fetch(`${cp.http}/mqtt`)).status;
        if (status === 426 && (await canConnect(cp.mqttPort))) {
          if (!tls) await cp.signIn();
          return cp;
        }
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    cp.child.kill('SIGKILL');
    throw new Error(`citypulse did not become ready:\n${cp.output()}`);
  }

  get http() {
    return `http://127.0.0.1:${this.httpPort}`;
  }
  get https() {
    return `https://127.0.0.1:${this.httpPort}`;
  }
  get wssUrl() {
    return `wss://127.0.0.1:${this.httpPort}/mqtt`;
  }
  get tcpUrl() {
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }
  get wsUrl() {
    return `ws://127.0.0.1:${this.httpPort}/mqtt`;
  }

  output() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  async signIn() {
    const r = await this.api('POST', '/api/v1/auth/login',
      { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, 200);
    this.token = r.access_token;
  }

  // Calls the API as the admin; fails the test unless the status is `expect`.
  async api(method, target, body, expect) {
    const r = await fetch(`${this.http}${target}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (expect !== undefined && r.status !== expect)
      throw new Error(`${method} ${target}: ${r.status} (expected ${expect}): ${text}`);
    return text ? JSON.parse(text) : {};
  }

  // SIGTERM, then the exit code (0 is a clean, leak-free shutdown under
  // the sanitizers); SIGKILL after `timeoutMs`.
  async stop(timeoutMs = 20_000) {
    if (this.exitCode === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exitCode;
  }

  // Removes the data folder (keeps it when the test wants to look).
  cleanUp() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// The next message on `topic` that `client` receives (mqtt.js 'message').
function nextMessage(client, topic, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('message', onMessage);
      reject(new Error(`no message on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    function onMessage(t, payload, packet) {
      if (t !== topic) return;
      clearTimeout(timer);
      client.removeListener('message', onMessage);
      resolve({ topic: t, payload: payload.toString(), packet });
    }
    client.on('message', onMessage);
  });
}

module.exports = { CityPulse, nextMessage, sleep, httpsStatus, ADMIN_EMAIL };
