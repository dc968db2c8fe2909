import type { Response } from 'express';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

// Scripts and styles only from this server (htmx and the console's CSS), no inline code; no
// framing; forms post only here.
const securityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** A whole page (preact escapes every text and attribute it renders). */
export function sendPage(res: Response, page: VNode, status = 200): void {
  res
    .status(status)
    .set(securityHeaders)
    .type('html')
    .send(`<!doctype html>${renderToString(page)}`);
}

/** A part of a page, for htmx to swap in. */
export function sendFragment(res: Response, fragment: VNode, status = 200): void {
  res.status(status).set(securityHeaders).type('html').send(renderToString(fragment));
}
