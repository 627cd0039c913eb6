// The Models page against the real server: upload a model through the form (a bad file's error
// shown), evaluate it on a set under the data folder with its progress, compare two versions with
// their differences, activate; the Detect page runs a chosen model.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, PHOTOS, getJson, launchBrowser, screenshot, startServer } from './harness.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODEL = path.join(path.dirname(BIN), 'models', 'nanodet-416.onnx');

let server, browser, page;

before(async () => {
  server = await startServer();
  fs.cpSync(path.join(ROOT, 'tests', 'data', 'eval'), path.join(server.dataDir, 'sets', 'eval'), { recursive: true });
  browser = await launchBrowser();
  page = await browser.newPage();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('upload, evaluate, compare and activate through the Models page', { timeout: 180_000 }, async () => {
  await page.goto(`${server.base}/#/models`);
  const form = page.getByTestId('model-upload');
  await form.getByLabel('ONNX model').setInputFiles({ name: 'junk.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model') });
  await form.getByRole('button', { name: 'Upload' }).click();
  await page.getByTestId('model-upload-error').waitFor();
  assert.match(await page.getByTestId('model-upload-error').innerText(), /422.*not a usable ONNX detector/);

  await form.getByLabel('ONNX model').setInputFiles(MODEL);
  await form.getByLabel('Version name').fill('no-people');
  await form.getByLabel('Type').fill('finetuned');
  await form.getByLabel('Ignore classes').fill('person');
  await form.getByRole('button', { name: 'Upload' }).click();
  await page.getByText('Registered no-people (nanodet).').waitFor();
  const models = await getJson(server.base, '/api/models');
  assert.equal(models.length, 2);
  const [base, tuned] = models;
  const row = page.locator(`[data-testid="models-table"] tr[data-model-id="${tuned.id}"]`);
  await row.waitFor();

  for (const v of [base, tuned]) {
    const r = page.locator(`[data-testid="models-table"] tr[data-model-id="${v.id}"]`);
    await r.getByLabel(`Labelled set for ${v.version_name}`).fill('sets/eval');
    await r.getByRole('button', { name: 'Evaluate' }).click();
    await r.locator('[data-testid="evaluation-state"][data-state="done"]').waitFor({ timeout: 120_000 });
    assert.match(await r.innerText(), /sets\/eval/, 'the set it was measured on');
  }

  const cmp = page.getByTestId('model-compare');
  await cmp.getByLabel('Baseline').selectOption(String(base.id));
  await cmp.getByLabel('Fine-tuned').selectOption(String(tuned.id));
  const table = page.getByTestId('comparison-table');
  await table.waitFor();
  const api = await getJson(server.base, `/api/models/comparison?baseline_id=${base.id}&finetuned_id=${tuned.id}`);
  const map50 = await table.locator('tr[data-metric="map50"]').innerText();
  assert.ok(map50.includes(api.baseline.map50.toFixed(3)), map50);
  assert.ok(map50.includes(api.finetuned.map50.toFixed(3)), map50);
  await screenshot(page, 'models-compare');

  await row.getByTestId('activate').click();
  await row.getByText('Active').waitFor();
  await page.getByTestId('running-model').getByText('no-people').waitFor();
  assert.deepEqual(page.errors, []);
});

test('the Detect page runs the chosen model', { timeout: 60_000 }, async () => {
  await page.goto(`${server.base}/#/detect`);
  const pick = page.getByTestId('detect-model');
  const [base] = await getJson(server.base, '/api/models');
  await pick.selectOption(base.version_name);
  await page.getByLabel('Shelf photos').setInputFiles(path.join(PHOTOS, 'person.jpg'));
  await page.getByRole('button', { name: 'Upload and detect' }).click();
  const used = page.getByTestId('upload-model');
  await used.waitFor();
  assert.equal(await used.innerText(), base.version_name);
  assert.deepEqual(page.errors, []);
});
