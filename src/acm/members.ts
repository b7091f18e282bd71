import type { MemberTable } from '../shared/member-classification.ts';

/* What each ACM operation does with each input member (shared/member-classification.ts). */

const ON_ARN = { acted: ['CertificateArn'] };
const TAGS = ['CertificateArn', 'Tags[].Key', 'Tags[].Value'];

export const acmMembers: MemberTable = {
  ImportCertificate: { acted: ['CertificateArn', 'Certificate', 'PrivateKey', 'CertificateChain', ...TAGS.slice(1)] },
  RequestCertificate: {
    acted: ['DomainName', 'SubjectAlternativeNames', 'IdempotencyToken', 'KeyAlgorithm', 'Tags[].Key', 'Tags[].Value'],
    rules: {
      ValidationMethod: { inert: 'the Berth CA issues at once: DNS or EMAIL validation is reported as done' },
      DomainValidationOptions: { inert: 'no validation e-mails are sent: validation is reported as done' },
      'Options.CertificateTransparencyLoggingPreference': {
        inert: 'the Berth CA logs to no certificate transparency log; the preference is echoed',
      },
      'Options.Export': { inert: 'ExportCertificate is not built: the preference is echoed' },
      CertificateAuthorityArn: { refused: 'the certificate would be issued by the Berth CA, not that private CA' },
      ManagedBy: { refused: 'the certificate would not be managed by CloudFront', byDesign: true },
    },
  },
  DescribeCertificate: ON_ARN,
  GetCertificate: ON_ARN,
  DeleteCertificate: ON_ARN,
  ListTagsForCertificate: ON_ARN,
  AddTagsToCertificate: { acted: TAGS },
  RemoveTagsFromCertificate: { acted: TAGS },
  ListCertificates: {
    acted: [
      'CertificateStatuses',
      'Includes.extendedKeyUsage',
      'Includes.keyUsage',
      'Includes.keyTypes',
      'Includes.exportOption',
      'Includes.managedBy',
      'NextToken',
      'MaxItems',
      'SortBy',
      'SortOrder',
    ],
  },
};
