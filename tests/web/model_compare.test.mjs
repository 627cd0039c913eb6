// The Models page runs two models on one real photo: the photo painted once per model with its
// boxes (or once with both overlaid, each toggled), and each model's count equal to what POST /api/models/compare-photo answers for the same
// bytes; a stored scan's photo can be chosen instead of a file; nothing is stored.
//
// The second model is the bundled NanoDet registered again to ignore people (the only real
// detector on this machine; see tests/e2e/model_compare.test.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, PHOTOS, api, getJson, launchBrowser, screenshot, startServer, uploadPhoto } from './harness.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODEL = path.join(path.dirname(BIN), 'models', 'nanodet-416.onnx');
const PERSON = path.join(PHOTOS, 'person.jpg');

let server, browser, page, base, tuned;

before(async () => {
  server = await startServer();
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(MODEL)]), 'nanodet-416.onnx');
  form.append('names', fs.readFileSync(path.join(ROOT, 'models', 'coco.names'), 'utf8'));
  form.append('version_name', 'no-people');
  form.append('settings', JSON.stringify({ ignore_classes: ['person'] }));
  tuned = await (await api(server.base, '/api/models', { method: 'POST', body: form })).json();
  [base] = await getJson(server.base, '/api/models');
  browser = await launchBrowser();
  page = await browser.newPage();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// The server's own answer for `bytes` on the two models.
async function apiCompare(bytes) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'photo.jpg');
  const res = await api(server.base, `/api/models/compare-photo?models=${base.id},${tuned.id}`, { method: 'POST', body: form });
  return res.json();
}

async function pickBoth() {
  await page.goto(`${server.base}/#/models`);
  await page.reload(); // a fresh page: the same URL again would keep the last test's choices
  const cmp = page.getByTestId('model-compare');
  await cmp.getByLabel('Baseline').selectOption(String(base.id));
  await cmp.getByLabel('Fine-tuned').selectOption(String(tuned.id));
  await page.getByTestId('comparison-table').waitFor();
  return page.getByTestId('photo-compare');
}

// Per panel: model version, the count it shows, its boxes, and whether its canvas was painted.
async function readPanels() {
  return page.$$eval('[data-testid="compare-panel"]', (panels) => panels.map((p) => {
    const canvas = p.querySelector('canvas');
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 0; i < px.length; i += 4 * 97) if (px[i] || px[i + 1] || px[i + 2]) painted++;
    return {
      version: p.dataset.modelVersion,
      shown: Number(p.querySelector('[data-testid="compare-count"]').textContent.replace(/\D/g, '')),
      boxes: p.querySelectorAll('rect[data-box]').length,
      classes: [...p.querySelectorAll('rect[data-box]')].map((r) => r.dataset.class).sort(),
      painted,
    };
  }));
}

function assertPanelsMatch(panels, answer) {
  assert.equal(panels.length, 2);
  panels.forEach((p, i) => {
    const m = answer.models[i];
    assert.equal(p.version, m.model_version);
    assert.equal(p.shown, m.detections_count, `${p.version}: the count shown is the API's`);
    assert.equal(p.boxes, m.detections_count, `${p.version}: one box per detection`);
    assert.deepEqual(p.classes, m.detections.map((d) => d.class_name).sort());
    assert.ok(p.painted > 100, `${p.version}: the photo is painted under the boxes`);
  });
}

test('two models on a photo from this computer: both sets of boxes, counts equal to the API', { timeout: 120_000 }, async () => {
  const scansBefore = (await getJson(server.base, '/api/scans')).items.length;
  const box = await pickBoth();
  await box.getByLabel('Photo file').setInputFiles(PERSON);
  await box.getByRole('button', { name: 'Run both' }).click();
  await page.locator('[data-testid="compare-panel"]').nth(1).waitFor();

  const answer = await apiCompare(fs.readFileSync(PERSON));
  const panels = await readPanels();
  assertPanelsMatch(panels, answer);
  assert.ok(answer.models[0].counts.person >= 1, 'the bundled model sees the person');
  assert.ok(panels[0].classes.includes('person'));
  assert.ok(!panels[1].classes.includes('person'), 'the second model ignores people');
  const personRow = await page.getByTestId('compare-counts').locator('tr[data-class="person"]').innerText();
  assert.match(personRow, new RegExp(`${answer.models[0].counts.person}\\s+0\\s+-${answer.models[0].counts.person}`));

  await box.getByLabel('Show labels').uncheck();
  assert.equal(await page.locator('[data-testid="compare-panel"] .box-label').count(), 0);
  await box.getByLabel('Show labels').check();
  await screenshot(page, 'models-compare-photo');

  // Overlaid: one photo, both sets of boxes, each model toggled on its own.
  await box.getByLabel('View').selectOption('overlay');
  const overlay = page.getByTestId('compare-overlay');
  await overlay.waitFor();
  const [a, b] = answer.models;
  const overlaid = () => overlay.locator('rect[data-box]').count();
  assert.equal(await overlaid(), a.detections_count + b.detections_count);
  await overlay.getByLabel(`${b.model_version} (${b.detections_count})`).uncheck();
  assert.equal(await overlaid(), a.detections_count);
  await overlay.getByLabel(`${a.model_version} (${a.detections_count})`).uncheck();
  await overlay.getByLabel(`${b.model_version} (${b.detections_count})`).check();
  assert.equal(await overlaid(), b.detections_count);
  await overlay.getByLabel(`${a.model_version} (${a.detections_count})`).check();
  await screenshot(page, 'models-compare-photo-overlay');
  await box.getByLabel('View').selectOption('side');
  assert.equal((await getJson(server.base, '/api/scans')).items.length, scansBefore, 'nothing stored');
  assert.deepEqual(page.errors, []);
});

test('a stored scan\'s photo can be compared instead', { timeout: 120_000 }, async () => {
  const scan = await uploadPhoto(server.base, path.join(PHOTOS, 'dog.jpg'), { store: 'berlin-01', shelf_location: 'aisle-3' });
  const box = await pickBoth();
  await box.getByLabel('Photo', { exact: true }).selectOption('scan');
  await box.getByLabel('Stored scan').selectOption(String(scan.scan_id));
  await box.getByRole('button', { name: 'Run both' }).click();
  await page.locator('[data-testid="compare-panel"]').nth(1).waitFor();
  const stored = Buffer.from(await (await api(server.base, `/api/scans/${scan.scan_id}/image`)).arrayBuffer());
  const answer = await apiCompare(stored);
  assert.equal(answer.models[0].counts.dog, 1, JSON.stringify(answer.models[0].counts));
  assertPanelsMatch(await readPanels(), answer);
  assert.deepEqual(page.errors, []);
});

test('a refused photo shows the server\'s message', { timeout: 60_000 }, async () => {
  const box = await pickBoth();
  await box.getByLabel('Photo file').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo at all') });
  await box.getByRole('button', { name: 'Run both' }).click();
  const err = page.getByTestId('photo-compare-error');
  await err.waitFor();
  assert.match(await err.innerText(), /\(415\)/);
  assert.equal(await page.locator('[data-testid="compare-panel"]').count(), 0);
});
