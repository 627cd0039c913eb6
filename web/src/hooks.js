// Preact hooks tying pages to the live store.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getState, subscribe } from './live.js';

// The live store's state; re-renders on every change.
export function useLive() {
  const [, setN] = useState(0);
  useEffect(() => subscribe(() => setN((n) => n + 1)), []);
  return getState();
}

// Loads data with `loader({noStore})` and re-loads it when `deps` change (a fresh load: older
// answers are dropped), when a live topic in `topics` changes, on a poll or auto-refresh tick,
// and on a manual refresh (then with noStore). Re-loads triggered while one is running are
// coalesced into one more. Returns {data, error, loading, updatedAt}; on error the last data
// is kept and `error` is set.
export function useData(loader, deps, topics) {
  const live = useLive();
  const [st, setSt] = useState({ data: undefined, error: null, loading: true, updatedAt: null });
  const loaderRef = useRef(loader);
  loaderRef.current = loader;
  const r = useRef(null);
  if (r.current === null) {
    r.current = { seq: 0, minSeq: 0, applied: 0, inFlight: 0, pending: false, hard: live.stamp.hard, deps: null, alive: true };
  }
  const depsKey = JSON.stringify(deps);
  const liveKey = topics.map((t) => live.stamp[t]).join(',') + '|' + live.stamp.tick + '|' + live.stamp.hard;

  useEffect(() => {
    r.current.alive = true;
    return () => {
      r.current.alive = false;
    };
  }, []);

  useEffect(() => {
    const s = r.current;
    const fresh = s.deps !== depsKey;
    s.deps = depsKey;
    const run = (isFresh) => {
      if (!isFresh && s.inFlight > 0) {
        s.pending = true;
        return;
      }
      const seq = ++s.seq;
      if (isFresh) {
        s.minSeq = seq;
        setSt((old) => ({ ...old, loading: true }));
      }
      const hard = getState().stamp.hard;
      const noStore = hard !== s.hard;
      s.hard = hard;
      s.inFlight += 1;
      Promise.resolve()
        .then(() => loaderRef.current({ noStore }))
        .then(
          (data) => {
            if (!s.alive || seq < s.minSeq || seq <= s.applied) return;
            s.applied = seq;
            setSt({ data, error: null, loading: false, updatedAt: new Date() });
          },
          (error) => {
            if (!s.alive || seq < s.minSeq || seq <= s.applied) return;
            s.applied = seq;
            console.error(error);
            setSt((old) => ({ ...old, error, loading: false }));
          },
        )
        .finally(() => {
          s.inFlight -= 1;
          if (s.inFlight === 0 && s.pending && s.alive) {
            s.pending = false;
            run(false);
          }
        });
    };
    run(fresh);
  }, [depsKey, liveKey]);

  return st;
}

// Reads and writes the query part of the hash route (#/page?a=1&b=2).
export function useHashQuery() {
  const read = () => {
    const h = location.hash;
    const i = h.indexOf('?');
    return Object.fromEntries(new URLSearchParams(i >= 0 ? h.slice(i + 1) : ''));
  };
  const [q, setQ] = useState(read);
  useEffect(() => {
    const on = () => setQ(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const update = (patch) => {
    const next = { ...read(), ...patch };
    const base = location.hash.split('?')[0] || '#/';
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v !== undefined && v !== null && v !== '') qs.set(k, v);
    const s = qs.toString();
    history.replaceState(null, '', base + (s ? '?' + s : ''));
    setQ(read());
  };
  return [q, update];
}
