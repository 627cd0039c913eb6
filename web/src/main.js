// VisionStock dashboard: application shell, hash routing, live status and refresh controls.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { html, fmtTime } from './ui.js';
import { useLive } from './hooks.js';
import { AUTO_INTERVALS, POLL_MS, refresh, setAutoRefresh, startLive } from './live.js';
import { Overview } from './pages/overview.js';
import { Records } from './pages/records.js';
import { ScanPage } from './pages/scan.js';
import { Detect } from './pages/detect.js';
import { Inventory } from './pages/inventory.js';
import { StoreCompliance } from './pages/store.js';
import { Planograms } from './pages/planograms.js';
import { Models } from './pages/models.js';
import { Login } from './pages/login.js';
import { loadSession, logout, useSession } from './session.js';

const PAGES = [
  { path: 'overview', title: 'Overview', component: Overview },
  { path: 'records', title: 'Detection Records', component: Records },
  { path: 'detect', title: 'Detect', component: Detect },
  { path: 'inventory', title: 'Inventory Analysis', component: Inventory },
  { path: 'compliance', title: 'Store Compliance', component: StoreCompliance },
  { path: 'planograms', title: 'Planograms', component: Planograms },
  { path: 'models', title: 'Models', component: Models },
];

function parseRoute() {
  const h = location.hash.replace(/^#\/?/, '').split('?')[0];
  const parts = h.split('/').filter(Boolean);
  if (parts[0] === 'scans' && parts[1]) return { page: 'scans', id: parts[1] };
  const page = PAGES.find((p) => p.path === parts[0]);
  return { page: page ? page.path : 'overview' };
}

function useRoute() {
  const [route, setRoute] = useState(parseRoute);
  useEffect(() => {
    const on = () => setRoute(parseRoute());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function LiveStatus() {
  const live = useLive();
  const label = {
    connecting: 'Connecting…',
    live: 'Live',
    polling: `Polling every ${POLL_MS / 1000} s`,
  }[live.mode];
  const title = {
    connecting: 'Opening the live connection',
    live: 'Updates are pushed by the server as they happen',
    polling: `Live push unavailable (${live.modeDetail}); re-reading data every ${POLL_MS / 1000} s and retrying`,
  }[live.mode];
  return html`<div class=${`live-status ${live.mode}`} data-testid="live-status" data-mode=${live.mode}
      data-last-event-id=${live.lastEventId ?? ''}
      role="status" title=${title}>
    <span class="dot" aria-hidden="true"></span>
    <span>${label}</span>
    ${live.mode === 'polling' ? html`<span class="sr-only">${title}</span>` : null}
  </div>`;
}

function RefreshControls() {
  const live = useLive();
  const [clicked, setClicked] = useState(null);
  return html`<div class="refresh-controls">
    <label class="switch">
      <input type="checkbox" checked=${live.auto.enabled} data-testid="auto-refresh"
        onChange=${(e) => setAutoRefresh(e.currentTarget.checked, live.auto.interval)} />
      Auto-refresh
    </label>
    <label class="sr-only" for="auto-interval">Auto-refresh interval</label>
    <select id="auto-interval" value=${live.auto.interval} disabled=${!live.auto.enabled}
      onChange=${(e) => setAutoRefresh(live.auto.enabled, Number(e.currentTarget.value))}>
      ${AUTO_INTERVALS.map((s) => html`<option value=${s}>every ${s} s</option>`)}
    </select>
    <button type="button" class="button" data-testid="refresh"
      onClick=${() => { refresh(); setClicked(new Date()); }}
      title=${clicked ? `Last manual refresh ${fmtTime(clicked)}` : 'Re-read everything from the server'}>
      Refresh
    </button>
  </div>`;
}

function UserMenu({ user }) {
  return html`<div class="user-menu" data-testid="user-menu" data-role=${user.role}>
    <span title=${`Logged in as ${user.name} (${user.role})`}>${user.name} · ${user.role}</span>
    <button type="button" class="button secondary small" data-testid="logout" onClick=${() => logout()}>Log out</button>
  </div>`;
}

function App({ user }) {
  const route = useRoute();
  const [navOpen, setNavOpen] = useState(false);
  useEffect(() => {
    setNavOpen(false);
    const t = document.getElementById('page-title');
    if (t && document.activeElement && document.activeElement.closest('nav')) t.focus();
    const p = PAGES.find((x) => x.path === route.page);
    document.title = (p ? p.title : 'Scan') + ' · VisionStock';
  }, [route.page, route.id]);
  const page = PAGES.find((p) => p.path === route.page);
  const navActive = route.page === 'scans' ? 'records' : route.page;
  return html`<a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to content</a>
    <div class="shell" data-role=${user.role}>
      <header class="topbar">
        <div class="brand">
          <button type="button" class="nav-toggle" aria-expanded=${navOpen} aria-controls="nav"
            onClick=${() => setNavOpen(!navOpen)}>Menu</button>
          <a href="#/overview" class="logo">VisionStock</a>
        </div>
        <${LiveStatus} />
        <${RefreshControls} />
        <${UserMenu} user=${user} />
      </header>
      <nav id="nav" class=${navOpen ? 'open' : ''} aria-label="Pages">
        <ul>
          ${PAGES.map((p) => html`<li><a href=${'#/' + p.path} aria-current=${navActive === p.path ? 'page' : undefined}>${p.title}</a></li>`)}
        </ul>
      </nav>
      <main id="main" tabindex="-1">
        ${route.page === 'scans' ? html`<${ScanPage} id=${route.id} />` : html`<${page.component} />`}
      </main>
    </div>`;
}

// The dashboard once someone is logged in, the login page otherwise. Live updates start with the
// first login (the feed needs the viewer role).
function Root() {
  const session = useSession();
  useEffect(() => {
    if (session.state === 'user') startLive();
  }, [session.state]);
  if (session.state === 'loading') return html`<p class="muted" role="status">Loading…</p>`;
  if (session.state !== 'user') return html`<${Login} message=${session.message} />`;
  return html`<${App} user=${session.user} />`;
}

loadSession();
render(html`<${Root} />`, document.getElementById('app'));
