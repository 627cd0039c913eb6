// Models side by side on one photo (POST /api/models/compare-photo): the photo drawn once per
// model with that model's boxes, labels and count (or once with every model's boxes overlaid, a
// toggle per model), and a table of the counts per class with the difference. The photo is a file from this computer or a stored scan's photo; the server stores
// nothing for a comparison.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, postForm } from './api.js';
import { useData } from './hooks.js';
import { colorFor, fmtInt, fmtNum, html } from './ui.js';

// Longest side the photo is painted at; the boxes are vector graphics over it at any size.
const MAX_CANVAS_SIDE = 1600;
// Overlaid, each model's boxes have one colour and dash pattern of their own.
const MODEL_STYLES = [
  { color: '#1f77ff', dash: null },
  { color: '#ff7a00', dash: '8 5' },
  { color: '#14a44d', dash: '2 4' },
  { color: '#d6336c', dash: '12 4 2 4' },
];

// The photo is painted on a canvas from an ImageBitmap rather than shown in an <img>: the
// dashboard's Content-Security-Policy allows images from the server only (img-src 'self'), so a
// blob: URL of a local file would not display. createImageBitmap applies the EXIF orientation,
// as the server does, so the server's box coordinates fit.
function PhotoCanvas({ bitmap, width, height, label }) {
  const ref = useRef(null);
  const scale = Math.min(1, MAX_CANVAS_SIDE / Math.max(width, height));
  const cw = Math.max(1, Math.round(width * scale));
  const ch = Math.max(1, Math.round(height * scale));
  useEffect(() => {
    const ctx = ref.current && ref.current.getContext('2d');
    if (ctx && bitmap) ctx.drawImage(bitmap, 0, 0, cw, ch);
  }, [bitmap, cw, ch]);
  return html`<canvas ref=${ref} width=${cw} height=${ch} role="img" aria-label=${label}></canvas>`;
}

// `style` (overlaid): one colour and dash for every box of this model; else a colour per class.
function Boxes({ result, width, height, showLabels, style = null }) {
  const font = Math.max(10, Math.round(Math.max(width, height) / 45));
  // Most confident last, so that its label is drawn on top.
  const sorted = [...result.detections].sort((a, b) => a.confidence - b.confidence);
  return html`<svg viewBox=${`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
    ${sorted.map((d, i) => {
      const [x1, y1, x2, y2] = d.bbox;
      const color = style ? style.color : colorFor(d.class_name);
      const ty = y1 > font + 4 ? y1 - 4 : y1 + font + 2;
      return html`<g key=${i}>
        <rect data-box data-class=${d.class_name} data-confidence=${d.confidence} x=${x1} y=${y1}
          width=${Math.max(0, x2 - x1)} height=${Math.max(0, y2 - y1)} fill="none" stroke=${color}
          stroke-width="3" stroke-dasharray=${style && style.dash ? style.dash : undefined}
          vector-effect="non-scaling-stroke" />
        ${showLabels
          ? html`<text x=${x1 + 2} y=${ty} font-size=${font} fill="#fff" stroke="#000" stroke-width=${font / 6}
              paint-order="stroke" class="box-label">${d.class_name} ${Math.round(d.confidence * 100)}%</text>`
          : null}
      </g>`;
    })}
  </svg>`;
}

function ModelPanel({ bitmap, answer, result, showLabels }) {
  const n = result.detections_count;
  return html`<figure class="compare-panel" data-testid="compare-panel" data-model-version=${result.model_version}
      data-count=${n}>
    <figcaption>
      <strong>${result.model_version}</strong>
      <span class="muted small">${result.model_type ? ` · ${result.model_type}` : ''}</span>
      <div><span data-testid="compare-count">${fmtInt(n)}</span> detection${n === 1 ? '' : 's'}
        <span class="muted"> · ${fmtNum(result.inference_ms, 1)} ms inference</span></div>
    </figcaption>
    <div class="photo" style=${{ aspectRatio: `${answer.width} / ${answer.height}` }}>
      <${PhotoCanvas} bitmap=${bitmap} width=${answer.width} height=${answer.height}
        label=${`The photo with the detections of ${result.model_version}`} />
      <${Boxes} result=${result} width=${answer.width} height=${answer.height} showLabels=${showLabels} />
    </div>
  </figure>`;
}

// One photo with the boxes of every model ticked, each model in its own colour and dash.
function Overlay({ bitmap, answer, showLabels }) {
  const [hidden, setHidden] = useState(() => new Set());
  const toggle = (id) => setHidden((h) => {
    const next = new Set(h);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const shown = answer.models.filter((m) => !hidden.has(m.model_version_id));
  return html`<figure class="compare-panel compare-overlay" data-testid="compare-overlay">
    <figcaption class="overlay-toggles">
      ${answer.models.map((m, i) => html`<label data-testid="overlay-toggle">
        <input type="checkbox" checked=${!hidden.has(m.model_version_id)} onChange=${() => toggle(m.model_version_id)} />
        <span class="swatch" style=${{ borderColor: MODEL_STYLES[i].color, borderStyle: MODEL_STYLES[i].dash ? 'dashed' : 'solid' }}></span>
        ${m.model_version} (${fmtInt(m.detections_count)})</label>`)}
    </figcaption>
    <div class="photo" style=${{ aspectRatio: `${answer.width} / ${answer.height}` }}>
      <${PhotoCanvas} bitmap=${bitmap} width=${answer.width} height=${answer.height}
        label=${`The photo with the detections of ${shown.map((m) => m.model_version).join(' and ') || 'no model'}`} />
      ${answer.models.map((m, i) => (hidden.has(m.model_version_id)
        ? null
        : html`<${Boxes} key=${m.model_version_id} result=${m} width=${answer.width} height=${answer.height}
            showLabels=${showLabels} style=${MODEL_STYLES[i]} />`))}
    </div>
  </figure>`;
}

// Detections per class and model; with two models, the second's count minus the first's.
function CountTable({ answer }) {
  const models = answer.models;
  const classes = [...new Set(models.flatMap((m) => Object.keys(m.counts)))].sort();
  const two = models.length === 2;
  const diff = (a, b) => {
    const d = (b || 0) - (a || 0);
    return d === 0 ? '0' : (d > 0 ? '+' : '') + d;
  };
  return html`<table class="table" data-testid="compare-counts">
    <thead><tr><th scope="col">Class</th>
      ${models.map((m) => html`<th scope="col" class="num">${m.model_version}</th>`)}
      ${two ? html`<th scope="col" class="num">Difference</th>` : null}</tr></thead>
    <tbody>
      ${classes.map((c) => html`<tr data-class=${c}><th scope="row">${c}</th>
        ${models.map((m) => html`<td class="num">${m.counts[c] || 0}</td>`)}
        ${two ? html`<td class="num">${diff(models[0].counts[c], models[1].counts[c])}</td>` : null}</tr>`)}
      <tr data-class="all"><th scope="row">All detections</th>
        ${models.map((m) => html`<td class="num">${m.detections_count}</td>`)}
        ${two ? html`<td class="num">${diff(models[0].detections_count, models[1].detections_count)}</td>` : null}</tr>
    </tbody>
  </table>`;
}

async function photoBlob(source, fileInput, scanId) {
  if (source === 'file') {
    const file = fileInput.files && fileInput.files[0];
    if (!file) throw new ApiError(0, 'no_photo', 'Choose a photo first.');
    return { blob: file, name: file.name };
  }
  if (!scanId) throw new ApiError(0, 'no_photo', 'Choose a stored scan first.');
  const res = await fetch(`/api/scans/${scanId}/image`, { cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, 'http_' + res.status, `Cannot read the photo of scan #${scanId}`);
  return { blob: await res.blob(), name: `scan-${scanId}` };
}

// `versions`: the model versions to run (each with id, version_name, serving), two or more.
export function PhotoCompare({ versions }) {
  const [source, setSource] = useState('file');
  const [scanId, setScanId] = useState('');
  const [state, setState] = useState({ busy: false, error: null, answer: null, bitmap: null });
  const [showLabels, setShowLabels] = useState(true);
  const [view, setView] = useState('side');
  const fileInput = useRef(null);
  const scans = useData((o) => (source === 'scan' ? get('/api/scans?limit=20', o) : Promise.resolve(null)), [source], ['scans']);
  const cannot = versions.filter((v) => !v.serving);

  const run = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null, answer: null, bitmap: null });
    try {
      const { blob, name } = await photoBlob(source, fileInput.current, scanId);
      const form = new FormData();
      form.append('file', blob, name);
      const answer = await postForm(`/api/models/compare-photo?models=${versions.map((v) => v.id).join(',')}`, form);
      let bitmap = null;
      try {
        bitmap = await createImageBitmap(blob);
      } catch {
        // A format this browser cannot paint: the boxes and counts still show.
      }
      setState({ busy: false, error: null, answer, bitmap });
    } catch (error) {
      setState({ busy: false, error, answer: null, bitmap: null });
    }
  };

  if (cannot.length) {
    return html`<p class="muted" data-testid="photo-compare-unavailable">
      ${cannot.map((v) => v.version_name).join(', ')} ${cannot.length === 1 ? 'is a record' : 'are records'} of a model kept
      elsewhere; only models this server can run are compared on a photo.</p>`;
  }
  const a = state.answer;
  return html`<div class="photo-compare needs-operator" data-testid="photo-compare">
    <h3>On one photo</h3>
    <form class="upload-form" onSubmit=${run}>
      <div class="field"><label for="pc-source">Photo</label>
        <select id="pc-source" value=${source} onChange=${(e) => setSource(e.currentTarget.value)}>
          <option value="file">From this computer</option><option value="scan">A stored scan</option>
        </select></div>
      ${source === 'file'
        ? html`<div class="field"><label for="pc-file">Photo file</label><input id="pc-file" ref=${fileInput} type="file" accept="image/*" /></div>`
        : html`<div class="field"><label for="pc-scan">Stored scan</label>
            <select id="pc-scan" value=${scanId} onChange=${(e) => setScanId(e.currentTarget.value)}>
              <option value="">—</option>
              ${((scans.data && scans.data.items) || []).map((s) => html`<option value=${s.id}>#${s.id} · ${s.store} · ${s.shelf_location}</option>`)}
            </select></div>`}
      <div class="field"><label for="pc-view">View</label>
        <select id="pc-view" value=${view} onChange=${(e) => setView(e.currentTarget.value)}>
          <option value="side">Side by side</option><option value="overlay">Overlaid</option>
        </select></div>
      <div class="field"><label><input type="checkbox" checked=${showLabels} onChange=${(e) => setShowLabels(e.currentTarget.checked)} /> Show labels</label></div>
      <div class="field field-end"><button class="button" type="submit" disabled=${state.busy}>
        ${state.busy ? 'Detecting…' : `Run ${versions.length === 2 ? 'both' : 'all'}`}</button></div>
    </form>
    ${state.error
      ? html`<p class="alert error" role="alert" data-testid="photo-compare-error">Not compared${state.error.status ? ` (${state.error.status})` : ''}: ${state.error.message}</p>`
      : null}
    ${a
      ? html`<p class="muted">${a.width}×${a.height} pixels · nothing was stored.</p>
        ${view === 'overlay'
          ? html`<${Overlay} bitmap=${state.bitmap} answer=${a} showLabels=${showLabels} />`
          : html`<div class="compare-panels">${a.models.map((m) => html`<${ModelPanel} key=${m.model_version_id}
              bitmap=${state.bitmap} answer=${a} result=${m} showLabels=${showLabels} />`)}</div>`}
        <${CountTable} answer=${a} />`
      : null}
  </div>`;
}
