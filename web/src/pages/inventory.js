// Inventory Analysis: a planogram's rows for one shelf against the SKU counts of the latest
// scan of that shelf (expected vs detected per SKU).
import { get, queryString } from '../api.js';
import { useData, useHashQuery } from '../hooks.js';
import { Empty, PageHeader, fmtDateTime, fmtInt, html } from '../ui.js';

// Distinct (planogram_name, shelf_location) pairs, sorted.
function choicesOf(planograms) {
  const seen = new Map();
  for (const p of planograms) {
    const key = JSON.stringify([p.planogram_name, p.shelf_location]);
    if (!seen.has(key)) seen.set(key, { key, name: p.planogram_name, shelf: p.shelf_location });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name) || a.shelf.localeCompare(b.shelf));
}

function statusOf(expected, detected) {
  if (expected === null) return ['unexpected', 'Not in planogram'];
  if (detected === 0 && expected > 0) return ['missing', 'Missing'];
  if (detected < expected) return ['low', 'Low'];
  if (detected > expected) return ['over', 'Over'];
  return ['ok', 'OK'];
}

// Rows of the comparison: planogram SKUs first (in planogram order), then SKUs seen on the shelf
// that the planogram does not list.
export function compare(rows, detections) {
  const counts = new Map();
  for (const d of detections) counts.set(d.sku, (counts.get(d.sku) || 0) + 1);
  const out = [];
  const listed = new Set();
  const expectedBySku = new Map();
  for (const r of rows) {
    expectedBySku.set(r.sku, (expectedBySku.get(r.sku) || 0) + r.expected_count);
    if (!listed.has(r.sku)) listed.add(r.sku);
  }
  for (const sku of listed) {
    const name = rows.find((r) => r.sku === sku).product_name;
    out.push({ sku, product_name: name, expected: expectedBySku.get(sku), detected: counts.get(sku) || 0 });
  }
  for (const [sku, n] of [...counts.entries()].sort((a, b) => b[1] - a[1])) {
    if (!listed.has(sku)) out.push({ sku, product_name: '', expected: null, detected: n });
  }
  return out;
}

export function Inventory() {
  const [q, setQ] = useHashQuery();
  const planograms = useData((o) => get('/api/planograms', o), [], ['planograms']);
  const choices = planograms.data ? choicesOf(planograms.data) : [];
  const chosen = choices.find((c) => c.name === q.planogram && c.shelf === q.shelf) || choices[0] || null;

  const latest = useData(
    async (o) => {
      if (!chosen) return null;
      const page = await get('/api/scans' + queryString({ shelf_location: chosen.shelf, limit: 1 }), o);
      if (!page.items.length) return { scan: null };
      return { scan: await get(`/api/scans/${page.items[0].id}`, o) };
    },
    [chosen && chosen.key],
    ['scans', 'products'],
  );

  const rows = chosen && planograms.data
    ? planograms.data.filter((p) => p.planogram_name === chosen.name && p.shelf_location === chosen.shelf)
    : [];
  const scan = latest.data && latest.data.scan;
  const table = scan ? compare(rows, scan.detections || []) : [];
  const planned = table.filter((r) => r.expected !== null);
  const okCount = planned.filter((r) => r.detected >= r.expected).length;

  return html`<${PageHeader} title="Inventory Analysis" states=${[planograms, latest]}>
      ${choices.length
        ? html`<label for="inv-pick">Planogram and shelf</label>
          <select id="inv-pick" data-testid="inventory-picker" value=${chosen ? chosen.key : ''}
            onChange=${(e) => {
              const c = choices.find((x) => x.key === e.currentTarget.value);
              if (c) setQ({ planogram: c.name, shelf: c.shelf });
            }}>
            ${choices.map((c) => html`<option value=${c.key}>${c.name} — ${c.shelf}</option>`)}
          </select>`
        : null}
    <//>
    ${planograms.data && !choices.length
      ? html`<${Empty} title="No planograms yet">
          Create one on the <a href="#/planograms">Planograms</a> page (or import a CSV there): list the SKUs
          each shelf should hold and how many. This page then compares them with the latest scan of that shelf.
        <//>`
      : null}
    ${chosen && latest.data && !scan
      ? html`<${Empty} title=${`No scan of shelf “${chosen.shelf}” yet`}>
          Upload a photo of this shelf on the <a href="#/detect">Detect</a> page with shelf location
          <code>${chosen.shelf}</code>, or run <code>visionstock detect</code>.
        <//>`
      : null}
    ${scan
      ? html`<p data-testid="inventory-scan">
          ${`Latest scan of `}<strong>${chosen.shelf}</strong>${': '}<a href=${'#/scans/' + scan.id}>Scan #${scan.id}</a>
          ${`, ${fmtDateTime(scan.captured_at)} at ${scan.store}, ${fmtInt(scan.detections_count)} detections. `}
          <strong>${okCount} of ${planned.length}</strong>${' planned SKUs at or above the expected count.'}
        </p>
        <div class="table-wrap card">
          <table class="table" data-testid="inventory-table">
            <caption class="sr-only">Expected versus detected count per SKU</caption>
            <thead><tr><th scope="col">SKU</th><th scope="col">Product</th><th scope="col" class="num">Expected</th>
              <th scope="col" class="num">Detected</th><th scope="col" class="num">Difference</th><th scope="col">Status</th></tr></thead>
            <tbody>
              ${table.map((r) => {
                const [cls, label] = statusOf(r.expected, r.detected);
                return html`<tr key=${r.sku} data-sku=${r.sku} data-expected=${r.expected ?? ''} data-detected=${r.detected}>
                  <td>${r.sku}</td><td>${r.product_name || '—'}</td>
                  <td class="num">${r.expected ?? '—'}</td><td class="num">${r.detected}</td>
                  <td class="num">${r.expected === null ? '—' : (r.detected - r.expected > 0 ? '+' : '') + (r.detected - r.expected)}</td>
                  <td><span class=${'chip ' + cls}>${label}</span></td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>`
      : null}`;
}
