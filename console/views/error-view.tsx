import type { Session } from '../session/session-store.js';
import { Document, Layout } from './layout.js';

const titles: Record<number, string> = {
  400: 'Not valid',
  401: 'Sign in needed',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  412: 'Not possible now',
  429: 'Too many requests',
};

/** An error as a page: its status, and a message that names what went wrong (never a secret). */
export function ErrorView(props: { status: number; message: string; session?: Session }) {
  const title = titles[props.status] ?? 'Error';
  const body = (
    <>
      <p class="form-error" role="alert">
        {props.message}
      </p>
      <p>
        <a href="/">Back to the sites map</a>
      </p>
    </>
  );
  if (props.session)
    return (
      <Layout title={title} session={props.session} section="map">
        {body}
      </Layout>
    );
  return (
    <Document title={title}>
      <main id="main">
        <h1>{title}</h1>
        {body}
      </main>
    </Document>
  );
}
