import { z } from 'zod';
import {
  Registry,
  RegistryInfo,
  RegistryInput,
  RegistryPing,
  RegistryProviderInfo,
  RegistryUpdate,
  ReplicationPolicy,
  ReplicationPolicyInput,
} from '../policies/index.js';
import { ApiTokenRecord, SystemInfo } from '../service/index.js';
import { StartExecution } from './execution-routes.js';
import { ApiTokenInput } from './token-routes.js';

export const HarborErrors = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string() })),
});

const schemas = {
  Registry: z.toJSONSchema(Registry, { io: 'output' }),
  RegistryInput: z.toJSONSchema(RegistryInput, { io: 'input' }),
  RegistryUpdate: z.toJSONSchema(RegistryUpdate, { io: 'input' }),
  RegistryPing: z.toJSONSchema(RegistryPing, { io: 'input' }),
  RegistryInfo: z.toJSONSchema(RegistryInfo, { io: 'output' }),
  RegistryProviderInfo: z.toJSONSchema(RegistryProviderInfo, { io: 'output' }),
  SystemInfo: z.toJSONSchema(SystemInfo, { io: 'output' }),
  ReplicationPolicy: z.toJSONSchema(ReplicationPolicy, { io: 'output' }),
  ReplicationPolicyInput: z.toJSONSchema(ReplicationPolicyInput, { io: 'input' }),
  ApiToken: z.toJSONSchema(ApiTokenRecord, { io: 'output' }),
  ApiTokenInput: z.toJSONSchema(ApiTokenInput, { io: 'input' }),
  Errors: z.toJSONSchema(HarborErrors, { io: 'output' }),
};

const ref = (name: keyof typeof schemas) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const errors = Object.fromEntries(
  ['400', '401', '403', '404', '409', '412', '429', '500'].map((status) => [
    status,
    { description: 'error', ...json(ref('Errors')) },
  ]),
);
const listParameters = [
  { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
  { name: 'page_size', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } },
  {
    name: 'q',
    in: 'query',
    schema: { type: 'string' },
    description: 'k=v (exact) or k=~v (fuzzy), comma-separated',
  },
  {
    name: 'sort',
    in: 'query',
    schema: { type: 'string' },
    description: 'fields, - for descending: name,-creation_time',
  },
];
const idParameter = [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }];
const listed = (name: keyof typeof schemas) => ({
  parameters: listParameters,
  responses: {
    '200': {
      description: 'a page',
      headers: { 'X-Total-Count': { schema: { type: 'integer' } }, Link: { schema: { type: 'string' } } },
      ...json({ type: 'array', items: ref(name) }),
    },
    ...errors,
  },
});
const created = (name: keyof typeof schemas) => ({
  requestBody: { required: true, ...json(ref(name)) },
  responses: {
    '201': { description: 'created', headers: { Location: { schema: { type: 'string' } } } },
    ...errors,
  },
});
const done = { '200': { description: 'done' }, ...errors };

const described = (description: string) => ({
  '200': { description, ...json({ type: 'object' }) },
  ...errors,
});

/** The OpenAPI 3.1 document of the API, its schemas generated from the zod schemas that validate. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Regatta',
      version: '2.0',
      description: "Harbor's /api/v2.0 for registries and replication, with Regatta's extensions",
    },
    servers: [{ url: '/api/v2.0' }],
    security: [{ basic: [] }, { bearer: [] }],
    components: {
      schemas,
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
    paths: {
      '/registries': { get: listed('Registry'), post: created('RegistryInput') },
      '/registries/ping': {
        post: { requestBody: { required: true, ...json(ref('RegistryPing')) }, responses: done },
      },
      '/registries/{id}': {
        parameters: idParameter,
        get: { responses: { '200': { description: 'the registry', ...json(ref('Registry')) }, ...errors } },
        put: { requestBody: { required: true, ...json(ref('RegistryUpdate')) }, responses: done },
        delete: { responses: done },
      },
      '/registries/{id}/info': {
        parameters: idParameter,
        get: {
          responses: {
            '200': { description: 'its filters and triggers', ...json(ref('RegistryInfo')) },
            ...errors,
          },
        },
      },
      '/replication/adapters': {
        get: {
          responses: {
            '200': {
              description: 'the registry types',
              ...json({ type: 'array', items: { type: 'string' } }),
            },
            ...errors,
          },
        },
      },
      '/replication/adapterinfos': {
        get: {
          responses: {
            '200': {
              description: 'how each registry type is reached',
              ...json({ type: 'object', additionalProperties: ref('RegistryProviderInfo') }),
            },
            ...errors,
          },
        },
      },
      '/ping': {
        get: { security: [], responses: { '200': { description: 'Pong', content: { 'text/plain': {} } } } },
      },
      '/systeminfo': {
        get: {
          security: [],
          responses: { '200': { description: 'general info', ...json(ref('SystemInfo')) } },
        },
      },
      '/replication/policies': { get: listed('ReplicationPolicy'), post: created('ReplicationPolicyInput') },
      '/replication/policies/{id}': {
        parameters: idParameter,
        get: {
          responses: { '200': { description: 'the policy', ...json(ref('ReplicationPolicy')) }, ...errors },
        },
        put: { requestBody: { required: true, ...json(ref('ReplicationPolicyInput')) }, responses: done },
        delete: { responses: done },
      },
      '/tokens': {
        get: {
          responses: {
            '200': { description: 'tokens', ...json({ type: 'array', items: ref('ApiToken') }) },
            ...errors,
          },
        },
        post: {
          requestBody: { required: true, ...json(ref('ApiTokenInput')) },
          responses: { '201': { description: 'the token, shown once', ...json(ref('ApiToken')) }, ...errors },
        },
      },
      '/tokens/{id}': { parameters: idParameter, delete: { responses: done } },
      '/replication/executions': {
        get: {
          parameters: [
            ...listParameters,
            { name: 'policy_id', in: 'query', schema: { type: 'integer' } },
            { name: 'status', in: 'query', schema: { enum: ['InProgress', 'Succeed', 'Failed', 'Stopped'] } },
            { name: 'trigger', in: 'query', schema: { enum: ['manual', 'scheduled', 'event_based'] } },
          ],
          responses: described(
            "a page of Harbor's ReplicationExecution, with bytes, dry_run and workflow_id",
          ),
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
          responses: described(
            "a page of Harbor's ReplicationTask, with outcome, digest, bytes and attempts",
          ),
        },
      },
      '/replication/executions/{id}/tasks/{task_id}/log': {
        parameters: [
          ...idParameter,
          { name: 'task_id', in: 'path', required: true, schema: { type: 'integer' } },
        ],
        get: {
          responses: { '200': { description: 'the task log', content: { 'text/plain': {} } }, ...errors },
        },
      },
      '/replication/policies/{id}/drift': {
        parameters: idParameter,
        get: {
          description: 'audits the policy now: per destination missing, different, extra, recovery point',
          parameters: [
            { name: 'verify', in: 'query', schema: { enum: ['off', 'head', 'deep'], default: 'off' } },
          ],
          responses: {
            ...described('the drift report'),
            '502': { description: 'a registry could not be read' },
          },
        },
      },
    },
  };
}
