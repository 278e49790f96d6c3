// A test peer only: the smallest BACnet/IP device the server's discovery and
// driver talk to, on UDP 127.0.0.1 at a free port. It answers Who-Is with
// I-Am and ReadProperty for object-name, object-list (whole or by index),
// units and present-value; ReadPropertyMultiple and every other confirmed
// service get a Reject (reason 9, unrecognized-service), after which the
// server reads one property at a time. Unrouted only (NPDU 0x01 0x00).
//
// Encodings (ASHRAE 135): BVLC 0x81 func len(2); NPDU version 0x01, control;
// APDU confirmed request 0x0X maxseg|maxapdu invoke service params; ComplexACK
// 0x30 invoke service params; Error 0x50 invoke service class code; Reject
// 0x60 invoke reason. Application tags: Unsigned 0x2L, REAL 0x44, character
// string 0x7L (L = 5: a length octet follows), Enumerated 0x9L, object id 0xC4.
import dgram from "node:dgram";

const TYPE = { "analog-input": 0, "analog-value": 2, "binary-input": 3, device: 8 };
const PROP = { objectList: 76, objectName: 77, presentValue: 85, units: 117, vendorIdentifier: 120 };
const UNITS_DEGREES_CELSIUS = 62;

const objectId = (type, instance) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(((type << 22) | instance) >>> 0);
  return b;
};
const unsigned = (n) => (n < 256 ? Buffer.from([0x21, n]) : Buffer.from([0x22, n >> 8, n & 0xff]));
const enumerated = (n) => Buffer.from([0x91, n]);
const real = (x) => {
  const b = Buffer.alloc(5);
  b[0] = 0x44;
  b.writeFloatBE(x, 1);
  return b;
};
const text = (s) => {
  const body = Buffer.concat([Buffer.from([0x00]), Buffer.from(s, "utf8")]); // 0x00: UTF-8
  return body.length <= 4
    ? Buffer.concat([Buffer.from([0x70 | body.length]), body])
    : Buffer.concat([Buffer.from([0x75, body.length]), body]);
};
const appObjectId = (type, instance) => Buffer.concat([Buffer.from([0xc4]), objectId(type, instance)]);

// Starts the device; resolves to { port, instance, objects, close() }.
// `objects` maps "analog-input:1" to { name, unit?, value } (the values the
// test then expects as readings).
export async function startBacnetDevice({ instance = 260001, name = "E2E AHU 1", vendor = 999 } = {}) {
  const objects = new Map([
    ["analog-input:1", { type: 0, instance: 1, name: "Supply air temperature", unit: UNITS_DEGREES_CELSIUS, value: 21.5 }],
    ["analog-value:1", { type: 2, instance: 1, name: "Supply setpoint", unit: UNITS_DEGREES_CELSIUS, value: 19 }],
    ["binary-input:1", { type: 3, instance: 1, name: "Fan status", value: 1 }],
  ]);
  const requests = { whoIs: 0, readProperty: 0, rejected: 0 };
  const socket = dgram.createSocket("udp4");

  const send = (apdu, rinfo) => {
    const npdu = Buffer.from([0x01, 0x00]);
    const length = 4 + npdu.length + apdu.length;
    const bvlc = Buffer.from([0x81, 0x0a, length >> 8, length & 0xff]);
    socket.send(Buffer.concat([bvlc, npdu, apdu]), rinfo.port, rinfo.address);
  };

  const iAm = () =>
    Buffer.concat([Buffer.from([0x10, 0x00]), appObjectId(TYPE.device, instance),
                   Buffer.from([0x22, 0x05, 0xc4]), Buffer.from([0x91, 0x03]), unsigned(vendor)]);

  // The value(s) of one property, or [class, code] of the error.
  const valueOf = (type, inst, property, index) => {
    if (type === TYPE.device && inst === instance) {
      if (property === PROP.objectName) return text(name);
      if (property === PROP.vendorIdentifier) return unsigned(vendor);
      if (property === PROP.objectList) {
        const list = [appObjectId(TYPE.device, instance),
                      ...[...objects.values()].map((o) => appObjectId(o.type, o.instance))];
        if (index === undefined) return Buffer.concat(list);
        if (index === 0) return unsigned(list.length);
        return list[index - 1] ?? [2, 42]; // property, invalid-array-index
      }
      return [2, 32]; // property, unknown-property
    }
    const o = [...objects.values()].find((x) => x.type === type && x.instance === inst);
    if (!o) return [1, 31]; // object, unknown-object
    if (property === PROP.objectName) return text(o.name);
    if (property === PROP.presentValue) return o.type === TYPE["binary-input"] ? enumerated(o.value) : real(o.value);
    if (property === PROP.units && o.unit !== undefined) return enumerated(o.unit);
    return [2, 32];
  };

  // A context tag at p: { number, value (unsigned), next }.
  const contextTag = (b, p) => {
    const tag = b[p];
    let length = tag & 0x07;
    let at = p + 1;
    if (length === 5) length = b[at++];
    let value = 0;
    for (let k = 0; k < length; k++) value = value * 256 + b[at + k];
    return { number: tag >> 4, value, next: at + length };
  };

  socket.on("message", (b, rinfo) => {
    if (b.length < 6 || b[0] !== 0x81) return;
    let p = 4;
    if (b[1] === 0x04) p += 6; // Forwarded-NPDU: the originator's address
    if (b[p] !== 0x01) return;
    const control = b[p + 1];
    p += 2;
    if (control & 0x80) return; // a network-layer message
    if (control & 0x20) p += 3 + b[p + 2]; // DNET, DLEN, DADR
    if (control & 0x08) p += 3 + b[p + 2]; // SNET, SLEN, SADR
    if (control & 0x20) p += 1; // hop count
    const pduType = b[p] >> 4;
    if (pduType === 1 && b[p + 1] === 8) { // Who-Is, maybe with a range
      let q = p + 2;
      if (q < b.length) {
        const low = contextTag(b, q);
        const high = contextTag(b, low.next);
        if (instance < low.value || instance > high.value) return;
      }
      requests.whoIs++;
      return send(iAm(), rinfo);
    }
    if (pduType !== 0 || b[p] & 0x08) return; // only unsegmented confirmed requests
    const invoke = b[p + 2];
    const service = b[p + 3];
    if (service !== 12) { // ReadProperty only
      requests.rejected++;
      return send(Buffer.from([0x60, invoke, 9]), rinfo); // Reject: unrecognized-service
    }
    requests.readProperty++;
    const object = contextTag(b, p + 4);
    const property = contextTag(b, object.next);
    const index = property.next < b.length ? contextTag(b, property.next).value : undefined;
    const type = Math.floor(object.value / 2 ** 22);
    const inst = object.value % 2 ** 22;
    const value = valueOf(type, inst, property.value, index);
    if (Array.isArray(value))
      return send(Buffer.from([0x50, invoke, 12, 0x91, value[0], 0x91, value[1]]), rinfo);
    const indexPart = index === undefined ? [] : [0x29, index];
    send(Buffer.concat([Buffer.from([0x30, invoke, 12]), Buffer.from([0x0c]), objectId(type, inst),
                        Buffer.from([0x19, property.value, ...indexPart, 0x3e]), value, Buffer.from([0x3f])]),
         rinfo);
  });

  await new Promise((ok, fail) => {
    socket.once("error", fail);
    socket.bind(0, "127.0.0.1", ok);
  });
  return {
    port: socket.address().port,
    instance,
    name,
    objects,
    requests,
    close: () => new Promise((ok) => socket.close(ok)),
  };
}
