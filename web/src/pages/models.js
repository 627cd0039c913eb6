// Models: the running detector, every registered version with its measured metrics and the set
// they were measured on, and (admin) upload, evaluation with progress, activation; a side-by-side
// comparison of two versions with the differences, and (operator) both run on one photo.
import { useState } from 'preact/hooks';
import { get, post, postForm, queryString } from '../api.js';
import { useData } from '../hooks.js';
import { PhotoCompare } from '../photo_compare.js';
import { Empty, PageHeader, fmtDateTime, fmtInt, fmtNum, html } from '../ui.js';

const METRICS = [
  ['map50', 'mAP@50'],
  ['map50_95', 'mAP@50:95'],
  ['precision', 'Precision'],
  ['recall', 'Recall'],
  ['f1_score', 'F1'],
];

// The newest evaluation with accuracy figures, else the newest row at all.
function latest(v) {
  const rows = [...(v.metrics || [])].sort((a, b) => String(b.evaluation_date).localeCompare(String(a.evaluation_date)));
  return rows.find((r) => r.map50 != null || r.map50_95 != null) || rows[0] || {};
}

function UploadForm({ onDone }) {
  const [state, setState] = useState({ busy: false, error: null, done: null });
  const submit = async (e) => {
    e.preventDefault();
    const f = e.currentTarget;
    const form = new FormData();
    const file = f.elements['m-file'].files[0];
    if (!file) return;
    form.append('file', file, file.name);
    const names = f.elements['m-names'].files[0];
    if (names) form.append('names', await names.text());
    for (const [field, id] of [['version_name', 'm-version'], ['model_type', 'm-type']]) {
      const v = f.elements[id].value.trim();
      if (v) form.append(field, v);
    }
    const ignore = f.elements['m-ignore'].value.split(',').map((s) => s.trim()).filter(Boolean);
    const slicing = f.elements['m-slicing'].value;
    form.append('settings', JSON.stringify({ ignore_classes: ignore, slicing: { mode: slicing } }));
    if (f.elements['m-activate'].checked) form.append('activate', 'true');
    setState({ busy: true, error: null, done: null });
    try {
      const created = await postForm('/api/models', form);
      setState({ busy: false, error: null, done: created });
      f.reset();
      onDone();
    } catch (error) {
      setState({ busy: false, error, done: null });
    }
  };
  return html`<form class="card upload-form needs-admin" onSubmit=${submit} data-testid="model-upload">
    <h2>Register a model</h2>
    <div class="field"><label for="m-file">ONNX model</label><input id="m-file" type="file" accept=".onnx" required /></div>
    <div class="field"><label for="m-names">Class names <span class="muted">(optional, one per line)</span></label><input id="m-names" type="file" accept=".names,.txt" /></div>
    <div class="field"><label for="m-version">Version name</label><input id="m-version" placeholder="file name + hash" /></div>
    <div class="field"><label for="m-type">Type</label><input id="m-type" placeholder="baseline, finetuned, …" /></div>
    <div class="field"><label for="m-ignore">Ignore classes</label><input id="m-ignore" placeholder="person" /></div>
    <div class="field"><label for="m-slicing">Slicing</label>
      <select id="m-slicing"><option value="off">Off</option><option value="auto">Auto</option><option value="grid">Grid 2×2</option></select></div>
    <div class="field"><label><input id="m-activate" type="checkbox" /> Activate</label></div>
    <div class="field field-end"><button class="button" type="submit" disabled=${state.busy}>${state.busy ? 'Checking…' : 'Upload'}</button></div>
    ${state.error ? html`<p class="alert error" role="alert" data-testid="model-upload-error">Not registered (${state.error.status}): ${state.error.message}</p>` : null}
    ${state.done ? html`<p class="alert ok" role="status">Registered ${state.done.version_name} (${state.done.serving ? state.done.serving.layout : 'record'}).</p>` : null}
  </form>`;
}

// One evaluation's progress, re-read whenever a model event arrives on the live feed.
function EvaluationStatus({ jobId }) {
  const job = useData((o) => get(`/api/models/evaluations/${jobId}`, o), [jobId], ['models']);
  const j = job.data;
  if (!j) return html`<span class="muted">Starting…</span>`;
  if (j.state === 'running') {
    return html`<span data-testid="evaluation-state" data-state="running"><progress max=${j.total || 1} value=${j.done}></progress> ${j.done}/${j.total}</span>`;
  }
  if (j.state === 'failed') return html`<span class="alert error" data-testid="evaluation-state" data-state="failed">${j.error}</span>`;
  return html`<span data-testid="evaluation-state" data-state="done">Done: mAP@50 ${fmtNum(j.result.map50)}</span>`;
}

function Actions({ v, onChange }) {
  const [data, setData] = useState('');
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const run = async (fn) => {
    setError(null);
    try {
      await fn();
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  if (!v.serving) return html`<span class="muted small">record only</span>`;
  return html`<div class="needs-admin model-actions">
    ${v.is_active ? null : html`<button class="button small" data-testid="activate" onClick=${() => run(() => post(`/api/models/${v.id}/activate`, {}))}>Activate</button>`}
    <form onSubmit=${(e) => { e.preventDefault(); run(async () => setJob((await post(`/api/models/${v.id}/evaluate`, { data })).job_id)); }}>
      <input aria-label=${'Labelled set for ' + v.version_name} placeholder="set under the data folder" value=${data}
        onInput=${(e) => setData(e.currentTarget.value)} required />
      <button class="button small" type="submit">Evaluate</button>
    </form>
    ${job ? html`<${EvaluationStatus} jobId=${job} />` : null}
    ${error ? html`<p class="alert error" role="alert">${error.message}</p>` : null}
  </div>`;
}

function Compare({ list }) {
  const [ids, setIds] = useState({ baseline_id: '', finetuned_id: '' });
  const both = ids.baseline_id && ids.finetuned_id;
  const cmp = useData((o) => (both ? get('/api/models/comparison' + queryString(ids), o) : Promise.resolve(null)), [ids], ['models']);
  const c = cmp.data;
  const picked = both ? [ids.baseline_id, ids.finetuned_id].map((id) => list.find((v) => String(v.id) === String(id))) : [];
  const pick = (key, label) => html`<div class="field"><label for=${'c-' + key}>${label}</label>
    <select id=${'c-' + key} value=${ids[key]} onChange=${(e) => setIds({ ...ids, [key]: e.currentTarget.value })}>
      <option value="">—</option>${list.map((v) => html`<option value=${v.id}>${v.version_name}</option>`)}
    </select></div>`;
  const delta = (d, digits = 3) => (d == null ? '—' : (d > 0 ? '+' : '') + fmtNum(d, digits));
  return html`<section class="card" data-testid="model-compare">
    <h2>Compare two versions</h2>
    <div class="upload-form">${pick('baseline_id', 'Baseline')}${pick('finetuned_id', 'Fine-tuned')}</div>
    ${c
      ? html`<table class="table" data-testid="comparison-table">
          <thead><tr><th scope="col">Metric</th><th scope="col" class="num">${c.baseline.version_name}</th>
            <th scope="col" class="num">${c.finetuned.version_name}</th><th scope="col" class="num">Difference</th></tr></thead>
          <tbody>
            ${[...METRICS, ['inference_time_ms', 'Inference (ms)']].map(([k, l]) => html`<tr data-metric=${k}>
              <th scope="row">${l}</th><td class="num">${fmtNum(c.baseline[k], k === 'inference_time_ms' ? 1 : 3)}</td>
              <td class="num">${fmtNum(c.finetuned[k], k === 'inference_time_ms' ? 1 : 3)}</td>
              <td class="num">${delta(c.improvements[k], k === 'inference_time_ms' ? 1 : 3)}</td></tr>`)}
          </tbody>
        </table>
        ${c.same_dataset ? null : html`<p class="muted">Measured on different sets (${c.baseline.test_dataset_path || '—'} / ${c.finetuned.test_dataset_path || '—'}): the figures are not directly comparable.</p>`}`
      : html`<p class="muted">Pick two versions to see their measured metrics side by side, and run both on one photo.</p>`}
    ${picked.length === 2 && picked.every(Boolean)
      ? html`<${PhotoCompare} key=${ids.baseline_id + '-' + ids.finetuned_id} versions=${picked} />`
      : null}
  </section>`;
}

export function Models() {
  const [bump, setBump] = useState(0);
  const models = useData((o) => get('/api/models', o), [bump], ['models']);
  const health = useData((o) => get('/api/health', o), [bump], ['models']);
  const m = health.data && health.data.model;
  const list = models.data || [];
  const changed = () => setBump((n) => n + 1);
  return html`<${PageHeader} title="Models" states=${[models, health]} />
    ${m
      ? html`<section class="card" data-testid="running-model">
          <h2>Running detector</h2>
          <p>
            <span class=${'chip ' + (m.status === 'ready' ? 'ok' : 'missing')}>${m.status === 'ready' ? 'Ready' : 'Unavailable'}</span>
            ${' '}<strong>${m.version_name || m.name || 'unnamed model'}</strong>
            ${m.reason ? html` — <span>${m.reason}</span>` : null}
            ${m.loaded != null ? html` <span class="muted">· ${fmtInt(m.loaded)} loaded</span>` : null}
          </p>
          <p class="muted">Server ${health.data.version || ''} · store ${health.data.status} · ${fmtInt(health.data.live_clients)} live dashboard connection${health.data.live_clients === 1 ? '' : 's'}</p>
        </section>`
      : null}
    <${UploadForm} onDone=${changed} />
    ${models.data && !list.length
      ? html`<${Empty} title="No model versions registered">
          Register a model above or with <code>POST /api/models</code>; evaluate it on a labelled set and its measured metrics appear here.
        <//>`
      : null}
    ${list.length
      ? html`<div class="table-wrap card"><table class="table" data-testid="models-table">
          <caption class="sr-only">Model versions with their latest evaluation</caption>
          <thead><tr>
            <th scope="col">Version</th><th scope="col">Type</th><th scope="col">Base</th><th scope="col">Trained</th>
            <th scope="col" class="num">Epochs</th>
            ${METRICS.map(([, l]) => html`<th scope="col" class="num">${l}</th>`)}
            <th scope="col" class="num">Inference</th><th scope="col" class="num">Test images</th><th scope="col">Measured on</th>
            <th scope="col" class="needs-admin">Actions</th>
          </tr></thead>
          <tbody>
            ${list.map((v) => {
              const last = latest(v);
              return html`<tr key=${v.id} data-model-id=${v.id}>
                <th scope="row">${v.version_name} ${v.is_active ? html`<span class="chip ok">Active</span>` : null}
                  <div class="muted small">${v.serving ? `${v.serving.layout} ${v.serving.input.join('×')} · ${v.serving.classes.length} classes${v.serving.loaded ? ' · loaded' : ''}` : v.model_path}</div></th>
                <td>${v.model_type || '—'}</td><td>${v.base_model || '—'}</td>
                <td>${v.training_date ? fmtDateTime(v.training_date) : '—'}</td>
                <td class="num">${v.epochs ?? '—'}</td>
                ${METRICS.map(([k]) => html`<td class="num">${fmtNum(last[k])}</td>`)}
                <td class="num">${last.inference_time_ms != null ? fmtNum(last.inference_time_ms, 1) + ' ms' : '—'}</td>
                <td class="num">${last.num_test_images ?? '—'}</td>
                <td>${last.test_dataset_path || '—'}</td>
                <td class="needs-admin"><${Actions} v=${v} onChange=${changed} /></td>
              </tr>`;
            })}
          </tbody>
        </table></div>
        <p class="muted">Metrics shown are each version's latest evaluation; "—" means never measured.</p>
        <${Compare} list=${list} />`
      : null}`;
}
