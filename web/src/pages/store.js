// Store Compliance: every shelf's latest compliance in one store, worst first; the ranked to-do
// list (out-of-stock SKUs and gaps that cost the most planned facings); and the live alerts, which
// an operator can acknowledge here. Figures come from /api/compliance, /api/actions, /api/alerts.
import { useState } from 'preact/hooks';
import { get, post, queryString } from '../api.js';
import { KpiStrip, StatusChip, pct } from '../compliance.js';
import { useData, useHashQuery } from '../hooks.js';
import { can } from '../session.js';
import { Empty, PageHeader, fmtDateTime, html } from '../ui.js';

const inventoryLink = (r) => '#/inventory' + queryString({ store: r.store, planogram: r.planogram_name, shelf: r.shelf_location });

// Worst first: lowest compliance score (no score last), then most gaps.
export function worstFirst(items) {
  const score = (r) => (r.kpis.compliance_score === null ? 2 : r.kpis.compliance_score);
  return [...items].sort((a, b) => score(a) - score(b) || b.kpis.gap_count - a.kpis.gap_count ||
    a.shelf_location.localeCompare(b.shelf_location));
}

function Shelves({ items }) {
  return html`<div class="table-wrap card"><table class="table" data-testid="store-shelves">
    <caption class="sr-only">Shelves, worst compliance first</caption>
    <thead><tr><th scope="col">Shelf</th><th scope="col">Planogram</th><th scope="col" class="num">Compliance</th>
      <th scope="col" class="num">Availability</th><th scope="col" class="num">Out of stock</th><th scope="col" class="num">Gaps</th>
      <th scope="col">Last scan</th></tr></thead>
    <tbody>${worstFirst(items).map((r) => html`<tr key=${r.id} data-shelf=${r.shelf_location} data-score=${r.kpis.compliance_score ?? ''}>
      <td><a href=${inventoryLink(r)}>${r.shelf_location}</a></td><td>${r.planogram_name} <span class="muted">v${r.planogram_version}</span></td>
      <td class="num">${pct(r.kpis.compliance_score)}</td><td class="num">${pct(r.kpis.availability)}</td>
      <td class="num">${pct(r.kpis.out_of_stock_rate)}</td><td class="num">${r.kpis.gap_count}</td>
      <td>${fmtDateTime(r.captured_at)}</td></tr>`)}</tbody>
  </table></div>`;
}

function Actions({ actions }) {
  if (!actions.length) return html`<p class="muted" data-testid="store-actions-empty">Nothing to fix: no out-of-stock SKU and no gap on the latest scans.</p>`;
  return html`<ol class="card actions" data-testid="store-actions">
    ${actions.slice(0, 20).map((a) => html`<li key=${a.rank} data-type=${a.type} data-sku=${a.sku}>
      <${StatusChip} status=${a.type} /> <strong>${a.type === 'GAP' ? 'Empty gap' : a.product_name || a.sku}</strong>
      ${` on ${a.shelf_location} — ${a.facings} facing${a.facings === 1 ? '' : 's'}`}
      ${a.type === 'OUT_OF_STOCK' ? ` (planned ${a.expected}, seen ${a.detected})` : ''}
      ${' · '}<a href=${inventoryLink(a)}>${a.planogram_name}</a></li>`)}
  </ol>`;
}

function Alerts({ store }) {
  const alerts = useData((o) => get('/api/alerts' + queryString({ status: 'open,acknowledged', store, limit: 100 }), o),
    [store], ['alerts']);
  const [error, setError] = useState(null);
  const ack = async (a) => {
    const note = prompt(`Acknowledge "${a.type}" on ${a.shelf_location}${a.sku ? ` (${a.sku})` : ''}. Note (optional):`, '');
    if (note === null) return;
    try {
      await post(`/api/alerts/${a.id}/ack`, note ? { note } : {});
      setError(null);
    } catch (e) {
      setError(e.message);
    }
  };
  const items = alerts.data || [];
  return html`<section aria-labelledby="alerts-title" data-testid="alerts-panel">
    <h2 id="alerts-title" class="section-title">Alerts <span class="muted">(${items.length} open or acknowledged, live)</span></h2>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${alerts.data && !items.length ? html`<p class="muted">No open alert.</p>` : null}
    ${items.length ? html`<div class="table-wrap card"><table class="table" data-testid="alerts-table">
      <thead><tr><th scope="col">Alert</th><th scope="col">Shelf</th><th scope="col">SKU</th><th scope="col">Since</th>
        <th scope="col">Status</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
      <tbody>${items.map((a) => html`<tr key=${a.id} class="alert-row" data-alert-id=${a.id} data-status=${a.status}>
        <td><${StatusChip} status=${a.type} /></td><td>${a.shelf_location}</td><td>${a.sku || '—'}</td>
        <td>${fmtDateTime(a.first_seen_at)}</td>
        <td>${a.status === 'acknowledged' ? `acknowledged by ${a.acknowledged_by}${a.note ? `: ${a.note}` : ''}` : 'open'}</td>
        <td>${a.status === 'open' && can('operator')
          ? html`<button type="button" class="button secondary needs-operator" onClick=${() => ack(a)}>Acknowledge</button>` : null}</td>
      </tr>`)}</tbody></table></div>` : null}
  </section>`;
}

export function StoreCompliance() {
  const [q, setQ] = useHashQuery();
  const all = useData((o) => get('/api/compliance', o), [], ['compliance']);
  const stores = all.data ? Object.keys(all.data.by_store).sort() : [];
  const store = stores.includes(q.store) ? q.store : stores[0];
  const items = all.data ? all.data.items.filter((r) => r.store === store) : [];
  const actions = useData(async (o) => (store ? get('/api/actions' + queryString({ store }), o) : []), [store], ['compliance']);
  return html`<${PageHeader} title="Store Compliance" states=${[all, actions]}>
      ${stores.length ? html`<div class="pickers"><label>Store
        <select data-testid="store-picker" value=${store} onChange=${(e) => setQ({ store: e.currentTarget.value })}>
          ${stores.map((s) => html`<option value=${s}>${s}</option>`)}</select></label></div>` : null}
    <//>
    ${all.data && !stores.length
      ? html`<${Empty} title="No compliance results yet">
          Results appear once a shelf that has a planogram is photographed: create planograms on the
          <a href="#/planograms">Planograms</a> page, then upload photos of those shelves.
        <//>`
      : null}
    ${store ? html`<${KpiStrip} kpis=${all.data.by_store[store]} testid="store-kpis" />
      <h2 class="section-title">Shelves, worst first</h2><${Shelves} items=${items} />
      <h2 class="section-title">What to fix first</h2>${actions.data ? html`<${Actions} actions=${actions.data} />` : null}` : null}
    <${Alerts} store=${store} />`;
}
