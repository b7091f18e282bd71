/* eslint-disable max-lines -- one module, three levels: argument lists, a fake nat table, and two real set-ups (Docker; network namespaces for host mode) */
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { busyboxSkipReason, dockerSkipReason, DockerSession, runCommand } from '../../../../testing/docker.ts';
import {
  CONTAINER_CHAIN,
  CREDENTIALS_ADDRESS,
  HOST_CHAIN,
  containerRuleSpec,
  hostRuleSpec,
  iptablesCredentialsRoutes,
  newContainerMac,
  parseRules,
  splitWords,
  type CommandResult,
  type ContainerRoute,
  type CredentialsRoutes,
  type RunCommand,
} from './credentials-routes.ts';
import { DockerEngine } from './engine-client.ts';

// ── a fake iptables: the nat table as lists of rules, answering as iptables 1.8.9 does ─────────

const answer = (code: number, stderr: string): CommandResult => ({ code, stdout: '', stderr });

class FakeIptables {
  readonly calls: string[][] = [];
  readonly chains = new Map<string, string[][]>([
    ['PREROUTING', []],
    ['OUTPUT', []],
  ]);
  /** Answers some commands differently (a failure), before the table sees them. */
  override: (args: readonly string[]) => CommandResult | undefined = () => undefined;

  readonly run: RunCommand = async (args) => {
    this.calls.push([...args]);
    return this.override(args) ?? this.apply(args);
  };

  rules(chain: string): string[] {
    return (this.chains.get(chain) ?? []).map((spec) => spec.join(' '));
  }

  private apply(args: readonly string[]): CommandResult {
    assert.deepEqual(args.slice(0, 3), ['-w', '-t', 'nat'], 'every command waits for the lock, on the nat table');
    const [action, chain, ...rest] = args.slice(3) as [string, string, ...string[]];
    const rules = this.chains.get(chain);
    const at = (spec: readonly string[]) => rules?.findIndex((rule) => rule.join('\0') === spec.join('\0')) ?? -1;
    const bad = answer(1, 'iptables: Bad rule (does a matching rule exist in that chain?).\n');
    const ok = answer(0, '');
    switch (action) {
      case '-N':
        if (rules) return answer(1, 'iptables: Chain already exists.\n');
        this.chains.set(chain, []);
        return ok;
      case '-S': {
        if (!rules) return answer(1, `chain \`${chain}' in table \`nat' is incompatible\n`);
        const quote = (word: string) => (word.includes(' ') ? `"${word}"` : word);
        const lines = [`-N ${chain}`, ...rules.map((rule) => `-A ${chain} ${rule.map(quote).join(' ')}`)];
        return { ...ok, stdout: `${lines.join('\n')}\n` };
      }
      case '-C':
        return at(rest) === -1 ? bad : ok;
      case '-A':
        if (!rules) return bad;
        rules.push(rest);
        return ok;
      case '-I':
        if (!rules) return bad;
        assert.equal(rest[0], '1', 'inserts go first');
        rules.unshift(rest.slice(1));
        return ok;
      case '-D': {
        const index = at(rest);
        if (index === -1) return bad;
        rules!.splice(index, 1);
        return ok;
      }
      default:
        throw new Error(`the fake does not know ${args.join(' ')}`);
    }
  }
}

const silentLog = { warn: () => {} };
const routeOk: RunCommand = async () => ({ code: 0, stdout: '169.254.170.2 via 192.0.2.1 dev eth0\n', stderr: '' });

function recordingLog() {
  const warnings: string[] = [];
  return { warnings, log: { warn: (_obj: object, msg: string) => void warnings.push(msg) } };
}

const jump = (chain: string) => `-d 169.254.170.2/32 -p tcp --dport 80 -j ${chain}`;
const routeA: ContainerRoute = {
  mac: '02:AA:00:00:00:01',
  address: '172.17.0.1',
  port: 40001,
  owner: 'i-0aaa',
  taskId: 'task-1',
};

/** Routes over a fresh fake table. */
async function fresh(runIp = routeOk) {
  const iptables = new FakeIptables();
  const routes = (await iptablesCredentialsRoutes({ log: silentLog, run: iptables.run, runIp }))!;
  return { iptables, routes };
}

describe('credentials routes: argument lists', () => {
  it('builds each rule as iptables takes it', () => {
    const cases: { name: string; spec: string[]; expected: string }[] = [
      {
        name: 'a container: its MAC (lower case) → the agent on its network',
        spec: containerRuleSpec(routeA),
        expected:
          '-p tcp -m mac --mac-source 02:aa:00:00:00:01 -m comment --comment berth i-0aaa task-1 -j DNAT --to-destination 172.17.0.1:40001',
      },
      {
        name: 'host mode: everything OUTPUT sends there → the agent on 127.0.0.1',
        spec: hostRuleSpec({ port: 40002, owner: 'managed-0123abcd' }),
        expected: '-p tcp -m comment --comment berth managed-0123abcd host -j DNAT --to-destination 127.0.0.1:40002',
      },
    ];
    for (const { name, spec, expected } of cases) assert.equal(spec.join(' '), expected, name);
    // The comment is one argument: execFile passes it without a shell.
    assert.ok(containerRuleSpec(routeA).includes('berth i-0aaa task-1'));
  });

  it('refuses what would make a wrong rule or an unparseable comment', () => {
    const bad: [string, Partial<ContainerRoute>][] = [
      ['a MAC with 5 bytes', { mac: '02:00:00:00:01' }],
      ['an owner with a space', { owner: 'i-0 aaa' }],
      ['a task id with a quote', { taskId: 'x"y' }],
      ['an IPv6 listener', { address: '::1' }],
      ['port 0', { port: 0 }],
      ['port 65536', { port: 65536 }],
      ['a comment over 256 characters', { taskId: 'x'.repeat(250) }],
    ];
    for (const [name, change] of bad) assert.throws(() => containerRuleSpec({ ...routeA, ...change }), Error, name);
  });

  it('reads rules back from -S, quoted comments included', () => {
    const words = splitWords('-A X -m comment --comment "berth o t" -j DNAT');
    assert.equal(words.join('|'), '-A|X|-m|comment|--comment|berth o t|-j|DNAT');
    assert.deepEqual(splitWords('--comment "a \\"b\\" \\\\c" ""'), ['--comment', 'a "b" \\c', '']);
    const listing = [
      `-N ${CONTAINER_CHAIN}`,
      `-A ${CONTAINER_CHAIN} -p tcp -m mac --mac-source 02:AA:00:00:00:01 -m comment --comment "berth i-0aaa task-1" -j DNAT --to-destination 172.17.0.1:40001`,
      `-A OTHER -j RETURN`,
    ].join('\n');
    assert.deepEqual(parseRules(listing, CONTAINER_CHAIN), [
      {
        spec: [
          ...['-p', 'tcp', '-m', 'mac', '--mac-source', '02:AA:00:00:00:01', '-m', 'comment', '--comment'],
          ...['berth i-0aaa task-1', '-j', 'DNAT', '--to-destination', '172.17.0.1:40001'],
        ],
        comment: 'berth i-0aaa task-1',
        mac: '02:aa:00:00:00:01',
      },
    ]);
  });

  it('makes random unicast, locally administered MACs outside 02:42:', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const mac = newContainerMac();
      assert.match(mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      const first = parseInt(mac.slice(0, 2), 16);
      assert.equal(first & 0x01, 0, `${mac} is unicast`);
      assert.equal(first & 0x02, 0x02, `${mac} is locally administered`);
      assert.ok(!mac.startsWith('02:42:'), `${mac} is not Docker's`);
      seen.add(mac);
    }
    assert.equal(seen.size, 2000);
  });
});

describe('credentials routes: commands (fake iptables)', () => {
  it('creates the shared chains and jumps on a fresh host, first in PREROUTING and OUTPUT', async () => {
    const iptables = new FakeIptables();
    iptables.chains.get('PREROUTING')!.push(['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER']);
    assert.ok(await iptablesCredentialsRoutes({ log: silentLog, run: iptables.run, runIp: routeOk }));
    assert.deepEqual(iptables.rules('PREROUTING'), [jump(CONTAINER_CHAIN), '-m addrtype --dst-type LOCAL -j DOCKER']);
    assert.deepEqual(iptables.rules('OUTPUT'), [jump(HOST_CHAIN)]);
    assert.deepEqual(iptables.rules(CONTAINER_CHAIN), [], 'the probe rule is gone');
    assert.deepEqual(iptables.rules(HOST_CHAIN), []);
  });

  it('takes chains and jumps another agent made as they are (a chain made meanwhile too)', async () => {
    const iptables = new FakeIptables();
    await iptablesCredentialsRoutes({ log: silentLog, run: iptables.run, runIp: routeOk });
    iptables.calls.length = 0;
    assert.ok(await iptablesCredentialsRoutes({ log: silentLog, run: iptables.run, runIp: routeOk }));
    const inserts = iptables.calls.filter((args) => args[3] === '-I');
    assert.deepEqual(inserts, [], 'no second jump');
    assert.deepEqual(iptables.rules('PREROUTING'), [jump(CONTAINER_CHAIN)]);
  });

  it('is undefined, with one warning, where iptables cannot do it', async () => {
    const answers: [string, (args: readonly string[]) => CommandResult | undefined][] = [
      ['no binary', () => answer(-1, 'spawn iptables ENOENT')],
      ['not root', () => answer(4, 'Could not fetch rule set generation id: Permission denied (you must be root)')],
      ['no nat table', (args) => (args[3] === '-N' ? answer(3, "can't initialize iptables table `nat'") : undefined)],
      ['no mac match', (args) => (args[3] === '-A' ? answer(2, "Couldn't load match `mac'") : undefined)],
    ];
    for (const [name, override] of answers) {
      const iptables = new FakeIptables();
      iptables.override = override;
      const { warnings, log } = recordingLog();
      assert.equal(await iptablesCredentialsRoutes({ log, run: iptables.run, runIp: routeOk }), undefined, name);
      assert.equal(warnings.length, 1, name);
    }
  });

  it('adds a container route once, first in the chain, and replaces a stale rule for its MAC', async () => {
    const { iptables, routes } = await fresh();
    const other = { ...routeA, mac: '02:bb:00:00:00:02', taskId: 'task-2' };
    await routes.addContainer(other);
    // A dead agent's rule for the MAC Docker gave an earlier sandbox with the same IP:
    await routes.addContainer({ ...routeA, owner: 'i-0dead', port: 1234 });
    await routes.addContainer(routeA);
    await routes.addContainer(routeA);
    assert.deepEqual(iptables.rules(CONTAINER_CHAIN), [
      containerRuleSpec(routeA).join(' '),
      containerRuleSpec(other).join(' '),
    ]);
  });

  it('removes a container route, and takes an absent one as removed', async () => {
    const { iptables, routes } = await fresh();
    await routes.addContainer(routeA);
    await routes.removeContainer(routeA);
    await routes.removeContainer(routeA);
    assert.deepEqual(iptables.rules(CONTAINER_CHAIN), []);
    iptables.override = (args) => (args[3] === '-D' ? answer(4, 'RULE_DELETE failed') : undefined);
    await routes.addContainer(routeA);
    await assert.rejects(routes.removeContainer(routeA), /RULE_DELETE failed/, 'a rule that stays is an error');
  });

  it('puts the newest host route first, and removes only the one asked', async () => {
    const { iptables, routes } = await fresh();
    const first = { port: 40010, owner: 'i-0first' };
    const second = { port: 40020, owner: 'i-0second' };
    await routes.addHost(first);
    await routes.addHost(second);
    assert.deepEqual(iptables.rules(HOST_CHAIN), [hostRuleSpec(second).join(' '), hostRuleSpec(first).join(' ')]);
    await routes.removeHost(second);
    assert.deepEqual(iptables.rules(HOST_CHAIN), [hostRuleSpec(first).join(' ')]);
    assert.deepEqual(iptables.rules(CONTAINER_CHAIN), [], 'host routes stay out of the PREROUTING chain');
  });

  it('adds a route to 169.254.170.2 on lo for host mode where there is none', async () => {
    const ipCalls: string[] = [];
    const { routes } = await fresh(async (args) => {
      ipCalls.push(args.join(' '));
      return args.includes('get') ? answer(2, 'RTNETLINK answers: Network is unreachable') : answer(0, '');
    });
    await routes.addContainer(routeA);
    assert.deepEqual(ipCalls, [], 'containers route through their gateway');
    await routes.addHost({ port: 40010, owner: 'i-0first' });
    assert.deepEqual(ipCalls, ['-4 route get 169.254.170.2', '-4 route add 169.254.170.2/32 dev lo src 127.0.0.1']);
  });

  it('removes every rule of one owner, in both chains, and only those', async () => {
    const { iptables, routes } = await fresh();
    const mine = [routeA, { ...routeA, mac: '02:aa:00:00:00:02', taskId: 'task-2' }];
    const theirs = { ...routeA, mac: '02:cc:00:00:00:03', owner: 'i-0aaab' }; // a longer owner name
    for (const route of [...mine, theirs]) await routes.addContainer(route);
    await routes.addHost({ port: 40010, owner: routeA.owner });
    await routes.addHost({ port: 40020, owner: theirs.owner });
    await routes.removeOwned(routeA.owner);
    assert.deepEqual(iptables.rules(CONTAINER_CHAIN), [containerRuleSpec(theirs).join(' ')]);
    assert.deepEqual(iptables.rules(HOST_CHAIN), [hostRuleSpec({ port: 40020, owner: theirs.owner }).join(' ')]);
  });

  it('runs one command at a time in a process, whichever caller asks', async () => {
    const iptables = new FakeIptables();
    let running = 0;
    let most = 0;
    const run: RunCommand = async (args) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return iptables.run(args);
    };
    const [one, two] = await Promise.all([
      iptablesCredentialsRoutes({ log: silentLog, run, runIp: routeOk }),
      iptablesCredentialsRoutes({ log: silentLog, run, runIp: routeOk }),
    ]);
    const routes = Array.from({ length: 8 }, (_, i) => ({ ...routeA, mac: `02:aa:00:00:00:1${i}`, taskId: `t${i}` }));
    await Promise.all(routes.map((route, i) => (i % 2 ? one! : two!).addContainer(route)));
    assert.equal(most, 1);
    assert.equal(iptables.rules(CONTAINER_CHAIN).length, 8);
    assert.deepEqual(iptables.rules('PREROUTING'), [jump(CONTAINER_CHAIN)], 'one jump for both');
  });
});

// ── the real thing ───────────────────────────────────────────────────────────────────────────

// Off only where iptables cannot run; under CI=true (root, with iptables) that is a failure.
function iptablesSkipReason(): string | false {
  const reason = process.getuid?.() !== 0 ? 'not root' : toolProblem();
  if (reason && process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return reason;
}

function toolProblem(): string | false {
  try {
    execFileSync('iptables', ['-w', '-t', 'nat', '-S', 'PREROUTING'], { stdio: 'pipe', timeout: 30_000 });
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe', timeout: 30_000 });
    return false;
  } catch (error) {
    return `iptables or ip does not work: ${(error as Error).message}`;
  }
}

const skipReal = iptablesSkipReason();
const run = randomUUID().slice(0, 8);
const hostIptables: RunCommand = (args) => runCommand('iptables', args, { timeoutMs: 60_000 });

function listen(name: string, address: string): Promise<Server> {
  const server = createServer((request, response) => response.end(`${name} ${request.url}`));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve(server));
  });
}

describe(
  'credentials routes on this host: Docker containers reach their own agent',
  { skip: skipReal || dockerSkipReason() || busyboxSkipReason(), timeout: 300_000 },
  () => {
    const engine = new DockerEngine();
    const session = new DockerSession();
    const label = 'berth.test.credentials-routes';
    const servers: Server[] = [];
    const owners = [`test-${run}-a`, `test-${run}-b`];
    let routes: CredentialsRoutes;
    let containers: { id: string; route: ContainerRoute; marker: string }[] = [];

    before(async () => {
      const made = await iptablesCredentialsRoutes({ log: silentLog, run: hostIptables });
      assert.ok(made, 'iptables works here, so the routes must too');
      routes = made;
      const image = await session.buildBusyboxImage(`berth-credentials-${run}:1`);
      containers = [];
      for (const owner of owners) {
        const mac = newContainerMac();
        // The MAC is chosen before the container exists, as the agent does (Config.MacAddress, API 1.41).
        const id = await engine.createContainer(`berth-credentials-${run}-${containers.length}`, {
          Image: image.tag,
          Cmd: ['sleep', '600'],
          MacAddress: mac,
          Labels: { [label]: run },
          HostConfig: { NetworkMode: 'bridge' },
        });
        await engine.startContainer(id);
        const inspected = await engine.inspectContainer(id);
        const network = inspected?.NetworkSettings.Networks?.bridge as { Gateway?: string; MacAddress?: string };
        assert.equal(network.MacAddress, mac);
        const server = await listen(`listener-${owner}`, network.Gateway!);
        servers.push(server);
        const port = (server.address() as AddressInfo).port;
        const route = { mac, address: network.Gateway!, port, owner, taskId: `task-${run}` };
        containers.push({ id, route, marker: `listener-${owner} /x` });
      }
    });

    after(async () => {
      for (const owner of owners) await routes?.removeOwned(owner);
      for (const container of await engine.listContainers({ all: true, labels: { [label]: run } })) {
        await engine.removeContainer(container.Id, { force: true });
      }
      for (const server of servers) server.close();
      await session.cleanup();
      engine.close();
    });

    /** What 169.254.170.2:80 answers inside the container (busybox-static's wget crashes; nc does not). */
    async function fetchFrom(container: string): Promise<string> {
      const input = `GET /x HTTP/1.0\r\nHost: ${CREDENTIALS_ADDRESS}\r\n\r\n`;
      const args = ['exec', '-i', container, 'busybox', 'nc', '-w', '5', CREDENTIALS_ADDRESS, '80'];
      const result = await session.docker(args, { input, timeoutMs: 30_000 });
      return `${result.stdout}${result.stderr}`;
    }

    it("routes each container to its own agent's listener, and stops when the route goes", async () => {
      const [a, b] = containers as [(typeof containers)[0], (typeof containers)[0]];
      await routes.addContainer(a.route);
      await routes.addContainer(a.route); // idempotent
      await routes.addContainer(b.route);
      const listed = await hostIptables(['-w', '-t', 'nat', '-S', CONTAINER_CHAIN]);
      assert.equal(listed.stdout.split(`berth ${a.route.owner} `).length - 1, 1, 'one rule for a');

      assert.match(await fetchFrom(a.id), new RegExp(`${a.marker}$`));
      assert.match(await fetchFrom(b.id), new RegExp(`${b.marker}$`));

      await routes.removeContainer(a.route);
      await routes.removeContainer(a.route); // already gone: fine
      // Without its rule the packet leaves by the host's default route (whatever answers there, if anything).
      assert.doesNotMatch(await fetchFrom(a.id), /listener-/);
      assert.match(await fetchFrom(b.id), new RegExp(`${b.marker}$`), 'b keeps its route');

      await routes.removeOwned(b.route.owner);
      assert.doesNotMatch(await fetchFrom(b.id), /listener-/);
    });
  },
);

describe(
  'credentials routes in network namespaces: host mode, with no default route',
  { skip: skipReal, timeout: 120_000 },
  () => {
    // H plays a host with only lo and a veth to C, a container's namespace (default route via H).
    // route_localnet=1 in H lets a DNAT to 127.0.0.1 deliver packets from C: were the host rule to
    // match them, C would reach the host listener.
    const h = `berth-cr-${run}-h`;
    const c = `berth-cr-${run}-c`;
    const inH: RunCommand = (args) => runCommand('ip', ['netns', 'exec', h, 'iptables', ...args]);
    const ipInH: RunCommand = (args) => runCommand('ip', ['-n', h, ...args]);
    let listener: ReturnType<typeof spawn> | undefined;
    let routes: CredentialsRoutes;
    const sh = async (args: string[]) => {
      const result = await runCommand('ip', args);
      assert.equal(result.code, 0, `ip ${args.join(' ')}: ${result.stderr}`);
    };

    before(async () => {
      const veth = `bcr${run.slice(0, 6)}`;
      await sh(['netns', 'add', h]);
      await sh(['netns', 'add', c]);
      await sh(['-n', h, 'link', 'set', 'lo', 'up']);
      await sh(['-n', h, 'link', 'add', `${veth}h`, 'type', 'veth', 'peer', 'name', `${veth}c`, 'netns', c]);
      await sh(['-n', h, 'addr', 'add', '10.200.0.1/24', 'dev', `${veth}h`]);
      await sh(['-n', h, 'link', 'set', `${veth}h`, 'up']);
      await sh(['-n', c, 'addr', 'add', '10.200.0.2/24', 'dev', `${veth}c`]);
      await sh(['-n', c, 'link', 'set', `${veth}c`, 'up']);
      await sh(['-n', c, 'route', 'add', 'default', 'via', '10.200.0.1']);
      await sh(['netns', 'exec', h, 'sysctl', '-qw', 'net.ipv4.conf.all.route_localnet=1']);
      assert.notEqual((await ipInH(['-4', 'route', 'get', CREDENTIALS_ADDRESS])).code, 0, 'H starts with no route');

      // One process in H serves every listener, answering with its port, until its stdin closes.
      const serve = `
        const http = require('node:http');
        let waiting = process.argv.length - 1;
        for (const target of process.argv.slice(1)) {
          const [address, port] = target.split(':');
          http.createServer((q, r) => r.end('port ' + port)).listen(Number(port), address, () => {
            if (--waiting === 0) console.log('ready');
          });
        }
        process.stdin.on('end', () => process.exit(0)).resume();`;
      const targets = ['127.0.0.1:8001', '127.0.0.1:8002', '10.200.0.1:8003'];
      listener = spawn('ip', ['netns', 'exec', h, process.execPath, '-e', serve, ...targets], { stdio: 'pipe' });
      await new Promise<void>((resolve, reject) => {
        listener!.stdout!.on('data', (data: Buffer) => data.toString().includes('ready') && resolve());
        listener!.once('exit', (code) => reject(new Error(`the listener in ${h} exited (${code})`)));
      });
      const made = await iptablesCredentialsRoutes({ log: silentLog, run: inH, runIp: ipInH });
      assert.ok(made);
      routes = made;
    });

    after(async () => {
      listener?.stdin?.end();
      await runCommand('ip', ['netns', 'del', h]);
      await runCommand('ip', ['netns', 'del', c]);
    });

    /** What 169.254.170.2:80 answers from inside `namespace`, or 'error <why>' when nothing does. */
    async function fetchIn(namespace: string): Promise<string> {
      const get = `fetch('http://${CREDENTIALS_ADDRESS}/x', { signal: AbortSignal.timeout(1500) })
        .then((r) => r.text(), (e) => 'error ' + (e.cause?.code ?? e.name)).then(console.log).then(() => process.exit())`;
      const result = await runCommand('ip', ['netns', 'exec', namespace, process.execPath, '-e', get]);
      return result.stdout.trim();
    }

    it('sends local connections to the newest host listener, adding the route the host lacked', async () => {
      await routes.addHost({ port: 8001, owner: 'first' });
      assert.match((await ipInH(['-4', 'route', 'get', CREDENTIALS_ADDRESS])).stdout, /dev lo/);
      assert.equal(await fetchIn(h), 'port 8001');
      await routes.addHost({ port: 8002, owner: 'second' });
      assert.equal(await fetchIn(h), 'port 8002');
      await routes.removeHost({ port: 8002, owner: 'second' });
      assert.equal(await fetchIn(h), 'port 8001');
    });

    it('never sends a container to the host listener; its MAC rule sends it to its own', async () => {
      // The host rule for 'first' (127.0.0.1:8001) is still there.
      assert.match(await fetchIn(c), /^error /);
      const link = await runCommand('ip', ['-n', c, '-br', 'link', 'show', `bcr${run.slice(0, 6)}c`]);
      const mac = link.stdout.split(/\s+/)[2]!; // bcr…c@if7  UP  02:…  <BROADCAST,…>
      const route = { mac, address: '10.200.0.1', port: 8003, owner: 'first', taskId: 'task-c' };
      await routes.addContainer(route);
      assert.equal(await fetchIn(c), 'port 8003');
      assert.equal(await fetchIn(h), 'port 8001', 'the host keeps its own route');
      await routes.removeOwned('first');
      assert.match(await fetchIn(c), /^error /);
      assert.match(await fetchIn(h), /^error /);
      const left = await inH(['-w', '-t', 'nat', '-S']);
      assert.doesNotMatch(left.stdout, /berth first/);
    });
  },
);
