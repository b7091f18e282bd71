import {
  deleteCertificate,
  describeCertificate,
  getCertificate,
  importCertificate,
  requestCertificate,
} from './certificates.ts';
import type { AcmDeps } from './deps.ts';
import { listCertificates } from './listing.ts';
import type { AcmApi } from './shapes.generated.ts';
import { addTags, listTags, removeTags } from './tags.ts';

/** The table of ACM operations the JSON protocol dispatches to (X-Amz-Target CertificateManager.*). */
export function acmOperations(deps: AcmDeps): Partial<AcmApi> {
  return {
    ImportCertificate: (input) => importCertificate(deps, input),
    RequestCertificate: (input) => requestCertificate(deps, input),
    DescribeCertificate: (input) => describeCertificate(deps, input.CertificateArn),
    GetCertificate: (input) => getCertificate(deps, input.CertificateArn),
    ListCertificates: (input) => listCertificates(deps, input),
    DeleteCertificate: (input) => deleteCertificate(deps, input.CertificateArn),
    AddTagsToCertificate: (input) => addTags(deps, input.CertificateArn, input.Tags),
    RemoveTagsFromCertificate: (input) => removeTags(deps, input.CertificateArn, input.Tags),
    ListTagsForCertificate: (input) => listTags(deps, input.CertificateArn),
  };
}
