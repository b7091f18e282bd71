// Benchmark (issue #17): what identity-based policies cost a signed call. One `berth server`
// process; signed ECS ListClusters per second as the account root (no policy to evaluate) and as an
// IAM user holding 10 managed policies of 10 statements each (the statement that allows the call
// last of all), measured in alternating rounds in the same run, with wrk when installed (16
// keep-alive clients), else a Node client. Target: the user's rate within 10% of root's.
//   node bench/iam-policies.ts [--rounds 3] [--seconds 5] [--clients 16]
// Each request is signed once and replayed (a signature stays valid for 15 minutes): the server
// verifies the whole signature and evaluates the policies on every request.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { ECS_TARGET, signJsonCall } from '../testing/signed-request.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '16' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const clients = Number(values.clients);

const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-iam-'));
const { child: server, url } = await startBerthProcess(dataDir);

/** Ten statements on other services and other clusters, with conditions, then (last policy) the Allow. */
function policyDocument(index: number): string {
  const statements: object[] = [];
  for (let s = 0; s < 10; s++) {
    statements.push({
      Sid: `P${index}S${s}`,
      Effect: 'Allow',
      Action: [`ecr:Describe${s}*`, `logs:Get${s}*`, 'elasticloadbalancing:Describe*'],
      Resource: [`arn:aws:ecr:*:*:repository/team-${index}-${s}/*`, `arn:aws:logs:*:*:log-group:/app/${s}/*`],
      Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    });
  }
  if (index === 9) statements[9] = { Sid: 'List', Effect: 'Allow', Action: 'ecs:List*', Resource: '*' };
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

async function createBenchUser(): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const iam = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: BENCH_CREDENTIALS });
  try {
    await iam.send(new CreateUserCommand({ UserName: 'bench' }));
    for (let i = 0; i < 10; i++) {
      const { Policy } = await iam.send(
        new CreatePolicyCommand({ PolicyName: `bench-${i}`, PolicyDocument: policyDocument(i) }),
      );
      await iam.send(new AttachUserPolicyCommand({ UserName: 'bench', PolicyArn: Policy!.Arn! }));
    }
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}

interface Result {
  readonly requestsPerSecond: number;
  readonly p99: number;
  readonly errors: number;
}

async function wrkScript(name: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  const signed = await signJsonCall(url, `${ECS_TARGET}.ListClusters`, '{}', { credentials });
  const check = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
  if (check.status !== 200) throw new Error(`${name}: ListClusters answered ${check.status}: ${await check.text()}`);
  const script = join(dataDir, `${name}.lua`);
  const lines = Object.entries(signed.headers as Record<string, string>)
    .filter(([header]) => header !== 'host' && header !== 'content-length')
    .map(([header, value]) => `wrk.headers[${JSON.stringify(header)}] = ${JSON.stringify(value)}`);
  writeFileSync(script, [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(signed.body)}`, ...lines].join('\n'));
  return script;
}

function runWrk(script: string, duration: number): Result {
  const out = execFileSync('wrk', ['-t1', `-c${clients}`, `-d${duration}s`, '--latency', '-s', script, url], {
    encoding: 'utf8',
  });
  const match = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99 = match ? Number(match[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[match[2]!]! : NaN;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]), p99, errors: non2xx };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const benchUser = await createBenchUser();
  const scripts = { root: await wrkScript('root', BENCH_CREDENTIALS), user: await wrkScript('user', benchUser) };
  runWrk(scripts.root, 2); // warm-up: JIT, caches
  runWrk(scripts.user, 2);
  const results: Record<'root' | 'user', Result[]> = { root: [], user: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so that neither always runs on a warmer (or hotter) machine.
    const order = round % 2 === 0 ? (['root', 'user'] as const) : (['user', 'root'] as const);
    for (const who of order) results[who].push(runWrk(scripts[who], seconds));
  }
  const line = (who: 'root' | 'user') => {
    const rate = median(results[who].map((r) => r.requestsPerSecond));
    const p99 = median(results[who].map((r) => r.p99));
    const errors = results[who].reduce((sum, r) => sum + r.errors, 0);
    const each = results[who].map((r) => Math.round(r.requestsPerSecond)).join(' / ');
    return { rate, text: `${Math.round(rate)} req/s (rounds ${each}), p99 ${p99.toFixed(2)} ms, errors ${errors}` };
  };
  const root = line('root');
  const user = line('user');
  console.log(`signed ListClusters, ${clients} clients, median of ${rounds} rounds of ${seconds} s (wrk):`);
  console.log(`  root (no policies):                 ${root.text}`);
  console.log(`  user (10 policies × 10 statements): ${user.text}`);
  console.log(
    `  user / root: ${((user.rate / root.rate) * 100).toFixed(1)}% (target ≥ 90%) (node ${process.version}, ${cpus().length} cores)`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
