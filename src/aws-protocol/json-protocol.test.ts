import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../shared/aws-error.ts';
import { FakeClock } from '../shared/clock.ts';
import { signJsonCall } from '../../testing/signed-request.ts';
import { JsonProtocol, serialize } from './json-protocol.ts';
import type { ServiceModel } from './service-model.ts';

class InvalidParameterException extends AwsError {
  readonly code = 'InvalidParameterException';
}
class ThingNotFoundException extends AwsError {
  readonly code = 'ThingNotFoundException';
}

const model: ServiceModel = {
  metadata: {
    apiVersion: '1',
    protocol: 'json',
    endpointPrefix: 'things',
    signingName: 'things',
    targetPrefix: 'Things_1',
    serviceId: 'Things',
  },
  operations: {
    GetThing: { name: 'GetThing', input: { shape: 'GetThingRequest' } },
    Explode: { name: 'Explode' },
    Missing: { name: 'Missing' },
    Later: { name: 'Later' },
  },
  shapes: {
    GetThingRequest: { type: 'structure', required: ['name'], members: { name: { shape: 'String' } } },
    String: { type: 'string' },
  },
};

const credentials = { accessKeyId: 'AKIAPROTOCOLTEST0000', secretAccessKey: 'secret-secret-secret' };
const clock = new FakeClock('2026-05-05T10:00:00Z');
const protocol = new JsonProtocol({
  services: [
    {
      model,
      invalidParameter: (message) => new InvalidParameterException(message),
      operations: {
        GetThing: async (input: { name: string }, context) => ({
          name: input.name,
          at: new Date(1700000000123),
          requestId: context.requestId,
        }),
        Explode: async () => {
          throw new Error('boom');
        },
        Missing: async () => {
          throw new ThingNotFoundException('No such thing.');
        },
      },
    },
  ],
  secrets: {
    secretFor: (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined),
    principalOf: () => ({ arn: 'arn:aws:iam::000000000000:root', root: true }),
  },
  clock,
  accountId: '000000000000',
  region: 'us-east-1',
});

async function call(operation: string, body: string) {
  const signed = await signJsonCall('http://127.0.0.1:1', `Things_1.${operation}`, body, {
    credentials,
    service: 'things',
    date: clock.now(),
  });
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const response = await protocol.handle(
    { method: 'POST', path: '/', query: {}, headers, body: Buffer.from(body) },
    'req-1',
  );
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}

describe('JsonProtocol', () => {
  it('calls the operation and sends timestamps as epoch seconds', async () => {
    const response = await call('GetThing', '{"name":"a"}');
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { name: 'a', at: 1700000000.123, requestId: 'req-1' });
    assert.equal(response.operation, 'GetThing');
    assert.equal(response.service, 'things');
  });

  const failures: [string, string, string, number, string, RegExp][] = [
    ['a missing required member', 'GetThing', '{}', 400, 'InvalidParameterException', /Value null at 'name'/],
    ['malformed JSON', 'GetThing', '{"name":', 400, 'SerializationException', /not valid JSON/],
    ['a JSON array', 'GetThing', '[]', 400, 'SerializationException', /must be a JSON object/],
    ['an unknown operation', 'Fly', '{}', 400, 'UnknownOperationException', /Unknown operation Things_1.Fly/],
    [
      'an operation of the model not built yet',
      'Later',
      '{}',
      501,
      'NotImplementedException',
      /does not implement things:Later/,
    ],
    ['a service error', 'Missing', '{}', 400, 'ThingNotFoundException', /No such thing/],
    ['an unexpected failure', 'Explode', '{}', 500, 'InternalFailure', /internal error/],
  ];
  for (const [what, operation, body, status, type, message] of failures) {
    it(`answers ${what} with ${status} ${type}`, async () => {
      const response = await call(operation, body);
      assert.equal(response.status, status);
      assert.equal(response.json.__type, type);
      assert.match(String(response.json.message), message);
    });
  }

  it('hands unexpected failures back for logging', async () => {
    const response = await call('Explode', '{}');
    assert.equal((response.fault as Error).message, 'boom');
  });
});

describe('serialize', () => {
  it('writes dates as epoch seconds and bytes as base64, at any depth', () => {
    const text = serialize({ a: [{ at: new Date(1000) }], b: new Uint8Array([104, 105]) });
    assert.equal(text, '{"a":[{"at":1}],"b":"aGk="}');
  });
});
