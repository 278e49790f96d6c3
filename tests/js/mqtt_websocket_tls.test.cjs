// MQTT over secure WebSocket: with http.tls_cert and http.tls_key set the
// HTTP listener speaks HTTPS only, and /mqtt is wss:// there. mqtt.js
// trusts exactly the test's self-signed certificate.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const mqtt = require('mqtt');
const { CityPulse, nextMessage, httpsStatus } = require('./support/citypulse.cjs');

let cp;

before(async () => {
  cp = await CityPulse.start({ tls: true });
});

after(async () => {
  if (!cp) return;
  const code = await cp.stop();
  if (code !== 0) console.error(cp.output());
  assert.equal(code, 0, 'citypulse stops cleanly (and leak-free under the sanitizers)');
  cp.cleanUp();
});

function connected(url, extra) {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, ca: cp.ca,
    ...extra });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

test('the HTTPS listener answers a GET of /mqtt with 426', async () => {
  assert.equal(await httpsStatus(`${cp.https}/mqtt`, cp.ca), 426);
});

for (const protocolVersion of [4, 5]) {
  test(`QoS 1 and 2 round trips over wss:// with MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}`,
    async () => {
      const sub = await connected(cp.wssUrl, { protocolVersion });
      const pub = await connected(cp.wssUrl, { protocolVersion });
      for (const qos of [1, 2]) {
        const topic = `wss/v${protocolVersion}/q${qos}`;
        await sub.subscribeAsync(topic, { qos });
        const got = nextMessage(sub, topic);
        // Larger than one TLS record, so it takes several reads to arrive.
        const payload = 'x'.repeat(40_000) + qos;
        await pub.publishAsync(topic, payload, { qos });
        const m = await got;
        assert.equal(m.payload, payload);
        assert.equal(m.packet.qos, qos);
      }
      await Promise.all([sub.endAsync(), pub.endAsync()]);
    });
}

test('a will over wss:// goes out when the socket is destroyed', async () => {
  const watcher = await connected(cp.wssUrl, { protocolVersion: 5 });
  await watcher.subscribeAsync('wss/will', { qos: 1 });
  const dying = await connected(cp.wssUrl, {
    protocolVersion: 5, will: { topic: 'wss/will', payload: Buffer.from('gone'), qos: 1 },
  });
  dying.on('error', () => {});
  const got = nextMessage(watcher, 'wss/will');
  dying.stream.destroy();
  assert.equal((await got).payload, 'gone');
  dying.end(true);
  await watcher.endAsync();
});
