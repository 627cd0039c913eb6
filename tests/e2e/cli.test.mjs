// `visionstock detect --json` on a folder, into the same store the server reads; and `version`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, OPENCV, binary, cleanEnv, startServer, storedImages, tempDir, getJson } from './helpers/server.mjs';

test('detect --json on a folder stores every image and prints one object per image', async () => {
  const folder = tempDir('vs-cli-in-');
  const dataDir = tempDir('vs-cli-data-');
  try {
    copyFileSync(join(DARKNET, 'dog.jpg'), join(folder, 'a-dog.jpg'));
    copyFileSync(join(DARKNET, 'horses.jpg'), join(folder, 'b-horses.jpg'));
    copyFileSync(join(OPENCV, 'box.png'), join(folder, 'c-box.png'));
    writeFileSync(join(folder, 'notes.txt'), 'not an image');
    const run = spawnSync(binary(), ['detect', folder, '--json', '--shelf-location', 'cli-shelf', '--data-dir', dataDir],
      { env: cleanEnv({ VISIONSTOCK_STORE: 'from-env' }), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    const [dog, horses, box, notes] = lines;
    assert.ok(dog.file.endsWith('a-dog.jpg'));
    assert.ok(dog.detections.some((d) => d.class_name === 'dog'));
    assert.ok(dog.detections.some((d) => d.class_name === 'bicycle'));
    assert.ok(horses.detections.some((d) => d.class_name === 'horse'));
    for (const l of [dog, horses, box]) {
      assert.equal(l.shelf_location, 'cli-shelf');
      assert.equal(l.store, 'from-env', 'options read from VISIONSTOCK_* variables');
      assert.ok(l.inference_ms > 0 && l.inference_ms <= l.total_ms, 'inference_ms is the model alone');
      assert.equal(typeof l.scan_id, 'number');
    }
    assert.equal(notes.skipped, true);
    assert.equal(notes.error.code, 'unsupported_media_type');
    assert.equal(storedImages(dataDir).length, 3);

    // The server reads the same store.
    const server = await startServer({ dataDir });
    try {
      const scans = await getJson(server.url, '/api/scans');
      assert.deepEqual(scans.body.items.map((s) => s.id).sort(), [dog.scan_id, horses.scan_id, box.scan_id].sort());
      const summary = await getJson(server.url, '/api/summary?shelf_location=cli-shelf');
      assert.equal(summary.body.total_detections, dog.detections_count + horses.detections_count + box.detections_count);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('detect on a missing file fails with a clear message', () => {
  const dataDir = tempDir('vs-cli-data-');
  try {
    const run = spawnSync(binary(), ['detect', '/nonexistent.jpg', '--data-dir', dataDir], { env: cleanEnv(), encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /nonexistent\.jpg: no such file/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('version', () => {
  assert.match(execFileSync(binary(), ['version'], { env: cleanEnv(), encoding: 'utf8' }), /^visionstock \d+\.\d+\.\d+\n$/);
});
