// Every rejected request gets the right status and the one error shape, and stores nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { DARKNET, startServer, storedImages, upload, getJson, fetch } from './helpers/server.mjs';

let server;
const dog = readFileSync(join(DARKNET, 'dog.jpg'));

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
// A real, complete grey PNG of width x height (zlib-compressed rows of zeros).
function png(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 0;  // 8-bit greyscale
  const raw = Buffer.alloc((width + 1) * height);  // filter byte 0 + pixels, all zero
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function counts() {
  const summary = await getJson(server.url, '/api/summary');
  const scans = await getJson(server.url, '/api/scans?limit=1000');
  return { summary: summary.body, scans: scans.body.items.length, files: storedImages(server.dataDir) };
}

function assertError(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
}

before(async () => {
  server = await startServer();
  const ok = await upload(server.url, dog, { store: 'seed' });  // something to keep unchanged
  assert.equal(ok.status, 200);
});
after(async () => { await server.stop(); });

test('bad uploads are refused and change nothing', async () => {
  const before = await counts();
  assert.equal(before.scans, 1);
  const multipart = (bytes, name = 'file') => {
    const form = new FormData();
    form.append(name, new Blob([bytes]), 'x.jpg');
    return form;
  };
  const post = async (body, headers = {}) => {
    const res = await fetch(`${server.url}/api/detect`, { method: 'POST', body, headers });
    return { status: res.status, body: await res.json() };
  };
  assertError(await post(multipart(Buffer.from('just some text, not an image\n'))), 415, 'unsupported_media_type');
  assertError(await post(multipart(dog.subarray(0, Math.floor(dog.length / 2)))), 415, 'unsupported_media_type');
  assertError(await post(Buffer.alloc(0), { 'Content-Type': 'image/jpeg' }), 400, 'invalid_argument');
  assertError(await post(multipart(Buffer.alloc(0))), 400, 'invalid_argument');
  // 10000 x 6000 = 60 megapixels, over the default 50-megapixel limit: refused from the header.
  const big = png(10000, 6000);
  assert.ok(big.length < 20 * 1024 * 1024);
  assertError(await post(multipart(big)), 413, 'too_large');
  assertError(await post(multipart(dog, 'photo')), 400, 'invalid_argument');  // no `file` field
  const two = new FormData();
  two.append('file', new Blob([dog]), 'a.jpg');
  two.append('file', new Blob([dog]), 'b.jpg');
  assertError(await post(two), 400, 'invalid_argument');
  assertError(await post('--x\r\nbroken', { 'Content-Type': 'multipart/form-data; boundary=x' }), 400, 'invalid_argument');
  const badTime = new FormData();
  badTime.append('file', new Blob([dog]), 'a.jpg');
  badTime.append('captured_at', 'yesterday');
  assertError(await post(badTime), 422, 'invalid_value');
  assert.deepEqual(await counts(), before);
});

test('bad query parameters, unknown routes and wrong methods', async () => {
  const before = await counts();
  assertError(await getJson(server.url, '/api/detections?start=2026-02-01&end=2026-01-01'), 422, 'invalid_value');
  assertError(await getJson(server.url, '/api/detections?start=2026-01-01&end=2026-01-01'), 422, 'invalid_value');
  assertError(await getJson(server.url, '/api/summary?start=not-a-date'), 422, 'invalid_value');
  assertError(await getJson(server.url, '/api/detections?limit=0'), 422, 'invalid_value');
  assertError(await getJson(server.url, '/api/detections?limit=1001'), 422, 'invalid_value');
  assertError(await getJson(server.url, '/api/detections?limit=ten'), 400, 'invalid_argument');
  assertError(await getJson(server.url, '/api/detections?min_confidence=high'), 400, 'invalid_argument');
  assertError(await getJson(server.url, '/api/detections?min_confidence=2'), 422, 'invalid_value');
  assertError(await getJson(server.url, '/api/scans?limit=0'), 422, 'invalid_value');
  assertError(await getJson(server.url, '/api/nothing-here'), 404, 'not_found');
  const wrong = await getJson(server.url, '/api/detect');
  assertError(wrong, 405, 'invalid_argument');
  assert.equal(wrong.headers.get('allow'), 'OPTIONS, POST');
  const del = await getJson(server.url, '/api/summary', { method: 'DELETE' });
  assertError(del, 405, 'invalid_argument');
  assert.equal(del.headers.get('allow'), 'GET, HEAD, OPTIONS');
  const json = { 'Content-Type': 'application/json' };
  assertError(await getJson(server.url, '/api/planograms', { method: 'POST', body: '{not json', headers: json }), 400, 'invalid_argument');
  assertError(await getJson(server.url, '/api/planograms', { method: 'POST', body: '{"sku": "x"}', headers: json }), 422, 'invalid_value');
  // A JSON body sent as text/plain (what a cross-site form or a simple fetch can send) is refused.
  assertError(await getJson(server.url, '/api/planograms', { method: 'POST', body: '{"planogram_name": "p", "sku": "x"}' }), 415, 'unsupported_media_type');
  assertError(await getJson(server.url, '/api/planograms/12345'), 404, 'not_found');
  assert.deepEqual(await counts(), before);
});

// Sends a body of `size` bytes with node:http (which reads an early answer while still sending).
function postLarge(size) {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/api/detect`, {
      method: 'POST', headers: { 'Content-Type': 'image/jpeg', 'Content-Length': size },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    const block = Buffer.alloc(1 << 20, 0xab);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += block.length;
        if (!req.write(block)) { req.once('drain', pump); return; }
      }
      req.end();
    };
    pump();
  });
}

test('a body over the 20 MiB limit is refused with 413 before it is read', async () => {
  const before = await counts();
  assertError(await postLarge(21 * 1024 * 1024), 413, 'too_large');
  assert.deepEqual(await counts(), before);
  // The server still answers afterwards.
  assert.equal((await getJson(server.url, '/health')).status, 200);
});
