// Detection Records: filters (fed by /api/filters), a cursor-paginated table, CSV export of
// exactly what the filters select.
import { useState } from 'preact/hooks';
import { getJson, get, queryString } from '../api.js';
import { useData, useHashQuery } from '../hooks.js';
import { Empty, PageHeader, fmtConf, fmtDateTime, fmtInt, html } from '../ui.js';

const PAGE_SIZES = [10, 25, 50, 100, 250];

// datetime-local value ("2024-05-01T10:00") <-> ISO 8601 UTC
function localToIso(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
function isoToLocal(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function filtersFrom(q) {
  return {
    sku: q.sku || '',
    class_name: q.class_name || '',
    shelf_location: q.shelf_location || '',
    store: q.store || '',
    start: q.start || '',
    end: q.end || '',
    min_confidence: q.min_confidence || '',
  };
}

function Picker({ id, label, value, options, onChange }) {
  const opts = options || [];
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <select id=${id} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      <option value="">All</option>
      ${value && !opts.includes(value) ? html`<option value=${value}>${value}</option>` : null}
      ${opts.map((o) => html`<option value=${o}>${o}</option>`)}
    </select>
  </div>`;
}

export function Records() {
  const [q, setQ] = useHashQuery();
  const f = filtersFrom(q);
  const limit = PAGE_SIZES.includes(Number(q.limit)) ? Number(q.limit) : 50;
  // cursors[i] is the cursor that reads page i (page 0: none).
  const [pager, setPager] = useState({ key: '', cursors: [null], page: 0 });
  const filterKey = JSON.stringify([f, limit]);
  const cur = pager.key === filterKey ? pager : { key: filterKey, cursors: [null], page: 0 };
  const cursor = cur.cursors[cur.page];

  const options = useData((o) => get('/api/filters', o), [], ['scans', 'products']);
  const summary = useData((o) => get('/api/summary' + queryString(f), o), [f], ['scans', 'products']);
  const page = useData(
    async (o) => {
      const r = await getJson('/api/detections' + queryString({ ...f, limit, cursor }), o);
      return { groups: r.body, next: r.headers['x-next-cursor'] || null };
    },
    [f, limit, cursor],
    ['scans', 'products'],
  );

  const set = (patch) => setQ(patch);
  const rows = page.data ? page.data.groups.flatMap((g) => g.detections.map((d) => ({ ...d, g }))) : [];
  const csvHref = '/api/detections' + queryString({ ...f, format: 'csv' });
  const anyFilter = Object.values(f).some(Boolean);
  const opts = options.data || {};

  const next = () => {
    const cursors = cur.cursors.slice(0, cur.page + 1);
    cursors.push(page.data.next);
    setPager({ key: filterKey, cursors, page: cur.page + 1 });
  };
  const prev = () => setPager({ key: filterKey, cursors: cur.cursors, page: Math.max(0, cur.page - 1) });

  return html`<${PageHeader} title="Detection Records" states=${[options, summary, page]}>
      <a class="button" href=${csvHref} download="detections.csv" data-testid="csv-export">Export CSV</a>
    <//>
    <form class="filters card" data-testid="filters" onSubmit=${(e) => e.preventDefault()} aria-label="Filters">
      <${Picker} id="f-sku" label="SKU" value=${f.sku} options=${opts.skus} onChange=${(v) => set({ sku: v })} />
      <${Picker} id="f-class" label="Class" value=${f.class_name} options=${opts.class_names} onChange=${(v) => set({ class_name: v })} />
      <${Picker} id="f-shelf" label="Shelf location" value=${f.shelf_location} options=${opts.shelf_locations} onChange=${(v) => set({ shelf_location: v })} />
      <${Picker} id="f-store" label="Store" value=${f.store} options=${opts.stores} onChange=${(v) => set({ store: v })} />
      <div class="field">
        <label for="f-start">From</label>
        <input id="f-start" type="datetime-local" value=${isoToLocal(f.start)} onChange=${(e) => set({ start: localToIso(e.currentTarget.value) })} />
      </div>
      <div class="field">
        <label for="f-end">Until</label>
        <input id="f-end" type="datetime-local" value=${isoToLocal(f.end)} onChange=${(e) => set({ end: localToIso(e.currentTarget.value) })} />
      </div>
      <div class="field">
        <label for="f-conf">Minimum confidence <output for="f-conf">${Math.round(Number(f.min_confidence || 0) * 100)}%</output></label>
        <input id="f-conf" type="range" min="0" max="1" step="0.05" value=${f.min_confidence || 0}
          onChange=${(e) => set({ min_confidence: Number(e.currentTarget.value) > 0 ? e.currentTarget.value : '' })} />
      </div>
      <div class="field">
        <label for="f-limit">Rows per page</label>
        <select id="f-limit" value=${limit} onChange=${(e) => set({ limit: e.currentTarget.value })}>
          ${PAGE_SIZES.map((n) => html`<option value=${n}>${n}</option>`)}
        </select>
      </div>
      <div class="field field-end">
        <button type="button" class="button secondary" disabled=${!anyFilter}
          onClick=${() => set({ sku: '', class_name: '', shelf_location: '', store: '', start: '', end: '', min_confidence: '' })}>Clear filters</button>
      </div>
    </form>
    <p class="muted" data-testid="match-summary">
      ${summary.data
        ? html`${fmtInt(summary.data.total_detections)} matching detection${summary.data.total_detections === 1 ? '' : 's'} in ${fmtInt(summary.data.total_scans)} scan${summary.data.total_scans === 1 ? '' : 's'}${anyFilter ? ' (filtered)' : ''}.`
        : '…'}
    </p>
    ${page.data && rows.length === 0
      ? anyFilter
        ? html`<${Empty} title="No detections match these filters">Widen the time range, lower the minimum confidence or clear the filters.<//>`
        : html`<${Empty} title="No detections yet">Upload a shelf photo on the <a href="#/detect">Detect</a> page or run <code>visionstock detect</code>.<//>`
      : null}
    ${rows.length
      ? html`<div class="table-wrap card">
          <table class="table" data-testid="records-table">
            <caption class="sr-only">Detections, newest first</caption>
            <thead><tr>
              <th scope="col">Time</th><th scope="col">Store</th><th scope="col">Shelf</th><th scope="col">SKU</th>
              <th scope="col">Class</th><th scope="col" class="num">Confidence</th><th scope="col">Scan</th>
            </tr></thead>
            <tbody>
              ${rows.map((d) => html`<tr key=${d.id} data-detection-id=${d.id}>
                <td>${fmtDateTime(d.g.timestamp)}</td>
                <td>${d.store ?? d.g.store}</td>
                <td>${d.shelf_location ?? d.g.shelf_location}</td>
                <td>${d.sku}</td>
                <td>${d.class_name}</td>
                <td class="num">${fmtConf(d.confidence)}</td>
                <td><a href=${'#/scans/' + d.g.scan_id}>Scan #${d.g.scan_id}</a></td>
              </tr>`)}
            </tbody>
          </table>
        </div>`
      : null}
    <nav class="pager" aria-label="Pages of detections">
      <button type="button" class="button secondary" disabled=${cur.page === 0} onClick=${prev}>Newer</button>
      <span>Page ${cur.page + 1}</span>
      <button type="button" class="button secondary" data-testid="next-page"
        disabled=${!(page.data && page.data.next) || page.loading} onClick=${next}>Older</button>
    </nav>`;
}
