import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Registry } from '../ecr/index.ts';
import type { RepositoryRecord } from '../store/index.ts';
import { createRegistryHandler, type RegistryAction, type RegistryCaller } from './registry-http.ts';

/**
 * A refusal reaches docker as the access control words it: ECR's registry answers
 * "denied: User: ARN is not authorized to perform: ecr:InitiateLayerUpload on resource:
 * arn:aws:ecr:…:repository/NAME because no identity-based policy allows the … action".
 */
describe('registry authorization', () => {
  let server: Server;
  let url: string;
  const asked: [RegistryAction, string, RegistryCaller][] = [];

  before(async () => {
    const registry = {
      requireRepository: async (name: string) => ({ name }) as RepositoryRecord,
    } as unknown as Registry;
    const handle = createRegistryHandler({
      registry,
      authenticate: async () => ({ accessKeyId: 'AKIA', arn: 'arn:aws:iam::000000000000:user/reader' }),
      authorize: async (principal, action, repository) => {
        asked.push([action, repository.name, principal]);
        return `User: ${principal.arn} is not authorized to perform: ${action} on resource: arn:aws:ecr:us-east-1:000000000000:repository/${repository.name} because no identity-based policy allows the ${action} action`;
      },
      realm: () => 'http://localhost/',
    });
    server = createServer((request, response) => {
      const [path, search = ''] = (request.url ?? '/').split('?');
      void handle(request, response, path!, search);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers DENIED with the access control denial, word for word', async () => {
    const response = await fetch(`${url}/v2/team/web/blobs/uploads/`, { method: 'POST' });
    assert.equal(response.status, 403);
    const body = (await response.json()) as { errors: { code: string; message: string }[] };
    // The caller's address goes with it, for aws:SourceIp and aws:SecureTransport.
    const caller = { accessKeyId: 'AKIA', arn: 'arn:aws:iam::000000000000:user/reader' };
    assert.deepEqual(asked, [
      ['ecr:InitiateLayerUpload', 'team/web', { ...caller, sourceIp: '127.0.0.1', secureTransport: false }],
    ]);
    assert.deepEqual(body.errors[0], {
      code: 'DENIED',
      message:
        'User: arn:aws:iam::000000000000:user/reader is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:000000000000:repository/team/web because no identity-based policy allows the ecr:InitiateLayerUpload action',
      detail: null,
    });
  });
});
