import type { MemberRule, MemberTable } from '../shared/member-classification.ts';

/*
 * What each STS operation does with each input member (shared/member-classification.ts). MFA is
 * not built: a session that asks for it is refused rather than issued without it.
 */

const MFA: MemberRule = { refused: 'Berth has no MFA devices, so the session would be issued without MFA', issue: 17 };

export const stsMembers: MemberTable = {
  GetCallerIdentity: { acted: [] },
  GetSessionToken: {
    acted: ['DurationSeconds'],
    rules: { SerialNumber: MFA, TokenCode: MFA },
  },
  AssumeRole: {
    acted: [
      'RoleArn',
      'RoleSessionName',
      'DurationSeconds',
      'Policy',
      'PolicyArns[].arn',
      'Tags[].Key',
      'Tags[].Value',
      'ExternalId',
      'SourceIdentity',
    ],
    rules: {
      TransitiveTagKeys: {
        refused: 'Berth does not pass session tags on to chained role sessions, so the tags would not be transitive',
        issue: 17,
      },
      SerialNumber: MFA,
      TokenCode: MFA,
      ProvidedContexts: {
        refused: 'Berth has no trusted context providers (IAM Identity Center), so the context would be ignored',
      },
    },
  },
};
