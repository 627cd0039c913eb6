// Overview: KPI strip, detection-activity chart, latest scans.
import { useMemo, useState } from 'preact/hooks';
import { get, post, queryString } from '../api.js';
import { can } from '../session.js';
import { useData, useHashQuery } from '../hooks.js';
import { ActivityChart, fillBuckets } from '../chart.js';
import { Empty, PageHeader, fmtConf, fmtDateTime, fmtInt, html } from '../ui.js';

const RANGES = {
  '24h': { label: 'Last 24 hours', seconds: 86400, granularity: 'hour' },
  '7d': { label: 'Last 7 days', seconds: 7 * 86400, granularity: 'hour' },
  '30d': { label: 'Last 30 days', seconds: 30 * 86400, granularity: 'day' },
  all: { label: 'All time', seconds: null, granularity: 'day' },
};

// Range start rounded down to the bucket so that the request URL (and its ETag) stays the same
// for a whole bucket.
function rangeStart(range) {
  const r = RANGES[range];
  if (!r.seconds) return null;
  const step = r.granularity === 'day' ? 86400 : 3600;
  const now = Math.floor(Date.now() / 1000);
  return Math.floor((now - r.seconds) / step) * step;
}

const KPIS = [
  ['total_detections', 'Detections', fmtInt],
  ['unique_skus', 'Unique SKUs', fmtInt],
  ['average_confidence', 'Average confidence', fmtConf],
  ['unique_classes', 'Unique classes', fmtInt],
  ['total_scans', 'Scans with detections', fmtInt],
];

// Loads the demo store (POST /api/demo: packaged photos through the real model). The page then
// fills from the live feed like after any upload.
function DemoButton() {
  const [state, setState] = useState({ busy: false, error: null, done: null });
  if (!can('admin')) return null;
  const load = async () => {
    setState({ busy: true, error: null, done: null });
    try {
      setState({ busy: false, error: null, done: await post('/api/demo', {}) });
    } catch (e) {
      setState({ busy: false, error: e.message, done: null });
    }
  };
  return html`<p>
    <button type="button" data-testid="load-demo" disabled=${state.busy} onClick=${load}>
      ${state.busy ? 'Loading the demo store…' : 'Load the demo store'}
    </button>
    ${' '}<span class="muted">Real photos through the real model, in a store named “demo”; remove it with <code>visionstock demo --remove</code>.</span>
    ${state.error ? html`<span role="alert" class="error"> ${state.error}</span>` : null}
    ${state.done ? html`<span role="status"> Loaded ${state.done.scans} scans with ${state.done.detections} detections.</span>` : null}
  </p>`;
}

export function Overview() {
  const [q, setQ] = useHashQuery();
  const range = RANGES[q.range] ? q.range : '24h';
  const r = RANGES[range];
  const startSec = rangeStart(range);
  const startIso = startSec === null ? null : new Date(startSec * 1000).toISOString();

  const summary = useData(
    (o) => get('/api/summary' + queryString({ start: startIso }), o),
    [startIso],
    ['scans', 'products'],
  );
  const activity = useData(
    (o) => get('/api/activity' + queryString({ granularity: r.granularity, start: startIso }), o),
    [startIso, r.granularity],
    ['scans'],
  );
  const latest = useData((o) => get('/api/scans?limit=8', o), [], ['scans']);

  const chartData = useMemo(
    () => (activity.data ? fillBuckets(activity.data, r.granularity, startSec) : null),
    [activity.data, r.granularity, startSec],
  );
  const noScans = latest.data && latest.data.items.length === 0;
  const s = summary.data;

  return html`<${PageHeader} title="Overview" states=${[summary, activity, latest]}>
      <label for="range">Range</label>
      <select id="range" value=${range} onChange=${(e) => setQ({ range: e.currentTarget.value })}>
        ${Object.entries(RANGES).map(([k, v]) => html`<option value=${k}>${v.label}</option>`)}
      </select>
    <//>
    ${noScans
      ? html`<${Empty} title="No scans yet">
          Upload a shelf photo on the <a href="#/detect">Detect</a> page or run <code>visionstock detect</code>.
          Figures, the activity chart and the latest photos appear here as soon as the first scan is stored.
          <${DemoButton} />
        <//>`
      : null}
    <section aria-labelledby="kpi-title">
      <h2 id="kpi-title" class="section-title">${r.label}${s && s.last_detection_at ? html` <span class="muted">· last detection ${fmtDateTime(s.last_detection_at)}</span>` : null}</h2>
      <ul class="kpis" data-testid="kpis">
        ${KPIS.map(([key, label, fmt]) => html`<li class="kpi" data-kpi=${key} data-value=${s ? s[key] ?? '' : ''}>
            <span class="kpi-label">${label}</span>
            <span class="kpi-value">${s ? fmt(s[key]) : summary.error ? '—' : '…'}</span>
          </li>`)}
      </ul>
    </section>
    <section class="card" aria-labelledby="activity-title">
      <h2 id="activity-title">Detection activity <span class="muted">per ${r.granularity}</span></h2>
      ${chartData
        ? chartData[1].some((v) => v > 0)
          ? html`<${ActivityChart} data=${chartData} granularity=${r.granularity} />`
          : html`<p class="muted" data-testid="activity-empty">No detections in this range.${range !== 'all' ? ' Choose a longer range to see older activity.' : ''}</p>`
        : html`<p class="muted">${activity.error ? 'Activity could not be loaded.' : 'Loading…'}</p>`}
    </section>
    <section class="card" aria-labelledby="latest-title">
      <h2 id="latest-title">Latest scans</h2>
      ${latest.data && latest.data.items.length
        ? html`<ul class="thumbs" data-testid="latest-scans">
            ${latest.data.items.map((sc) => html`<li data-scan-id=${sc.id} key=${sc.id}>
                <a href=${'#/scans/' + sc.id} class="thumb">
                  <img src=${sc.image_url} alt="" loading="lazy" width=${sc.width} height=${sc.height} />
                  <span class="thumb-meta">
                    <strong>${sc.shelf_location}</strong> · ${sc.store}<br />
                    ${fmtDateTime(sc.captured_at)}<br />
                    ${fmtInt(sc.detections_count)} detection${sc.detections_count === 1 ? '' : 's'}
                  </span>
                </a>
              </li>`)}
          </ul>`
        : latest.data
          ? html`<p class="muted" data-testid="latest-empty">No scans stored yet.</p>`
          : html`<p class="muted">${latest.error ? 'Latest scans could not be loaded.' : 'Loading…'}</p>`}
    </section>`;
}
