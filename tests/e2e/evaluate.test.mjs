// `visionstock evaluate` on the committed labelled set (tests/data/eval) with the bundled model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binary, cleanEnv, getJson, startServer, tempDir } from './helpers/server.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SET = join(ROOT, 'tests', 'data', 'eval');

function evaluate(args) {
  const run = spawnSync(binary(), ['evaluate', ...args], { env: cleanEnv(), encoding: 'utf8' });
  return run;
}

function evaluateJson(args) {
  const run = evaluate([...args, '--json']);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON object');
  return JSON.parse(lines[0]);
}

const isFraction = (x) => typeof x === 'number' && x >= 0 && x <= 1;

test('evaluate --json on the YOLO layout: shape and sane figures', () => {
  const dataDir = tempDir('vs-eval-data-');
  try {
    const r = evaluateJson(['--data', SET, '--data-dir', dataDir]);
    assert.equal(r.dataset.format, 'yolo');
    assert.equal(r.dataset.classes, 80);
    assert.equal(r.images, 7);
    assert.equal(r.truths, 32);
    assert.equal(r.crowd_truths, 0);
    assert.match(r.model.version_name, /^nanodet-416-[0-9a-f]{12}$/);
    assert.equal(r.conf, 0.25);
    assert.equal(r.max_dets, 100);
    for (const k of ['map50', 'map50_95', 'precision', 'recall', 'f1']) assert.ok(isFraction(r[k]), `${k} = ${r[k]}`);
    assert.ok(r.map50 > 0.3, `mAP@0.5 ${r.map50}`);
    assert.ok(r.map50_95 < r.map50, 'the stricter thresholds give less');
    assert.equal(r.tp + r.fn, r.truths);
    assert.ok(r.inference_ms_median > 0);
    assert.equal(r.stored, null, 'no store in an empty data folder');
    const dog = r.classes.find((c) => c.class_name === 'dog');
    assert.equal(dog.truths, 2);
    assert.ok(dog.ap50 > 0, 'the dog photo\'s dog is found');
    const giraffe = r.classes.find((c) => c.class_name === 'giraffe');
    assert.ok(giraffe.ap50 > 0.5);
    const unlabelled = r.classes.filter((c) => c.truths === 0);
    assert.ok(unlabelled.every((c) => c.ap50 === null && c.fp > 0), 'classes without boxes have no AP, only false positives');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the COCO JSON of the same set gives the same figures', () => {
  const dataDir = tempDir('vs-eval-data-');
  try {
    const yolo = evaluateJson(['--data', SET, '--data-dir', dataDir]);
    const coco = evaluateJson(['--data', join(SET, 'annotations.json'), '--data-dir', dataDir]);
    assert.equal(coco.dataset.format, 'coco');
    for (const k of ['map50', 'map50_95', 'precision', 'recall', 'f1', 'tp', 'fp', 'fn', 'truths']) {
      assert.ok(Math.abs(yolo[k] - coco[k]) < 1e-6, `${k}: ${yolo[k]} vs ${coco[k]}`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the real predictions give the figures of the NumPy reference (tools/coco_reference.py)', () => {
  const dataDir = tempDir('vs-eval-data-');
  try {
    for (const extra of [[], ['--agnostic']]) {
      const saved = join(dataDir, 'predictions.json');
      const gt = join(SET, 'annotations.json');
      const ours = evaluateJson(['--data', gt, '--save-predictions', saved, '--data-dir', dataDir, ...extra]);
      const predictions = JSON.parse(readFileSync(saved, 'utf8'));
      assert.ok(predictions.length > 100 && predictions.every((p) => p.bbox.length === 4 && p.score > 0));
      const run = spawnSync('/usr/bin/python3', [join(ROOT, 'tools', 'coco_reference.py'), gt, saved, ...extra],
        { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const ref = JSON.parse(run.stdout);
      for (const k of ['map50', 'map50_95', 'precision', 'recall', 'f1']) {
        assert.ok(Math.abs(ours[k] - ref[k]) < 1e-9, `${extra} ${k}: ${ours[k]} vs reference ${ref[k]}`);
      }
      for (const k of ['tp', 'fp', 'fn']) assert.equal(ours[k], ref[k], k);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('--agnostic counts every class as one; a higher --conf trades recall for precision', () => {
  const dataDir = tempDir('vs-eval-data-');
  try {
    const one = evaluateJson(['--data', SET, '--agnostic', '--data-dir', dataDir]);
    assert.equal(one.classes.length, 1);
    assert.equal(one.classes[0].truths, 32);
    assert.ok(isFraction(one.map50) && one.map50 > 0);
    const low = evaluateJson(['--data', SET, '--conf', '0.1', '--data-dir', dataDir]);
    const high = evaluateJson(['--data', SET, '--conf', '0.6', '--data-dir', dataDir]);
    assert.equal(low.map50, high.map50, 'AP does not depend on the serving threshold');
    assert.ok(high.recall <= low.recall);
    assert.ok(high.tp + high.fp < low.tp + low.fp);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('figures are stored as model_metrics when the model is registered in the store', async () => {
  const dataDir = tempDir('vs-eval-data-');
  try {
    // `detect` creates the store and registers the bundled model.
    const detect = spawnSync(binary(), ['detect', join(SET, 'images', 'dog.jpg'), '--data-dir', dataDir], { env: cleanEnv(), encoding: 'utf8' });
    assert.equal(detect.status, 0, detect.stderr);
    const r = evaluateJson(['--data', SET, '--data-dir', dataDir]);
    assert.equal(typeof r.stored.model_metrics_id, 'number');

    const table = evaluate(['--data', SET, '--data-dir', dataDir]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /mAP@0\.5 +0\.\d{3}/);
    assert.match(table.stdout, /^dog +2 /m);
    assert.match(table.stdout, /stored as model_metrics \d+/);

    const server = await startServer({ dataDir });
    try {
      const models = await getJson(server.url, '/api/models');
      const model = models.body.find((m) => m.version_name === r.model.version_name);
      const row = model.metrics.find((m) => m.id === r.stored.model_metrics_id);
      assert.ok(row, JSON.stringify(model.metrics));
      assert.equal(row.map50, r.map50);
      assert.equal(row.map50_95, r.map50_95);
      assert.equal(row.f1_score, r.f1);
      assert.equal(row.num_test_images, 7);
      assert.equal(row.inference_time_ms, r.inference_ms_median);
      assert.ok(row.test_dataset_path.endsWith(join('tests', 'data', 'eval')));
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a malformed label line stops the evaluation, naming the file and line', () => {
  const folder = tempDir('vs-eval-set-');
  const dataDir = tempDir('vs-eval-data-');
  try {
    cpSync(SET, folder, { recursive: true });
    writeFileSync(join(folder, 'labels', 'horses.txt'), '17 0.5 0.5 0.2 0.2\n17 0.5 oops 0.2 0.2\n');
    const run = evaluate(['--data', folder, '--json', '--data-dir', dataDir]);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '', 'nothing evaluated');
    assert.match(run.stderr, /labels\/horses\.txt:2: 'oops' is not a number/);
    const missing = evaluate(['--data', join(folder, 'nope'), '--data-dir', dataDir]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope: no such folder or file/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});
