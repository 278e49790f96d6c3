// mqtt.js, the client browsers and Node use, against the embedded broker
// over plain TCP and over WebSocket on the HTTP port (/mqtt): MQTT 3.1.1
// and 5 connects, QoS 0/1/2 round trips, retained messages, a will sent
// when the socket is destroyed, a persistent session that receives a QoS 1
// message queued while it was away, a device whose telemetry is stored, a
// burst that fills the send buffers, and messages crossing from one
// transport to the other.
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const mqtt = require('mqtt');
const { CityPulse, nextMessage } = require('./support/citypulse.cjs');

let cp;
let device;  // { token, point }

// An mqtt.js client that does not reconnect on its own: every test says
// when a connection starts and ends.
function options(extra = {}) {
  return { reconnectPeriod: 0, connectTimeout: 10_000, keepalive: 30, ...extra };
}

// Connects and resolves with [client, connack]; listeners the caller adds
// before awaiting see what arrives right after CONNACK.
function connect(url, extra) {
  const client = mqtt.connect(url, options(extra));
  const connected = new Promise((resolve, reject) => {
    client.once('connect', (connack) => resolve([client, connack]));
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return { client, connected };
}

async function connected(url, extra) {
  const [client] = await connect(url, extra).connected;
  return client;
}

before(async () => {
  cp = await CityPulse.start();
  const tenant = await cp.api('POST', '/api/v1/tenants', { name: 'JS Town' }, 201);
  const building = await cp.api('POST', '/api/v1/buildings',
    { tenant_id: tenant.id, name: 'Library', type: 'library' }, 201);
  const point = await cp.api('POST', '/api/v1/points', {
    building_id: building.id, name: 'Reading room temperature', key: 'library.temp',
    kind: 'sensor', quantity: 'temperature', unit: '°C',
  }, 201);
  const d = await cp.api('POST', '/api/v1/devices', {
    tenant_id: tenant.id, building_id: building.id, name: 'Room sensor', protocol: 'mqtt',
    status: 'active', channels: [{ channel: 'temperature', point_id: point.id }],
  }, 201);
  const credential = await cp.api('POST', `/api/v1/devices/${d.id}/credentials`,
    { name: 'js test' }, 201);
  device = { token: credential.token, point: point.id };
});

after(async () => {
  if (!cp) return;
  const code = await cp.stop();
  if (code !== 0) console.error(cp.output());
  assert.equal(code, 0, 'citypulse stops cleanly (and leak-free under the sanitizers)');
  cp.cleanUp();
});

const transports = [
  { name: 'tcp', url: () => cp.tcpUrl },
  { name: 'websocket', url: () => cp.wsUrl },
];

for (const transport of transports) {
  const t = transport.name;
  describe(`mqtt.js over ${t}`, () => {
    for (const protocolVersion of [4, 5]) {
      test(`connects with MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}`, async () => {
        const [client, connack] = await connect(transport.url(), { protocolVersion }).connected;
        assert.equal(client.connected, true);
        assert.equal(connack.returnCode ?? connack.reasonCode ?? 0, 0);
        await client.endAsync();
      });
    }

    for (const protocolVersion of [4, 5]) {
      for (const qos of [0, 1, 2]) {
        test(`QoS ${qos} round trip with MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}`, async () => {
          const topic = `rt/${t}/v${protocolVersion}/q${qos}`;
          const sub = await connected(transport.url(), { protocolVersion });
          const pub = await connected(transport.url(), { protocolVersion });
          const granted = await sub.subscribeAsync(topic, { qos });
          assert.equal(granted[0].qos, qos);
          const got = nextMessage(sub, topic);
          const payload = `hello at QoS ${qos} over ${t}`;
          await pub.publishAsync(topic, payload, { qos });
          const m = await got;
          assert.equal(m.payload, payload);
          assert.equal(m.packet.qos, qos);
          await Promise.all([sub.endAsync(), pub.endAsync()]);
        });
      }
    }

    // 3.6 MB: past the 1 MiB a connection may have unsent, so deliveries
    // wait for the socket to drain; fewer than mqtt.max_queued_per_session.
    test('a burst of 900 QoS 1 messages of 4 kB arrives whole and in order', async () => {
      const topic = `burst/${t}`;
      const count = 900;
      const sub = await connected(transport.url(), { protocolVersion: 4 });
      const pub = await connected(transport.url(), { protocolVersion: 4 });
      await sub.subscribeAsync(topic, { qos: 1 });
      const received = [];
      const all = new Promise((resolve) => {
        sub.on('message', (topicName, payload) => {
          if (topicName !== topic) return;
          received.push(payload.toString());
          if (received.length === count) resolve();
        });
      });
      const body = 'y'.repeat(4000);
      await Promise.all(Array.from({ length: count },
        (_, i) => pub.publishAsync(topic, `${i} ${body}`, { qos: 1 })));
      await all;
      assert.deepEqual(received.map((p) => Number(p.split(' ')[0])),
        Array.from({ length: count }, (_, i) => i));
      await Promise.all([sub.endAsync(), pub.endAsync()]);
    });

    test('a retained message reaches a later subscriber', async () => {
      const topic = `retained/${t}`;
      const pub = await connected(transport.url(), { protocolVersion: 5 });
      await pub.publishAsync(topic, 'kept', { qos: 1, retain: true });
      const sub = await connected(transport.url(), { protocolVersion: 4 });
      const got = nextMessage(sub, topic);
      await sub.subscribeAsync(topic, { qos: 1 });
      const m = await got;
      assert.equal(m.payload, 'kept');
      assert.equal(m.packet.retain, true);
      // An empty retained message clears it.
      await pub.publishAsync(topic, '', { qos: 1, retain: true });
      await Promise.all([sub.endAsync(), pub.endAsync()]);
    });

    for (const protocolVersion of [4, 5]) {
      test(`the will goes out when the socket is destroyed (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`, async () => {
        const topic = `will/${t}/v${protocolVersion}`;
        const watcher = await connected(transport.url(), { protocolVersion: 5 });
        await watcher.subscribeAsync(topic, { qos: 1 });
        const dying = await connected(transport.url(), {
          protocolVersion,
          will: { topic, payload: Buffer.from(`gone over ${t}`), qos: 1, retain: false },
        });
        dying.on('error', () => {});
        const got = nextMessage(watcher, topic);
        // No DISCONNECT, no WebSocket close frame: the connection just breaks.
        dying.stream.destroy();
        const m = await got;
        assert.equal(m.payload, `gone over ${t}`);
        dying.end(true);
        await watcher.endAsync();
      });
    }

    for (const protocolVersion of [4, 5]) {
      test(`a persistent session gets a QoS 1 message queued while away (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`, async () => {
        const topic = `session/${t}/v${protocolVersion}`;
        const clientId = `js-persistent-${t}-${protocolVersion}`;
        const persistent = {
          protocolVersion,
          clientId,
          clean: false,
          ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
        };
        const first = await connected(transport.url(), persistent);
        await first.subscribeAsync(topic, { qos: 1 });
        await first.endAsync();

        const pub = await connected(transport.url(), { protocolVersion: 5 });
        await pub.publishAsync(topic, 'while you were away', { qos: 1 });
        await pub.endAsync();

        const again = connect(transport.url(), persistent);
        const got = nextMessage(again.client, topic);
        const [client, connack] = await again.connected;
        assert.equal(connack.sessionPresent, true);
        const m = await got;
        assert.equal(m.payload, 'while you were away');
        assert.equal(m.packet.qos, 1);
        // Clean up the session so a second run starts afresh.
        await client.endAsync();
        const clean = await connected(transport.url(), { protocolVersion, clientId, clean: true });
        await clean.endAsync();
      });
    }

    test("a device's telemetry is stored and readable over the API", async () => {
      const ts = Math.floor(Date.now() / 1000) * 1000 - (t === 'websocket' ? 30_000 : 60_000);
      const value = t === 'websocket' ? 21.25 : 19.5;
      const client = await connected(transport.url(), {
        protocolVersion: 5, clientId: `js-device-${t}`, username: device.token,
      });
      // QoS 1: the PUBACK comes once the reading is durable.
      const ack = await client.publishAsync('v1/devices/me/telemetry',
        JSON.stringify({ ts, values: { temperature: value } }), { qos: 1 });
      assert.ok(!ack?.reasonCode || ack.reasonCode < 0x80, `PUBACK reason ${ack?.reasonCode}`);
      await client.endAsync();
      const from = new Date(ts).toISOString();
      const to = new Date(ts + 1000).toISOString();
      const r = await cp.api('GET', `/api/v1/points/${device.point}/readings?from=${from}&to=${to}`,
        undefined, 200);
      assert.deepEqual(r.items.map((i) => i.value), [value]);
    });
  });
}

test('messages cross between TCP and WebSocket clients', async () => {
  const tcp = await connected(cp.tcpUrl, { protocolVersion: 5 });
  const ws = await connected(cp.wsUrl, { protocolVersion: 4 });
  await tcp.subscribeAsync('cross/to-tcp', { qos: 2 });
  await ws.subscribeAsync('cross/to-ws', { qos: 2 });
  const atTcp = nextMessage(tcp, 'cross/to-tcp');
  const atWs = nextMessage(ws, 'cross/to-ws');
  await ws.publishAsync('cross/to-tcp', 'from the browser', { qos: 2 });
  await tcp.publishAsync('cross/to-ws', 'from the plant', { qos: 2 });
  assert.equal((await atTcp).payload, 'from the browser');
  assert.equal((await atWs).payload, 'from the plant');
  await Promise.all([tcp.endAsync(), ws.endAsync()]);
});
