// Models: the running detector (from /api/health) and registered model versions with metrics.
import { get } from '../api.js';
import { useData } from '../hooks.js';
import { Empty, PageHeader, fmtDateTime, fmtInt, fmtNum, html } from '../ui.js';

const METRICS = [
  ['map50', 'mAP@50'],
  ['map50_95', 'mAP@50:95'],
  ['precision', 'Precision'],
  ['recall', 'Recall'],
  ['f1_score', 'F1'],
];

export function Models() {
  const models = useData((o) => get('/api/models', o), [], ['models']);
  const health = useData((o) => get('/api/health', o), [], ['models']);
  const m = health.data && health.data.model;
  const list = models.data || [];
  return html`<${PageHeader} title="Models" states=${[models, health]} />
    ${m
      ? html`<section class="card" data-testid="running-model">
          <h2>Running detector</h2>
          <p>
            <span class=${'chip ' + (m.status === 'ready' ? 'ok' : 'missing')}>${m.status === 'ready' ? 'Ready' : 'Unavailable'}</span>
            ${' '}<strong>${m.name || 'unnamed model'}</strong>
            ${m.reason ? html` — <span>${m.reason}</span>` : null}
          </p>
          <p class="muted">Server ${health.data.version || ''} · store ${health.data.status} · ${fmtInt(health.data.live_clients)} live dashboard connection${health.data.live_clients === 1 ? '' : 's'}</p>
        </section>`
      : null}
    ${models.data && !list.length
      ? html`<${Empty} title="No model versions registered">
          Register a trained model and its evaluation with <code>POST /api/models</code> and
          <code>POST /api/models/{id}/metrics</code>; versions and their metrics are listed here for comparison.
        <//>`
      : null}
    ${list.length
      ? html`<div class="table-wrap card"><table class="table" data-testid="models-table">
          <caption class="sr-only">Model versions with their latest evaluation</caption>
          <thead><tr>
            <th scope="col">Version</th><th scope="col">Type</th><th scope="col">Base</th><th scope="col">Trained</th>
            <th scope="col" class="num">Epochs</th>
            ${METRICS.map(([, l]) => html`<th scope="col" class="num">${l}</th>`)}
            <th scope="col" class="num">Inference</th><th scope="col" class="num">Test images</th>
          </tr></thead>
          <tbody>
            ${list.map((v) => {
              const metrics = [...(v.metrics || [])].sort((a, b) => String(b.evaluation_date).localeCompare(String(a.evaluation_date)));
              const last = metrics[0] || {};
              return html`<tr key=${v.id} data-model-id=${v.id}>
                <th scope="row">${v.version_name} ${v.is_active ? html`<span class="chip ok">Active</span>` : null}
                  <div class="muted small">${v.model_path}</div></th>
                <td>${v.model_type || '—'}</td><td>${v.base_model || '—'}</td>
                <td>${v.training_date ? fmtDateTime(v.training_date) : '—'}</td>
                <td class="num">${v.epochs ?? '—'}</td>
                ${METRICS.map(([k]) => html`<td class="num">${fmtNum(last[k])}</td>`)}
                <td class="num">${last.inference_time_ms != null ? fmtNum(last.inference_time_ms, 1) + ' ms' : '—'}</td>
                <td class="num">${last.num_test_images ?? '—'}</td>
              </tr>`;
            })}
          </tbody>
        </table></div>
        <p class="muted">Metrics shown are each version's latest evaluation.</p>`
      : null}`;
}
