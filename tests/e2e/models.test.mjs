// The model registry through the real server: registration (file and upload, bad files refused),
// choosing a model per request, switching the active model under load, comparison from measured
// metrics and background evaluation with live progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { DARKNET, authHeaders, binary, fetch, getJson, startServer, upload } from './helpers/server.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SET = join(ROOT, 'tests', 'data', 'eval');
const MODEL = () => join(dirname(binary()), 'models', 'nanodet-416.onnx');
const NAMES = join(ROOT, 'models', 'coco.names');
const PERSON = () => readFileSync(join(DARKNET, 'person.jpg'));

// A valid ONNX file whose one output is its input (Identity on float [1,3,32,32]): loads in
// ONNX Runtime but matches no detector layout. Protobuf written by hand (onnx.proto field
// numbers) so that the test needs no ONNX tooling.
function identityOnnx() {
  const varint = (n) => { const b = []; while (n > 127) { b.push((n & 127) | 128); n >>>= 7; } b.push(n); return b; };
  const field = (num, bytes) => [...varint((num << 3) | 2), ...varint(bytes.length), ...bytes];
  const int = (num, v) => [...varint(num << 3), ...varint(v)];
  const str = (num, s) => field(num, [...Buffer.from(s)]);
  const dims = [1, 3, 32, 32].flatMap((d) => field(1, int(1, d)));
  const type = field(1, [...int(1, 1), ...field(2, dims)]);  // tensor_type: FLOAT, shape
  const value = (name) => [...str(1, name), ...field(2, type)];
  const node = [...str(1, 'images'), ...str(2, 'out'), ...str(4, 'Identity')];
  const graph = [...field(1, node), ...str(2, 'g'), ...field(11, value('images')), ...field(12, value('out'))];
  return Buffer.from([...int(1, 8), ...field(8, int(2, 13)), ...field(7, graph)]);
}

async function uploadModel(url, bytes, fields = {}, filename = 'model.onnx') {
  const form = new FormData();
  form.append('file', new Blob([bytes]), filename);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${url}/api/models`, { method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

async function post(url, path, body = {}) {
  const res = await fetch(url + path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function openLive(server) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/live`, { headers: authHeaders(server.url) });
  const events = [];
  ws.on('message', (d) => events.push(JSON.parse(d.toString())));
  const open = new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return { ws, events, open };
}

async function until(predicate, what, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const modelFiles = (dataDir) => (existsSync(join(dataDir, 'models')) ? readdirSync(join(dataDir, 'models')).sort() : []);

test('uploads are checked by loading them; bad files are refused and leave nothing', async () => {
  const server = await startServer();
  try {
    const before = (await getJson(server.url, '/api/models')).body;
    assert.equal(before.length, 1);
    assert.equal(before[0].serving.layout, 'nanodet');
    const filesBefore = modelFiles(server.dataDir);

    const junk = await uploadModel(server.url, Buffer.from('this is not an onnx file'), { names: 'a\nb\n' });
    assert.equal(junk.status, 422, JSON.stringify(junk.body));
    assert.match(junk.body.error.message, /not a usable ONNX detector/);
    const identity = await uploadModel(server.url, identityOnnx(), { names: 'a\nb\n' });
    assert.equal(identity.status, 422, JSON.stringify(identity.body));
    assert.match(identity.body.error.message, /\[1,3,32,32\]/, 'names the output shape');
    const noNames = await uploadModel(server.url, identityOnnx());
    assert.equal(noNames.status, 422);
    assert.match(noNames.body.error.message, /class names/);
    const badSettings = await uploadModel(server.url, readFileSync(MODEL()), {
      names: readFileSync(NAMES, 'utf8'), settings: JSON.stringify({ ignore_classes: ['unicorn'] }),
    });
    assert.equal(badSettings.status, 422);
    assert.match(badSettings.body.error.message, /unicorn/);
    const badPath = await post(server.url, '/api/models', { version_name: 'x', model_path: NAMES });
    assert.equal(badPath.status, 422, 'an existing file that is not ONNX');

    assert.deepEqual((await getJson(server.url, '/api/models')).body.length, 1, 'nothing registered');
    assert.deepEqual(modelFiles(server.dataDir), filesBefore, 'nothing left on disk');

    // A viewer may not upload.
    const anon = await globalThis.fetch(`${server.url}/api/models`, { method: 'POST', body: new FormData() });
    assert.equal(anon.status, 401);
  } finally {
    await server.stop();
  }
});

test('a second model serves by name or type, ignores its classes, is compared and activated live', async () => {
  const server = await startServer();
  const live = openLive(server);
  try {
    await live.open;
    const [base] = (await getJson(server.url, '/api/models')).body;
    const up = await uploadModel(server.url, readFileSync(MODEL()), {
      names: readFileSync(NAMES, 'utf8'), version_name: 'no-people', model_type: 'finetuned',
      settings: JSON.stringify({ ignore_classes: ['person'], confidence: 0.3 }),
    }, 'nanodet-416.onnx');
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.is_active, false);
    assert.equal(up.body.serving.layout, 'nanodet');
    assert.equal(up.body.serving.classes.length, 80);
    assert.deepEqual(up.body.serving.settings.ignore_classes, ['person']);

    const names = (r) => r.body.detections.map((d) => d.class_name);
    const plain = await upload(server.url, PERSON());
    assert.equal(plain.status, 200);
    assert.ok(names(plain).includes('person'), names(plain).join());
    assert.equal(plain.body.model_version, base.version_name);
    const chosen = await upload(server.url, PERSON(), {}, { query: '?model=no-people' });
    assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
    assert.equal(chosen.body.model_version, 'no-people');
    assert.ok(!names(chosen).includes('person'), names(chosen).join());
    assert.ok(names(chosen).length > 0, 'other classes still found');
    const byType = await upload(server.url, PERSON(), {}, { query: '?model_type=finetuned' });
    assert.equal(byType.body.model_version, 'no-people');
    const baseline = await upload(server.url, PERSON(), {}, { query: '?model_type=baseline' });
    assert.equal(baseline.body.model_version, base.version_name, 'baseline: the active model');
    assert.equal((await upload(server.url, PERSON(), {}, { query: '?model=nope' })).status, 404);
    const other = await upload(server.url, PERSON(), {}, { query: '?model_type=yolov8n' });
    assert.equal(other.body.model_version, base.version_name, 'a type no version has: the active model');

    // Comparison: measured figures, nulls where never measured.
    let cmp = await getJson(server.url, `/api/models/comparison?baseline_id=${base.id}&finetuned_id=${up.body.id}`);
    assert.equal(cmp.status, 200);
    assert.equal(typeof cmp.body.baseline.inference_time_ms, 'number', 'timed at start');
    for (const k of ['map50', 'map50_95', 'precision', 'recall', 'f1_score']) {
      assert.equal(cmp.body.baseline[k], null, k);
      assert.equal(cmp.body.improvements[k], null, k);
    }
    assert.equal(cmp.body.finetuned.inference_time_ms, null);
    assert.equal((await getJson(server.url, `/api/models/comparison?baseline_id=x&finetuned_id=${up.body.id}`)).status, 422);
    assert.equal((await getJson(server.url, `/api/models/comparison?baseline_id=${base.id}`)).status, 422);
    assert.equal((await getJson(server.url, `/api/models/comparison?baseline_id=99999&finetuned_id=${up.body.id}`)).status, 404);

    // Evaluate both on the committed set, present under the data folder.
    cpSync(SET, join(server.dataDir, 'sets', 'eval'), { recursive: true });
    assert.equal((await post(server.url, `/api/models/${base.id}/evaluate`, { data: '../eval' })).status, 422);
    assert.equal((await post(server.url, `/api/models/${base.id}/evaluate`, { data: '/etc' })).status, 422);
    assert.equal((await post(server.url, `/api/models/${base.id}/evaluate`, { data: 'sets/none' })).status, 404);
    assert.equal((await post(server.url, `/api/models/99999/evaluate`, { data: 'sets/eval' })).status, 404);
    const [first, second] = await Promise.all([
      post(server.url, `/api/models/${base.id}/evaluate`, { data: 'sets/eval' }),
      post(server.url, `/api/models/${up.body.id}/evaluate`, { data: 'sets/eval' }),
    ]);
    const started = [first, second].find((r) => r.status === 202);
    assert.ok(started, JSON.stringify([first, second]));
    assert.deepEqual([first.status, second.status].sort(), [202, 409], 'one evaluation at a time');
    const job = await until(async () => {
      const j = (await getJson(server.url, `/api/models/evaluations/${started.body.job_id}`)).body;
      return j.state !== 'running' && j;
    }, 'the evaluation');
    assert.equal(job.state, 'done', JSON.stringify(job));
    assert.equal(job.done, 7);
    assert.ok(job.result.map50 > 0.3, JSON.stringify(job.result));
    const progress = live.events.filter((e) => e.type === 'model.evaluation' && e.payload.job_id === job.job_id);
    assert.ok(progress.length >= 2, 'start and end on the live feed');
    assert.equal(progress.at(-1).payload.state, 'done');
    for (const id of [base.id, up.body.id]) {
      if (id === job.model_id) continue;
      const again = await post(server.url, `/api/models/${id}/evaluate`, { data: 'sets/eval' });
      assert.equal(again.status, 202, JSON.stringify(again.body));
      const done = await until(async () => {
        const j = (await getJson(server.url, `/api/models/evaluations/${again.body.job_id}`)).body;
        return j.state !== 'running' && j;
      }, 'the second evaluation');
      assert.equal(done.state, 'done', JSON.stringify(done));
    }
    cmp = await getJson(server.url, `/api/models/comparison?baseline_id=${base.id}&finetuned_id=${up.body.id}`);
    for (const side of ['baseline', 'finetuned']) {
      for (const k of ['map50', 'map50_95', 'precision', 'recall', 'f1_score', 'inference_time_ms']) {
        assert.equal(typeof cmp.body[side][k], 'number', `${side}.${k}`);
      }
      assert.equal(cmp.body[side].test_dataset_path, 'sets/eval');
      assert.equal(cmp.body[side].num_test_images, 7);
    }
    assert.equal(cmp.body.same_dataset, true);
    // Evaluated as it serves: ignoring the set's labelled people costs recall.
    assert.ok(cmp.body.finetuned.recall < cmp.body.baseline.recall, JSON.stringify(cmp.body));
    assert.ok(cmp.body.improvements.recall < 0);
    assert.ok(Math.abs(cmp.body.improvements.map50 - (cmp.body.finetuned.map50 - cmp.body.baseline.map50)) < 1e-12);

    // Activation: health follows, the live feed hears it.
    const act = await post(server.url, `/api/models/${up.body.id}/activate`);
    assert.equal(act.status, 200, JSON.stringify(act.body));
    assert.equal(act.body.is_active, true);
    assert.equal((await getJson(server.url, '/health')).body.model.version_name, 'no-people');
    const after = await upload(server.url, PERSON());
    assert.equal(after.body.model_version, 'no-people');
    const event = await until(() => live.events.find((e) => e.type === 'model.activated'), 'model.activated');
    assert.equal(event.payload.model_id, up.body.id);
    assert.equal(event.payload.previous_id, base.id);
    assert.equal((await post(server.url, '/api/models/99999/activate')).status, 404);
    const listed = (await getJson(server.url, '/api/models')).body;
    assert.deepEqual(listed.filter((m) => m.is_active).map((m) => m.id), [up.body.id]);
  } finally {
    live.ws.close();
    await server.stop();
  }
});

test('switching the active model while detections run fails no request', { timeout: 120_000 }, async () => {
  const server = await startServer({ args: ['--detect-queue', '64'] });
  try {
    const [base] = (await getJson(server.url, '/api/models')).body;
    const other = await post(server.url, '/api/models', { version_name: 'same-file', model_path: MODEL(), labels_path: NAMES });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    const photo = readFileSync(join(DARKNET, 'dog.jpg'));
    let stop = false;
    const seen = new Map();
    const failures = [];
    const loop = async () => {
      while (!stop) {
        const r = await upload(server.url, photo);
        if (r.status !== 200) failures.push(r);
        else seen.set(r.body.model_version, (seen.get(r.body.model_version) || 0) + 1);
      }
    };
    const loops = [loop(), loop()];
    for (let i = 0; i < 8; ++i) {
      const target = i % 2 === 0 ? other.body.id : base.id;
      const act = await post(server.url, `/api/models/${target}/activate`);
      assert.equal(act.status, 200, JSON.stringify(act.body));
      await new Promise((r) => setTimeout(r, 150));
    }
    stop = true;
    await Promise.all(loops);
    assert.deepEqual(failures, [], 'no request failed during the switches');
    assert.ok(seen.get('same-file') > 0 && seen.get(base.version_name) > 0, JSON.stringify([...seen]));
  } finally {
    await server.stop();
  }
});

test('a model that no longer loads at start leaves the others serving', async () => {
  const server = await startServer();
  const dataDir = server.dataDir;
  let again;
  try {
    const up = await uploadModel(server.url, readFileSync(MODEL()), { names: readFileSync(NAMES, 'utf8'), version_name: 'fragile', activate: 'true' });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.is_active, true);
    await server.stop({ keepData: true });
    // Its file is damaged while the server is down.
    const file = readdirSync(join(dataDir, 'models')).find((f) => f.endsWith('.onnx'));
    writeFileSync(join(dataDir, 'models', file), 'broken');
    again = await startServer({ dataDir });
    const health = (await getJson(again.url, '/health')).body;
    assert.equal(health.model.status, 'ready');
    assert.notEqual(health.model.version_name, 'fragile');
    assert.equal((await upload(again.url, PERSON())).status, 200);
    const chosen = await upload(again.url, PERSON(), {}, { query: '?model=fragile' });
    assert.equal(chosen.status, 503, JSON.stringify(chosen.body));
    assert.match(chosen.body.error.message, /fragile does not load/);
  } finally {
    if (again) await again.stop(); else rmSync(dataDir, { recursive: true, force: true });
  }
});

// A zip archive of `files` ({name: content}) or of a folder, written by Python's zipfile.
function makeZip(out, { folder, files }) {
  const script = folder
    ? 'import sys,zipfile,os\nz=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED)\nb=os.path.dirname(sys.argv[2])\nfor r,_,fs in os.walk(sys.argv[2]):\n  for f in fs:\n    p=os.path.join(r,f); z.write(p, os.path.relpath(p,b))\nz.close()'
    : 'import sys,zipfile,json\nz=zipfile.ZipFile(sys.argv[1],"w")\nfor k,v in json.loads(sys.argv[2]).items(): z.writestr(k,v)\nz.close()';
  const run = spawnSync('/usr/bin/python3', ['-c', script, out, folder || JSON.stringify(files)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return readFileSync(out);
}

async function postZip(url, id, bytes) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'set.zip');
  const res = await fetch(`${url}/api/models/${id}/evaluate`, { method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

test('a labelled set uploaded as a zip is evaluated; unsafe archives are refused', async () => {
  const server = await startServer();
  try {
    const [base] = (await getJson(server.url, '/api/models')).body;
    const uploads = () => (existsSync(join(server.dataDir, 'sets', 'uploads')) ? readdirSync(join(server.dataDir, 'sets', 'uploads')) : []);
    const slip = await postZip(server.url, base.id, makeZip(join(server.dataDir, 'slip.zip'), { files: { 'images/a.jpg': 'x', '../../evil.txt': 'owned' } }));
    assert.equal(slip.status, 422, JSON.stringify(slip.body));
    assert.match(slip.body.error.message, /leads outside/);
    assert.ok(!existsSync(join(server.dataDir, 'evil.txt')) && !existsSync(join(server.dataDir, 'sets', 'evil.txt')));
    assert.deepEqual(uploads(), []);
    const bad = await postZip(server.url, base.id, makeZip(join(server.dataDir, 'bad.zip'), { files: { 'data.yaml': 'names: [dog]\n', 'images/a.jpg': 'x', 'labels/a.txt': '0 0.5 0.5 2 1\n' } }));
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.match(bad.body.error.message, /a\.txt/, 'names the file');
    assert.deepEqual(uploads(), [], 'a set with defects is not kept');
    assert.equal((await postZip(server.url, 99999, Buffer.from('x'))).status, 404);

    const good = await postZip(server.url, base.id, makeZip(join(server.dataDir, 'good.zip'), { folder: SET }));
    assert.equal(good.status, 202, JSON.stringify(good.body));
    assert.match(good.body.data, /^sets\/uploads\/[^/]+\/eval$/);
    const job = await until(async () => {
      const j = (await getJson(server.url, `/api/models/evaluations/${good.body.job_id}`)).body;
      return j.state !== 'running' && j;
    }, 'the evaluation');
    assert.equal(job.state, 'done', JSON.stringify(job));
    const metrics = (await getJson(server.url, `/api/models/${base.id}`)).body.metrics.at(-1);
    assert.equal(metrics.num_test_images, 7);
    assert.equal(metrics.test_dataset_path, good.body.data);
  } finally {
    await server.stop();
  }
});
