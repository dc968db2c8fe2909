import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { createRegistryClient, type RegistryClient } from '../../registry/index.js';
import { maxPageBytes } from '../../registry/paged-names.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A registry stub on a port of its own that answers every request with `handler`; records paths. */
async function stub(handler: Handler): Promise<{ url: string; paths: string[]; server: Server }> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    handler(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(typeof address === 'object' && address);
  return { url: `http://127.0.0.1:${address.port}`, paths, server };
}

const json = (response: ServerResponse, body: unknown, headers: Record<string, string> = {}) =>
  response.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/** Pages of tags served at `/v2/app/tags/list`, each linking to the next as `links` says. */
function tagPages(pages: string[][], links: Array<string | undefined>): Handler {
  return (request, response) => {
    const page = Number(new URL(request.url!, 'http://stub').searchParams.get('page') ?? 0);
    const link = links[page];
    json(response, { name: 'app', tags: pages[page] }, link ? { link: `<${link}>; rel="next"` } : {});
  };
}

async function collect(pages: AsyncIterable<string[]>): Promise<string[]> {
  const names: string[] = [];
  for await (const page of pages) names.push(...page);
  return names;
}

/** The listing fails with `code`, saying whether to retry; never ends as if complete. */
async function rejectsWith(pages: AsyncIterable<string[]>, code: string, retryable: boolean) {
  await assert.rejects(collect(pages), (error: Error & { code?: string; retryable?: boolean }) => {
    assert.equal(error.code, code, error.message);
    assert.equal(error.retryable, retryable);
    return true;
  });
}

describe('pagedNames – a listing is read to its end or fails with a stable code', () => {
  const servers: Server[] = [];
  const clients: RegistryClient[] = [];
  const registry = async (handler: Handler) => {
    const started = await stub(handler);
    servers.push(started.server);
    const client = createRegistryClient({ url: started.url });
    clients.push(client);
    return { client, paths: started.paths, url: started.url };
  };
  after(async () => {
    for (const client of clients) await client.close();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('follows – every page, in order, through same-origin links', async () => {
    const { client } = await registry(
      tagPages([['a', 'b'], ['c'], ['d']], ['/v2/app/tags/list?page=1', '/v2/app/tags/list?page=2']),
    );
    assert.deepEqual(await collect(client.listTags('app', { pageSize: 2 })), ['a', 'b', 'c', 'd']);
  });

  it('foreign origin – a next page on another origin is refused and never requested', async () => {
    const elsewhere = await registry((_request, response) => json(response, { name: 'app', tags: ['x'] }));
    const { client } = await registry(tagPages([['a']], [`${elsewhere.url}/v2/app/tags/list?page=1`]));
    await rejectsWith(client.listTags('app'), 'REGISTRY_LISTING_FOREIGN_LINK', false);
    assert.deepEqual(elsewhere.paths, []);
  });

  it('foreign path – a next page of another listing on the same origin is refused', async () => {
    const { client, paths } = await registry(tagPages([['a'], ['b']], ['/v2/other/tags/list?page=1']));
    await rejectsWith(client.listTags('app'), 'REGISTRY_LISTING_FOREIGN_LINK', false);
    assert.equal(paths.length, 1);
  });

  it('repeated page – a link back to a page already read is an error, not the end', async () => {
    const { client } = await registry(
      tagPages([['a'], ['b']], ['/v2/app/tags/list?page=1', '/v2/app/tags/list?n=1000']),
    );
    await rejectsWith(client.listTags('app'), 'REGISTRY_LISTING_REPEATED_PAGE', false);
  });

  it('page cap – more pages than maxPages is an error, not the end', async () => {
    const { client, paths } = await registry(
      tagPages([['a'], ['b'], ['c']], ['/v2/app/tags/list?page=1', '/v2/app/tags/list?page=2']),
    );
    await rejectsWith(client.listTags('app', { maxPages: 2 }), 'REGISTRY_LISTING_PAGE_LIMIT', false);
    assert.equal(paths.length, 2);
    assert.deepEqual(await collect(client.listTags('app', { maxPages: 3 })), ['a', 'b', 'c']);
  });

  it('404 – no such repository is an empty list, unless the catalog listed it', async () => {
    const { client } = await registry((_request, response) =>
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known' }] })),
    );
    assert.deepEqual(await collect(client.listTags('app')), []);
    await rejectsWith(client.listTags('app', { inCatalog: true }), 'REGISTRY_LISTING_TAGS_UNKNOWN', true);
  });

  it('404 on a later page – the listing was cut, not finished', async () => {
    const { client } = await registry((request, response) => {
      if (request.url!.includes('page=1')) response.writeHead(404).end();
      else json(response, { name: 'app', tags: ['a'] }, { link: '</v2/app/tags/list?page=1>; rel="next"' });
    });
    await rejectsWith(client.listTags('app'), 'REGISTRY_LISTING_TRUNCATED', true);
  });

  it('truncated – a body cut before its declared length is retryable, not a shorter list', async () => {
    const { client } = await registry((_request, response) => {
      const body = JSON.stringify({ name: 'app', tags: ['a', 'b', 'c', 'd'] });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      response.write(body.slice(0, 20), () => response.socket?.destroy());
    });
    await rejectsWith(client.listTags('app'), 'REGISTRY_LISTING_TRUNCATED', true);
  });

  const invalid: Array<[string, string]> = [
    ['not JSON', '<html>gateway</html>'],
    ['JSON cut inside its framing', '{"name":"app","tags":["a","b"'],
    ['no list', '{"name":"app"}'],
    ['not a list', '{"name":"app","tags":"a"}'],
    ['a name that is not a string', '{"name":"app","tags":["a",7]}'],
    ['a name outside the OCI grammar', '{"name":"app","tags":["a","../b"]}'],
  ];
  for (const [name, body] of invalid) {
    it(`invalid page – ${name}`, async () => {
      const { client } = await registry((_request, response) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(body),
      );
      await rejectsWith(client.listTags('app'), 'REGISTRY_LISTING_INVALID', false);
    });
  }

  it('null tags – how Distribution lists a repository whose tags were all deleted: empty', async () => {
    const { client } = await registry((_request, response) => json(response, { name: 'app', tags: null }));
    assert.deepEqual(await collect(client.listTags('app')), []);
  });

  it('catalog – names outside the OCI grammar are refused too', async () => {
    const { client } = await registry((_request, response) =>
      json(response, { repositories: ['good/app', 'Bad/App'] }),
    );
    await rejectsWith(client.listRepositories(), 'REGISTRY_LISTING_INVALID', false);
  });

  it('bounded – a page larger than the bound is refused, declared or streamed', async () => {
    const { client: declared } = await registry((_request, response) =>
      response
        .writeHead(200, { 'content-type': 'application/json', 'content-length': String(maxPageBytes + 1) })
        .end(),
    );
    await assert.rejects(collect(declared.listRepositories()), /larger than 16777216 bytes/);
    let sent = 0;
    const { client: streamed } = await registry((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"repositories":["');
      const piece = Buffer.alloc(64 * 1024, 'a');
      const more = () => {
        // Stops once the client hangs up: a bounded reader never takes the whole 64 MiB.
        while (sent < 4 * maxPageBytes && !response.destroyed) {
          sent += piece.length;
          if (!response.write(piece)) return void response.once('drain', more);
        }
        response.end('"]}');
      };
      more();
    });
    await assert.rejects(collect(streamed.listRepositories()), /larger than 16777216 bytes/);
    assert.ok(sent < 4 * maxPageBytes, `the stub sent ${sent} bytes`);
  });
});
