import { type DataPlane, RemoteDataPlane, SharedTargetHealth } from '../elb/index.ts';
import type { MetadataStore } from '../store/index.ts';
import type { Clock } from '../shared/clock.ts';
import { isMultiServer, type ServerConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { loopbackOf } from './front-door-tls.ts';
import { lbEndpoints } from './lb-endpoints.ts';
import { superviseLb } from './lb-supervisor.ts';
import { proxyDataPlane } from './load-balancer-settings.ts';

export interface LoadBalancerWiring {
  readonly dataPlane: DataPlane;
  /** The admin actions of the load balancer channel (/berth/lb/poll, /berth/lb/report). */
  readonly endpoints: ReturnType<typeof lbEndpoints>;
  /** Once the server listens: find or start its `berth lb` (BERTH_LB=process). */
  start(server: { port: number; credentials: { accessKeyId: string; secretAccessKey: string } }): Promise<void>;
  /** The server is stopping: held polls answer now, no lb is started any more. The lb itself serves on. */
  release(): void;
}

/**
 * Where the ELB data plane runs (BERTH_LB, docs/load-balancer-process.md): `process` (default), a
 * `berth lb` the server starts and that outlives it; `off`, only the lbs an operator runs; or
 * `in-process`, the proxy inside the server as before (tests). A data plane a test hands in wins.
 */
export function loadBalancerWiring(
  config: ServerConfig,
  options: {
    log: Logger;
    clock: Clock;
    dataPlane?: DataPlane | undefined;
    /** The store: with other servers sharing it (multi-server mode), target health goes through it. */
    store?: MetadataStore | undefined;
  },
): LoadBalancerWiring {
  if (options.dataPlane || config.lb === 'in-process') {
    const dataPlane = options.dataPlane ?? proxyDataPlane(config, options);
    return { dataPlane, endpoints: lbEndpoints(undefined), start: async () => {}, release: () => {} };
  }
  const log = options.log.child({ component: 'lb-channel' });
  const multiServer = isMultiServer(config.store);
  const repository = multiServer ? options.store?.targetHealth : undefined;
  const shared = repository && new SharedTargetHealth(repository, options.store!.changes, { log });
  const remote = new RemoteDataPlane({ log, ...(shared ? { shared } : {}) });
  let supervisor: { stop(): void } | undefined;
  let released = false;
  return {
    dataPlane: remote,
    endpoints: lbEndpoints(remote),
    async start({ port, credentials }) {
      if (config.lb !== 'process' || released) return;
      supervisor = await superviseLb({
        config,
        endpoint: `http://${loopbackOf(config.host)}:${port}`,
        credentials,
        log: options.log,
        expect: () => remote.expect(),
      });
    },
    release() {
      released = true;
      supervisor?.stop();
      remote.release();
      void shared?.close();
    },
  };
}
