import { randomUUID } from 'node:crypto';
import type { AcmDeps } from '../acm/index.ts';
import { certificateUsers, Elb, type ElbDeps } from '../elb/index.ts';
import { CHANGE_TOPICS, type MetadataStore } from '../store/index.ts';
import { loadBerthCa, type KeyedCertificate } from '../pki/index.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * What ACM needs from the rest of the server: the Berth CA of the data folder (made on first use
 * if the HTTPS front door has not made it), the load balancers that use a certificate, and their
 * data plane, given the stored configuration again when a certificate they serve is re-imported.
 */
export function acmDependencies(
  dataDir: string,
  clock: Clock,
  store: MetadataStore,
  elbDeps?: ElbDeps,
): Pick<AcmDeps, 'authority' | 'inUseBy' | 'newId' | 'reimported'> {
  let authority: Promise<KeyedCertificate> | undefined;
  return {
    authority: () => {
      authority ??= loadBerthCa(dataDir, clock.now()).catch((error: unknown) => {
        authority = undefined;
        throw error;
      });
      return authority;
    },
    inUseBy: (arn) => certificateUsers(store, arn),
    newId: randomUUID,
    reimported: async (arn) => {
      if ((await certificateUsers(store, arn)).length === 0) return;
      if (elbDeps) await new Elb(elbDeps).syncDataPlane();
      store.changes.publish(CHANGE_TOPICS.loadBalancers, ''); // the other servers' data planes too
    },
  };
}
