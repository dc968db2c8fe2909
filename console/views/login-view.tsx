import { Document } from './layout.js';

/** The sign-in page: the admin's password, or an API token (a viewer token signs in read-only). */
export function LoginView(props: { next: string; user: string; error?: string }) {
  return (
    <Document title="Sign in">
      <main id="main" class="login">
        <h1>Regatta</h1>
        <form method="post" action="/login" class="card">
          <input type="hidden" name="next" value={props.next} />
          {props.error && (
            <p class="form-error" role="alert">
              {props.error}
            </p>
          )}
          <div class="field">
            <label for="user">User</label>
            <input id="user" name="user" type="text" value={props.user} autocomplete="username" />
          </div>
          <div class="field">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" />
          </div>
          <p class="or">or</p>
          <div class="field">
            <label for="token">API token</label>
            <input id="token" name="token" type="password" autocomplete="off" aria-describedby="token-hint" />
            <small id="token-hint" class="hint">
              A token made with POST /api/v2.0/tokens; a viewer token signs in read-only.
            </small>
          </div>
          <button type="submit" class="primary">
            Sign in
          </button>
        </form>
      </main>
    </Document>
  );
}
