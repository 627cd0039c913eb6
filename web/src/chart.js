// Detection-activity chart: detections per bucket as bars, scans as a line (uPlot).
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import { html } from './ui.js';

const HOUR = 3600;
const DAY = 86400;

// Buckets from the API hold only non-empty periods; the chart shows every period of the range
// (zeros included) from `startSec` (or the first bucket) to now.
export function fillBuckets(buckets, granularity, startSec) {
  const step = granularity === 'day' ? DAY : HOUR;
  const byStart = new Map();
  for (const b of buckets) byStart.set(Math.floor(Date.parse(b.start) / 1000), b);
  const now = Math.floor(Date.now() / 1000);
  const first = startSec ?? (buckets.length ? Math.floor(Date.parse(buckets[0].start) / 1000) : now);
  const from = Math.floor(first / step) * step;
  const lastBucket = buckets.length ? Math.floor(Date.parse(buckets[buckets.length - 1].start) / 1000) : from;
  const to = Math.max(Math.floor(now / step) * step, lastBucket);
  const xs = [], det = [], scans = [];
  for (let t = from; t <= to && xs.length < 5000; t += step) {
    const b = byStart.get(t);
    xs.push(t);
    det.push(b ? b.detections : 0);
    scans.push(b ? b.scans : 0);
  }
  return [xs, det, scans];
}

export function ActivityChart({ data, granularity }) {
  const el = useRef(null);
  const plot = useRef(null);

  useEffect(() => {
    const node = el.current;
    const step = granularity === 'day' ? DAY : HOUR;
    const width = Math.max(280, node.clientWidth);
    const opts = {
      width,
      height: 240,
      padding: [8, 8, 0, 0],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      // Half a bucket of room on each side so the first and last bars are drawn whole.
      scales: { x: { time: true, range: (u, min, max) => [min - step / 2, max + step / 2] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        { stroke: '#4a5563', grid: { stroke: '#eef0f3' } },
        { stroke: '#4a5563', grid: { stroke: '#eef0f3' }, size: 48 },
      ],
      series: [
        {},
        {
          label: 'Detections',
          stroke: '#1f4e79',
          fill: 'rgba(31, 78, 121, 0.55)',
          width: 1,
          paths: uPlot.paths.bars({ size: [0.8, 40] }),
          points: { show: false },
        },
        { label: 'Scans', stroke: '#d97706', width: 2, points: { show: false } },
      ],
    };
    plot.current = new uPlot(opts, data, node);
    const ro = new ResizeObserver(() => {
      const w = Math.max(280, node.clientWidth);
      if (plot.current && Math.abs(plot.current.width - w) > 1) plot.current.setSize({ width: w, height: 240 });
    });
    ro.observe(node);
    return () => {
      ro.disconnect();
      plot.current.destroy();
      plot.current = null;
    };
  }, [granularity]);

  useEffect(() => {
    if (plot.current) plot.current.setData(data);
  }, [data]);

  const total = data[1].reduce((a, b) => a + b, 0);
  return html`<div class="chart" ref=${el} role="img" data-testid="activity-chart" data-total=${total}
    aria-label=${`Detections per ${granularity}: ${total} in the range shown`}></div>`;
}

// Compliance trend: compliance score and on-shelf availability (0..100 %) per bucket of
// /api/compliance/history, as lines; a bucket's ratio is null when it planned nothing.
export function historySeries(buckets) {
  const xs = [], score = [], osa = [];
  for (const b of buckets) {
    xs.push(Math.floor(Date.parse(b.start) / 1000));
    score.push(b.kpis.compliance_score === null ? null : Math.round(b.kpis.compliance_score * 1000) / 10);
    osa.push(b.kpis.availability === null ? null : Math.round(b.kpis.availability * 1000) / 10);
  }
  return [xs, score, osa];
}

export function ComplianceChart({ data }) {
  const el = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const node = el.current;
    const opts = {
      width: Math.max(280, node.clientWidth),
      height: 200,
      padding: [8, 8, 0, 0],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      // One bucket alone gets an hour either side, not a range of years.
      scales: { x: { time: true, range: (u, min, max) => (min === max ? [min - HOUR, max + HOUR] : [min, max]) }, y: { range: [0, 100] } },
      axes: [
        { stroke: '#4a5563', grid: { stroke: '#eef0f3' } },
        { stroke: '#4a5563', grid: { stroke: '#eef0f3' }, size: 48, values: (u, v) => v.map((x) => `${x}%`) },
      ],
      series: [
        {},
        { label: 'Compliance', stroke: '#1f4e79', width: 2, spanGaps: true },
        { label: 'On-shelf availability', stroke: '#16a34a', width: 2, spanGaps: true },
      ],
    };
    plot.current = new uPlot(opts, data, node);
    const ro = new ResizeObserver(() => {
      const w = Math.max(280, node.clientWidth);
      if (plot.current && Math.abs(plot.current.width - w) > 1) plot.current.setSize({ width: w, height: 200 });
    });
    ro.observe(node);
    return () => {
      ro.disconnect();
      plot.current.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => {
    if (plot.current) plot.current.setData(data);
  }, [data]);
  return html`<div class="chart" ref=${el} role="img" data-testid="compliance-chart" data-points=${data[0].length}
    aria-label=${`Compliance over time: ${data[0].length} buckets`}></div>`;
}
