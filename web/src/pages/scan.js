// One scan: the photo with every box drawn and labelled, and its detections.
import { get } from '../api.js';
import { useData } from '../hooks.js';
import { Empty, PageHeader, ScanView, fmtConf, fmtDateTime, fmtInt, fmtNum, html } from '../ui.js';

export function ScanPage({ id }) {
  const scan = useData((o) => get(`/api/scans/${encodeURIComponent(id)}`, o), [id], ['products']);
  const s = scan.data;
  if (scan.error && scan.error.status === 404) {
    return html`<${PageHeader} title=${`Scan #${id}`} />
      <${Empty} title="This scan does not exist">It may have been removed. Go back to <a href="#/records">Detection Records</a>.<//>`;
  }
  return html`<${PageHeader} title=${`Scan #${id}`} states=${[scan]}>
      <a class="button secondary" href="#/records">All records</a>
    <//>
    ${s
      ? html`<dl class="facts card">
          <div><dt>Store</dt><dd>${s.store}</dd></div>
          <div><dt>Shelf location</dt><dd>${s.shelf_location}</dd></div>
          <div><dt>Captured</dt><dd>${fmtDateTime(s.captured_at)}</dd></div>
          <div><dt>Received</dt><dd>${fmtDateTime(s.received_at)}</dd></div>
          <div><dt>Size</dt><dd>${s.width} × ${s.height} px</dd></div>
          <div><dt>Detections</dt><dd>${fmtInt(s.detections_count)}</dd></div>
          <div><dt>Inference</dt><dd>${fmtNum(s.inference_ms, 1)} ms</dd></div>
          <div><dt>Model version</dt><dd>${s.model_version_id ?? '—'}</dd></div>
        </dl>
        <section class="card">
          <h2>Photo</h2>
          <${ScanView} scan=${s} detections=${s.detections || []} imageUrl=${s.image_url} />
          <p><a href=${s.image_url} target="_blank" rel="noopener">Open the original photo</a></p>
        </section>
        <section class="card">
          <h2>Detections</h2>
          ${(s.detections || []).length
            ? html`<div class="table-wrap"><table class="table" data-testid="scan-detections">
                <thead><tr><th scope="col">SKU</th><th scope="col">Class</th><th scope="col" class="num">Confidence</th><th scope="col" class="num">Box (px)</th></tr></thead>
                <tbody>
                  ${[...s.detections].sort((a, b) => b.confidence - a.confidence).map((d) => html`<tr key=${d.id}>
                    <td>${d.sku}</td><td>${d.class_name}</td><td class="num">${fmtConf(d.confidence)}</td>
                    <td class="num">${Array.isArray(d.bbox) ? d.bbox.map((v) => Math.round(v)).join(', ') : '—'}</td>
                  </tr>`)}
                </tbody>
              </table></div>`
            : html`<p class="muted">The model found nothing in this photo.</p>`}
        </section>`
      : null}`;
}
