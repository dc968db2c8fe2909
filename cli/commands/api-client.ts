import { request } from 'undici';
import { CliError } from './cli-error.js';
import type { Connection } from './arguments.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

const pageSize = 100;

function errorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ code?: string; message?: string }> };
    const first = parsed.errors?.[0];
    if (first) return `${first.code ?? status}: ${first.message ?? ''}`.trim();
  } catch {
    // not Harbor's error body: fall through to the status
  }
  return `HTTP ${status}`;
}

/** The few calls the CLI makes to Regatta's Harbor-compatible API (`/api/v2.0`). */
export class ApiClient {
  constructor(private readonly connection: Connection) {}

  async call(method: Method, path: string, body?: unknown): Promise<Reply> {
    const url = `${this.connection.baseUrl}/api/v2.0${path}`;
    let response;
    try {
      response = await request(url, {
        method,
        headers: {
          authorization: this.connection.authorization,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new CliError(
        'API_UNREACHABLE',
        `cannot reach the API at ${this.connection.baseUrl}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await response.body.text();
    if (response.statusCode >= 400) {
      const code = response.statusCode === 404 ? 'NOT_FOUND' : 'API_ERROR';
      throw new CliError(
        code,
        `${method} ${path} failed: ${errorMessage(response.statusCode, text)}`,
        response.statusCode,
      );
    }
    const isJson = String(response.headers['content-type'] ?? '').includes('json');
    return {
      status: response.statusCode,
      headers: response.headers,
      json: text && isJson ? (JSON.parse(text) as unknown) : undefined,
    };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.call('GET', path)).json as T;
  }

  /** Every item of a paged list (Harbor's page/page_size, X-Total-Count). */
  async listAll<T>(path: string, query: Record<string, string> = {}): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const params = new URLSearchParams({ ...query, page: String(page), page_size: String(pageSize) });
      const reply = await this.call('GET', `${path}?${params.toString()}`);
      const batch = (reply.json ?? []) as T[];
      items.push(...batch);
      const total = Number(reply.headers['x-total-count'] ?? items.length);
      if (batch.length < pageSize || items.length >= total) return items;
    }
  }

  /** POST a new resource; returns the id at the end of its Location. */
  async create(path: string, body: unknown): Promise<number> {
    const reply = await this.call('POST', path, body);
    const id = Number(
      String(reply.headers.location ?? '')
        .split('/')
        .pop(),
    );
    if (!Number.isInteger(id)) throw new CliError('API_ERROR', `POST ${path}: no Location in the answer`);
    return id;
  }

  async update(path: string, body: unknown): Promise<void> {
    await this.call('PUT', path, body);
  }

  async delete(path: string): Promise<void> {
    await this.call('DELETE', path);
  }
}
