// Load tests on loopback, each a bounded loop of a few seconds against the real server: the decode
// bombs, the replay storm, a connection flood and 80 parallel 12 MB uploads. While each runs, a
// reader asks `/health` and `/api/summary` in turn (one request at a time, from its own loopback
// address so that per-address caps on the load do not apply to it) and the server's resident
// memory is sampled from /proc/PID/status.
//
// The requirement checked (env-tunable, for slower machines):
//   VISIONSTOCK_LOAD_P99_MS   p99 of the reader's answers, default 100 (ms)
//   VISIONSTOCK_LOAD_RSS_MIB  peak server RSS, default 500 (MiB)
// Each test prints its figures (samples, p50, p99, max, RSS peak) as a diagnostic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import zlib from 'node:zlib';
import WebSocket from 'ws';
import { DARKNET, OPENCV, authHeaders, startServer } from './helpers/server.mjs';

const P99_MS = Number(process.env.VISIONSTOCK_LOAD_P99_MS || 100);
const RSS_MIB = Number(process.env.VISIONSTOCK_LOAD_RSS_MIB || 500);
const LOAD_MS = 3000; // each load phase

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- the reader --------------------------------------------------------------------------------

// The reader and the memory sampler run on a worker thread with its own event loop, so that the
// load this process generates (hundreds of MB written to sockets) cannot delay them.
const READER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const http = require('node:http');
const fs = require('node:fs');
function rss() {
  try {
    const m = /VmRSS:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/' + w.pid + '/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch { return 0; }
}
// One GET; its duration in ms, or Infinity on failure, a status other than 200, or after 2 s.
function timedGet(agent, path) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({ host: '127.0.0.1', port: w.port, path, agent, headers: w.headers, timeout: 2000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? Number(process.hrtime.bigint() - t0) / 1e6 : Infinity));
      });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(Infinity));
  });
}
let running = true;
let rssPeak = rss();
const times = [];
const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rss()); }, 25);
parentPort.on('message', () => { running = false; });
(async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: '127.0.0.2' });
  for (let i = 0; running; i++) {
    times.push(await timedGet(agent, i % 2 ? '/api/summary' : '/health'));
    parentPort.postMessage({ samples: times.length });
    await new Promise((r) => setTimeout(r, 20));
  }
  clearInterval(sampler);
  agent.destroy();
  parentPort.postMessage({ done: true, times, rssPeak: Math.max(rssPeak, rss()) });
})();
`;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// Starts the reader (from its own loopback address, one request at a time, alternating /health
// and /api/summary every 20 ms) and the RSS sampler (every 25 ms); stop() returns the figures.
function watch(server) {
  const worker = new Worker(READER, {
    eval: true, workerData: { pid: server.pid, port: server.port, headers: authHeaders(server.url) },
  });
  let samples = 0;
  const done = new Promise((resolve, reject) => {
    worker.on('message', (m) => { if (m.done) resolve(m); else samples = m.samples; });
    worker.on('error', reject);
  });
  return {
    samples: () => samples,
    async stop() {
      worker.postMessage('stop');
      const { times, rssPeak } = await done;
      await worker.terminate();
      const sorted = [...times].sort((a, b) => a - b);
      return {
        samples: sorted.length,
        failed: sorted.filter((x) => x === Infinity).length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1],
        rssPeakMiB: Math.round(rssPeak),
      };
    },
  };
}

function checkFigures(t, name, f) {
  t.diagnostic(`${name}: ${f.samples} reads, p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, ` +
    `max ${f.max.toFixed(1)} ms, failed ${f.failed}, server RSS peak ${f.rssPeakMiB} MiB`);
  assert.ok(f.samples >= 100, `enough reads for a p99 (${f.samples})`);
  assert.ok(f.p99 <= P99_MS, `${name}: /health and /api/summary p99 ${f.p99} ms <= ${P99_MS} ms`);
  assert.ok(f.rssPeakMiB <= RSS_MIB, `${name}: server RSS peak ${f.rssPeakMiB} MiB <= ${RSS_MIB} MiB`);
}

// Runs `round()` again and again (each awaited) until LOAD_MS have passed and the reader `w` has
// 100 answers (bounded: 4 x LOAD_MS at most); returns the rounds run.
async function forLoadPhase(w, round) {
  const start = Date.now();
  let n = 0;
  const more = () => Date.now() - start < LOAD_MS ||
    (w.samples() < 100 && Date.now() - start < 4 * LOAD_MS);
  while (more()) { await round(n); n++; }
  return n;
}

// A raw POST of `body` (one Buffer shared by every request); resolves {status, headers}.
function rawPost(server, path, body, contentType) {
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1', port: server.port, path, method: 'POST', agent: false,
      headers: { ...authHeaders(server.url), 'Content-Type': contentType, 'Content-Length': body.length },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on('error', (e) => resolve({ status: 0, error: e.message }));
    req.end(body);
  });
}

function multipart(bytes, filename) {
  const boundary = `----vsload${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
    `filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, bytes, tail]), type: `multipart/form-data; boundary=${boundary}` };
}

// --- the hostile photos, made from real ones ---------------------------------------------------

// A progressive JPEG whose smallest scan is repeated `extra` more times (libjpeg decodes every
// repeat as another pass over the image).
function jpegScanBomb(extra) {
  const base = readFileSync(join(OPENCV, 'Blender_Suzanne1.jpg')); // progressive
  const sos = [];
  let eoi = 0;
  for (let i = 2; i + 1 < base.length; i++) {
    if (base[i] !== 0xff) continue;
    if (base[i + 1] === 0xda) sos.push(i);
    if (base[i + 1] === 0xd9) eoi = i;
  }
  assert.ok(sos.length >= 5 && eoi > sos[sos.length - 1], 'a progressive JPEG');
  let best = 0;
  let bestSize = Infinity;
  for (let k = 0; k < sos.length; k++) {
    const end = k + 1 < sos.length ? sos[k + 1] : eoi;
    if (end - sos[k] < bestSize) { best = k; bestSize = end - sos[k]; }
  }
  const scan = base.subarray(sos[best], sos[best] + bestSize);
  return Buffer.concat([base.subarray(0, eoi), ...Array(extra).fill(scan), Buffer.from([0xff, 0xd9])]);
}

// A 64x64 grey PNG whose IDAT inflates to about 258 x `copies` zero bytes: one fixed-Huffman
// deflate block of (length 258, distance 1) copies, 13 bits each (zlib's own deflate cannot be
// asked for a stream this lopsided without inflating gigabytes first).
function pngBomb(copies) {
  const out = new Uint8Array(Math.ceil((11 + copies * 13 + 7 + 7) / 8));
  let len = 0;
  let acc = 0;
  let bits = 0;
  const put = (value, n) => { // value's n low bits, least significant first
    acc |= value << bits;
    bits += n;
    while (bits >= 8) { out[len++] = acc & 0xff; acc >>>= 8; bits -= 8; }
  };
  const reversed = (code, n) => { let r = 0; for (let i = 0; i < n; i++) r |= ((code >> i) & 1) << (n - 1 - i); return r; };
  put(1, 1); put(1, 2);                 // final block, fixed codes
  put(reversed(0x30, 8), 8);            // literal 0: a zero to copy from
  const copy = reversed(0xc5, 8);       // length 258, then distance code 0 (five zero bits)
  for (let i = 0; i < copies; i++) put(copy, 13);
  put(0, 7);                            // end of block
  if (bits) put(0, 8 - bits);
  const bytes = out.subarray(0, len);
  const mod = 65521;
  const zeros = 1 + copies * 258;
  const adler = (((zeros % mod) * 1) % mod) * 65536 + 1; // a stays 1 over zeros; b = n * a
  const idat = Buffer.concat([Buffer.from([0x78, 0x01]), Buffer.from(bytes),
    Buffer.from([adler >>> 24, (adler >>> 16) & 255, (adler >>> 8) & 255, adler & 255])]);
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(64, 0); ihdr.writeUInt32BE(64, 4); ihdr[8] = 8; // 8-bit grey
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

// A real photo grown to `size` bytes with comment segments (COM, 64 KiB each) after its SOI:
// a large upload whose pixels are still the photo's.
function paddedPhoto(size) {
  const photo = readFileSync(join(DARKNET, 'kite.jpg'));
  const parts = [photo.subarray(0, 2)];
  let total = photo.length;
  const body = Buffer.alloc(65533, 0x20);
  while (total < size) {
    parts.push(Buffer.from([0xff, 0xfe, 0xff, 0xff]), body);
    total += 65537;
  }
  parts.push(photo.subarray(2));
  return Buffer.concat(parts);
}

// --- the tests -----------------------------------------------------------------------------------

test('decode bombs: refused at once while reads keep answering', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const jpeg = multipart(jpegScanBomb(5000), 'bomb.jpg');
  const png = multipart(pngBomb(Math.floor((19 * 8 * 1000 * 1000) / 13)), 'bomb.png');
  assert.ok(png.body.length > 18 << 20, 'the PNG bomb is about 19 MB');
  const statuses = new Map();
  const w = watch(server);
  const rounds = await forLoadPhase(w, async () => {
    const answers = await Promise.all([
      ...[0, 1, 2].map(() => rawPost(server, '/api/detect', jpeg.body, jpeg.type)),
      ...[0, 1].map(() => rawPost(server, '/api/detect', png.body, png.type)),
    ]);
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) || 0) + 1);
  });
  const f = await w.stop();
  t.diagnostic(`${rounds} rounds of 3 JPEG + 2 PNG bombs, answers ${JSON.stringify([...statuses])}`);
  for (const status of statuses.keys()) {
    assert.ok([413, 422, 503].includes(status), `a bomb is refused (got ${status})`);
  }
  checkFigures(t, 'decode bombs', f);
  const scans = await (await fetch(`${server.url}/api/scans`, { headers: authHeaders(server.url) })).json();
  assert.equal(scans.items.length, 0, 'no bomb was stored');
});

test('replay storm: 100 live clients ask for the whole history and hang up', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  // A history of 1,000 events (catalogue changes, the cheapest write with an event).
  for (let i = 0; i < 1000; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, k) => fetch(`${server.url}/api/products`, {
      method: 'POST',
      headers: { ...authHeaders(server.url), 'Content-Type': 'application/json' },
      body: JSON.stringify({ class_name: `class-${i + k}`, sku: `SKU-${i + k}`, product_name: 'x'.repeat(150) }),
    }).then((r) => assert.equal(r.status, 201))));
  }
  const upgrade = `GET /api/live?after=0 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
    'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
    `Authorization: ${authHeaders(server.url).Authorization}\r\n`;
  const w = watch(server);
  let upgraded = 0;
  const rounds = await forLoadPhase(w, async () => {
    await Promise.all(Array.from({ length: 100 }, () => new Promise((resolve) => {
      const s = net.connect(server.port, '127.0.0.1');
      s.on('error', resolve);
      s.on('close', resolve);
      s.once('data', (d) => { if (d.toString().startsWith('HTTP/1.1 101')) upgraded++; s.destroy(); });
      s.write(`${upgrade}Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
    })));
  });
  const f = await w.stop();
  t.diagnostic(`${rounds} storms of 100 clients, ${upgraded} upgrades`);
  assert.ok(upgraded >= 100, 'the storm clients were upgraded');
  // A dashboard that connects next gets its hello (a bounded wait).
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/live?after=0`, { headers: authHeaders(server.url) });
  const hello = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no hello within 10 s')), 10_000);
    ws.on('message', (m) => { const msg = JSON.parse(m.toString()); if (msg.type === 'hello') { clearTimeout(timer); resolve(msg); } });
    ws.on('error', reject);
  });
  ws.close();
  assert.ok(hello.last_event_id >= 1000);
  checkFigures(t, 'replay storm', f);
});

test('connection flood: thousands of idle connections', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const socks = [];
  t.after(() => socks.forEach((s) => s.destroy()));
  const w = watch(server);
  // 3,000 idle connections from 15 loopback addresses (200 each, under the per-address cap).
  let open = 0;
  for (let a = 0; a < 15; a++) {
    await Promise.all(Array.from({ length: 200 }, () => new Promise((resolve) => {
      const s = net.connect({ port: server.port, host: '127.0.0.1', localAddress: `127.0.1.${a + 1}` });
      s.on('error', () => resolve());
      s.on('connect', () => { open++; resolve(); });
      socks.push(s);
    })));
  }
  await forLoadPhase(w, () => sleep(100));
  const f = await w.stop();
  const health = await (await fetch(`${server.url}/health`)).json();
  t.diagnostic(`${open} idle connections open`);
  assert.ok(open >= 3000, `${open} connections were accepted by the kernel`);
  assert.equal(health.status, 'healthy');
  checkFigures(t, 'connection flood', f);
});

test('80 parallel 12 MB uploads: answered 200 or 503 at once, memory bounded', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const photo = multipart(paddedPhoto(12 << 20), 'big.jpg');
  assert.ok(photo.body.length >= 12 << 20);
  const statuses = new Map();
  const w = watch(server);
  let retryAfterMissing = 0;
  const rounds = await forLoadPhase(w, async () => {
    const answers = await Promise.all(Array.from({ length: 80 },
      () => rawPost(server, '/api/detect', photo.body, photo.type)));
    for (const a of answers) {
      statuses.set(a.status, (statuses.get(a.status) || 0) + 1);
      if (a.status === 503 && !a.headers['retry-after']) retryAfterMissing++;
    }
  });
  const f = await w.stop();
  t.diagnostic(`${rounds} rounds of 80 uploads, answers ${JSON.stringify([...statuses])}`);
  for (const status of statuses.keys()) assert.ok([200, 503].includes(status), `got ${status}`);
  assert.ok((statuses.get(200) || 0) > 0, 'some uploads are stored');
  assert.equal(retryAfterMissing, 0, 'every 503 says when to retry');
  checkFigures(t, '80 parallel uploads', f);
});
