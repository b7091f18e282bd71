import { randomUUID } from 'node:crypto';
import type { AcmDeps } from '../acm/index.ts';
import { certificateUsers } from '../elb/index.ts';
import type { MetadataStore } from '../store/index.ts';
import { loadBerthCa, type KeyedCertificate } from '../pki/index.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * What ACM needs from the rest of the server: the Berth CA of the data folder (made on first use
 * if the HTTPS front door has not made it), and the load balancers that use a certificate.
 */
export function acmDependencies(
  dataDir: string,
  clock: Clock,
  store: MetadataStore,
): Pick<AcmDeps, 'authority' | 'inUseBy' | 'newId'> {
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
  };
}
