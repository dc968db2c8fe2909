import type { ComponentChildren } from 'preact';
import type { Session } from '../session/session-store.js';
import { csrfHeader } from '../session/console-guard.js';
import { PostButton } from './parts.js';

// htmx without eval, inline scripts or injected styles, so the page's CSP can forbid all three.
const htmxConfig = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  historyCacheSize: 0,
});

export type Section = 'map' | 'registries' | 'policies' | 'runs' | 'drift';

const sections: Array<[Section, string, string]> = [
  ['map', '/', 'Sites map'],
  ['registries', '/registries', 'Registries'],
  ['policies', '/policies', 'Policies'],
  ['runs', '/runs', 'Runs'],
  ['drift', '/drift', 'Drift'],
];

export function Document(props: {
  title: string;
  children: ComponentChildren;
  bodyAttributes?: Record<string, string>;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={htmxConfig} />
        <title>{`${props.title} · Regatta`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/htmx.min.js" defer />
      </head>
      <body {...props.bodyAttributes}>{props.children}</body>
    </html>
  );
}

/** Every signed-in page: the sections, who is signed in, the last write's message, the content. */
export function Layout(props: {
  title: string;
  session: Session;
  section: Section;
  children: ComponentChildren;
}) {
  const { session } = props;
  const flash = session.flash;
  delete session.flash;
  return (
    <Document
      title={props.title}
      bodyAttributes={{ 'hx-headers': JSON.stringify({ [csrfHeader]: session.csrfToken }) }}
    >
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          Regatta
        </a>
        <nav aria-label="Sections">
          <ul>
            {sections.map(([section, href, label]) => (
              <li>
                <a href={href} aria-current={section === props.section ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="user">
          <span>
            {session.user.name} <span class="role">({session.user.role})</span>
          </span>
          <PostButton action="/logout" token={session.csrfToken} label="Sign out" />
        </div>
      </header>
      <main id="main">
        {flash && (
          <p class={`flash ${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
            {flash.text}
          </p>
        )}
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}
