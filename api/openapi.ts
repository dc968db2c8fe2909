import { z } from 'zod';
import { ExecutionStatus, TaskStatus, Trigger } from '../contract/index.js';
import {
  NotificationPolicy,
  NotificationPolicyInput,
  Registry,
  RegistryInfo,
  RegistryInput,
  RegistryPing,
  RegistryProviderInfo,
  RegistryUpdate,
  ReplicationPolicy,
  ReplicationPolicyInput,
  VerifyMode,
} from '../policies/index.js';
import {
  ApiTokenRecord,
  NotificationPayload,
  SystemInfo,
  executionListFields,
  notificationPolicyListFields,
  policyListFields,
  registryListFields,
  type ListFields,
} from '../service/index.js';
import { runIdPattern } from './drift-routes.js';
import { StartExecution } from './execution-routes.js';
import { listQueryPatterns, maxPage, maxPageSize } from './list-params.js';
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
  ApiTokenCreated: z.toJSONSchema(ApiTokenRecord.extend({ token: z.string() }), { io: 'output' }),
  ApiTokenInput: z.toJSONSchema(ApiTokenInput, { io: 'input' }),
  NotificationPolicy: z.toJSONSchema(NotificationPolicy, { io: 'output' }),
  NotificationPolicyInput: z.toJSONSchema(NotificationPolicyInput, { io: 'input' }),
  /** What a notification posts (payload_format Default); not a request or response of this API. */
  NotificationPayload: z.toJSONSchema(NotificationPayload, { io: 'output' }),
  Errors: z.toJSONSchema(HarborErrors, { io: 'output' }),
};

const ref = (name: keyof typeof schemas) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const body = (name: keyof typeof schemas) => ({ requestBody: { required: true, ...json(ref(name)) } });
const errors = Object.fromEntries(
  ['400', '401', '403', '404', '409', '412', '413', '429', '500'].map((status) => [
    status,
    { description: 'error', ...json(ref('Errors')) },
  ]),
);
const integer = (minimum: number, maximum = Number.MAX_SAFE_INTEGER) => ({
  type: 'integer',
  minimum,
  maximum,
});
const listParameters = (fields: ListFields) => {
  const patterns = listQueryPatterns(fields);
  return [
    { name: 'page', in: 'query', schema: { ...integer(1, maxPage), default: 1 } },
    { name: 'page_size', in: 'query', schema: { ...integer(1, maxPageSize), default: 10 } },
    {
      name: 'q',
      in: 'query',
      schema: { type: 'string', pattern: patterns.q },
      description: 'k=v (exact) or k=~v (fuzzy), comma-separated',
    },
    {
      name: 'sort',
      in: 'query',
      schema: { type: 'string', pattern: patterns.sort },
      description: 'fields, - for descending: name,-creation_time',
    },
  ];
};
const idParameter = [{ name: 'id', in: 'path', required: true, schema: integer(1, 999_999_999_999_999) }];
const page = (items: object) => ({
  description: 'a page',
  headers: { 'X-Total-Count': { schema: { type: 'integer' } }, Link: { schema: { type: 'string' } } },
  ...json({ type: 'array', items }),
});
const listed = (name: keyof typeof schemas, fields: ListFields) => ({
  parameters: listParameters(fields),
  responses: { '200': page(ref(name)), ...errors },
});
const created = (name: keyof typeof schemas) => ({
  ...body(name),
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
const verifyParameter = {
  name: 'verify',
  in: 'query',
  schema: { type: 'string', enum: VerifyMode.options, default: 'off' },
};
const driftReport = {
  '200': { description: 'the drift report', ...json({ type: 'object' }) },
  '202': {
    description: 'the audit outlived the wait and goes on: ask its status URL (Location) again',
    headers: {
      Location: { schema: { type: 'string' } },
      'Retry-After': { schema: { type: 'integer' } },
    },
    ...json({ type: 'object' }),
  },
  '502': { description: 'a registry could not be read', ...json(ref('Errors')) },
};

/**
 * The OpenAPI 3.1 document of the API, its schemas generated from the zod schemas that validate,
 * so that it states every constraint a request is checked against.
 */
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
      '/registries': { get: listed('Registry', registryListFields), post: created('RegistryInput') },
      '/registries/ping': {
        post: { description: 'needs the operator or admin role', ...body('RegistryPing'), responses: done },
      },
      '/registries/{id}': {
        parameters: idParameter,
        get: { responses: { '200': { description: 'the registry', ...json(ref('Registry')) }, ...errors } },
        put: { ...body('RegistryUpdate'), responses: done },
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
      '/replication/policies': {
        get: listed('ReplicationPolicy', policyListFields),
        post: created('ReplicationPolicyInput'),
      },
      '/replication/policies/{id}': {
        parameters: idParameter,
        get: {
          responses: { '200': { description: 'the policy', ...json(ref('ReplicationPolicy')) }, ...errors },
        },
        put: { ...body('ReplicationPolicyInput'), responses: done },
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
          ...body('ApiTokenInput'),
          responses: {
            '201': {
              description: 'the token, shown once',
              headers: { Location: { schema: { type: 'string' } } },
              ...json(ref('ApiTokenCreated')),
            },
            ...errors,
          },
        },
      },
      '/tokens/{id}': { parameters: idParameter, delete: { responses: done } },
      '/webhook/events': {
        get: {
          responses: {
            '200': {
              description: "Harbor's SupportedWebhookEventTypes: event types, notify types, payload formats",
              ...json({ type: 'object' }),
            },
            ...errors,
          },
        },
      },
      '/webhook/policies': {
        get: listed('NotificationPolicy', notificationPolicyListFields),
        post: created('NotificationPolicyInput'),
      },
      '/webhook/policies/{id}': {
        parameters: idParameter,
        get: {
          responses: {
            '200': { description: 'the notification policy', ...json(ref('NotificationPolicy')) },
            ...errors,
          },
        },
        put: { ...body('NotificationPolicyInput'), responses: done },
        delete: { responses: done },
      },
      '/webhook/policies/{id}/test': {
        parameters: idParameter,
        post: {
          description:
            'sends the receiver a ping (needs the operator or admin role); 400 when it does not answer 2xx',
          responses: {
            '200': {
              description: "the receiver's status code",
              ...json({ type: 'object', properties: { status_code: { type: 'integer' } } }),
            },
            ...errors,
          },
        },
      },
      '/webhook/policies/{id}/deliveries': {
        parameters: idParameter,
        get: {
          parameters: listParameters({}),
          responses: {
            '200': page({
              type: 'object',
              description:
                "a delivery, as Harbor's WebhookJob, with attempts, last_status_code, last_error_code and last_error",
            }),
            ...errors,
          },
        },
      },
      '/replication/executions': {
        get: {
          parameters: [
            ...listParameters(executionListFields),
            { name: 'policy_id', in: 'query', schema: integer(1, 999_999_999_999_999) },
            { name: 'status', in: 'query', schema: { type: 'string', enum: ExecutionStatus.options } },
            { name: 'trigger', in: 'query', schema: { type: 'string', enum: Trigger.options } },
          ],
          responses: {
            '200': page({
              type: 'object',
              description: "Harbor's ReplicationExecution, with bytes, dry_run and workflow_id",
            }),
            ...errors,
          },
        },
        post: {
          description: 'needs the operator or admin role',
          requestBody: { required: true, ...json(z.toJSONSchema(StartExecution, { io: 'input' })) },
          responses: {
            '201': { description: 'started', headers: { Location: { schema: { type: 'string' } } } },
            ...errors,
          },
        },
      },
      '/replication/executions/{id}': {
        parameters: idParameter,
        get: {
          responses: described(
            "Harbor's ReplicationExecution, with notifications: one delivery per notification policy told of its end",
          ),
        },
        put: { description: 'stops the execution; needs the operator or admin role', responses: done },
      },
      '/replication/executions/{id}/tasks': {
        parameters: idParameter,
        get: {
          parameters: [
            ...listParameters({}),
            { name: 'status', in: 'query', schema: { type: 'string', enum: TaskStatus.options } },
          ],
          responses: {
            '200': page({
              type: 'object',
              description: "Harbor's ReplicationTask, with outcome, digest, bytes and attempts",
            }),
            ...errors,
          },
        },
      },
      '/replication/executions/{id}/tasks/{task_id}/log': {
        parameters: [
          ...idParameter,
          { name: 'task_id', in: 'path', required: true, schema: integer(1, 999_999_999_999_999) },
        ],
        get: {
          responses: {
            '200': { description: 'the task log', content: { 'text/plain': { schema: { type: 'string' } } } },
            ...errors,
          },
        },
      },
      '/replication/policies/{id}/drift': {
        parameters: idParameter,
        get: {
          description:
            'audits the policy now (needs the operator or admin role): per destination missing, different, extra, recovery point',
          parameters: [verifyParameter],
          responses: { ...driftReport, ...errors },
        },
      },
      '/replication/policies/{id}/drift/last': {
        parameters: idParameter,
        get: {
          description:
            'the newest finished audit of the policy (of one verify mode when given); starts nothing',
          parameters: [{ ...verifyParameter, schema: { type: 'string', enum: VerifyMode.options } }],
          responses: { '200': driftReport['200'], ...errors },
        },
      },
      '/replication/policies/{id}/drift/{verify}/{run_id}': {
        parameters: [
          ...idParameter,
          {
            name: 'verify',
            in: 'path',
            required: true,
            schema: { type: 'string', enum: VerifyMode.options },
          },
          {
            name: 'run_id',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: runIdPattern.source },
          },
        ],
        get: {
          description: 'the status URL of an audit a drift GET answered 202 for: its report once done',
          responses: { ...driftReport, ...errors },
        },
      },
    },
  };
}
