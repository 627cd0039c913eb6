// Inventory Analysis: the server's latest compliance result for one shelf and planogram — KPIs,
// every SKU's status, the photo with slots, detections and gaps, the trend, and a CSV download.
// Every figure comes from the API (/api/compliance, /api/compliance/history): no rule runs here.
import { useState } from 'preact/hooks';
import { get, post, queryString } from '../api.js';
import { ComplianceChart, historySeries } from '../chart.js';
import { ComplianceView, KpiStrip, StatusChip } from '../compliance.js';
import { toCsv } from '../csv.js';
import { useData, useHashQuery } from '../hooks.js';
import { Empty, PageHeader, fmtDateTime, fmtInt, html } from '../ui.js';

const keyOf = (c) => JSON.stringify([c.store, c.planogram_name, c.shelf_location]);

// Every (store, planogram, shelf) that has a result, then planogram shelves without one yet.
export function choicesOf(results, planograms) {
  const seen = new Map();
  for (const r of results) {
    const c = { store: r.store, planogram_name: r.planogram_name, shelf_location: r.shelf_location, result: r };
    seen.set(keyOf(c), c);
  }
  for (const p of planograms) {
    const c = { store: p.store || '', planogram_name: p.planogram_name, shelf_location: p.shelf_location, result: null };
    const any = [...seen.values()].some((x) => x.planogram_name === c.planogram_name && x.shelf_location === c.shelf_location &&
      (c.store === '' || x.store === c.store));
    if (!any && !seen.has(keyOf(c))) seen.set(keyOf(c), c);
  }
  return [...seen.values()].sort((a, b) => a.store.localeCompare(b.store) ||
    a.planogram_name.localeCompare(b.planogram_name) || a.shelf_location.localeCompare(b.shelf_location));
}

function download(result) {
  const rows = result.detail.skus.map((s) => ({
    store: result.store, shelf_location: result.shelf_location, planogram_name: result.planogram_name,
    planogram_version: result.planogram_version, scan_id: result.scan_id, sku: s.sku, product_name: s.product_name,
    brand: s.brand, status: s.status, expected: s.expected, detected: s.detected,
  }));
  const header = ['store', 'shelf_location', 'planogram_name', 'planogram_version', 'scan_id', 'sku', 'product_name', 'brand', 'status', 'expected', 'detected'];
  const blob = new Blob([toCsv(header, rows)], { type: 'text/csv' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `compliance-${result.store}-${result.shelf_location}-${result.planogram_name}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function SkuTable({ result }) {
  return html`<div class="table-wrap card">
    <table class="table" data-testid="inventory-table">
      <caption class="sr-only">Status of every SKU on the shelf</caption>
      <thead><tr><th scope="col">SKU</th><th scope="col">Product</th><th scope="col">Brand</th>
        <th scope="col" class="num">Expected</th><th scope="col" class="num">Detected</th><th scope="col">Status</th></tr></thead>
      <tbody>
        ${result.detail.skus.map((s) => html`<tr key=${s.sku} data-sku=${s.sku} data-status=${s.status}
            data-expected=${s.expected} data-detected=${s.detected}>
          <td>${s.sku}</td><td>${s.product_name || '—'}</td><td>${s.brand || '—'}</td>
          <td class="num">${s.expected}</td><td class="num">${s.detected}</td>
          <td><${StatusChip} status=${s.status} />${s.planned_on && s.planned_on.length
            ? html` <span class="muted">planned on ${s.planned_on.map((p) => p.shelf_location).join(', ')}</span>` : null}</td>
        </tr>`)}
      </tbody>
    </table>
  </div>`;
}

function Pickers({ choices, chosen, onPick }) {
  const stores = [...new Set(choices.map((c) => c.store))];
  const inStore = choices.filter((c) => c.store === chosen.store);
  return html`<div class="pickers">
    <label>Store
      <select data-testid="inventory-store" value=${chosen.store}
        onChange=${(e) => onPick(choices.find((c) => c.store === e.currentTarget.value))}>
        ${stores.map((s) => html`<option value=${s}>${s || 'every store'}</option>`)}
      </select></label>
    <label>Planogram and shelf
      <select id="inv-pick" data-testid="inventory-picker" value=${keyOf(chosen)}
        onChange=${(e) => onPick(choices.find((c) => keyOf(c) === e.currentTarget.value))}>
        ${inStore.map((c) => html`<option value=${keyOf(c)}>${c.planogram_name} — ${c.shelf_location}</option>`)}
      </select></label>
  </div>`;
}

export function Inventory() {
  const [q, setQ] = useHashQuery();
  const latest = useData((o) => get('/api/compliance?detail=true', o), [], ['compliance', 'planograms']);
  const planograms = useData((o) => get('/api/planograms', o), [], ['planograms']);
  const choices = latest.data && planograms.data ? choicesOf(latest.data.items, planograms.data) : [];
  const chosen = choices.find((c) => c.planogram_name === q.planogram && c.shelf_location === q.shelf &&
    (q.store === undefined || c.store === q.store)) || choices[0] || null;
  const result = chosen && chosen.result;

  const scan = useData(async (o) => (result ? get(`/api/scans/${result.scan_id}`, o) : null),
    [result && result.scan_id], ['scans']);
  const history = useData(async (o) => {
    if (!chosen) return null;
    return get('/api/compliance/history' + queryString({
      store: chosen.store || undefined, shelf_location: chosen.shelf_location, planogram_name: chosen.planogram_name, bucket: 'hour',
    }), o);
  }, [chosen && keyOf(chosen)], ['compliance']);

  const pick = (c) => c && setQ({ store: c.store, planogram: c.planogram_name, shelf: c.shelf_location });
  const [note, setNote] = useState(null);
  const analyse = async (c) => {
    try {
      await post('/api/analyze' + queryString({ planogram_name: c.planogram_name, shelf_location: c.shelf_location, store: c.store || undefined }));
      setNote(null); // the result arrives with its compliance.updated event
    } catch (e) {
      setNote(e.status === 404 ? `No scan of shelf “${c.shelf_location}” yet.` : e.message);
    }
  };
  return html`<${PageHeader} title="Inventory Analysis" states=${[latest, planograms]}>
      ${choices.length ? html`<${Pickers} choices=${choices} chosen=${chosen} onPick=${pick} />` : null}
    <//>
    ${latest.data && planograms.data && !choices.length
      ? html`<${Empty} title="No planograms yet">
          Import or create planograms on the <a href="#/planograms">Planograms</a> page: which SKUs each shelf
          should hold, how many facings, and optionally where. Every photo of such a shelf is then analysed by the server.
        <//>`
      : null}
    ${chosen && !result
      ? html`<${Empty} title=${`No analysis of shelf “${chosen.shelf_location}” yet`}>
          Upload a photo of this shelf on the <a href="#/detect">Detect</a> page with shelf location
          <code>${chosen.shelf_location}</code>, or run <code>visionstock detect</code>: it is analysed against
          planogram <strong>${chosen.planogram_name}</strong> as soon as it is stored. A photo taken before the
          planogram existed can be analysed now:
          <p><button type="button" class="button needs-operator" onClick=${() => analyse(chosen)}>Analyse the latest scan</button></p>
          ${note ? html`<p class="muted" role="status">${note}</p>` : null}
        <//>`
      : null}
    ${result
      ? html`<p data-testid="inventory-scan">
          <a href=${'#/scans/' + result.scan_id}>Scan #${result.scan_id}</a>${` of ${result.shelf_location} at ${result.store}, `}
          ${`${fmtDateTime(result.captured_at)}, against planogram ${result.planogram_name} `}
          <span data-testid="planogram-version">version ${result.planogram_version}</span>
          ${`; ${fmtInt(result.detail.counted_detections ?? 0)} detections counted. `}
          <button type="button" class="button secondary" onClick=${() => download(result)}>Download CSV</button>
        </p>
        <${KpiStrip} kpis=${result.kpis} />
        <${SkuTable} result=${result} />
        ${scan.data ? html`<${ComplianceView} scan=${scan.data} detections=${scan.data.detections || []}
            detail=${result.detail} imageUrl=${`/api/scans/${result.scan_id}/image`} />` : null}
        <h2 class="section-title">Trend</h2>
        ${history.data && history.data.length
          ? html`<${ComplianceChart} data=${historySeries(history.data)} />`
          : html`<p class="muted">No history yet.</p>`}`
      : null}`;
}
