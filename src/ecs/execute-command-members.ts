import { under, type MemberRule } from '../shared/member-classification.ts';

/** CreateCluster's and UpdateCluster's executeCommandConfiguration: what ECS Exec acts on (execute-command.ts). */
export const EXECUTE_COMMAND_LOGGING = under('configuration.executeCommandConfiguration', [
  'logging',
  'logConfiguration.cloudWatchLogGroupName',
]);

/** The rest of it: refused where Berth would silently not do it, inert where it changes nothing. */
export const EXECUTE_COMMAND_CONFIGURATION: Record<string, MemberRule> = {
  'configuration.executeCommandConfiguration.kmsKeyId': {
    refused: "the sessions' data would not be encrypted with the key (the Session Manager plugin's KMS handshake)",
  },
  'configuration.executeCommandConfiguration.logConfiguration.cloudWatchEncryptionEnabled': {
    inert: "Berth's log groups are not encrypted with KMS keys: the sessions' output is logged either way",
  },
  'configuration.executeCommandConfiguration.logConfiguration.s3BucketName': {
    refused: "the sessions' output would not be written to the S3 bucket",
  },
  'configuration.executeCommandConfiguration.logConfiguration.s3EncryptionEnabled': {
    refused: "the sessions' output would not be written to an S3 bucket",
  },
  'configuration.executeCommandConfiguration.logConfiguration.s3KeyPrefix': {
    refused: "the sessions' output would not be written to an S3 bucket",
  },
};
