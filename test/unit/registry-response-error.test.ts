import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { responseError } from '../../registry/response-error.js';

const body = (code: string) => JSON.stringify({ errors: [{ code, message: 'x' }] });

describe('responseError', () => {
  const cases: Array<[string, number, string, string, boolean]> = [
    ['refused credentials', 401, body('UNAUTHORIZED'), 'REGISTRY_UNAUTHORIZED', false],
    ['manifest unknown', 404, body('MANIFEST_UNKNOWN'), 'REGISTRY_MANIFEST_UNKNOWN', false],
    ['server error', 503, '', 'REGISTRY_SERVER_ERROR', true],
    // Distribution's race: a manifest PUT while another upload rewrites a blob's link file.
    ['the registry calls a digest invalid', 400, body('DIGEST_INVALID'), 'REGISTRY_DIGEST_INVALID', true],
    ['the registry calls a size invalid', 400, body('SIZE_INVALID'), 'REGISTRY_DIGEST_INVALID', true],
    ['an upload the registry lost', 400, body('BLOB_UPLOAD_INVALID'), 'REGISTRY_BLOB_UPLOAD_INVALID', true],
    ['any other bad request', 400, body('MANIFEST_INVALID'), 'REGISTRY_BAD_REQUEST', false],
    // Distribution 2.8's answers when its disk is full: the detail as text, or the Go error's fields.
    [
      'a full disk, said in text',
      500,
      JSON.stringify({
        errors: [{ code: 'UNKNOWN', detail: 'write /var/lib/registry/x: no space left on device' }],
      }),
      'REGISTRY_STORAGE_FULL',
      false,
    ],
    [
      'a full disk, said as errno 28',
      500,
      JSON.stringify({ errors: [{ code: 'UNKNOWN', detail: { Enclosed: { Op: 'write', Err: 28 } } }] }),
      'REGISTRY_STORAGE_FULL',
      false,
    ],
    [
      'any other server error with a detail',
      500,
      JSON.stringify({ errors: [{ code: 'UNKNOWN', detail: { Err: 2 } }] }),
      'REGISTRY_SERVER_ERROR',
      true,
    ],
  ];
  for (const [name, status, text, code, retryable] of cases) {
    it(name, () => {
      const error = responseError(status, {}, text, { registry: 'r.example' }, 'put manifest p/a:v1');
      assert.deepEqual([error.code, error.retryable], [code, retryable]);
      assert.match(error.message, /^put manifest p\/a:v1: r\.example answered /);
    });
  }
});
