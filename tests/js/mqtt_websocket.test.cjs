// The WebSocket side of /mqtt at the frame level, with the `ws` client:
// subprotocol negotiation, the answer to a GET that is no upgrade, MQTT
// packets split across messages and several in one message (also across
// the pause while CONNECT is checked), text messages and oversized messages
// refused with their close codes, the keep-alive, and the goodbye an MQTT 5
// client gets when the server shuts down.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const mqtt = require('mqtt');
const { CityPulse } = require('./support/citypulse.cjs');

const MAX_PACKET = 1024;  // mqtt.max_packet_size here: the message limit too
let cp;

before(async () => {
  cp = await CityPulse.start({ env: { CITYPULSE_MQTT_MAX_PACKET_SIZE: String(MAX_PACKET) } });
});

after(async () => {
  if (!cp) return;
  const code = await cp.stop();
  if (code !== 0) console.error(cp.output());
  assert.equal(code, 0, 'citypulse stops cleanly (and leak-free under the sanitizers)');
  cp.cleanUp();
});

// MQTT 3.1.1 packets, byte by byte.
function connectPacket(clientId, keepAlive = 60) {
  const id = Buffer.from(clientId);
  return Buffer.concat([
    Buffer.from([0x10, 10 + 2 + id.length, 0x00, 0x04]), Buffer.from('MQTT'),
    Buffer.from([0x04, 0x02, keepAlive >> 8, keepAlive & 0xff, 0x00, id.length]), id,
  ]);
}
function subscribePacket(packetId, topic, qos) {
  const t = Buffer.from(topic);
  return Buffer.concat([
    Buffer.from([0x82, 2 + 2 + t.length + 1, packetId >> 8, packetId & 0xff, 0x00, t.length]), t,
    Buffer.from([qos]),
  ]);
}
const PINGREQ = Buffer.from([0xc0, 0x00]);
const CONNACK_OK = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const PINGRESP = Buffer.from([0xd0, 0x00]);

// A raw WebSocket to /mqtt: its bytes received, however they were framed,
// and its close.
function open(protocols = ['mqtt']) {
  const ws = new WebSocket(cp.wsUrl, protocols);
  const peer = { ws, bytes: Buffer.alloc(0), waiters: [] };
  ws.on('message', (data, isBinary) => {
    assert.equal(isBinary, true, 'MQTT goes in binary messages only [MQTT-6.0.0-1]');
    peer.bytes = Buffer.concat([peer.bytes, data]);
    peer.waiters = peer.waiters.filter((w) => !w());
  });
  peer.closed = new Promise((resolve) => ws.on('close', (code) => {
    resolve(code);
    peer.waiters = peer.waiters.filter((w) => !w());
  }));
  peer.opened = new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  // Resolves with the first `n` bytes once they are there.
  peer.read = (n, timeoutMs = 10_000) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `only ${peer.bytes.length} of ${n} bytes within ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      if (peer.bytes.length < n) return false;
      clearTimeout(timer);
      const out = peer.bytes.subarray(0, n);
      peer.bytes = peer.bytes.subarray(n);
      resolve(out);
      return true;
    };
    if (!check()) peer.waiters.push(check);
  });
  return peer;
}

// The HTTP status of a refused upgrade and its body.
function refusal(protocols) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(cp.wsUrl, protocols);
    ws.once('open', () => {
      ws.terminate();
      reject(new Error(`upgrade accepted with '${ws.protocol}'`));
    });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode, body });
      });
    });
    ws.on('error', () => {});
  });
}

test('the server selects "mqtt", or "mqttv3.1" for MQTT 3.1 clients', async () => {
  for (const [offered, selected] of [
    [['mqtt'], 'mqtt'],
    [['mqttv3.1'], 'mqttv3.1'],
    [['mqttv3.1', 'mqtt'], 'mqtt'],  // [MQTT-6.0.0-4]
  ]) {
    const peer = open(offered);
    await peer.opened;
    assert.equal(peer.ws.protocol, selected, `offered ${offered}`);
    peer.ws.close(1000);
    assert.equal(await peer.closed, 1000);
  }
});

test('an upgrade offering no MQTT subprotocol is refused with 400', async () => {
  for (const offered of [[], ['chat']]) {
    const r = await refusal(offered);
    assert.equal(r.status, 400);
    assert.match(JSON.parse(r.body).detail, /mqtt/);
  }
});

test('a GET that is no upgrade gets 426 Upgrade Required', async () => {
  const r = await fetch(`${cp.http}/mqtt`);
  assert.equal(r.status, 426);
  assert.equal(r.headers.get('upgrade'), 'websocket');
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  // The rest of the API is where it was.
  assert.equal((await fetch(`${cp.http}/healthz`)).status, 200);
});

test('packets split across messages and several in one message', async () => {
  const peer = open();
  await peer.opened;
  const connect = connectPacket('ws-frames');
  // CONNECT in three messages, the first a single byte.
  peer.ws.send(connect.subarray(0, 1));
  peer.ws.send(connect.subarray(1, 7));
  peer.ws.send(connect.subarray(7));
  assert.deepEqual(await peer.read(4), CONNACK_OK);
  // Three PINGREQs in one message, the third cut in two.
  peer.ws.send(Buffer.concat([PINGREQ, PINGREQ, PINGREQ.subarray(0, 1)]));
  peer.ws.send(PINGREQ.subarray(1));
  assert.deepEqual(await peer.read(6), Buffer.concat([PINGRESP, PINGRESP, PINGRESP]));
  peer.ws.send(Buffer.from([0xe0, 0x00]));  // DISCONNECT
  assert.equal(await peer.closed, 1000);
});

test('what follows CONNECT in the same message waits for the sign-in, then is served', async () => {
  const peer = open();
  await peer.opened;
  peer.ws.send(Buffer.concat([connectPacket('ws-pipelined'), subscribePacket(7, 'pipe/#', 1),
    PINGREQ]));
  assert.deepEqual(await peer.read(4), CONNACK_OK);
  assert.deepEqual(await peer.read(5), Buffer.from([0x90, 0x03, 0x00, 0x07, 0x01]));
  assert.deepEqual(await peer.read(2), PINGRESP);
  peer.ws.close(1000);
  assert.equal(await peer.closed, 1000);
});

test('a text message closes the connection with 1003 [MQTT-6.0.0-1]', async () => {
  const peer = open();
  await peer.opened;
  peer.ws.send(connectPacket('ws-text'));
  assert.deepEqual(await peer.read(4), CONNACK_OK);
  peer.ws.send('{"not":"mqtt"}');
  assert.equal(await peer.closed, 1003);
});

test('a message over mqtt.max_packet_size closes the connection with 1009', async () => {
  const peer = open();
  await peer.opened;
  peer.ws.send(connectPacket('ws-big'));
  assert.deepEqual(await peer.read(4), CONNACK_OK);
  peer.ws.send(Buffer.alloc(MAX_PACKET + 1));
  assert.equal(await peer.closed, 1009);
});

test('silence past one and a half keep-alive periods closes the connection', async () => {
  const peer = open();
  await peer.opened;
  const started = Date.now();
  peer.ws.send(connectPacket('ws-idle', 1));
  assert.deepEqual(await peer.read(4), CONNACK_OK);
  const code = await peer.closed;
  const waited = Date.now() - started;
  assert.ok(waited >= 1400 && waited < 8000, `closed after ${waited} ms`);
  assert.equal(code, 1000);  // a close handshake, not a broken connection (1006)
});

// Last: it stops the server.
test('at shutdown an MQTT 5 client gets Server shutting down, and the server exits cleanly',
  async () => {
    const client = mqtt.connect(cp.wsUrl, { protocolVersion: 5, reconnectPeriod: 0 });
    await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    const goodbye = new Promise((resolve) => client.once('disconnect', (p) => resolve(p)));
    const closed = new Promise((resolve) => client.once('close', resolve));
    const started = Date.now();
    const code = await cp.stop();
    assert.equal((await goodbye).reasonCode, 0x8b);
    await closed;
    if (code !== 0) console.error(cp.output());
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 8000, 'the WebSocket does not hold the shutdown up');
    client.end(true);
  });
