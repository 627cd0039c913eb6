// serve --photos database: photos are rows of the store, served like files, and no file is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, binary, cleanEnv, fetch, startServer, storedImages, tempDir, upload } from './helpers/server.mjs';

test('photos kept in the database are served and never written to the data folder', async () => {
  const server = await startServer({ args: ['--photos', 'database'] });
  try {
    const res = await upload(server.url, readFileSync(join(DARKNET, 'dog.jpg')), { shelf_location: 'db-photos' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(storedImages(server.dataDir), []);
    const image = await fetch(`${server.url}/api/scans/${res.body.scan_id}/image`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await image.arrayBuffer());
    assert.equal(bytes[0], 0xff);
    assert.equal(bytes[1], 0xd8);
  } finally {
    await server.stop();
  }
});

test('quota and retention are refused with photos in the database', () => {
  const run = spawnSync(binary(), ['serve', '--port', '0', '--data-dir', tempDir(), '--photos', 'database', '--photo-quota-mb', '100'],
    { env: cleanEnv(), encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /apply to photo files only/);
});
