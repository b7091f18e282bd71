import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Prometheus metrics for GET /metrics: requests and latency per service, operation and status. */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'berth_requests_total',
    help: 'Requests served, by service, operation and HTTP status.',
    labelNames: ['service', 'operation', 'status'] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'berth_request_duration_seconds',
    help: 'Time from request start to response end, by service, operation and HTTP status.',
    labelNames: ['service', 'operation', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'berth_' });
  }

  observe(service: string, operation: string, status: number, seconds: number): void {
    const labels = { service, operation, status: String(status) };
    this.#requests.inc(labels);
    this.#duration.observe(labels, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
