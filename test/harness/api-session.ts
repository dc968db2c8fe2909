import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { toHarborExecution, toHarborTask } from '../../api/execution-view.js';

export type ExecutionView = ReturnType<typeof toHarborExecution>;
export type TaskView = ReturnType<typeof toHarborTask>;

export interface ApiReply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when it is empty or not JSON. */
  json: unknown;
}

/** Requests to a running Regatta API as one user: the calls integration tests make again and again. */
export function apiSession(
  baseUrl: string,
  authorization = `Basic ${Buffer.from('admin:test-admin-password').toString('base64')}`,
) {
  const call = async (method: string, path: string, body?: unknown): Promise<ApiReply> => {
    const response = await fetch(`${baseUrl}/api/v2.0${path}`, {
      method,
      headers: {
        authorization,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('json') && text !== '';
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: isJson ? JSON.parse(text) : undefined,
    };
  };

  /** POST that must answer 201; the new resource's id from its Location. */
  const createdId = async (path: string, body: unknown): Promise<number> => {
    const reply = await call('POST', path, body);
    assert.equal(reply.status, 201, reply.text);
    return Number(String(reply.headers.get('location')).split('/').pop());
  };

  /** Waits (bounded) until the execution is no longer InProgress; returns it. */
  const finishedExecution = async (id: number, timeoutMs = 90_000): Promise<ExecutionView> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const reply = await call('GET', `/replication/executions/${id}`);
      assert.equal(reply.status, 200, reply.text);
      const execution = reply.json as ExecutionView;
      if (execution.status !== 'InProgress') return execution;
      await sleep(250);
    }
    throw new Error(`execution ${id} still in progress after ${timeoutMs} ms`);
  };

  /** Every task of an execution, in id order. */
  const allTasks = async (id: number): Promise<TaskView[]> => {
    const tasks: TaskView[] = [];
    for (let page = 1; page <= 100; page++) {
      const reply = await call('GET', `/replication/executions/${id}/tasks?page=${page}&page_size=100`);
      assert.equal(reply.status, 200, reply.text);
      const items = reply.json as TaskView[];
      tasks.push(...items);
      if (items.length < 100) break;
    }
    return tasks;
  };

  return { call, createdId, finishedExecution, allTasks };
}
export type ApiSession = ReturnType<typeof apiSession>;
