// The login page, the logged-in user, what a viewer sees, and the dashboard's security headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, api, launchBrowser, screenshot, startServer } from './harness.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser({ anonymous: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('logging in and out of the dashboard', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/#/overview`);
  const form = page.getByTestId('login-form');
  await form.waitFor();
  await screenshot(page, 'login');
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('login-error').waitFor();
  assert.match(await page.getByTestId('login-error').innerText(), /Wrong user name or password/);

  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  const menu = page.getByTestId('user-menu');
  await menu.waitFor();
  assert.match(await menu.innerText(), /admin · admin/);
  await page.locator('[data-testid="live-status"][data-mode="live"]').waitFor({ timeout: 15_000 });
  const cookies = await browser.context.cookies(server.base);
  const session = cookies.find((c) => c.name === 'vs_session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict');

  await page.getByTestId('logout').click();
  await form.waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a viewer sees no upload form and no planogram editing', { timeout: 60_000 }, async () => {
  await api(server.base, '/api/users', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'vic', password: 'viewer-password', role: 'viewer' }),
  });
  const page = await browser.newPage();
  await page.goto(`${server.base}/#/detect`);
  await page.getByLabel('User name').fill('vic');
  await page.getByLabel('Password').fill('viewer-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('detect-viewer-note').waitFor();
  assert.equal(await page.getByTestId('detect-form').isVisible(), false);
  await page.goto(`${server.base}/#/planograms`);
  await page.getByRole('link', { name: 'Export CSV' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'New row' }).isVisible(), false);
  await screenshot(page, 'planograms-viewer');
  await page.getByTestId('logout').click();
  await page.close();
});

test('the dashboard may not be framed and runs no foreign script', async () => {
  const res = await fetch(`${server.base}/`);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
});
