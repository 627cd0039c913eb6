// Detect page: several photos uploaded at once with store and shelf location; results drawn on
// each photo; a rejected file shows the API's own message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PHOTOS, authHeaders, getJson, launchBrowser, screenshot, startServer } from './harness.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('uploading photos on the Detect page stores scans and draws their detections', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/#/detect`);
  await page.getByLabel('Store').fill('east');
  await page.getByLabel('Shelf location').fill('bay-7');
  const notAnImage = Buffer.from('this is a shopping list, not a photo\n');
  await page.getByLabel('Shelf photos').setInputFiles([
    { name: 'dog.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(path.join(PHOTOS, 'dog.jpg')) },
    { name: 'eagle.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(path.join(PHOTOS, 'eagle.jpg')) },
    { name: 'list.jpg', mimeType: 'image/jpeg', buffer: notAnImage },
  ]);
  await page.getByRole('button', { name: 'Upload and detect' }).click();

  const uploads = page.getByTestId('upload');
  await page.waitForFunction(
    () => {
      const items = [...document.querySelectorAll('[data-testid="upload"]')];
      return items.length === 3 && items.every((i) => ['done', 'error'].includes(i.dataset.status));
    },
    null,
    { timeout: 60_000 },
  );
  assert.equal(await uploads.count(), 3);

  // The two photos: stored with the store and shelf given, every detection boxed.
  const results = page.getByTestId('upload-result');
  assert.equal(await results.count(), 2);
  for (let i = 0; i < 2; i++) {
    const id = Number(await results.nth(i).getAttribute('data-scan-id'));
    const scan = await getJson(server.base, `/api/scans/${id}`);
    assert.equal(scan.store, 'east');
    assert.equal(scan.shelf_location, 'bay-7');
    assert.equal(await results.nth(i).locator('rect[data-box]').count(), scan.detections.length);
    assert.ok(scan.detections.length > 0, `scan ${id} should hold detections`);
  }
  const page1 = await getJson(server.base, '/api/scans?store=east');
  assert.equal(page1.items.length, 2);

  // The rejected file: the API's status and message, word for word.
  const form = new FormData();
  form.append('file', new Blob([notAnImage], { type: 'image/jpeg' }), 'list.jpg');
  const res = await fetch(`${server.base}/api/detect`, { method: 'POST', body: form, headers: authHeaders(server.base) });
  const body = await res.json();
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  const err = page.getByTestId('upload-error');
  assert.equal(await err.count(), 1);
  const text = await err.innerText();
  assert.ok(text.includes('list.jpg'), text);
  assert.ok(text.includes(body.error.message), `"${text}" should carry "${body.error.message}"`);
  assert.ok(text.includes(String(res.status)), text);

  for (const img of await page.locator('[data-testid="upload-result"] img').all()) await img.evaluate((e) => e.decode());
  await screenshot(page, 'detect');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an oversized file is refused with a clear message', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/#/detect`);
  // A JPEG header followed by 21 MiB: over the 20 MiB limit.
  const big = Buffer.alloc(21 * 1024 * 1024);
  fs.readFileSync(path.join(PHOTOS, 'dog.jpg')).copy(big);
  await page.getByLabel('Shelf photos').setInputFiles([{ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: big }]);
  await page.getByRole('button', { name: 'Upload and detect' }).click();
  const err = page.getByTestId('upload-error');
  await err.waitFor({ timeout: 60_000 });
  const text = await err.innerText();
  assert.match(text, /huge\.jpg was not accepted/);
  assert.match(text, /413/);
  await page.close();
});
