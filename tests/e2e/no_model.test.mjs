// Without a loadable model the server still starts, says why, and refuses detection (503) storing nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, startServer, storedImages, upload, getJson } from './helpers/server.mjs';

test('--model /nonexistent: degraded health and 503 on detect', async () => {
  const server = await startServer({ args: ['--model', '/nonexistent/model.onnx'] });
  try {
    const health = await getJson(server.url, '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'degraded');
    assert.equal(health.body.model.status, 'unavailable');
    assert.match(health.body.model.reason, /model\.onnx/);
    assert.doesNotMatch(JSON.stringify(health.body), /\/nonexistent/, 'health answers anyone: no paths');
    assert.equal(health.body.store.status, 'ok');
    assert.deepEqual((await getJson(server.url, '/api/health')).body.model, health.body.model);

    const res = await upload(server.url, readFileSync(join(DARKNET, 'dog.jpg')));
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'unavailable');
    assert.match(res.body.error.message, /model/);
    const summary = await getJson(server.url, '/api/summary');
    assert.equal(summary.body.total_detections, 0);
    assert.equal(summary.body.total_scans, 0);
    assert.equal((await getJson(server.url, '/api/scans')).body.items.length, 0);
    assert.deepEqual(storedImages(server.dataDir), []);
    assert.deepEqual((await getJson(server.url, '/api/models')).body, []);
  } finally {
    await server.stop();
  }
});
