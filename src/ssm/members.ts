import type { MemberTable, OperationMembers } from '../shared/member-classification.ts';

/*
 * What each Parameter Store operation does with each input member (shared/member-classification.ts).
 * src/aws-protocol/ refuses; a test checks that every input member is classified here.
 */

export const ssmMembers: MemberTable = {
  PutParameter: {
    acted: [
      'Name',
      'Description',
      'Value',
      'Type',
      'KeyId',
      'Overwrite',
      'AllowedPattern',
      'Tags[].Key',
      'Tags[].Value',
      'Tier',
    ],
    rules: {
      Policies: {
        refused:
          'parameter policies (Expiration, ExpirationNotification, NoChangeNotification) are not enforced: TODO(#18)',
      },
      DataType: {
        refused:
          'aws:ec2:image parameters are validated against EC2 images, and Berth has no EC2: only text is accepted',
        byDesign: true,
        when: (value) => value === 'aws:ec2:image',
      },
    },
  },
  GetParameter: { acted: ['Name', 'WithDecryption'] },
  GetParameters: { acted: ['Names', 'WithDecryption'] },
  GetParametersByPath: {
    acted: [
      'Path',
      'Recursive',
      'ParameterFilters[].Key',
      'ParameterFilters[].Option',
      'ParameterFilters[].Values',
      'WithDecryption',
      'MaxResults',
      'NextToken',
    ],
  },
  GetParameterHistory: { acted: ['Name', 'WithDecryption', 'MaxResults', 'NextToken'] },
  DeleteParameter: { acted: ['Name'] },
  DeleteParameters: { acted: ['Names'] },
  DescribeParameters: {
    acted: [
      'Filters[].Key',
      'Filters[].Values',
      'ParameterFilters[].Key',
      'ParameterFilters[].Option',
      'ParameterFilters[].Values',
      'MaxResults',
      'NextToken',
    ],
    rules: {
      Shared: {
        refused: 'a Berth server is one account: no parameters are shared with it through AWS RAM',
        byDesign: true,
        when: (value) => value === true,
      },
    },
  },
  LabelParameterVersion: { acted: ['Name', 'ParameterVersion', 'Labels'] },
  UnlabelParameterVersion: { acted: ['Name', 'ParameterVersion', 'Labels'] },
  AddTagsToResource: { acted: ['ResourceType', 'ResourceId', 'Tags[].Key', 'Tags[].Value'] },
  RemoveTagsFromResource: { acted: ['ResourceType', 'ResourceId', 'TagKeys'] },
  ListTagsForResource: { acted: ['ResourceType', 'ResourceId'] },
  DescribeSessions: { acted: ['State', 'MaxResults', 'NextToken', 'Filters[].key', 'Filters[].value'] },
  TerminateSession: { acted: ['SessionId'] },
} satisfies Record<string, OperationMembers>;
