import { z } from 'zod';
import { done, errors, idParameter, json, listParameters } from './openapi.js';
import { StartExecution } from './execution-routes.js';

const described = (description: string) => ({
  '200': { description, ...json({ type: 'object' }) },
  ...errors,
});

/** The OpenAPI paths of the routes Regatta adds on Temporal: executions and drift audits. */
export const replicationOpenApiPaths: Record<string, unknown> = {
  '/replication/executions': {
    get: {
      parameters: [
        ...listParameters,
        { name: 'policy_id', in: 'query', schema: { type: 'integer' } },
        { name: 'status', in: 'query', schema: { enum: ['InProgress', 'Succeed', 'Failed', 'Stopped'] } },
        { name: 'trigger', in: 'query', schema: { enum: ['manual', 'scheduled', 'event_based'] } },
      ],
      responses: described("a page of Harbor's ReplicationExecution, with bytes, dry_run and workflow_id"),
    },
    post: {
      requestBody: { required: true, ...json(z.toJSONSchema(StartExecution, { io: 'input' })) },
      responses: {
        '201': { description: 'started', headers: { Location: { schema: { type: 'string' } } } },
        ...errors,
      },
    },
  },
  '/replication/executions/{id}': {
    parameters: idParameter,
    get: { responses: described("Harbor's ReplicationExecution") },
    put: { description: 'stops the execution', responses: done },
  },
  '/replication/executions/{id}/tasks': {
    parameters: idParameter,
    get: {
      parameters: listParameters,
      responses: described("a page of Harbor's ReplicationTask, with outcome, digest, bytes and attempts"),
    },
  },
  '/replication/executions/{id}/tasks/{task_id}/log': {
    parameters: [
      ...idParameter,
      { name: 'task_id', in: 'path', required: true, schema: { type: 'integer' } },
    ],
    get: { responses: { '200': { description: 'the task log', content: { 'text/plain': {} } }, ...errors } },
  },
  '/replication/policies/{id}/drift': {
    parameters: idParameter,
    get: {
      description: 'audits the policy now: per destination missing, different, extra, recovery point',
      parameters: [
        { name: 'verify', in: 'query', schema: { enum: ['off', 'head', 'deep'], default: 'off' } },
      ],
      responses: { ...described('the drift report'), '502': { description: 'a registry could not be read' } },
    },
  },
};
