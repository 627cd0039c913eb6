// Shared by the webhook suites: checking a delivery's signature as a receiver would.
import { createHmac, timingSafeEqual } from 'node:crypto';

// Whether `req` (headers and the body as a string) carries the HMAC-SHA256 signature of
// `${timestamp}.${body}` under `secret`, compared in constant time (docs/WEBHOOKS.md).
export function verify(secret, req) {
  const ts = req.headers['x-visionstock-timestamp'];
  const expected = 'sha256=' + createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex');
  const got = req.headers['x-visionstock-signature'] || '';
  return got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}
