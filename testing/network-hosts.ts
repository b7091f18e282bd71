import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliResult } from './aws-cli.ts';
import { runCommand } from './docker.ts';

// "Hosts" on this machine joined over a network: network namespaces, each with a veth pair into
// one bridge of the root namespace (where the server and its load balancer run) and, if wanted, a
// Docker engine of its own. Everything made here is undone by `destroy()`, or, if the test process
// dies first, by its exit handler.

const IP_PATHS = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];
/** iproute2's `ip`. */
export const IP = IP_PATHS.find((path) => existsSync(path)) ?? 'ip';

function missing(what: string, reason: string): string {
  if (process.env.CI === 'true') throw new Error(`CI=true but ${what}: ${reason}`);
  return reason;
}

/** False when network namespaces and a second dockerd can be made here, else why the tests skip. */
export function networkHostsSkipReason(): string | false {
  if (process.platform !== 'linux') return missing('not Linux', 'network namespaces need Linux');
  if (process.getuid?.() !== 0) return missing('not root', 'network namespaces and a second dockerd need root');
  for (const [tool, args] of [
    [IP, ['-V']],
    ['nsenter', ['--version']],
    ['unshare', ['--version']],
    ['dockerd', ['--version']],
    ['iptables', ['--version']],
  ] as const) {
    try {
      execFileSync(tool, [...args], { stdio: 'ignore', timeout: 10_000 });
    } catch (error) {
      return missing(`${tool} does not run`, `${tool} ${args.join(' ')}: ${(error as Error).message}`);
    }
  }
  return false;
}

/** Runs a command, throwing with its output when it fails. */
async function must(file: string, args: readonly string[]): Promise<CliResult> {
  const result = await runCommand(file, args, { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result;
}

/** Whatever is still up when the test process exits: killed and removed, synchronously. */
const leftovers = { processes: new Set<ChildProcess>(), namespaces: new Set<string>(), links: new Set<string>() };
process.on('exit', () => {
  for (const child of leftovers.processes) child.kill('SIGKILL');
  for (const name of leftovers.namespaces) execFileSafely(IP, ['netns', 'del', name]);
  for (const link of leftovers.links) execFileSafely(IP, ['link', 'del', link]);
});

function execFileSafely(file: string, args: readonly string[]): void {
  try {
    execFileSync(file, [...args], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // Already gone.
  }
}

/** One "host": a network namespace at `address`, its default route through the bridge. */
export interface NetworkHost {
  readonly namespace: string;
  readonly address: string;
  /** The command prefix that runs a program inside it (`ip netns exec <namespace>`). */
  readonly within: readonly string[];
}

/**
 * A bridge in the root namespace with a free 10.231.N.0/24 (its .1 is the root's address on it)
 * and the hosts joined to it at .2, .3... by veth pairs.
 */
export class HostNetwork {
  readonly hosts: NetworkHost[] = [];
  /** The bridge's name in the root namespace. */
  readonly bridge: string;
  /** The root namespace's address on the bridge: where the hosts reach the server. */
  readonly gateway: string;
  readonly #tag: string;

  private constructor(bridge: string, gateway: string, tag: string) {
    this.bridge = bridge;
    this.gateway = gateway;
    this.#tag = tag;
  }

  static async create(): Promise<HostNetwork> {
    const tag = randomBytes(3).toString('hex');
    const bridge = `bnh${tag}`;
    const prefix = await freeSubnet();
    const network = new HostNetwork(bridge, `${prefix}.1`, tag);
    await must(IP, ['link', 'add', bridge, 'type', 'bridge']);
    leftovers.links.add(bridge);
    await must(IP, ['addr', 'add', `${prefix}.1/24`, 'dev', bridge]);
    await must(IP, ['link', 'set', bridge, 'up']);
    return network;
  }

  /** A new namespace joined to the bridge at the next address. */
  async addHost(): Promise<NetworkHost> {
    const index = this.hosts.length + 1;
    const namespace = `berth-nh-${this.#tag}-${index}`;
    const veth = `${this.bridge}v${index}`;
    const address = this.gateway.replace(/\.1$/, `.${index + 1}`);
    await must(IP, ['netns', 'add', namespace]);
    leftovers.namespaces.add(namespace);
    await must(IP, ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
    await must(IP, ['link', 'set', veth, 'master', this.bridge, 'up']);
    await must(IP, ['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    await must(IP, ['-n', namespace, 'link', 'set', 'eth0', 'up']);
    await must(IP, ['-n', namespace, 'link', 'set', 'lo', 'up']);
    await must(IP, ['-n', namespace, 'route', 'add', 'default', 'via', this.gateway]);
    const host = { namespace, address, within: [IP, 'netns', 'exec', namespace] };
    this.hosts.push(host);
    return host;
  }

  /** Deletes the namespaces (their ends of the veth pairs go with them) and the bridge. */
  async destroy(): Promise<string[]> {
    const problems: string[] = [];
    for (const host of this.hosts) {
      const deleted = await runCommand(IP, ['netns', 'del', host.namespace], { timeoutMs: 30_000 });
      if (deleted.code === 0) leftovers.namespaces.delete(host.namespace);
      else problems.push(`ip netns del ${host.namespace}: ${deleted.stderr}`);
    }
    const removed = await runCommand(IP, ['link', 'del', this.bridge], { timeoutMs: 30_000 });
    if (removed.code === 0) leftovers.links.delete(this.bridge);
    else problems.push(`ip link del ${this.bridge}: ${removed.stderr}`);
    return problems;
  }
}

/** 10.231.N with no address nor route of this machine in 10.231.N.0/24. */
async function freeSubnet(): Promise<string> {
  const taken =
    (await must(IP, ['-4', '-o', 'addr', 'show'])).stdout + (await must(IP, ['-4', 'route', 'show'])).stdout;
  for (let tries = 0; tries < 50; tries++) {
    const prefix = `10.231.${randomBytes(1)[0]!}`;
    if (!taken.includes(`${prefix}.`)) return prefix;
  }
  throw new Error('no free 10.231.N.0/24 subnet found in 50 tries');
}

export interface EngineOptions {
  /** The address and prefix of the engine's docker0 in its namespace (--bip). */
  readonly bip: string;
  /** The registry (host:port) whose certificate `caPem` issued. */
  readonly trust: { readonly registry: string; readonly caPem: string };
}

/**
 * A Docker engine of its own inside a host's namespace: its own data root, exec root (its own
 * containerd under it), socket, pid file and bridge (docker0 of that namespace at `bip`). It trusts
 * `trust.caPem` for the registry `trust.registry` (host:port) through a certs.d folder of its own:
 * /etc/docker is bind-mounted, in a mount namespace of the engine's alone, from a folder of the
 * test, so neither the machine's /etc/docker/certs.d nor its other engines see it.
 *
 * It is started with `nsenter --net`, not `ip netns exec`: the latter also remounts /sys for the
 * namespace, which drops the cgroup mounts under /sys/fs/cgroup, and dockerd then stops with
 * "failed to start daemon: Devices cgroup isn't mounted" (cgroup v1 here).
 *
 * Its iptables rules (--iptables=true, the default) go to the namespace's own netfilter tables: the
 * published ports' DNAT and the bridge's masquerade are the namespace's, as on a real host, and
 * the root namespace's tables are untouched.
 */
export class NamespaceEngine {
  readonly host: NetworkHost;
  /** unix://<socket>: DOCKER_HOST for its clients. */
  readonly dockerHost: string;
  readonly #options: EngineOptions;
  readonly #dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<unknown> | undefined;

  constructor(host: NetworkHost, options: EngineOptions) {
    this.host = host;
    this.#options = options;
    this.#dir = mkdtempSync(join(tmpdir(), 'berth-nh-engine-'));
    this.dockerHost = `unix://${join(this.#dir, 'docker.sock')}`;
  }

  get logFile(): string {
    return join(this.#dir, 'dockerd.log');
  }

  /** Starts dockerd and waits (at most 60 s) until it answers. */
  async start(): Promise<void> {
    const etc = join(this.#dir, 'etc');
    const certs = join(etc, 'certs.d', this.#options.trust.registry);
    mkdirSync(certs, { recursive: true });
    writeFileSync(join(certs, 'ca.crt'), this.#options.trust.caPem);
    writeFileSync(join(etc, 'daemon.json'), '{}\n');
    // The mount point only: an engine's configuration folder that every Docker install has.
    mkdirSync('/etc/docker', { recursive: true });
    const dir = this.#dir;
    const dockerd = [
      'dockerd',
      ...['--config-file', join(etc, 'daemon.json')],
      ...['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec')],
      ...['-H', this.dockerHost, '--pidfile', join(dir, 'docker.pid')],
      ...['--bip', this.#options.bip, '--iptables=true'],
    ];
    const log = openSync(this.logFile, 'a');
    const child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${this.host.namespace}`,
        ...['unshare', '--mount', '--propagation', 'slave'],
        ...['sh', '-c', 'mount --bind "$0" /etc/docker && exec "$@"', etc, ...dockerd],
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    leftovers.processes.add(child);
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', resolve)).then(() => leftovers.processes.delete(child));
    let gone = false;
    void this.#exited.then(() => (gone = true));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if ((await this.docker(['version', '--format', '{{.Server.Version}}'])).code === 0) return;
      if (gone || Date.now() > deadline)
        throw new Error(`dockerd in ${this.host.namespace} did not start:\n${this.logTail()}`);
      await sleep(250);
    }
  }

  /** The docker CLI against this engine. */
  docker(args: readonly string[]): Promise<CliResult> {
    return runCommand('docker', ['-H', this.dockerHost, ...args], { timeoutMs: 60_000 });
  }

  logTail(lines = 30): string {
    if (!existsSync(this.logFile)) return '(no log)';
    return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** The live process whose id `file` holds, if any. */
  #pidIn(file: string): number | undefined {
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    // Only while that id is still this engine's process (its command line names the engine's folder).
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.#dir) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Removes its containers, stops it (SIGTERM, SIGKILL after 30 s) and removes its folders. */
  async stop(): Promise<string[]> {
    const problems: string[] = [];
    const child = this.#child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const ids = (await this.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length > 0) {
        const removed = await this.docker(['rm', '--force', '--volumes', ...ids]);
        if (removed.code !== 0) problems.push(`docker rm in ${this.host.namespace}: ${removed.stderr}`);
      }
      child.kill('SIGTERM');
      const stopped = await Promise.race([
        this.#exited!.then(() => true),
        sleep(30_000, undefined, { ref: false }).then(() => false),
      ]);
      if (!stopped) {
        problems.push(`dockerd in ${this.host.namespace} ignored SIGTERM for 30 s; killed`);
        child.kill('SIGKILL');
        await this.#exited;
      }
    }
    // The containerd dockerd started outlives a dockerd killed: stopped by the pid it wrote.
    const containerd = this.#pidIn(join(this.#dir, 'exec', 'containerd', 'containerd.pid'));
    if (containerd !== undefined) {
      problems.push(`containerd ${containerd} of ${this.host.namespace} outlived its dockerd; killed`);
      process.kill(containerd, 'SIGKILL');
    }
    try {
      rmSync(this.#dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      problems.push(`rm ${this.#dir}: ${(error as Error).message}`);
    }
    return problems;
  }
}
