// Scale-out benchmarks: real `visionstock serve` processes on one throwaway PostgreSQL (the test
// harness, tests/support/postgres-server.sh: fsync off, like SQLite's synchronous=NORMAL which
// does not wait for the disk per commit), with a single SQLite instance beside them for reference.
//
// 1. Ingest throughput: CONCURRENCY clients upload for SECONDS per configuration, spread
//    round-robin over the instances: POST /api/detect with real photographs (the model runs per
//    upload), and POST /api/products (a JSON write of one row and one event per request: the
//    store-bound part of an upload; there is no JSON scan upload route).
// 2. Commit-to-browser latency across instances: CLIENTS WebSocket clients on instance B,
//    EVENTS photo uploads to instance A, one at a time. Per (event, client): receive time minus
//    the event's created_at (the server's clock at commit, in ms; same machine) — "from commit";
//    and minus the client-side send time of the upload — "from send" (includes the model).
//    The clients run in vs_live_clients (one C++ I/O thread: a light stand-in for CLIENTS
//    browsers, each of which has a machine of its own) and, for comparison in the same run, in
//    this node process, where one JS thread handles the CLIENTS copies of each event in turn.
//
// Usage: VISIONSTOCK_BIN=build/visionstock node bench/scaleout/scaleout.mjs [OUT.json]
//   env: CONCURRENCY (4), SECONDS (15), CLIENTS (1000), EVENTS (100), PARTS ("ingest,latency"),
//   CLIENT_KINDS ("native,node"); vs_live_clients is looked up beside VISIONSTOCK_BIN.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from '../../tests/node_modules/ws/wrapper.mjs';
import { DARKNET, authHeaders, fetch, startServer, tempDir, upload } from '../../tests/e2e/helpers/server.mjs';
import { startPostgres } from '../../tests/e2e/helpers/postgres.mjs';

const CONCURRENCY = Number(process.env.CONCURRENCY || 4);
const SECONDS = Number(process.env.SECONDS || 15);
const CLIENTS = Number(process.env.CLIENTS || 1000);
const EVENTS = Number(process.env.EVENTS || 100);
const PARTS = (process.env.PARTS || 'ingest,latency').split(',');
const CLIENT_KINDS = (process.env.CLIENT_KINDS || 'native,node').split(',');
const LIVE_CLIENTS = join(dirname(process.env.VISIONSTOCK_BIN || 'build/visionstock'), 'bench/scaleout/vs_live_clients');
const PHOTOS = ['dog.jpg', 'person.jpg', 'horses.jpg', 'kite.jpg'].map((f) => readFileSync(join(DARKNET, f)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const wallMs = () => performance.timeOrigin + performance.now();

function pct(values, p) {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor(p * v.length))];
}
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');

// `n` instances on a fresh database (PostgreSQL) or one on SQLite; all share one data folder.
async function cluster(backend, n) {
  const dataDir = tempDir('vs-bench-scaleout-');
  let db;
  if (backend === 'postgresql') db = await (await startPostgres()).freshDatabase();
  const servers = [];
  // Every client of this benchmark comes from 127.0.0.1: raise the per-address connection cap.
  const args = ['--max-connections-per-ip', String(CLIENTS + 100)];
  for (let i = 0; i < n; i++) servers.push(await startServer({ dataDir, db, args }));
  return { servers, stop: () => Promise.all(servers.map((s, i) => s.stop({ keepData: i < n - 1 }))) };
}

// Runs `request(server, worker, i)` from CONCURRENCY workers for SECONDS; counts 2xx answers.
async function load(servers, request) {
  const latencies = [];
  let failures = 0;
  const until = performance.now() + SECONDS * 1000;
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
    for (let i = 0; performance.now() < until; i++) {
      const server = servers[next++ % servers.length];
      const t0 = performance.now();
      const status = await request(server, w, i).catch(() => 0);
      if (status >= 200 && status < 300) latencies.push(performance.now() - t0);
      else failures++;
    }
  }));
  return { ok: latencies.length, failures, per_s: latencies.length / SECONDS, p50_ms: pct(latencies, 0.5), p99_ms: pct(latencies, 0.99) };
}

const detect = (s, w, i) => upload(s.url, PHOTOS[(w + i) % PHOTOS.length], { store: 'bench', shelf_location: `S${w}` }).then((r) => r.status);
let productSeq = 0;
const product = (s) => {
  const k = `${process.pid}-${++productSeq}`;
  return fetch(`${s.url}/api/products`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ class_name: `bench-${k}`, sku: `BENCH-${k}`, product_name: 'Bench', brand: 'Bench' }),
  }).then(async (r) => { await r.arrayBuffer(); return r.status; });
};

async function ingest() {
  const rows = [];
  for (const [backend, n] of [['sqlite', 1], ['postgresql', 1], ['postgresql', 2]]) {
    const c = await cluster(backend, n);
    try {
      for (const s of c.servers) await detect(s, 0, 0); // warm the model
      for (const [name, fn] of [['detect (photo)', detect], ['products (JSON)', product]]) {
        const r = await load(c.servers, fn);
        rows.push({ backend, instances: n, route: name, ...r });
        console.log(`${backend.padEnd(11)} x${n}  ${name.padEnd(16)} ${fmt(r.per_s).padStart(8)}/s  p50 ${fmt(r.p50_ms).padStart(7)} ms  p99 ${fmt(r.p99_ms).padStart(7)} ms  (${r.ok} ok, ${r.failures} failed)`);
      }
    } finally {
      await c.stop();
    }
  }
  return rows;
}

// Clients in this node process: `onEvent(scan_id, created_at_ms, arrival_ms)` per scan.created
// per client. All sockets share node's one thread, which handles the copies of an event in turn.
async function nodeClients(listen, onEvent) {
  const sockets = [];
  for (let i = 0; i < CLIENTS; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, CLIENTS - i) }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${listen.port}/api/live`, { headers: authHeaders(listen.url) });
      ws.on('message', (data) => {
        const at = wallMs();
        const msg = JSON.parse(data.toString());
        if (msg.type === 'scan.created') onEvent(msg.payload.scan_id, Date.parse(msg.created_at), at);
      });
      ws.once('open', () => { sockets.push(ws); resolve(); });
      ws.once('error', reject);
    })));
  }
  return { stop: async () => { for (const ws of sockets) ws.terminate(); } };
}

// Clients in a vs_live_clients process (one C++ I/O thread, bench/scaleout/live_clients.cc).
async function nativeClients(listen, onEvent) {
  const token = (authHeaders(listen.url).Authorization || '').replace(/^Bearer /, '');
  const child = spawn(LIVE_CLIENTS, ['--port', String(listen.port), '--clients', String(CLIENTS), '--token', token], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise((resolve) => lines.once('close', resolve)); // after the last line
  await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') return resolve();
      const e = JSON.parse(line);
      for (const at of e.at_ms) onEvent(e.scan_id, e.created_at_ms, at);
    });
    child.once('exit', (code) => reject(new Error(`vs_live_clients exited with ${code}`)));
  });
  return { stop: async () => { child.stdin.end(); await exited; } };
}

// CLIENTS live clients of `kind` on `listen`, EVENTS uploads to `write`, one at a time.
async function latency(label, write, listen, kind) {
  // scan_id -> receive times (wall ms) and the event's created_at. An event may reach B before
  // A's answer names its scan, so every scan.created is recorded and matched afterwards.
  const arrivals = new Map();
  const sentAt = new Map(); // scan_id -> client-side send time of its upload
  const onEvent = (id, committed, at) => {
    let a = arrivals.get(id);
    if (!a) arrivals.set(id, (a = { committed, at: [] }));
    a.at.push(at);
  };
  const clients = await (kind === 'node' ? nodeClients : nativeClients)(listen, onEvent);
  await sleep(500);
  let missing = 0;
  for (let i = 0; i < EVENTS; i++) {
    const sent = wallMs();
    const res = await upload(write.url, PHOTOS[i % PHOTOS.length], { store: 'bench', shelf_location: 'live' });
    if (res.status !== 200) throw new Error(`upload: ${res.status}`);
    const id = res.body.scan_id;
    sentAt.set(id, sent);
    const deadline = performance.now() + 5000;
    while ((arrivals.get(id)?.at.length ?? 0) < CLIENTS && performance.now() < deadline) await sleep(2);
  }
  await clients.stop();
  for (const id of sentAt.keys()) missing += CLIENTS - (arrivals.get(id)?.at.length ?? 0);
  const fromCommit = [];
  const fromSend = [];
  for (const [id, sent] of sentAt) {
    const a = arrivals.get(id);
    for (const at of a?.at ?? []) {
      fromCommit.push(at - a.committed);
      fromSend.push(at - sent);
    }
  }
  const r = {
    label: `${label} (${kind} clients)`, clients: CLIENTS, client_kind: kind, events: EVENTS, samples: fromCommit.length, missing,
    commit_p50_ms: pct(fromCommit, 0.5), commit_p99_ms: pct(fromCommit, 0.99), commit_max_ms: pct(fromCommit, 1),
    send_p50_ms: pct(fromSend, 0.5), send_p99_ms: pct(fromSend, 0.99),
  };
  console.log(`${r.label.padEnd(50)} from commit p50 ${fmt(r.commit_p50_ms).padStart(6)} ms  p99 ${fmt(r.commit_p99_ms).padStart(6)} ms  max ${fmt(r.commit_max_ms).padStart(6)} ms | from send p50 ${fmt(r.send_p50_ms).padStart(6)} p99 ${fmt(r.send_p99_ms).padStart(6)} ms  (${r.samples} samples, ${missing} missing)`);
  return r;
}

async function latencies() {
  const out = [];
  {
    const c = await cluster('postgresql', 2);
    try {
      for (const kind of CLIENT_KINDS) out.push(await latency('postgresql: upload to A, clients on B', c.servers[0], c.servers[1], kind));
    } finally { await c.stop(); }
  }
  {
    const c = await cluster('sqlite', 1);
    try {
      for (const kind of CLIENT_KINDS) out.push(await latency('sqlite: upload and clients on one', c.servers[0], c.servers[0], kind));
    } finally { await c.stop(); }
  }
  return out;
}

const started = Date.now();
console.log(`scaleout: concurrency ${CONCURRENCY}, ${SECONDS} s per case; ${CLIENTS} live clients, ${EVENTS} events`);
let ingestRows = [];
let latencyRows = [];
if (PARTS.includes('ingest')) {
  console.log('-- ingest throughput');
  ingestRows = await ingest();
}
if (PARTS.includes('latency')) {
  console.log(`-- commit-to-browser latency (${CLIENTS} clients)`);
  latencyRows = await latencies();
}
console.log(`scaleout: ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify({ ingest: ingestRows, latency: latencyRows }, null, 2));
process.exit(0);
