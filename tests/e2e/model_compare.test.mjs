// POST /api/models/compare-photo through the real server: two registered models on one real
// photo answer the detections POST /api/detect gives each of them, store nothing (no scan, no
// photo, no event), refuse bad input the same way, and share the detection lane (a full lane is
// 503 at once, for either route).
//
// The only real detector on this machine is the bundled NanoDet (docs/MODELS.md; the YOLO-layout
// files of tests/vision answer fixed boxes), so the second and third models are that file
// registered again with other settings: one ignores people at a higher confidence, one slices
// the photo into a 2x2 grid. Both change what is found, which is what a comparison shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DARKNET, binary, fetch, getJson, startServer, upload } from './helpers/server.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NAMES = join(ROOT, 'models', 'coco.names');
const MODEL = () => join(dirname(binary()), 'models', 'nanodet-416.onnx');
const PERSON = () => readFileSync(join(DARKNET, 'person.jpg'));
const DOG = () => readFileSync(join(DARKNET, 'dog.jpg'));

async function register(url, fields) {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(MODEL())]), 'nanodet-416.onnx');
  form.append('names', readFileSync(NAMES, 'utf8'));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${url}/api/models`, { method: 'POST', body: form });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body;
}

// POST /api/models/compare-photo with `bytes` as the multipart 'file' (or the raw body).
async function compare(url, models, bytes, { raw = false, contentType = 'image/jpeg' } = {}) {
  const q = models == null ? '' : `?models=${encodeURIComponent(models)}`;
  let init;
  if (raw) {
    init = { method: 'POST', headers: { 'Content-Type': contentType }, body: bytes };
  } else {
    const form = new FormData();
    if (bytes) form.append('file', new Blob([bytes]), 'photo.jpg');
    init = { method: 'POST', body: form };
  }
  const res = await fetch(`${url}/api/models/compare-photo${q}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

// Every file under the data folder but the database's own, with its size: photos, temporary
// files and manifests would all show here.
function dataFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (!/visionstock\.db/.test(e)) out.push(`${p.slice(dir.length)} ${s.size}`);
    }
  };
  walk(dir);
  return out.sort();
}

// What a stored change would move: the scans, the data folder, and the ETag (made from the
// store's last event id).
async function snapshot(server) {
  const scans = await getJson(server.url, '/api/scans');
  assert.equal(scans.status, 200);
  return { scans: scans.body, etag: scans.headers.get('etag'), files: dataFiles(server.dataDir) };
}

const countsOf = (detections) => {
  const c = {};
  for (const d of detections) c[d.class_name] = (c[d.class_name] || 0) + 1;
  return c;
};

test('two registered models on one real photo: each answers what /api/detect gives it, nothing is stored', async () => {
  const server = await startServer();
  try {
    const [base] = (await getJson(server.url, '/api/models')).body;
    const noPeople = await register(server.url, {
      version_name: 'no-people', model_type: 'finetuned',
      settings: JSON.stringify({ ignore_classes: ['person'], confidence: 0.3 }),
    });
    const sliced = await register(server.url, {
      version_name: 'sliced-2x2',
      settings: JSON.stringify({ slicing: { mode: 'grid', cols: 2, rows: 2 } }),
    });
    const before = await snapshot(server);

    const photo = PERSON();
    const r = await compare(server.url, `${base.version_name},no-people,${sliced.id}`, photo);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.stored, false);
    assert.deepEqual([r.body.width, r.body.height], [640, 424], 'the photo size');
    assert.deepEqual(r.body.models.map((m) => m.model_version), [base.version_name, 'no-people', 'sliced-2x2'],
      'in the order asked');
    assert.deepEqual(r.body.models.map((m) => m.model_version_id), [base.id, noPeople.id, sliced.id]);
    for (const m of r.body.models) {
      assert.equal(m.detections_count, m.detections.length);
      assert.deepEqual(m.counts, countsOf(m.detections));
      assert.ok(m.inference_ms > 0 && m.decode_ms >= 0, JSON.stringify(m));
      for (const d of m.detections) {
        assert.equal(d.bbox.length, 4);
        assert.ok(d.bbox[0] >= 0 && d.bbox[2] <= r.body.width && d.bbox[1] >= 0 && d.bbox[3] <= r.body.height);
        assert.ok(Math.abs((d.bbox[0] + d.bbox[2]) / 2 / r.body.width - d.x_center) < 1e-9);
      }
    }
    const [a, b, c] = r.body.models;
    assert.ok(a.counts.person >= 1, JSON.stringify(a.counts));
    assert.equal(b.counts.person, undefined, 'the second model ignores people');
    assert.ok(b.detections_count >= 1, 'and still finds the rest');
    assert.deepEqual(b.settings.ignore_classes, ['person']);
    assert.equal(c.settings.slicing.mode, 'grid');

    const after = await snapshot(server);
    assert.deepEqual(after, before, 'no scan, no photo, no event, no file');

    // The same photo through /api/detect with each model: the same detections.
    for (const m of r.body.models) {
      const d = await upload(server.url, photo, {}, { query: `?model=${encodeURIComponent(m.model_version)}` });
      assert.equal(d.status, 200, JSON.stringify(d.body));
      assert.equal(d.body.model_version, m.model_version);
      assert.equal(d.body.detections_count, m.detections_count, m.model_version);
      assert.deepEqual(countsOf(d.body.detections), m.counts, m.model_version);
      d.body.detections.forEach((x, i) => {
        assert.equal(x.class_name, m.detections[i].class_name);
        assert.ok(Math.abs(x.confidence - m.detections[i].confidence) < 1e-5);
        for (let k = 0; k < 4; k++) assert.ok(Math.abs(x.bbox[k] - m.detections[i].bbox[k]) < 0.01);
      });
    }

    // The raw photo as the body works too.
    const rawAnswer = await compare(server.url, `${base.id},no-people`, DOG(), { raw: true });
    assert.equal(rawAnswer.status, 200, JSON.stringify(rawAnswer.body));
    assert.deepEqual([rawAnswer.body.width, rawAnswer.body.height], [768, 576]);
    assert.ok(rawAnswer.body.models[0].counts.dog >= 1, JSON.stringify(rawAnswer.body.models[0].counts));
  } finally {
    await server.stop();
  }
});

test('bad input gets the one error shape and changes nothing stored', async () => {
  const server = await startServer();
  try {
    const [base] = (await getJson(server.url, '/api/models')).body;
    const other = await register(server.url, { version_name: 'other' });
    const record = await fetch(`${server.url}/api/models`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ version_name: 'kept-elsewhere', model_path: '/nowhere/model.pt' }),
    });
    assert.equal(record.status, 201);
    const before = await snapshot(server);
    const photo = DOG();
    const two = `${base.version_name},other`;
    const cases = [
      ['no models', await compare(server.url, null, photo), 422, 'invalid_value'],
      ['one model', await compare(server.url, base.version_name, photo), 422, 'invalid_value'],
      ['an empty entry', await compare(server.url, `${base.version_name},,other`, photo), 422, 'invalid_value'],
      ['five models', await compare(server.url, `${two},${two},x`, photo), 422, 'invalid_value'],
      ['one model twice', await compare(server.url, `${base.version_name},${base.id}`, photo), 422, 'invalid_value'],
      ['an unknown model', await compare(server.url, `${base.version_name},nope`, photo), 404, 'not_found'],
      ['a record-only model', await compare(server.url, `${base.version_name},kept-elsewhere`, photo), 422, 'invalid_value'],
      ['no file field', await compare(server.url, two, null), 400, 'invalid_argument'],
      ['an empty body', await compare(server.url, two, Buffer.alloc(0), { raw: true }), 400, 'invalid_argument'],
      ['not an image', await compare(server.url, two, Buffer.from('%PDF-1.4 not a photo'.repeat(20))), 415, 'unsupported_media_type'],
      ['a truncated JPEG', await compare(server.url, two, photo.subarray(0, 2000)), 415, 'unsupported_media_type'],
    ];
    for (const [what, res, status, code] of cases) {
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(typeof res.body.error.message, 'string');
    }
    const json = await fetch(`${server.url}/api/models/compare-photo?models=${two}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
    });
    assert.equal(json.status, 415, 'a JSON body is not an upload');
    assert.deepEqual(await snapshot(server), before);
  } finally {
    await server.stop();
  }
});

async function until(predicate, what, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The detection lane's queued + running requests, as GET /metrics reports them.
async function laneDepth(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^visionstock_detect_queue_depth (\S+)$/m.exec(text)[1]);
}

// Raw HTTP: a request whose header has arrived and whose body never does, so it holds its slot
// of the detection lane until the socket closes. Resolves once the server counts it.
async function holdLane(server, path) {
  const sock = net.connect(server.port, '127.0.0.1');
  sock.on('error', () => {});
  sock.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
    `Authorization: Bearer ${server.token}\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n`);
  await until(async () => (await laneDepth(server)) === 1, `${path} to take the lane`);
  return sock;
}

test('the detection lane is shared: a full lane answers 503 with Retry-After to either route', async () => {
  const server = await startServer({ args: ['--detect-threads', '1', '--detect-queue', '1'] });
  try {
    const [base] = (await getJson(server.url, '/api/models')).body;
    await register(server.url, { version_name: 'other' });
    const models = `${base.version_name},other`;
    const photo = DOG();

    let hold = await holdLane(server, '/api/detect');
    const busy = await compare(server.url, models, photo);
    assert.equal(busy.status, 503, JSON.stringify(busy.body));
    assert.equal(busy.body.error.code, 'unavailable');
    assert.equal(busy.headers.get('retry-after'), '1');
    hold.destroy();
    const ok = await until(async () => {
      const r = await compare(server.url, models, photo);
      return r.status === 200 ? r : null;
    }, 'the lane to drain');
    assert.equal(ok.body.models.length, 2);

    hold = await holdLane(server, `/api/models/compare-photo?models=${models}`);
    const detectBusy = await upload(server.url, photo);
    assert.equal(detectBusy.status, 503, JSON.stringify(detectBusy.body));
    assert.equal(detectBusy.headers.get('retry-after'), '1');
    // Reads keep answering meanwhile.
    assert.equal((await getJson(server.url, '/api/models')).status, 200);
    hold.destroy();
    await until(async () => (await upload(server.url, photo)).status === 200, 'the lane to drain');
  } finally {
    await server.stop();
  }
});
