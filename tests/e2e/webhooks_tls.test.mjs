// Webhooks over https against real TLS receivers started here, with certificates made here by
// `openssl req` / `openssl x509` in a temporary folder: a private CA (trusted with
// --webhook-ca-file), a certificate it signed for localhost and 127.0.0.1, one it signed for
// another host name, and a self-signed one for localhost that no trust list holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, binary, cleanEnv, startServer, tempDir, getJson, until } from './helpers/server.mjs';
import { verify } from './helpers/webhooks.mjs';

// One attempt per delivery: every outcome is final at once.
const ONE_ATTEMPT = ['--webhook-max-attempts', '1'];

let certs;  // folder of the generated keys and certificates
const pem = (name) => readFileSync(join(certs, name));

function openssl(...args) {
  execFileSync('openssl', args, { cwd: certs, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

// A key and a certificate for `san` (subjectAltName) signed by the test CA.
function caSigned(name, cn, san) {
  openssl('req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  writeFileSync(join(certs, `${name}.ext`),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

before(() => {
  certs = tempDir('vs-webhooks-tls-');
  openssl('req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=VisionStock e2e test CA');
  caSigned('localhost', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  caSigned('wrong', 'receiver.example', 'DNS:receiver.example');
  openssl('req', '-x509', ...EC, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
});

after(() => rmSync(certs, { recursive: true, force: true }));

// An https receiver with certificate `name` that answers `status` and keeps every request
// (with the SNI name the client sent).
async function startReceiver(name, status = 200) {
  const requests = [];
  const server = createServer({ key: pem(`${name}.key`), cert: pem(`${name}.pem`) }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      requests.push({ url: req.url, headers: req.headers, body, servername: req.socket.servername });
      const headers = status >= 300 && status < 400 ? { Location: 'https://localhost/elsewhere' } : {};
      res.writeHead(status, headers).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}



const send = (server, method, path, body) => getJson(server.url, path, {
  method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
});

async function subscribe(server, url) {
  const res = await send(server, 'POST', '/api/webhooks', { url, event_types: ['product.changed'] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

// The one delivery of `hook` once it is delivered or failed.
const finished = (server, hook) => until(`webhook ${hook.id} to finish`, async () => {
  const d = (await getJson(server.url, `/api/webhooks/${hook.id}/deliveries`)).body;
  return d.length === 1 && d[0].status !== 'pending' ? d[0] : null;
});

const commitAnEvent = async (server, sku) => assert.equal(
  (await send(server, 'POST', '/api/products', { class_name: 'bottle', sku })).status, 201);

test('with the CA file, https deliveries arrive signed (by name with SNI, and by IP address)', async () => {
  const rx = await startReceiver('localhost');
  const redirecting = await startReceiver('localhost', 302);
  const server = await startServer({ args: [...ONE_ATTEMPT, '--webhook-ca-file', join(certs, 'ca.pem')] });
  try {
    const byName = await subscribe(server, `https://localhost:${rx.port}/hooks/in?x=1`);
    const byAddress = await subscribe(server, `https://127.0.0.1:${rx.port}/hooks/ip`);
    const redirected = await subscribe(server, `https://localhost:${redirecting.port}/moved`);
    await commitAnEvent(server, 'TLS-1');

    for (const hook of [byName, byAddress]) {
      const d = await finished(server, hook);
      assert.equal(d.status, 'delivered', JSON.stringify(d));
      assert.equal(d.last_status, 200);
    }
    assert.equal(rx.requests.length, 2);
    const named = rx.requests.find((r) => r.url === '/hooks/in?x=1');
    const literal = rx.requests.find((r) => r.url === '/hooks/ip');
    assert.ok(verify(byName.secret, named), 'valid signature');
    assert.ok(verify(byAddress.secret, literal), 'valid signature');
    assert.ok(!verify(byAddress.secret, named), 'each webhook signs with its own secret');
    assert.equal(named.servername, 'localhost', 'the host name is sent as SNI');
    assert.equal(named.headers.host, `localhost:${rx.port}`);
    assert.ok(!literal.servername, 'no SNI for a literal address');
    assert.equal(JSON.parse(named.body).type, 'product.changed');

    // A redirect is not followed over https either: a failed attempt.
    const moved = await finished(server, redirected);
    assert.equal(moved.status, 'failed');
    assert.equal(moved.last_status, 302);
    assert.match(moved.last_error, /^HTTP 302/);
    assert.equal(redirecting.requests.length, 1);
  } finally {
    await server.stop();
    await rx.close();
    await redirecting.close();
  }
});

test('refused certificates: self-signed, wrong host name, and a private CA without the CA file', async () => {
  const self = await startReceiver('self');
  const wrong = await startReceiver('wrong');
  const privateCa = await startReceiver('localhost');
  const withCa = await startServer({ args: [...ONE_ATTEMPT, '--webhook-ca-file', join(certs, 'ca.pem')] });
  const systemOnly = await startServer({ args: ONE_ATTEMPT });
  try {
    const selfHook = await subscribe(withCa, `https://localhost:${self.port}/in`);
    const wrongHook = await subscribe(withCa, `https://localhost:${wrong.port}/in`);
    const untrustedHook = await subscribe(systemOnly, `https://localhost:${privateCa.port}/in`);
    await commitAnEvent(withCa, 'TLS-2');
    await commitAnEvent(systemOnly, 'TLS-3');

    const cases = [
      [withCa, selfHook, /^TLS handshake failed: certificate verify failed: self-signed certificate$/],
      [withCa, wrongHook, /^TLS handshake failed: certificate verify failed: hostname mismatch$/],
      [systemOnly, untrustedHook,
        /^TLS handshake failed: certificate verify failed: unable to get local issuer certificate$/],
    ];
    for (const [server, hook, error] of cases) {
      const d = await finished(server, hook);
      assert.equal(d.status, 'failed', JSON.stringify(d));
      assert.equal(d.attempts, 1);
      assert.equal(d.last_status, null, 'no HTTP answer: the request was never sent');
      assert.match(d.last_error, error);
      assert.ok(server.logs.some((l) => l.msg === 'webhook delivery failed, giving up'
        && l.error === d.last_error), 'the failure is logged with its reason');
    }
    // Not one request reached a refused receiver.
    assert.equal(self.requests.length + wrong.requests.length + privateCa.requests.length, 0);
  } finally {
    await withCa.stop();
    await systemOnly.stop();
    await self.close();
    await wrong.close();
    await privateCa.close();
  }
});

test('the SSRF checks still apply to https urls', async () => {
  const server = await startServer();
  try {
    for (const url of ['https://169.254.169.254/latest/meta-data/', 'https://[fe80::1]/',
      'https://user:pw@localhost/', 'https://localhost/#frag', 'https://localhost:0/']) {
      const res = await send(server, 'POST', '/api/webhooks', { url, event_types: ['scan.created'] });
      assert.equal(res.status, 422, url);
    }
    assert.equal((await getJson(server.url, '/api/webhooks')).body.length, 0);
  } finally {
    await server.stop();
  }
});

test('an unreadable or certificate-less CA file stops serve at start (exit 2)', () => {
  const notPem = join(certs, 'photo.pem');
  writeFileSync(notPem, readFileSync(join(DARKNET, 'dog.jpg')));
  for (const [file, reason] of [[join(certs, 'missing.pem'), /cannot read the webhook CA file/],
    [notPem, /holds no PEM certificate/]]) {
    const dataDir = tempDir();
    const run = spawnSync(binary(), ['serve', '--port', '0', '--data-dir', dataDir,
      '--webhook-ca-file', file], { env: cleanEnv(), encoding: 'utf8', timeout: 30_000 });
    rmSync(dataDir, { recursive: true, force: true });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /cannot set up TLS for webhooks/);
    assert.match(run.stderr, reason);
  }
});
