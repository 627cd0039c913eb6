// REST client for the VisionStock API (same origin).
//
// GET answers are remembered with their ETag; the next GET of the same URL sends
// If-None-Match and a 304 reuses the remembered body, so re-reading unchanged data is cheap.
// `noStore: true` bypasses both the browser cache and this one (the Refresh button).
// Failures throw ApiError carrying the server's {"error": {code, message}} when it sent one.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const etagCache = new Map(); // url -> {etag, body, headers}
const MAX_CACHE = 200;

export function queryString(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

async function errorFrom(res) {
  let code = 'http_' + res.status, message = `${res.status} ${res.statusText || 'error'}`;
  try {
    const body = await res.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}

// GET a JSON resource. Returns {body, headers} where headers is a plain object of the few
// headers the dashboard reads (x-next-cursor).
export async function getJson(path, { noStore = false, signal } = {}) {
  const cached = etagCache.get(path);
  const headers = { Accept: 'application/json' };
  if (cached && !noStore) headers['If-None-Match'] = cached.etag;
  let res;
  try {
    res = await fetch(path, { headers, cache: noStore ? 'no-store' : 'no-cache', signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', `Cannot reach the VisionStock server (${e.message})`);
  }
  if (res.status === 304 && cached) return { body: cached.body, headers: cached.headers, notModified: true };
  if (!res.ok) throw await errorFrom(res);
  const body = await res.json();
  const kept = { 'x-next-cursor': res.headers.get('X-Next-Cursor') };
  const etag = res.headers.get('ETag');
  if (etag) {
    if (etagCache.size >= MAX_CACHE) etagCache.delete(etagCache.keys().next().value);
    etagCache.set(path, { etag, body, headers: kept });
  }
  return { body, headers: kept, notModified: false };
}

export async function get(path, opts) {
  return (await getJson(path, opts)).body;
}

export function clearCache() {
  etagCache.clear();
}

async function send(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', `Cannot reach the VisionStock server (${e.message})`);
  }
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export const post = (path, body) => send('POST', path, body);

// POST a multipart form (FormData); resolves with the JSON answer, rejects with ApiError.
export async function postForm(path, form) {
  let res;
  try {
    res = await fetch(path, { method: 'POST', body: form, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', `Cannot reach the VisionStock server (${e.message})`);
  }
  if (!res.ok) throw await errorFrom(res);
  return res.json();
}
export const put = (path, body) => send('PUT', path, body);
export const del = (path) => send('DELETE', path);

// Uploads one photo to POST /api/detect with XHR so that upload progress is observable.
// onProgress(fraction 0..1). Resolves with the detect answer; rejects with ApiError.
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024; // the server's request body limit

export function uploadPhoto(file, fields, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v) form.append(k, v);
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/detect');
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // leave null
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        onProgress(1);
        resolve(body);
      } else if (body && body.error) {
        reject(new ApiError(xhr.status, body.error.code, body.error.message));
      } else {
        reject(new ApiError(xhr.status, 'http_' + xhr.status, `Upload failed: ${xhr.status} ${xhr.statusText}`));
      }
    };
    xhr.onerror = () =>
      reject(
        file.size > MAX_UPLOAD_BYTES
          ? new ApiError(413, 'too_large', `The server closed the upload: ${file.name} is over the 20 MiB limit`)
          : new ApiError(0, 'network', 'Upload failed: cannot reach the server'),
      );
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled'));
    xhr.send(form);
  });
}
