// Benchmark (issue #19): PutMetricData datapoints/s and GetMetricData latency over 1,000 metrics
// with a week of 1-minute data, and the storage bytes each datapoint costs.
//   node bench/cloudwatch.ts [--metrics 1000] [--minutes 10080] [--in-flight 4] [--load-seconds 900]
//                            [--queries 200] [--query-seconds 20]
// A `berth server` process (bench/berth-process.ts; no managed capacity, DNS or TLS port) is sent
// signed JSON 1.0 PutMetricData calls (service "monitoring"), `--in-flight` at a time. Each call is
// one minute of all the metrics, oldest minute first, as agents reporting every minute would send
// them: `--metrics` MetricData (namespace Bench, metric Load, dimension Host=host-NNNN), each one
// Value with its Timestamp. The load stops after `--minutes` minutes or `--load-seconds` seconds,
// whichever comes first, and prints how much it loaded. Then GetMetricData, one call in flight,
// `--queries` calls or `--query-seconds` seconds per kind, p50/p99:
//   1 metric, 1 hour at 60 s · 1 metric, 1 day at 300 s · 1 metric, the loaded span at 3600 s ·
//   10 metrics, 1 day at 300 s, summed with SUM(METRICS())
// Every answer is checked (the count of points, no Messages). Storage: the server is stopped
// (closing the database checkpoints its WAL), and SQLite's dbstat gives the bytes of the
// CloudWatch datapoint tables and indexes (cw_blocks, cw_series, cw_metrics), and the whole
// file's size. Reference in the same run: the same
// datapoints inserted, in the same order and 1,000 to a transaction, into a plain SQLite table of
// one row each (metric id, minute, value; WITHOUT ROWID, primary key metric id + time) with
// node:sqlite in this process, after the server has stopped.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { post, signJsonCall } from '../testing/signed-request.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';

const { values } = parseArgs({
  options: {
    metrics: { type: 'string', default: '1000' },
    minutes: { type: 'string', default: '10080' },
    'in-flight': { type: 'string', default: '4' },
    'load-seconds': { type: 'string', default: '900' },
    queries: { type: 'string', default: '200' },
    'query-seconds': { type: 'string', default: '20' },
  },
});
const METRICS = Number(values.metrics);
const MINUTES = Number(values.minutes);
const IN_FLIGHT = Number(values['in-flight']);
const LOAD_SECONDS = Number(values['load-seconds']);
const QUERIES = Number(values.queries);
const QUERY_SECONDS = Number(values['query-seconds']);
const TARGET = 'GraniteServiceVersion20100801';
const MINUTE_MS = 60_000;

const host = (i: number): string => `host-${String(i).padStart(4, '0')}`;
/** A value that varies by metric and minute, so sums, minima and maxima are not all alike. */
const valueAt = (metric: number, minute: number): number =>
  Math.round((50 + 40 * Math.sin((minute + metric * 7) / 90) + ((metric * 31 + minute * 17) % 10)) * 100) / 100;

async function call(url: string, operation: string, input: object): Promise<Record<string, unknown>> {
  const signed = await signJsonCall(url, `${TARGET}.${operation}`, JSON.stringify(input), {
    credentials: BENCH_CREDENTIALS,
    service: 'monitoring',
    headers: { 'content-type': 'application/x-amz-json-1.0' },
  });
  const response = await post(url, signed.headers, signed.body);
  if (response.status !== 200) throw new Error(`${operation} answered ${response.status}: ${response.text}`);
  return response.json;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Loaded {
  readonly minutes: number;
  readonly datapoints: number;
  readonly seconds: number;
  readonly callMs: number[];
}

/** PutMetricData, one minute of every metric a call, oldest first, IN_FLIGHT calls at a time. */
async function load(url: string, firstMinute: number): Promise<Loaded> {
  const started = performance.now();
  const deadline = started + LOAD_SECONDS * 1000;
  const callMs: number[] = [];
  let next = 0;
  let done = 0;
  let lastReport = started;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let m = next++; m < MINUTES && performance.now() < deadline; m = next++) {
        const timestamp = (firstMinute + m * MINUTE_MS) / 1000;
        const metricData = Array.from({ length: METRICS }, (_, i) => ({
          MetricName: 'Load',
          Dimensions: [{ Name: 'Host', Value: host(i) }],
          Timestamp: timestamp,
          Value: valueAt(i, m),
        }));
        const sent = performance.now();
        await call(url, 'PutMetricData', { Namespace: 'Bench', MetricData: metricData });
        callMs.push(performance.now() - sent);
        done++;
        if (performance.now() - lastReport > 30_000) {
          lastReport = performance.now();
          const seconds = (lastReport - started) / 1000;
          console.log(
            `  ${done} minutes loaded in ${seconds.toFixed(0)} s (${fmt((done * METRICS) / seconds)} datapoints/s)`,
          );
        }
      }
    }),
  );
  // Calls run in order of minute, so what was loaded is a prefix: minutes 0 .. done - 1.
  return { minutes: done, datapoints: done * METRICS, seconds: (performance.now() - started) / 1000, callMs };
}

interface QueryKind {
  readonly name: string;
  readonly input: (end: number) => object;
  /** Points expected in the one returned result. */
  readonly points: number;
}

function metricStat(i: number, period: number, id = `m${i}`, returnData = true): object {
  return {
    Id: id,
    ReturnData: returnData,
    MetricStat: {
      Metric: { Namespace: 'Bench', MetricName: 'Load', Dimensions: [{ Name: 'Host', Value: host(i) }] },
      Period: period,
      Stat: 'Average',
    },
  };
}

function queryKinds(loadedMinutes: number): QueryKind[] {
  const window = (minutes: number, period: number, queries: object[]) => (end: number) => ({
    StartTime: (end - minutes * MINUTE_MS) / 1000,
    EndTime: end / 1000,
    MetricDataQueries: queries,
  });
  const spanHours = Math.floor(loadedMinutes / 60);
  const ten = Array.from({ length: 10 }, (_, i) => metricStat(i * 97, 300, `m${i}`, false));
  return [
    { name: '1 metric, 1 hour at 60 s', input: window(60, 60, [metricStat(1, 60)]), points: 60 },
    { name: '1 metric, 1 day at 300 s', input: window(1440, 300, [metricStat(2, 300)]), points: 288 },
    {
      name: `1 metric, ${spanHours} h at 3600 s`,
      input: window(spanHours * 60, 3600, [metricStat(3, 3600)]),
      points: spanHours,
    },
    {
      name: '10 metrics, 1 day at 300 s, SUM(METRICS())',
      input: window(1440, 300, [...ten, { Id: 'total', Expression: 'SUM(METRICS())' }]),
      points: 288,
    },
  ];
}

/** One kind's latencies, one call in flight; `end` is the end of the loaded data, hour-aligned. */
async function measureQueries(
  url: string,
  kind: QueryKind,
  end: number,
): Promise<{ p50: number; p99: number; n: number }> {
  const deadline = performance.now() + QUERY_SECONDS * 1000;
  const ms: number[] = [];
  for (let i = 0; i < QUERIES + 5 && performance.now() < deadline; i++) {
    const sent = performance.now();
    const answer = (await call(url, 'GetMetricData', kind.input(end))) as {
      MetricDataResults: { Values: number[]; StatusCode: string }[];
      Messages?: unknown[];
    };
    const took = performance.now() - sent;
    const [result] = answer.MetricDataResults;
    if (answer.MetricDataResults.length !== 1 || result!.Values.length !== kind.points || answer.Messages?.length) {
      throw new Error(`${kind.name}: unexpected answer ${JSON.stringify(answer).slice(0, 400)}`);
    }
    if (i >= 5) ms.push(took); // the first 5 are warm-up
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), n: ms.length };
}

/** Bytes of the named tables and their indexes (dbstat), and the database file's size. */
function storage(file: string, tables: readonly string[]): { tables: number; file: number; rows: number } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const names = db
      .prepare(`SELECT name FROM sqlite_schema WHERE tbl_name IN (${tables.map(() => '?').join(',')})`)
      .all(...tables)
      .map((row) => String(row.name));
    const { bytes } = db
      .prepare(`SELECT sum(pgsize) AS bytes FROM dbstat WHERE name IN (${names.map(() => '?').join(',')})`)
      .get(...names) as { bytes: number };
    const { rows } = db.prepare(`SELECT count(*) AS rows FROM ${tables[0]}`).get() as { rows: number };
    return { tables: bytes, file: statSync(file).size, rows };
  } finally {
    db.close();
  }
}

/** The reference: the same datapoints, one plain row each, 1,000 to a transaction. */
function referenceInserts(dir: string, loaded: Loaded, firstMinute: number): { seconds: number; bytes: number } {
  const file = join(dir, 'reference.sqlite');
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL');
  db.exec(
    'CREATE TABLE points (metric_id INTEGER NOT NULL, time INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (metric_id, time)) WITHOUT ROWID',
  );
  const insert = db.prepare('INSERT INTO points VALUES (?, ?, ?)');
  const started = performance.now();
  for (let m = 0; m < loaded.minutes; m++) {
    db.exec('BEGIN');
    for (let i = 0; i < METRICS; i++) insert.run(i, (firstMinute + m * MINUTE_MS) / 1000, valueAt(i, m));
    db.exec('COMMIT');
  }
  const seconds = (performance.now() - started) / 1000;
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  return { seconds, bytes: storage(file, ['points']).tables };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const loadBefore = loadavg().map((n) => n.toFixed(1));
const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-cloudwatch-'));
let berth: ChildProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    berth?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(130);
  });
}
try {
  const started = await startBerthProcess(join(dataDir, 'berth'), {
    env: { BERTH_MANAGED_CAPACITY: 'off', BERTH_DNS_PORT: 'off', BERTH_TLS_PORT: 'off' },
    onSpawn: (child) => (berth = child),
  });
  // The oldest minute: MINUTES before the current hour, so the loaded span ends on an hour.
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const firstMinute = hour - MINUTES * MINUTE_MS;
  console.log(
    `loading ${METRICS} metrics × ${MINUTES} minutes (at most ${LOAD_SECONDS} s), ${IN_FLIGHT} calls in flight`,
  );
  const loaded = await load(started.url, firstMinute);
  const callMs = [...loaded.callMs].sort((a, b) => a - b);
  console.log(
    `PutMetricData: ${fmt(loaded.datapoints)} datapoints (${loaded.minutes} minutes × ${METRICS} metrics, ` +
      `${(loaded.minutes / 1440).toFixed(2)} days) in ${loaded.seconds.toFixed(1)} s: ` +
      `${fmt(loaded.datapoints / loaded.seconds)} datapoints/s; per call of ${METRICS} p50 ${percentile(callMs, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(callMs, 99).toFixed(0)} ms`,
  );
  // Queries end where the loaded data ends, on the hour after its last minute.
  const end = Math.floor((firstMinute + loaded.minutes * MINUTE_MS) / 3_600_000) * 3_600_000;
  if (loaded.minutes < 1440) throw new Error('less than a day loaded: the 1-day queries would not be full');
  const queryResults: string[] = [];
  for (const kind of queryKinds(Math.floor((end - firstMinute) / MINUTE_MS))) {
    const r = await measureQueries(started.url, kind, end);
    queryResults.push(`| ${kind.name} | ${kind.points} | ${r.n} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms |`);
  }
  berth!.kill('SIGTERM');
  await new Promise((resolve) => berth!.once('exit', resolve));
  const stored = storage(join(dataDir, 'berth', 'berth.sqlite'), ['cw_blocks', 'cw_series', 'cw_metrics']);
  const reference = referenceInserts(dataDir, loaded, firstMinute);
  console.log(
    `machine: ${cpus().length} cores, Node ${process.version}, load average ${loadBefore.join('/')} before, ` +
      `${loadavg()
        .map((n) => n.toFixed(1))
        .join('/')} after`,
  );
  console.log('| GetMetricData | points | calls | p50 | p99 |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const line of queryResults) console.log(line);
  console.log(
    `Berth storage: cw_blocks + cw_series + cw_metrics and their indexes ${fmt(stored.tables)} bytes (${fmt(stored.rows)} block rows), ` +
      `${(stored.tables / loaded.datapoints).toFixed(1)} bytes/datapoint; whole berth.sqlite ${fmt(stored.file)} bytes, ` +
      `${(stored.file / loaded.datapoints).toFixed(1)} bytes/datapoint`,
  );
  console.log(
    `reference (plain SQLite rows): ${fmt(loaded.datapoints / reference.seconds)} datapoints/s inserted, ` +
      `${fmt(reference.bytes)} bytes, ${(reference.bytes / loaded.datapoints).toFixed(1)} bytes/datapoint`,
  );
} finally {
  if (berth && berth.exitCode === null) {
    berth.kill('SIGTERM');
    await new Promise((resolve) => berth!.once('exit', resolve));
  }
  rmSync(dataDir, { recursive: true, force: true });
}
