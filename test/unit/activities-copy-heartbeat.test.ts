import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Context } from '@temporalio/activity';
import { copyHeartbeat, type CopyHeartbeatDetails } from '../../activities/copy-heartbeat.js';
import { UploadSessions, uploadKey } from '../../activities/upload-sessions.js';

const upload = { registry: 'dc-a.example:5000', repository: 'p/app', digest: `sha256:${'a'.repeat(64)}` };
const other = { ...upload, registry: 'dc-b.example:5000' };
const at = (offset: number) => ({
  location: `https://dc-a.example:5000/v2/p/app/blobs/uploads/u?o=${offset}`,
  offset,
});

/** An activity context as copyHeartbeat reads it: the last attempt's details, and what it heartbeats. */
function fakeContext(heartbeatDetails?: unknown) {
  const beats: CopyHeartbeatDetails[] = [];
  const context = {
    info: { heartbeatDetails },
    heartbeat: (details: CopyHeartbeatDetails) => beats.push(details),
  } as unknown as Context;
  return { context, beats };
}

describe('copyHeartbeat – where chunked uploads resume', () => {
  it('a retried attempt resumes from the last details; malformed entries are ignored', () => {
    const { context } = fakeContext({
      bytesDone: 1,
      bytesTotal: 2,
      uploads: { [uploadKey(upload)]: at(8), [uploadKey(other)]: { location: 7, offset: -1 } },
    });
    const heartbeat = copyHeartbeat(context, new UploadSessions());
    assert.deepEqual(heartbeat.uploads.resumeFrom(upload), at(8));
    assert.equal(heartbeat.uploads.resumeFrom(other), undefined);
    heartbeat.stop();
  });

  it('each checkpoint is heartbeated, keyed by registry, repository and digest', () => {
    const { context, beats } = fakeContext();
    const heartbeat = copyHeartbeat(context, new UploadSessions());
    heartbeat.uploads.checkpoint(upload, at(8));
    heartbeat.uploads.checkpoint(other, at(16));
    heartbeat.uploads.checkpoint(other, undefined);
    assert.deepEqual(beats.at(-1)?.uploads, { [`dc-a.example:5000/p/app@${upload.digest}`]: at(8) });
    heartbeat.stop();
  });

  it('ending an upload that was never checkpointed sends no heartbeat', () => {
    const { context, beats } = fakeContext();
    const heartbeat = copyHeartbeat(context, new UploadSessions());
    heartbeat.uploads.checkpoint(upload, undefined);
    heartbeat.uploads.checkpoint(other, undefined);
    assert.equal(beats.length, 0);
    heartbeat.uploads.checkpoint(upload, at(8));
    heartbeat.uploads.checkpoint(upload, undefined);
    assert.equal(beats.length, 2);
    assert.deepEqual(beats.at(-1)?.uploads, {});
    heartbeat.stop();
  });

  it('an upload left open is resumed by the next copy on the worker, and by that one only', () => {
    const sessions = new UploadSessions();
    const first = copyHeartbeat(fakeContext().context, sessions);
    first.uploads.checkpoint(upload, at(16));
    first.uploads.checkpoint(other, at(8));
    first.uploads.checkpoint(other, undefined); // committed
    first.stop();
    assert.equal(sessions.size, 1);

    const next = copyHeartbeat(fakeContext().context, sessions);
    assert.deepEqual(next.uploads.resumeFrom(upload), at(16));
    assert.equal(next.uploads.resumeFrom(other), undefined);
    const concurrent = copyHeartbeat(fakeContext().context, sessions);
    assert.equal(concurrent.uploads.resumeFrom(upload), undefined, 'claimed by the first that asked');
    next.stop();
    concurrent.stop();
  });
});

describe('UploadSessions', () => {
  it('keeps the newest 1,000 sessions', () => {
    const sessions = new UploadSessions();
    for (let index = 0; index <= 1_000; index++) sessions.leave(`k${index}`, at(index));
    assert.equal(sessions.size, 1_000);
    assert.equal(sessions.claim('k0'), undefined);
    assert.deepEqual(sessions.claim('k1000'), at(1_000));
  });

  it('leaving a session again makes it the newest', () => {
    const sessions = new UploadSessions();
    sessions.leave('k0', at(0));
    for (let index = 1; index < 1_000; index++) sessions.leave(`k${index}`, at(index));
    sessions.leave('k0', at(5));
    sessions.leave('k1000', at(1_000));
    assert.deepEqual(sessions.claim('k0'), at(5));
    assert.equal(sessions.claim('k1'), undefined);
  });
});
