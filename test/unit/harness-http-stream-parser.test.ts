import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { framingOf, HttpStreamParser } from '../../test/harness/http-stream-parser.js';

/** Feeds `wire` in pieces of `step` bytes; returns each message's start line and body byte count. */
function parse(wire: string, step: number, headRequest = false) {
  const messages: Array<{ line: string; body: number }> = [];
  let current: { line: string; body: number } | undefined;
  const parser = new HttpStreamParser(
    ({ startLine, headers }) => {
      current = { line: startLine, body: 0 };
      messages.push(current);
      return headRequest ? undefined : framingOf(headers, startLine.startsWith('HTTP/'));
    },
    (bytes) => (current!.body += bytes),
    () => (current = undefined),
  );
  const bytes = Buffer.from(wire, 'latin1');
  for (let at = 0; at < bytes.length; at += step) parser.push(bytes.subarray(at, at + step));
  return messages;
}

describe('HttpStreamParser – the counting proxy reads HTTP/1.1 as it passes', () => {
  const keepAlive =
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' +
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: 1\r\n\r\n' +
    'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' +
    'HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}';
  for (const step of [1, 7, 4096]) {
    it(`keep-alive responses – length, chunked (framing not counted), empty – in pieces of ${step}`, () => {
      assert.deepEqual(
        parse(keepAlive, step).map((message) => [message.line, message.body]),
        [
          ['HTTP/1.1 200 OK', 5],
          ['HTTP/1.1 200 OK', 19],
          ['HTTP/1.1 404 Not Found', 0],
          ['HTTP/1.1 201 Created', 2],
        ],
      );
    });
  }

  it('a response without length runs until the connection closes', () => {
    assert.deepEqual(parse('HTTP/1.0 200 OK\r\n\r\nall of it', 3), [{ line: 'HTTP/1.0 200 OK', body: 9 }]);
  });

  it('a HEAD response has no body whatever its Content-Length says', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n';
    assert.deepEqual(
      parse(wire, 5, true).map((message) => message.body),
      [0, 0],
    );
  });

  it('requests – a PUT body is skipped, a GET without length has none', () => {
    const wire =
      'PUT /v2/a/blobs/uploads/x HTTP/1.1\r\nContent-Length: 4\r\n\r\ndataGET /v2/ HTTP/1.1\r\n\r\n';
    assert.deepEqual(
      parse(wire, 2).map((message) => [message.line, message.body]),
      [
        ['PUT /v2/a/blobs/uploads/x HTTP/1.1', 4],
        ['GET /v2/ HTTP/1.1', 0],
      ],
    );
  });
});
