// Detect: upload one or many shelf photos with store and shelf location; per-file upload
// progress; the detections drawn on each photo; the API's message for rejected files.
import { useRef, useState } from 'preact/hooks';
import { get, uploadPhoto } from '../api.js';
import { useData } from '../hooks.js';
import { PageHeader, ScanView, fmtInt, fmtNum, html } from '../ui.js';

let nextKey = 1;

function FileRow({ item }) {
  const pct = Math.round(item.progress * 100);
  return html`<li class=${`upload ${item.status}`} data-testid="upload" data-status=${item.status}>
    <div class="upload-head">
      <strong class="upload-name">${item.file.name}</strong>
      <span class="muted">${(item.file.size / 1024).toFixed(0)} KiB</span>
      <span class="upload-state" role="status">
        ${item.status === 'queued' ? 'Waiting' : null}
        ${item.status === 'uploading' ? `Uploading ${pct}%` : null}
        ${item.status === 'processing' ? 'Detecting…' : null}
        ${item.status === 'done' ? `${fmtInt(item.result.detections_count)} detection${item.result.detections_count === 1 ? '' : 's'} in ${fmtNum(item.result.inference_ms, 0)} ms` : null}
        ${item.status === 'error' ? 'Rejected' : null}
      </span>
    </div>
    ${item.status === 'uploading' || item.status === 'processing' || item.status === 'queued'
      ? html`<progress max="100" value=${item.status === 'queued' ? 0 : pct} aria-label=${`Upload of ${item.file.name}`}></progress>`
      : null}
    ${item.status === 'error'
      ? html`<p class="alert error" role="alert" data-testid="upload-error">
          <strong>${item.file.name} was not accepted${item.error.status ? ` (${item.error.status}${item.error.code ? ' ' + item.error.code : ''})` : ''}:</strong> ${item.error.message}
        </p>`
      : null}
    ${item.status === 'done'
      ? html`<div class="upload-result" data-testid="upload-result" data-scan-id=${item.result.scan_id}>
          <p><a href=${'#/scans/' + item.result.scan_id}>Scan #${item.result.scan_id}</a> · ${item.result.store} · ${item.result.shelf_location}${item.result.model_version ? html` · <span data-testid="upload-model">${item.result.model_version}</span>` : null}</p>
          <${ScanView} scan=${{ ...item.result, id: item.result.scan_id }} detections=${item.result.detections}
            imageUrl=${item.result.image_url} idPrefix=${'up' + item.key} />
        </div>`
      : null}
  </li>`;
}

export function Detect() {
  const options = useData((o) => get('/api/filters', o), [], ['scans']);
  const health = useData((o) => get('/api/health', o), [], ['models']);
  const models = useData((o) => get('/api/models', o), [], ['models']);
  const [modelChoice, setModelChoice] = useState('');
  const [store, setStore] = useState('');
  const [shelf, setShelf] = useState('');
  const [capturedAt, setCapturedAt] = useState('');
  const [items, setItems] = useState([]);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef(null);

  const update = (key, patch) => setItems((list) => list.map((it) => (it.key === key ? { ...it, ...patch } : it)));

  const submit = async (e) => {
    e.preventDefault();
    const files = [...(fileInput.current.files || [])];
    if (!files.length) return;
    const fields = {
      store: store.trim(),
      shelf_location: shelf.trim(),
      captured_at: capturedAt ? new Date(capturedAt).toISOString() : '',
      model: modelChoice,
    };
    const batch = files.map((file) => ({ key: nextKey++, file, status: 'queued', progress: 0 }));
    setItems((list) => [...batch, ...list]);
    fileInput.current.value = '';
    setBusy(true);
    // One at a time: the server runs the detector on a few cores.
    for (const it of batch) {
      update(it.key, { status: 'uploading' });
      try {
        const result = await uploadPhoto(it.file, fields, (p) =>
          update(it.key, p >= 1 ? { progress: 1, status: 'processing' } : { progress: p }),
        );
        update(it.key, { status: 'done', result, progress: 1 });
      } catch (error) {
        update(it.key, { status: 'error', error });
      }
    }
    setBusy(false);
  };

  const opts = options.data || {};
  const model = health.data && health.data.model;
  return html`<${PageHeader} title="Detect" states=${[options, health]} />
    ${model && model.status !== 'ready'
      ? html`<div class="alert error" role="alert">The detector is unavailable${model.reason ? `: ${model.reason}` : ''}. Uploads will be refused until it is back.</div>`
      : null}
    <p class="card muted only-viewer" data-testid="detect-viewer-note">Your role (viewer) may look but not upload; an operator or admin can.</p>
    <form class="card upload-form needs-operator" onSubmit=${submit} data-testid="detect-form">
      <div class="field">
        <label for="d-store">Store</label>
        <input id="d-store" list="d-stores" value=${store} placeholder="default" autocomplete="off"
          onInput=${(e) => setStore(e.currentTarget.value)} />
        <datalist id="d-stores">${(opts.stores || []).map((s) => html`<option value=${s} />`)}</datalist>
      </div>
      <div class="field">
        <label for="d-shelf">Shelf location</label>
        <input id="d-shelf" list="d-shelves" value=${shelf} placeholder="unassigned" autocomplete="off"
          onInput=${(e) => setShelf(e.currentTarget.value)} />
        <datalist id="d-shelves">${(opts.shelf_locations || []).map((s) => html`<option value=${s} />`)}</datalist>
      </div>
      <div class="field">
        <label for="d-captured">Captured at <span class="muted">(optional)</span></label>
        <input id="d-captured" type="datetime-local" value=${capturedAt} onInput=${(e) => setCapturedAt(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="d-model">Model</label>
        <select id="d-model" value=${modelChoice} onChange=${(e) => setModelChoice(e.currentTarget.value)} data-testid="detect-model">
          <option value="">Active model${model && model.version_name ? ` (${model.version_name})` : ''}</option>
          ${(models.data || []).filter((v) => v.serving && !v.is_active).map((v) => html`<option value=${v.version_name}>${v.version_name}</option>`)}
        </select>
      </div>
      <div class="field field-wide">
        <label for="d-files">Shelf photos</label>
        <input id="d-files" ref=${fileInput} type="file" accept="image/*" multiple required />
        <p class="hint muted">JPEG, PNG, BMP or WebP, up to 20 MiB each. Select several files to upload them in one go.</p>
      </div>
      <div class="field field-end">
        <button type="submit" class="button" disabled=${busy}>${busy ? 'Uploading…' : 'Upload and detect'}</button>
      </div>
    </form>
    ${items.length
      ? html`<section aria-labelledby="uploads-title">
          <h2 id="uploads-title" class="section-title">Uploads</h2>
          <ul class="uploads">${items.map((it) => html`<${FileRow} key=${it.key} item=${it} />`)}</ul>
        </section>`
      : html`<p class="muted">Results appear here with every detected product boxed on the photo.
          You can also send photos from the command line with <code>visionstock detect</code>.</p>`}`;
}
