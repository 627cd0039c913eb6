// The Overview follows new scans without a reload: within one second of the upload returning
// over the WebSocket, and within the polling interval when the WebSocket is blocked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PHOTOS, getJson, launchBrowser, readKpis, screenshot, startServer, uploadPhoto, waitLive } from './harness.mjs';

const POLL_MS = 2500; // web/src/live.js
let server, browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openOverview(page) {
  await page.goto(`${server.base}/#/overview`);
  // Loaded: the KPI strip holds the API's figures.
  await page.locator('[data-kpi="total_detections"][data-value]:not([data-value=""])').waitFor();
  await page.evaluate(() => (window.__notReloaded = true));
}

// Uploads `photo` through the API and waits (at most `budgetMs` after the POST returned) until the
// Overview shows the new totals, the new scan among the latest scans and the new detections in
// the chart. Returns the time it took.
async function uploadAndWait(page, photo, budgetMs, fields) {
  const kpis = await readKpis(page);
  const before = Number(kpis.total_detections);
  const scansBefore = Number(kpis.total_scans);
  const result = await uploadPhoto(server.base, path.join(PHOTOS, photo), fields);
  const returned = Date.now();
  assert.ok(result.detections_count > 0, `${photo} should produce detections: ${JSON.stringify(result)}`);
  const want = { id: result.scan_id, total: before + result.detections_count, scans: scansBefore + 1 };
  try {
    await page.waitForFunction(
      (w) => {
        const v = (k) => Number(document.querySelector(`[data-kpi="${k}"]`)?.dataset.value);
        const chart = document.querySelector('[data-testid="activity-chart"]');
        return (
          v('total_detections') === w.total &&
          v('total_scans') === w.scans &&
          document.querySelector(`[data-testid="latest-scans"] [data-scan-id="${w.id}"]`) !== null &&
          chart !== null &&
          Number(chart.dataset.total) === w.total
        );
      },
      want,
      { timeout: Math.max(1, budgetMs - (Date.now() - returned)), polling: 10 },
    );
  } catch (e) {
    const now = await readKpis(page);
    throw new Error(`Overview did not show scan ${want.id} within ${budgetMs} ms: wanted ${JSON.stringify(want)}, KPIs ${JSON.stringify(now)} (${e.message})`);
  }
  const elapsed = Date.now() - returned;
  assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page must not reload');
  // The figures are the API's.
  const summary = await getJson(server.base, '/api/summary');
  const shown = await readKpis(page);
  assert.equal(Number(shown.total_detections), summary.total_detections);
  assert.equal(Number(shown.unique_skus), summary.unique_skus);
  assert.equal(Number(shown.unique_classes), summary.unique_classes);
  assert.equal(Number(shown.average_confidence), summary.average_confidence);
  return elapsed;
}

test('Overview shows a new scan within one second of the upload (WebSocket push)', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  await openOverview(page);
  await waitLive(page);
  for (const photo of ['dog.jpg', 'horses.jpg']) {
    const ms = await uploadAndWait(page, photo, 1000, { store: 'north', shelf_location: 'aisle-1' });
    console.log(`live push: ${photo} visible ${ms} ms after the upload returned`);
  }
  assert.match(await page.locator('[data-testid="last-updated"]').innerText(), /Data updated/);
  await screenshot(page, 'overview-live');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('with the WebSocket blocked the Overview falls back to polling and catches up', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  let attempts = 0;
  await page.routeWebSocket(/\/api\/live/, (ws) => {
    attempts += 1;
    ws.close({ code: 1011, reason: 'blocked by the test' });
  });
  await openOverview(page);
  await page.locator('[data-testid="live-status"][data-mode="polling"]').waitFor({ timeout: 10_000 });
  assert.match(await page.locator('[data-testid="live-status"]').innerText(), /Polling/);
  const ms = await uploadAndWait(page, 'person.jpg', POLL_MS + 1500, { store: 'south', shelf_location: 'aisle-2' });
  console.log(`polling: person.jpg visible ${ms} ms after the upload returned`);
  assert.ok(attempts >= 1, 'the dashboard should have tried the WebSocket');
  assert.equal(await page.locator('[data-testid="live-status"]').getAttribute('data-mode'), 'polling');
  await page.close();
});

test('a dropped WebSocket reconnects with ?after=<last event id seen> and stays live', { timeout: 90_000 }, async () => {
  const page = await browser.newPage();
  const sockets = [];
  await page.routeWebSocket(/\/api\/live/, (ws) => {
    sockets.push(ws);
    ws.connectToServer();
  });
  await openOverview(page);
  await waitLive(page);
  await uploadAndWait(page, 'eagle.jpg', 1000, { store: 'north', shelf_location: 'aisle-3' });
  const status = page.getByTestId('live-status');
  const seen = Number(await status.getAttribute('data-last-event-id'));
  assert.ok(seen > 0, 'the dashboard should have seen an event id');
  assert.equal(sockets.length, 1);

  await sockets[0].close({ code: 1008, reason: 'too slow' });
  await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]').dataset.mode !== 'live', null, { timeout: 5000 }).catch(() => {});
  // Meanwhile a scan arrives; the dashboard must catch up once reconnected.
  const missed = await uploadPhoto(server.base, path.join(PHOTOS, 'giraffe.jpg'), { store: 'north', shelf_location: 'aisle-3' });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="live-status"][data-mode="live"]').length === 1, null, { timeout: 15_000 });
  assert.ok(sockets.length >= 2, 'the dashboard should reconnect');
  const url = new URL(sockets[1].url());
  assert.equal(url.searchParams.get('after'), String(seen));
  await page.locator(`[data-testid="latest-scans"] [data-scan-id="${missed.scan_id}"]`).waitFor({ timeout: 5000 });
  const ms = await uploadAndWait(page, 'kite.jpg', 1000, { store: 'north', shelf_location: 'aisle-3' });
  console.log(`after reconnecting: kite.jpg visible ${ms} ms after the upload returned`);
  await page.close();
});

test('Refresh re-reads the data bypassing caches; auto-refresh can be switched on', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  await openOverview(page);
  await waitLive(page);
  const seen = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/summary')) seen.push(r.headers());
  });
  const before = await page.locator('[data-testid="last-updated"] time').getAttribute('datetime');
  await page.waitForTimeout(1100); // the shown time has a one-second resolution
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.waitForFunction(
    (b) => document.querySelector('[data-testid="last-updated"] time')?.getAttribute('datetime') !== b,
    before,
    { timeout: 5000 },
  );
  assert.ok(seen.length >= 1, 'Refresh should re-read /api/summary');
  assert.ok(!('if-none-match' in seen[0]), 'Refresh must not revalidate with a stored ETag');

  const toggle = page.getByLabel('Auto-refresh', { exact: true });
  await toggle.check();
  await page.locator('#auto-interval').selectOption('5');
  seen.length = 0;
  await page.waitForTimeout(5600);
  assert.ok(seen.length >= 1, 'auto-refresh every 5 s should re-read /api/summary');
  await toggle.uncheck();
  await page.close();
});
