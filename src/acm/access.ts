import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';

/**
 * What each ACM operation asks the access control for (Service Authorization Reference, "AWS
 * Certificate Manager"): `acm:<Operation>` on the certificate's ARN
 * (arn:aws:acm:REGION:ACCOUNT:certificate/ID); `*` for RequestCertificate, ListCertificates and a
 * first ImportCertificate (no ARN yet), with aws:RequestTag/* and aws:TagKeys where tags are given.
 */

type Input = { readonly CertificateArn?: string; readonly Tags?: readonly { Key: string; Value?: string }[] };

function tagConditions(tags: Input['Tags']): Record<string, string | string[]> {
  if (!tags?.length) return {};
  return {
    ...Object.fromEntries(tags.map((tag) => [`aws:RequestTag/${tag.Key}`, tag.Value ?? ''])),
    'aws:TagKeys': tags.map((tag) => tag.Key),
  };
}

function onCertificate(action: string, withTags = false) {
  return (input: Input): AccessRequest[] => [
    {
      action,
      resource: input.CertificateArn ?? '*',
      ...(withTags && input.Tags?.length ? { conditions: tagConditions(input.Tags) } : {}),
    },
  ];
}

function anywhere(action: string, withTags = false) {
  return (input: Input): AccessRequest[] => [
    { action, resource: '*', ...(withTags && input.Tags?.length ? { conditions: tagConditions(input.Tags) } : {}) },
  ];
}

export const acmAccess: Readonly<Record<string, DeclareAccess>> = {
  ImportCertificate: onCertificate('acm:ImportCertificate', true),
  RequestCertificate: anywhere('acm:RequestCertificate', true),
  DescribeCertificate: onCertificate('acm:DescribeCertificate'),
  GetCertificate: onCertificate('acm:GetCertificate'),
  ListCertificates: anywhere('acm:ListCertificates'),
  DeleteCertificate: onCertificate('acm:DeleteCertificate'),
  AddTagsToCertificate: onCertificate('acm:AddTagsToCertificate', true),
  RemoveTagsFromCertificate: onCertificate('acm:RemoveTagsFromCertificate', true),
  ListTagsForCertificate: onCertificate('acm:ListTagsForCertificate'),
} as Record<string, DeclareAccess>;
