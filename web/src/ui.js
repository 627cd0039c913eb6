// Small shared components and formatters.
import { h } from 'preact';
import htm from 'htm';
import { useState } from 'preact/hooks';

export const html = htm.bind(h);

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function fmtDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
}

export function fmtTime(d) {
  return d ? timeOnly.format(d) : '—';
}

export function fmtInt(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString();
}

export function fmtConf(c) {
  return c === null || c === undefined ? '—' : (c * 100).toFixed(1) + '%';
}

export function fmtNum(n, digits = 3) {
  return n === null || n === undefined ? '—' : Number(n).toFixed(digits);
}

// A stable colour per label.
export function colorFor(label) {
  let hsh = 0;
  for (const ch of String(label)) hsh = (hsh * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hsh % 360} 85% 45%)`;
}

// "Updated 12:03:04" for a page's data, with the error of the last attempt if it failed.
export function Updated({ states }) {
  const list = states.filter(Boolean);
  const times = list.map((s) => s.updatedAt).filter(Boolean);
  const at = times.length === list.length && times.length ? new Date(Math.min(...times.map(Number))) : null;
  const loading = list.some((s) => s.loading);
  return html`<p class="updated" data-testid="last-updated" aria-live="polite">
    ${at ? html`Data updated <time datetime=${at.toISOString()}>${fmtTime(at)}</time>` : loading ? 'Loading…' : 'Not loaded'}
    ${loading && at ? html` <span class="muted">(refreshing…)</span>` : null}
  </p>`;
}

export function ErrorNote({ states }) {
  const errs = states.filter((s) => s && s.error).map((s) => s.error);
  if (!errs.length) return null;
  const e = errs[0];
  return html`<div class="alert error" role="alert">
    <strong>Could not load data${e.status ? ` (${e.status})` : ''}:</strong> ${e.message}
    ${errs.length > 1 ? html` <span class="muted">and ${errs.length - 1} more</span>` : null}
  </div>`;
}

export function Empty({ title, children }) {
  return html`<div class="empty" data-testid="empty-state">
    <p class="empty-title">${title}</p>
    ${children ? html`<div class="empty-body">${children}</div>` : null}
  </div>`;
}

export function PageHeader({ title, states, children }) {
  return html`<header class="page-header">
    <div>
      <h1 tabindex="-1" id="page-title">${title}</h1>
      ${states ? html`<${Updated} states=${states} />` : null}
    </div>
    ${children ? html`<div class="page-tools">${children}</div>` : null}
  </header>
  ${states ? html`<${ErrorNote} states=${states} />` : null}`;
}

// The photo of a scan with its boxes drawn as SVG rects (one <rect data-box> per visible
// detection), labelled with SKU and confidence, and a threshold slider that hides boxes below it.
export function ScanView({ scan, detections, imageUrl, idPrefix = 'scan' }) {
  const [threshold, setThreshold] = useState(0);
  const W = scan.width || 1;
  const H = scan.height || 1;
  const boxes = detections.map((d) => {
    let x1, y1, x2, y2;
    if (Array.isArray(d.bbox) && d.bbox.length === 4) [x1, y1, x2, y2] = d.bbox;
    else {
      x1 = (d.x_center - d.width / 2) * W;
      y1 = (d.y_center - d.height / 2) * H;
      x2 = (d.x_center + d.width / 2) * W;
      y2 = (d.y_center + d.height / 2) * H;
    }
    return { d, x1, y1, w: Math.max(0, x2 - x1), h: Math.max(0, y2 - y1) };
  });
  // Most confident last, so that its label is drawn on top.
  const visible = boxes.filter((b) => b.d.confidence >= threshold).sort((a, b) => a.d.confidence - b.d.confidence);
  const font = Math.max(10, Math.round(Math.max(W, H) / 45));
  const sliderId = `${idPrefix}-threshold`;
  return html`<figure class="scan-view" data-testid="scan-view" data-scan-id=${scan.id ?? scan.scan_id}>
    <div class="scan-controls">
      <label for=${sliderId}>Confidence threshold <output for=${sliderId}>${Math.round(threshold * 100)}%</output></label>
      <input id=${sliderId} type="range" min="0" max="1" step="0.01" value=${threshold}
        onInput=${(e) => setThreshold(Number(e.currentTarget.value))} />
      <span class="muted" data-testid="box-count">Showing ${visible.length} of ${boxes.length} boxes</span>
    </div>
    <div class="photo" style=${{ aspectRatio: `${W} / ${H}` }}>
      <img src=${imageUrl} alt=${`Shelf photo of ${scan.shelf_location} at ${scan.store}`} width=${W} height=${H} loading="lazy" />
      <svg viewBox=${`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true">
        ${visible.map((b) => {
          const color = colorFor(b.d.sku || b.d.class_name);
          const label = `${b.d.sku || b.d.class_name} ${Math.round(b.d.confidence * 100)}%`;
          const ty = b.y1 > font + 4 ? b.y1 - 4 : b.y1 + font + 2;
          return html`<g key=${b.d.id}>
            <rect data-box data-detection-id=${b.d.id} data-confidence=${b.d.confidence}
              x=${b.x1} y=${b.y1} width=${b.w} height=${b.h} fill="none" stroke=${color}
              stroke-width="3" vector-effect="non-scaling-stroke" />
            <text x=${b.x1 + 2} y=${ty} font-size=${font} fill="#fff" stroke="#000" stroke-width=${font / 6}
              paint-order="stroke" class="box-label">${label}</text>
          </g>`;
        })}
      </svg>
    </div>
    <figcaption class="sr-only">${visible.length} detections shown</figcaption>
  </figure>`;
}
