import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { RecordDelivery } from '../webhooks/webhook-delivery.js';

/**
 * The API's Prometheus metrics, in a registry of its own (never prom-client's global one), so each
 * app counts only its own requests and tests can run several apps in one process.
 */
export class ApiMetrics {
  readonly registry = new Registry();

  private readonly webhookDeliveries = new Counter({
    name: 'regatta_webhook_deliveries_total',
    help: 'Registry notifications received, by payload source and how the delivery ended',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: 'regatta_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram({
    name: 'regatta_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** What the webhook routes count each delivery with. */
  readonly webhookDelivered: RecordDelivery = (source, outcome) => {
    this.webhookDeliveries.inc({ source, outcome });
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
