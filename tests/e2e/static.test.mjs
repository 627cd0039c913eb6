// The dashboard's files: served from --web-dir with client-side routing, or a clear 503 when absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { startServer, tempDir, getJson, fetch } from './helpers/server.mjs';

function rawGet(port, path) {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

test('web dir with SPA fallback and caching', async () => {
  const web = tempDir('vs-web-');
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>VisionStock</title>');
  writeFileSync(join(web, 'assets', 'app-1a2b3c4d.js'), 'console.log(1)');
  const server = await startServer({ args: ['--web-dir', web] });
  try {
    const index = await fetch(server.url + '/');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.equal(await (await fetch(server.url + '/reports/detections')).text(), '<!doctype html><title>VisionStock</title>');
    const asset = await fetch(server.url + '/assets/app-1a2b3c4d.js');
    assert.match(asset.headers.get('cache-control'), /immutable/);
    assert.equal((await fetch(server.url + '/missing.css')).status, 404);
    // Sent as is (fetch would normalise the dots away): escapes never leave the web folder.
    for (const path of ['/%2e%2e/%2e%2e/etc/passwd', '/../../etc/passwd', '/assets/..%2f..%2f..%2fetc/passwd']) {
      const res = await rawGet(server.port, path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /root:/);
    }
    assert.equal((await getJson(server.url, '/api/unknown')).status, 404, '/api paths never fall back to index.html');
    assert.equal((await fetch(server.url + '/', { method: 'POST' })).status, 405);
  } finally {
    await server.stop();
    rmSync(web, { recursive: true, force: true });
  }
});

test('without a built dashboard GET / says so', async () => {
  const web = tempDir('vs-web-empty-');
  const server = await startServer({ args: ['--web-dir', web] });
  try {
    const res = await getJson(server.url, '/');
    assert.equal(res.status, 503);
    assert.match(res.body.error.message, /not built/);
  } finally {
    await server.stop();
    rmSync(web, { recursive: true, force: true });
  }
});
