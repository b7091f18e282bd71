import { CreateClusterCommand, ECSClient, RegisterContainerInstanceCommand } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RecordingDataPlane } from './elb-data-plane.ts';
import { startTestServer, type TestServer } from './server.ts';

/** The EC2 instance registered in cluster 'hosts' of startElbApiServer's server. */
export const INSTANCE = 'i-0123456789abcdef0';
/** The ARN prefix of this account's ELBv2 resources. */
export const ELB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000';

export interface ElbApiServer {
  readonly server: TestServer;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly plane: RecordingDataPlane;
}

/**
 * A server for the ELBv2 API tests: no managed capacity, a data plane that records what it is
 * given (no sockets), and a cluster 'hosts' with one container instance (INSTANCE, us-east-1a)
 * for instance targets.
 */
export async function startElbApiServer(): Promise<ElbApiServer> {
  const plane = new RecordingDataPlane();
  const server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { dataPlane: plane });
  const options = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
  const ecs = new ECSClient(options);
  await ecs.send(new CreateClusterCommand({ clusterName: 'hosts' }));
  await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: 'hosts',
      instanceIdentityDocument: JSON.stringify({ instanceId: INSTANCE, availabilityZone: 'us-east-1a' }),
      totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1024 }],
    }),
  );
  ecs.destroy();
  return { server, elb: new ElasticLoadBalancingV2Client(options), plane };
}
