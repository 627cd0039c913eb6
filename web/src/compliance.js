// How the dashboard shows what the server's compliance analysis computed (docs/API.md,
// "Compliance"): status chips, KPI figures, and the photo with planogram slots, detections and
// gaps overlaid. No compliance rule is evaluated here.
import { useState } from 'preact/hooks';
import { colorFor, html } from './ui.js';

const STATUS = {
  OK: ['ok', 'OK'],
  LOW_STOCK: ['low', 'Low stock'],
  OUT_OF_STOCK: ['missing', 'Out of stock'],
  OVERSTOCK: ['over', 'Overstock'],
  MISPLACED: ['misplaced', 'Misplaced'],
  UNEXPECTED: ['unexpected', 'Unexpected'],
  WRONG_PRODUCT: ['misplaced', 'Wrong product'],
  EMPTY_SLOT: ['missing', 'Empty slot'],
  GAP: ['missing', 'Gap'],
};

export function StatusChip({ status }) {
  const [cls, label] = STATUS[status] || ['', status];
  return html`<span class=${'chip ' + cls} data-status=${status}>${label}</span>`;
}

export const pct = (r) => (r === null || r === undefined ? '—' : `${Math.round(r * 1000) / 10}%`);

// The KPI strip of one result or of pooled KPIs.
export function KpiStrip({ kpis, testid = 'compliance-kpis' }) {
  const items = [
    ['Compliance', pct(kpis.compliance_score), 'compliance_score'],
    ['On-shelf availability', pct(kpis.availability), 'availability'],
    ['Out of stock', pct(kpis.out_of_stock_rate), 'out_of_stock_rate'],
    ['Gaps', `${kpis.gap_count}${kpis.gap_share ? ` (${pct(kpis.gap_share)} of the shelf)` : ''}`, 'gap_count'],
  ];
  return html`<ul class="kpis" data-testid=${testid}>
    ${items.map(([label, value, key]) => html`<li class="kpi" data-kpi=${key} data-value=${kpis[key] ?? ''}>
      <span class="kpi-label">${label}</span><span class="kpi-value">${value}</span></li>`)}
  </ul>`;
}

// Normalised box [x1, y1, x2, y2] → pixels of a W x H photo.
function px(box, W, H) {
  return { x: box[0] * W, y: box[1] * H, w: (box[2] - box[0]) * W, h: (box[3] - box[1]) * H };
}

// The photo of the analysed scan with three toggleable layers: planogram slots (dashed, by slot
// status), detections (by SKU) and empty-facing gaps (hatched).
export function ComplianceView({ scan, detections, detail, imageUrl }) {
  const [show, setShow] = useState({ slots: true, detections: true, gaps: true });
  const W = scan.width || 1;
  const H = scan.height || 1;
  const slots = (detail.slots || []).filter((s) => Array.isArray(s.box));
  const gaps = detail.gaps || [];
  const font = Math.max(10, Math.round(Math.max(W, H) / 50));
  const toggle = (k) => setShow({ ...show, [k]: !show[k] });
  const layer = (k, label, n, swatch) => html`<label class="layer-toggle">
      <input type="checkbox" checked=${show[k]} onChange=${() => toggle(k)} data-layer=${k} />
      <span class=${'swatch ' + swatch} aria-hidden="true"></span>${label} (${n})</label>`;
  return html`<figure class="scan-view" data-testid="compliance-view" data-scan-id=${scan.id}>
    <div class="scan-controls legend" role="group" aria-label="Layers">
      ${layer('slots', 'Planogram slots', slots.length, 'slot')}
      ${layer('detections', 'Detections', detections.length, 'detection')}
      ${layer('gaps', 'Gaps', gaps.length, 'gap')}
    </div>
    <div class="photo" style=${{ aspectRatio: `${W} / ${H}` }}>
      <img src=${imageUrl} alt=${`Shelf photo of ${scan.shelf_location} at ${scan.store}`} width=${W} height=${H} loading="lazy" />
      <svg viewBox=${`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true">
        <defs><pattern id="gap-hatch" width="12" height="12" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="6" height="12" fill="rgba(220, 38, 38, 0.35)" /></pattern></defs>
        ${show.gaps ? gaps.map((g, i) => {
          const b = px(g.box, W, H);
          return html`<rect key=${'g' + i} data-gap x=${b.x} y=${b.y} width=${b.w} height=${b.h}
            fill="url(#gap-hatch)" stroke="#dc2626" stroke-width="2" vector-effect="non-scaling-stroke" />`;
        }) : null}
        ${show.detections ? detections.map((d) => {
          const b = px([d.x_center - d.width / 2, d.y_center - d.height / 2, d.x_center + d.width / 2, d.y_center + d.height / 2], W, H);
          return html`<rect key=${'d' + d.id} data-box x=${b.x} y=${b.y} width=${b.w} height=${b.h} fill="none"
            stroke=${colorFor(d.sku || d.class_name)} stroke-width="2" vector-effect="non-scaling-stroke" />`;
        }) : null}
        ${show.slots ? slots.map((s, i) => {
          const b = px(s.box, W, H);
          const ok = s.status === 'OK';
          return html`<g key=${'s' + i}>
            <rect data-slot data-status=${s.status} x=${b.x} y=${b.y} width=${b.w} height=${b.h} fill="none"
              stroke=${ok ? '#16a34a' : '#d97706'} stroke-width="3" stroke-dasharray="8 5" vector-effect="non-scaling-stroke" />
            <text x=${b.x + 3} y=${b.y + font + 2} font-size=${font} fill="#fff" stroke="#000" stroke-width=${font / 6}
              paint-order="stroke">${s.sku}${ok ? '' : ` · ${(STATUS[s.status] || [0, s.status])[1]}`}</text></g>`;
        }) : null}
      </svg>
    </div>
  </figure>`;
}
