// Benchmark (issue #20): queries/s and latency of Berth's DNS server for a Cloud Map namespace of
// 1,000 instances, and of dnsmasq serving the same addresses from a hosts file, in the same run.
//   node bench/dns.ts [--instances 1000] [--queries 50000] [--seconds 10] [--clients 16] [--rounds 3]
// A `berth server` process (bench/berth-process.ts; its DNS server needs the managed capacity, so
// Docker) answers on a free high port (BERTH_DNS_PORT). Through the Cloud Map API (signed JSON 1.1
// calls, 16 in flight) it gets the private DNS namespace bench.local and the service api with A and
// SRV records, MULTIVALUE routing, and `--instances` instances i-0000… (10.1.x.y, port 8080).
// The load: `--clients` UDP sockets on 127.0.0.1, each with one query in flight (RD set, EDNS0 only
// for SRV, as a stub resolver asks), until `--queries` are answered or `--seconds` pass; a query
// unanswered after 1 s is counted lost. Each reply's header is checked (id, RCODE, TC, answer counts). Kinds:
//   A api          api.bench.local A: Berth picks 8 of the 1,000 at random; dnsmasq has 8 fixed
//   A instance     i-NNNN.api.bench.local A, cycling through all 1,000 (the SRV targets' records)
//   SRV api        api.bench.local SRV: 8 of 1,000 and their targets' A records (Berth only)
//   NXDOMAIN       missing-NNNN.bench.local, names in the namespace that do not exist
// dnsmasq (Debian: `apt-get install dnsmasq-base`) is skipped, with a message, when absent. Its
// hosts file holds the 1,000 instance names and 8 addresses for api.bench.local (a hosts file has
// no random choice; with all 1,000 it answers 29 and sets TC), `--local=/bench.local/` makes it
// answer NXDOMAIN there. Each round runs both servers in turn (the order flipping every round);
// medians of the rounds are printed, with the server's CPU per query from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { RECURSION_DESIRED, encode, type OptAnswer } from 'dns-packet';
import { callJson } from '../testing/signed-request.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    queries: { type: 'string', default: '50000' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
  },
});
const INSTANCES = Number(values.instances);
const QUERIES = Number(values.queries);
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
const ZONE = 'bench.local';
const SERVICE = `api.${ZONE}`;
const CLOUD_MAP = 'Route53AutoNaming_v20170314';
const QUERY_TIMEOUT_MS = 1000;
const NOERROR = 0;
const NXDOMAIN = 3;

const instanceId = (i: number): string => `i-${String(i).padStart(4, '0')}`;
const addressOf = (i: number): string => `10.1.${i >> 8}.${i & 255}`;

/** A kind of query: the encoded questions (sent in turn) and what each reply's header must say. */
interface Workload {
  readonly name: string;
  readonly questions: readonly Buffer[];
  readonly rcode: number;
  readonly answers: number;
  readonly additionals?: number;
}

function questions(names: readonly string[], type: 'A' | 'SRV', options: { edns?: boolean } = {}): Buffer[] {
  // EDNS0 (a 1,232-byte UDP size, as dig and systemd-resolved offer): without it, 8 SRV records
  // fill the 512 bytes and the server leaves their targets' A records out.
  const opt: OptAnswer = {
    type: 'OPT',
    name: '.',
    udpPayloadSize: 1232,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  };
  const additionals = options.edns ? [opt] : [];
  return names.map((name) =>
    Buffer.from(encode({ type: 'query', id: 0, flags: RECURSION_DESIRED, questions: [{ type, name }], additionals })),
  );
}

const instanceNames = Array.from({ length: INSTANCES }, (_, i) => `${instanceId(i)}.${SERVICE}`);
const WORKLOADS: readonly Workload[] = [
  { name: 'A api', questions: questions([SERVICE], 'A'), rcode: NOERROR, answers: Math.min(8, INSTANCES) },
  { name: 'A instance', questions: questions(instanceNames, 'A'), rcode: NOERROR, answers: 1 },
  {
    name: 'SRV api',
    questions: questions([SERVICE], 'SRV', { edns: true }),
    rcode: NOERROR,
    answers: Math.min(8, INSTANCES),
    additionals: Math.min(8, INSTANCES) + 1, // the targets' A records and the OPT record
  },
  {
    name: 'NXDOMAIN',
    questions: questions(
      Array.from({ length: 1000 }, (_, i) => `missing-${i}.${ZONE}`),
      'A',
    ),
    rcode: NXDOMAIN,
    answers: 0,
  },
];

interface Measured {
  readonly answered: number;
  readonly lost: number;
  readonly wrong: number;
  readonly qps: number;
  readonly p50: number;
  readonly p99: number;
  /** The server process's user + system CPU per answered query, in µs (from /proc, 10 ms ticks). */
  readonly serverCpuUs: number;
  /** This process's (the clients') CPU over the run, in % of one core. */
  readonly clientCpu: number;
}

function processCpuMs(pid: number): number {
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // CLK_TCK is 100 on Linux
}

/** One client: a socket with one query in flight, its own copy of the question to stamp an id on. */
async function runClient(
  port: number,
  workload: Workload,
  run: { next: () => number | undefined; record: (ms: number, ok: boolean) => void; lost: () => void },
): Promise<void> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
  const scratch = Buffer.alloc(Math.max(...workload.questions.map((q) => q.length)));
  let id = 0;
  let waiting: ((reply: Buffer | undefined) => void) | undefined;
  socket.on('message', (reply) => {
    if (reply.length >= 12 && reply.readUInt16BE(0) === id) waiting?.(reply);
  });
  // A refused query (ICMP port unreachable: the server is not up yet) counts as lost, like a timeout.
  socket.on('error', () => waiting?.(undefined));
  const timer = setTimeout(() => waiting?.(undefined), QUERY_TIMEOUT_MS);
  try {
    for (let index = run.next(); index !== undefined; index = run.next()) {
      const question = workload.questions[index % workload.questions.length]!;
      id = (id + 1) & 0xffff;
      question.copy(scratch);
      scratch.writeUInt16BE(id, 0);
      const started = performance.now();
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        waiting = resolve;
        timer.refresh();
        socket.send(scratch.subarray(0, question.length));
      });
      waiting = undefined;
      if (!reply) {
        run.lost();
        continue;
      }
      const ok =
        (reply[3]! & 0x0f) === workload.rcode &&
        (reply[2]! & 0x02) === 0 && // not truncated
        reply.readUInt16BE(6) === workload.answers &&
        (workload.additionals === undefined || reply.readUInt16BE(10) >= workload.additionals);
      run.record(performance.now() - started, ok);
    }
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}

/** The bounded load loop: `count` queries or `seconds`, whichever ends first, over CLIENTS sockets. */
async function measure(port: number, pid: number, workload: Workload, count: number): Promise<Measured> {
  const latencies = new Float64Array(count);
  let issued = 0;
  let answered = 0;
  let lost = 0;
  let wrong = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const cpuBefore = processCpuMs(pid);
  const clientBefore = process.cpuUsage();
  const run = {
    next: () => (issued < count && performance.now() < deadline ? issued++ : undefined),
    record: (ms: number, ok: boolean) => {
      latencies[answered++] = ms;
      if (!ok) wrong += 1;
    },
    lost: () => void (lost += 1),
  };
  await Promise.all(Array.from({ length: CLIENTS }, () => runClient(port, workload, run)));
  const elapsedMs = performance.now() - started;
  const client = process.cpuUsage(clientBefore);
  const serverCpuMs = processCpuMs(pid) - cpuBefore;
  const sorted = latencies.subarray(0, answered).sort();
  const at = (q: number): number => sorted[Math.min(answered - 1, Math.floor(q * answered))] ?? NaN;
  return {
    answered,
    lost,
    wrong,
    qps: (answered / elapsedMs) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    serverCpuUs: (serverCpuMs * 1000) / Math.max(1, answered),
    clientCpu: ((client.user + client.system) / 1000 / elapsedMs) * 100,
  };
}

/** A port free for both UDP and TCP on 127.0.0.1 (the DNS server takes both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket('udp4');
    const port = await new Promise<number>((resolve) => udp.bind(0, '127.0.0.1', () => resolve(udp.address().port)));
    const tcp = createServer();
    const free = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    if (free) await new Promise((resolve) => tcp.close(resolve));
    if (free && port >= 10000) return port;
  }
  throw new Error('no free port for both UDP and TCP');
}

/** Waits until a server answers `workload`'s first question as expected (Berth re-reads its zone after writes). */
async function waitForAnswer(port: number, pid: number, workload: Workload, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await measure(port, pid, { ...workload, questions: workload.questions.slice(0, 1) }, 1);
    if (probe.answered === 1 && probe.wrong === 0) return;
    if (Date.now() > deadline) throw new Error(`no expected answer to ${workload.name} on port ${port}`);
    await sleep(200);
  }
}

function findDnsmasq(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, 'dnsmasq'), constants.X_OK);
      return join(dir, 'dnsmasq');
    } catch {
      // not here
    }
  }
  return undefined;
}

async function startDnsmasq(binary: string, dir: string, port: number): Promise<ChildProcess> {
  const hosts = [
    ...instanceNames.map((name, i) => `${addressOf(i)} ${name}`),
    ...Array.from({ length: Math.min(8, INSTANCES) }, (_, i) => `${addressOf(i)} ${SERVICE}`),
  ];
  writeFileSync(join(dir, 'hosts'), `${hosts.join('\n')}\n`);
  const child = spawn(
    binary,
    [
      '--no-daemon',
      '--conf-file=/dev/null',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      `--addn-hosts=${join(dir, 'hosts')}`,
      `--local=/${ZONE}/`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr!.resume();
  await waitForAnswer(port, child.pid!, WORKLOADS[0]!);
  return child;
}

/** Signs and sends one Cloud Map call, retrying a write that lost a race (RequestLimitExceeded). */
async function cloudMap(url: string, operation: string, input: object): Promise<Record<string, unknown>> {
  for (let attempt = 0; ; attempt++) {
    const response = await callJson(url, `${CLOUD_MAP}.${operation}`, JSON.stringify(input), {
      credentials: BENCH_CREDENTIALS,
      service: 'servicediscovery',
    });
    if (response.status === 200) return response.json;
    if (attempt >= 10 || !response.text.includes('RequestLimitExceeded')) {
      throw new Error(`${operation} answered ${response.status}: ${response.text}`);
    }
    await sleep(10 * (attempt + 1));
  }
}

async function createNamespaceAndService(url: string): Promise<void> {
  const { OperationId } = await cloudMap(url, 'CreatePrivateDnsNamespace', { Name: ZONE, Vpc: 'vpc-bench' });
  const { Operation } = (await cloudMap(url, 'GetOperation', { OperationId })) as {
    Operation: { Status: string; Targets: { NAMESPACE: string } };
  };
  if (Operation.Status !== 'SUCCESS') throw new Error(`CreatePrivateDnsNamespace: ${JSON.stringify(Operation)}`);
  const { Service } = (await cloudMap(url, 'CreateService', {
    Name: 'api',
    NamespaceId: Operation.Targets.NAMESPACE,
    DnsConfig: {
      RoutingPolicy: 'MULTIVALUE',
      DnsRecords: [
        { Type: 'A', TTL: 10 },
        { Type: 'SRV', TTL: 10 },
      ],
    },
  })) as { Service: { Id: string } };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < INSTANCES; i = next++) {
        await cloudMap(url, 'RegisterInstance', {
          ServiceId: Service.Id,
          InstanceId: instanceId(i),
          Attributes: { AWS_INSTANCE_IPV4: addressOf(i), AWS_INSTANCE_PORT: '8080' },
        });
      }
    }),
  );
  console.log(`registered ${INSTANCES} instances in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

interface Server {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly workloads: readonly Workload[];
}

const load = loadavg()[0]!.toFixed(2);
const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-dns-'));
const dnsPort = await freePort();
let berth: ChildProcess | undefined;
let dnsmasq: ChildProcess | undefined;
// Interrupted (Ctrl-C, timeout): the servers go with the benchmark rather than outlive it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    dnsmasq?.kill('SIGKILL');
    berth?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(130);
  });
}
try {
  const started = await startBerthProcess(dataDir, {
    env: { BERTH_DNS_PORT: String(dnsPort) },
    onSpawn: (child) => (berth = child),
  });
  await createNamespaceAndService(started.url);
  const servers: Server[] = [{ name: 'Berth', port: dnsPort, pid: started.child.pid!, workloads: WORKLOADS }];
  for (const workload of WORKLOADS) await waitForAnswer(dnsPort, started.child.pid!, workload);
  // The last instance registered must be in the zone Berth answers from.
  await waitForAnswer(dnsPort, started.child.pid!, { ...WORKLOADS[1]!, questions: WORKLOADS[1]!.questions.slice(-1) });
  const binary = findDnsmasq();
  if (binary) {
    const port = await freePort();
    dnsmasq = await startDnsmasq(binary, dataDir, port);
    const workloads = WORKLOADS.filter((w) => w.name !== 'SRV api');
    servers.push({ name: 'dnsmasq', port, pid: dnsmasq.pid!, workloads });
  } else {
    console.log('dnsmasq not found: no reference figures (Debian: apt-get install dnsmasq-base)');
  }
  for (const server of servers) {
    for (const workload of server.workloads) await measure(server.port, server.pid, workload, 2000); // warm-up
  }
  const results = new Map<string, Measured[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
      for (const workload of server.workloads) {
        const key = `${server.name}|${workload.name}`;
        results.set(key, [...(results.get(key) ?? []), await measure(server.port, server.pid, workload, QUERIES)]);
      }
    }
  }
  console.log(
    `machine: ${cpus().length} cores, Node ${process.version}, load average ${load} before, ${loadavg()[0]!.toFixed(2)} after; ` +
      `${INSTANCES} instances, ${CLIENTS} UDP clients, ${QUERIES} queries or ${SECONDS} s a round, ${ROUNDS} rounds`,
  );
  console.log(
    '| Server | Query | Rounds (queries/s) | Median | median p50 | median p99 | server CPU/query | client CPU | lost / wrong |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  for (const [key, rounds] of results) {
    const [server, query] = key.split('|');
    const of = (f: (m: Measured) => number): number => median(rounds.map(f));
    const lost = rounds.reduce((sum, m) => sum + m.lost, 0);
    const wrong = rounds.reduce((sum, m) => sum + m.wrong, 0);
    console.log(
      `| ${server} | ${query} | ${rounds.map((m) => fmt(m.qps)).join(' / ')} | ${fmt(of((m) => m.qps))} | ` +
        `${of((m) => m.p50).toFixed(2)} ms | ${of((m) => m.p99).toFixed(2)} ms | ${of((m) => m.serverCpuUs).toFixed(0)} µs | ` +
        `${of((m) => m.clientCpu).toFixed(0)}% | ${lost} / ${wrong} |`,
    );
  }
} finally {
  dnsmasq?.kill('SIGTERM');
  if (berth && berth.exitCode === null) {
    berth.kill('SIGTERM');
    await new Promise((resolve) => berth!.once('exit', resolve));
  }
  rmSync(dataDir, { recursive: true, force: true });
}
