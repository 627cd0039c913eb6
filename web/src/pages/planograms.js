// Planograms: list, create, edit, delete; import and export CSV.
import { useState } from 'preact/hooks';
import { del, get, post, postText, put, queryString } from '../api.js';
import { useData } from '../hooks.js';
import { Empty, PageHeader, fmtDateTime, html } from '../ui.js';

// The import's columns (docs/API.md): planogram_name, sku and expected_count are required.
export const CSV_HEADER = ['planogram_name', 'store', 'shelf_location', 'sku', 'product_name', 'expected_count', 'x_position', 'y_position', 'slot_x1', 'slot_y1', 'slot_x2', 'slot_y2', 'meta_data'];
const BLANK = { planogram_name: '', sku: '', product_name: '', shelf_location: '', expected_count: '1', x_position: '', y_position: '', meta_data: '{}' };

// Form or CSV strings -> request body; throws Error with a message naming the bad field.
export function toBody(v) {
  const num = (name, s, integer) => {
    if (s === '' || s === null || s === undefined) return null;
    const n = Number(s);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`${name} must be a${integer ? ' whole' : ''} number, got “${s}”`);
    return n;
  };
  for (const k of ['planogram_name', 'sku', 'shelf_location']) if (!String(v[k] || '').trim()) throw new Error(`${k} is required`);
  const expected = num('expected_count', v.expected_count, true);
  if (expected === null || expected < 0) throw new Error('expected_count must be 0 or more');
  let meta = {};
  if (String(v.meta_data || '').trim()) {
    try {
      meta = JSON.parse(v.meta_data);
    } catch {
      throw new Error('meta_data must be JSON, e.g. {"facings": 2}');
    }
  }
  return {
    planogram_name: String(v.planogram_name).trim(),
    sku: String(v.sku).trim(),
    product_name: String(v.product_name || '').trim(),
    shelf_location: String(v.shelf_location).trim(),
    expected_count: expected,
    x_position: num('x_position', v.x_position, false),
    y_position: num('y_position', v.y_position, false),
    meta_data: meta,
  };
}

function Editor({ initial, onDone, onCancel }) {
  const [v, setV] = useState(initial.values);
  const [err, setErr] = useState(null);
  const [saving, setSaving] = useState(false);
  const field = (k, label, type = 'text', extra = {}) => html`<div class="field">
    <label for=${'pg-' + k}>${label}</label>
    <input id=${'pg-' + k} type=${type} value=${v[k]} ...${extra}
      onInput=${(e) => setV({ ...v, [k]: e.currentTarget.value })} />
  </div>`;
  const save = async (e) => {
    e.preventDefault();
    setErr(null);
    let body;
    try {
      body = toBody(v);
    } catch (x) {
      setErr(x.message);
      return;
    }
    setSaving(true);
    try {
      if (initial.id) await put(`/api/planograms/${initial.id}`, body);
      else await post('/api/planograms', body);
      onDone(initial.id ? 'Planogram row saved.' : 'Planogram row created.');
    } catch (x) {
      setErr(x.message);
    } finally {
      setSaving(false);
    }
  };
  return html`<form class="card editor" onSubmit=${save} data-testid="planogram-editor" aria-labelledby="pg-editor-title">
    <h2 id="pg-editor-title">${initial.id ? `Edit row #${initial.id}` : 'New planogram row'}</h2>
    <div class="grid-form">
      ${field('planogram_name', 'Planogram name', 'text', { required: true })}
      ${field('shelf_location', 'Shelf location', 'text', { required: true })}
      ${field('sku', 'SKU', 'text', { required: true })}
      ${field('product_name', 'Product name')}
      ${field('expected_count', 'Expected count', 'number', { min: 0, step: 1, required: true })}
      ${field('x_position', 'X position', 'number', { step: 'any' })}
      ${field('y_position', 'Y position', 'number', { step: 'any' })}
      ${field('meta_data', 'Metadata (JSON)')}
    </div>
    ${err ? html`<p class="alert error" role="alert">${err}</p>` : null}
    <div class="actions">
      <button type="submit" class="button" disabled=${saving}>${initial.id ? 'Save' : 'Create'}</button>
      <button type="button" class="button secondary" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

export function Planograms() {
  const [name, setName] = useState('');
  // rev: re-read after this page's own changes, without waiting for the live event.
  const [rev, setRev] = useState(0);
  const list = useData((o) => get('/api/planograms', o), [rev], ['planograms']);
  const [editing, setEditing] = useState(null); // {id?, values}
  const [note, setNote] = useState(null); // {kind, text}

  const rows = (list.data || []).filter((p) => !name || p.planogram_name === name);
  const names = [...new Set((list.data || []).map((p) => p.planogram_name))].sort();

  const edit = (p) =>
    setEditing({
      id: p.id,
      values: {
        ...p,
        expected_count: String(p.expected_count),
        x_position: p.x_position ?? '',
        y_position: p.y_position ?? '',
        meta_data: JSON.stringify(p.meta_data ?? {}),
      },
    });
  const remove = async (p) => {
    if (!confirm(`Delete ${p.sku} from planogram “${p.planogram_name}” (${p.shelf_location})?`)) return;
    try {
      await del(`/api/planograms/${p.id}`);
      setNote({ kind: 'ok', text: `Deleted row #${p.id}.` });
      setRev((n) => n + 1);
    } catch (x) {
      setNote({ kind: 'error', text: `Could not delete row #${p.id}: ${x.message}` });
    }
  };
  // The server imports a file whole or not at all, and lists every bad row with its line.
  const importCsv = async (e) => {
    const file = e.currentTarget.files[0];
    e.currentTarget.value = '';
    if (!file) return;
    try {
      const out = await postText('/api/planograms/import', await file.text(), 'text/csv');
      const versions = Object.entries(out.versions || {}).map(([n, v]) => `${n} is now version ${v}`).join(', ');
      setNote({ kind: 'ok', text: `Imported ${out.rows} rows from ${file.name}${versions ? ` (${versions})` : ''}.` });
      setRev((n) => n + 1);
    } catch (x) {
      const rows = (x.rows || []).map((r) => (r.line ? `line ${r.line}: ${r.reason}` : `row ${r.row}: ${r.reason}`));
      setNote({
        kind: 'error',
        text: `Nothing imported from ${file.name}: ${x.message}` +
          (rows.length ? ' — ' + rows.slice(0, 8).join('; ') + (rows.length > 8 ? ` and ${rows.length - 8} more` : '') : ''),
      });
    }
  };

  return html`<${PageHeader} title="Planograms" states=${[list]}>
      <button type="button" class="button needs-admin" onClick=${() => setEditing({ values: { ...BLANK } })}>New row</button>
      <label class="button secondary file-button needs-admin">Import CSV
        <input type="file" accept=".csv,text/csv" class="sr-only" onChange=${importCsv} />
      </label>
      <a class=${'button secondary' + (rows.length ? '' : ' disabled')} aria-disabled=${!rows.length} download
        href=${'/api/planograms/export' + queryString({ format: 'csv', planogram_name: name })}>Export CSV</a>
    <//>
    ${note ? html`<p class=${'alert ' + note.kind} role="status">${note.text}</p>` : null}
    ${editing
      ? html`<${Editor} key=${editing.id || 'new'} initial=${editing}
          onDone=${(msg) => { setEditing(null); setNote({ kind: 'ok', text: msg }); setRev((n) => n + 1); }}
          onCancel=${() => setEditing(null)} />`
      : null}
    ${names.length > 1
      ? html`<div class="field inline">
          <label for="pg-filter">Planogram</label>
          <select id="pg-filter" value=${name} onChange=${(e) => setName(e.currentTarget.value)}>
            <option value="">All</option>
            ${names.map((n) => html`<option value=${n}>${n}</option>`)}
          </select>
        </div>`
      : null}
    ${list.data && !list.data.length
      ? html`<${Empty} title="No planograms yet">
          Add rows with <strong>New row</strong> — one per SKU a shelf should hold, with the expected count — or
          import a CSV with the header <code>${CSV_HEADER.join(',')}</code>.
        <//>`
      : null}
    ${rows.length
      ? html`<div class="table-wrap card"><table class="table" data-testid="planograms-table">
          <thead><tr><th scope="col">Planogram</th><th scope="col">Shelf</th><th scope="col">SKU</th><th scope="col">Product</th>
            <th scope="col" class="num">Expected</th><th scope="col" class="num">Position</th><th scope="col">Updated</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            ${rows.map((p) => html`<tr key=${p.id} data-planogram-id=${p.id}>
              <td>${p.planogram_name}</td><td>${p.shelf_location}</td><td>${p.sku}</td><td>${p.product_name || '—'}</td>
              <td class="num">${p.expected_count}</td>
              <td class="num">${p.x_position ?? '—'}, ${p.y_position ?? '—'}</td>
              <td>${fmtDateTime(p.updated_at)}</td>
              <td class="row-actions">
                <button type="button" class="button small secondary needs-admin" onClick=${() => edit(p)} aria-label=${`Edit ${p.sku} in ${p.planogram_name}`}>Edit</button>
                <button type="button" class="button small danger needs-admin" onClick=${() => remove(p)} aria-label=${`Delete ${p.sku} from ${p.planogram_name}`}>Delete</button>
              </td>
            </tr>`)}
          </tbody>
        </table></div>`
      : null}`;
}
