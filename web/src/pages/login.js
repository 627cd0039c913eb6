// The login page: shown whenever the server says nobody is logged in.
import { useState } from 'preact/hooks';
import { html } from '../ui.js';
import { login } from '../session.js';

export function Login({ message }) {
  const [name, setName] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(message || null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(name, password);
    } catch (err) {
      setError(err.status === 429 ? err.message : err.status === 401 ? 'Wrong user name or password.' : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login" id="main">
    <form class="card login-form" onSubmit=${submit} data-testid="login-form" aria-labelledby="login-title">
      <h1 id="login-title">VisionStock</h1>
      <p class="muted">Log in to see your shelves. On a new server the first password is in
        <code>data/initial-admin-password</code>.</p>
      <label>User name
        <input name="username" autocomplete="username" required value=${name}
          onInput=${(e) => setName(e.currentTarget.value)} /></label>
      <label>Password
        <input name="password" type="password" autocomplete="current-password" required value=${password}
          onInput=${(e) => setPassword(e.currentTarget.value)} /></label>
      ${error ? html`<p class="error" role="alert" data-testid="login-error">${error}</p>` : null}
      <button type="submit" class="button" disabled=${busy}>${busy ? 'Logging in…' : 'Log in'}</button>
    </form>
  </main>`;
}
