import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsError } from '../shared/aws-error.ts';
import { FakeClock } from '../shared/clock.ts';
import { formParameters, parseQueryInput } from './query-input.ts';
import { QueryProtocol, queryPath } from './query-protocol.ts';
import { escapeXml, xmlOf } from './query-xml.ts';
import type { ServiceModel } from './service-model.ts';
import { rootPrincipal } from '../shared/principal.ts';

class ValidationError extends AwsError {
  readonly code = 'ValidationError';
}
class ThingNotFound extends AwsError {
  readonly code = 'ThingNotFound';
}

const model: ServiceModel = {
  metadata: {
    apiVersion: '2020-01-01',
    protocol: 'query',
    endpointPrefix: 'things',
    serviceId: 'Things',
    xmlNamespace: 'http://things.example/doc/2020-01-01/',
  },
  operations: {
    PutThing: {
      name: 'PutThing',
      input: { shape: 'PutThingInput' },
      output: { shape: 'PutThingOutput', resultWrapper: 'PutThingResult' },
    },
    Missing: { name: 'Missing', input: { shape: 'Empty' }, errors: [{ shape: 'ThingNotFoundException' }] },
    Later: { name: 'Later' },
  },
  shapes: {
    Empty: { type: 'structure', members: {} },
    PutThingInput: {
      type: 'structure',
      required: ['Name'],
      members: {
        Name: { shape: 'Str' },
        Port: { shape: 'Port' },
        Enabled: { shape: 'Bool' },
        Tags: { shape: 'Tags' },
        Groups: { shape: 'Groups' },
        Labels: { shape: 'Labels' },
        Config: { shape: 'Config' },
      },
    },
    PutThingOutput: { type: 'structure', members: { Thing: { shape: 'PutThingInput' }, At: { shape: 'Time' } } },
    Config: { type: 'structure', members: { Weight: { shape: 'Port' }, Names: { shape: 'Names' } } },
    Tags: { type: 'list', member: { shape: 'Tag' } },
    Tag: { type: 'structure', members: { Key: { shape: 'Str' }, Value: { shape: 'Str' } } },
    Groups: { type: 'list', member: { shape: 'Names' } },
    Names: { type: 'list', member: { shape: 'Str' } },
    Labels: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' } },
    Str: { type: 'string' },
    Port: { type: 'integer', min: 1, max: 65535 },
    Bool: { type: 'boolean' },
    Time: { type: 'timestamp' },
    ThingNotFoundException: {
      type: 'structure',
      members: {},
      exception: true,
      error: { code: 'ThingNotFound', httpStatusCode: 404, senderFault: true },
    },
  },
};

describe('parseQueryInput', () => {
  it('rebuilds nested lists, structures and maps, typing scalars from the model', () => {
    const params = formParameters(
      'Name=a&Port=80&Enabled=true&Tags.member.2.Key=k2&Tags.member.1.Key=k1&Tags.member.1.Value=v%26' +
        '&Groups.member.1.member.1=x&Groups.member.1.member.2=y&Groups.member.2.member.1=z' +
        '&Labels.entry.1.key=a&Labels.entry.1.value=b&Config.Weight=2&Config.Names.member.10=ten&Config.Names.member.9=nine',
    );
    assert.deepEqual(parseQueryInput(model, 'PutThingInput', params), {
      Name: 'a',
      Port: 80,
      Enabled: true,
      Tags: [{ Key: 'k1', Value: 'v&' }, { Key: 'k2' }],
      Groups: [['x', 'y'], ['z']],
      Labels: { a: 'b' },
      Config: { Weight: 2, Names: ['nine', 'ten'] },
    });
  });

  it('reads an empty value as an empty list and leaves untypable scalars to the validator', () => {
    const params = formParameters('Name=a&Tags=&Port=eighty&Enabled=yes');
    assert.deepEqual(parseQueryInput(model, 'PutThingInput', params), {
      Name: 'a',
      Tags: [],
      Port: 'eighty',
      Enabled: 'yes',
    });
  });
});

describe('xmlOf', () => {
  it('writes members in model order, lists as <member>, maps as <entry>, and escapes text', () => {
    const xml = xmlOf(model, 'PutThingOutput', {
      At: new Date('2026-01-02T03:04:05.678Z'),
      Thing: { Name: '<a&"b">', Tags: [{ Key: 'k', Value: "it's" }], Groups: [['x'], []], Labels: { k: 'v' } },
      NotInModel: 'dropped',
    });
    assert.equal(
      xml,
      '<Thing><Name>&lt;a&amp;&quot;b&quot;&gt;</Name>' +
        '<Tags><member><Key>k</Key><Value>it&apos;s</Value></member></Tags>' +
        '<Groups><member><member>x</member></member><member></member></Groups>' +
        '<Labels><entry><key>k</key><value>v</value></entry></Labels></Thing>' +
        '<At>2026-01-02T03:04:05.678Z</At>',
    );
  });

  it('drops characters XML cannot carry', () => {
    assert.equal(escapeXml('a\u0000b\u0007c\td'), 'abc\td');
  });

  it('round-trips: what is serialized parses back to the same value', () => {
    const value = {
      Name: 'n & <m>',
      Port: 443,
      Enabled: false,
      Tags: [{ Key: 'a', Value: '1' }],
      Config: { Weight: 7, Names: ['r'] },
    };
    const xml = xmlOf(model, 'PutThingInput', value);
    // (Lists of lists are left out: this little regex walker cannot nest <member>.)
    // Flatten the XML back to query parameters, the way a client's query serializer would.
    const params = new URLSearchParams();
    const walk = (text: string, prefix: string): void => {
      const re = /<(\w+)>((?:(?!<\1>).)*?)<\/\1>/gs;
      let index = 0;
      for (const match of text.matchAll(re)) {
        const name = match[1] === 'member' ? `member.${++index}` : match[1]!;
        const key = prefix === '' ? name : `${prefix}.${name}`;
        if (match[2]!.startsWith('<')) walk(match[2]!, key);
        else params.set(key, match[2]!.replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>'));
      }
    };
    walk(xml, '');
    assert.deepEqual(parseQueryInput(model, 'PutThingInput', formParameters(params.toString())), value);
  });
});

const credentials = { accessKeyId: 'AKIAQUERYPROTOCOL000', secretAccessKey: 'secret-secret-secret' };
const clock = new FakeClock('2026-05-05T10:00:00Z');
const protocol = new QueryProtocol({
  services: [
    {
      model,
      invalidParameter: (message) => new ValidationError(message),
      operations: {
        PutThing: async (input: { Name: string }) => ({ Thing: input, At: new Date(0) }),
        Missing: async () => {
          throw new ThingNotFound('No such thing.');
        },
      },
      access: {
        PutThing: () => [{ action: 'things:PutThing', resource: '*' }],
        Missing: () => [{ action: 'things:Missing', resource: '*' }],
      },
      members: {
        PutThing: {
          acted: ['Name', 'Port', 'Enabled', 'Tags[].Key', 'Tags[].Value', 'Groups', 'Labels', 'Config.Weight'],
          rules: { 'Config.Names': { refused: 'the names would be dropped' } },
        },
        Missing: { acted: [] },
      },
    },
  ],
  accessControl: { authorize: async () => undefined },
  secrets: {
    secretFor: (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined),
    principalOf: () => rootPrincipal('000000000000'),
  },
  clock,
  accountId: '000000000000',
  region: 'us-east-1',
});

async function call(body: string, service = 'things') {
  const signer = new SignatureV4({
    credentials,
    region: 'us-east-1',
    service,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1:1',
      path: '/',
      query: {},
      headers: { host: '127.0.0.1:1', 'content-type': 'application/x-www-form-urlencoded' },
      body,
    },
    { signingDate: clock.now() },
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return protocol.handle({ method: 'POST', path: '/', query: {}, headers, body: Buffer.from(body) }, '', 'req-1');
}

describe('QueryProtocol', () => {
  it('routes by credential scope and Action, and answers XML with the result wrapper', async () => {
    const response = await call('Action=PutThing&Version=2020-01-01&Name=x%3Cy&Tags.member.1.Key=k');
    assert.equal(response.status, 200);
    assert.equal(
      response.body,
      '<PutThingResponse xmlns="http://things.example/doc/2020-01-01/"><PutThingResult>' +
        '<Thing><Name>x&lt;y</Name><Tags><member><Key>k</Key></member></Tags></Thing>' +
        '<At>1970-01-01T00:00:00.000Z</At></PutThingResult>' +
        '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PutThingResponse>\n',
    );
  });

  const failures: [string, string, number, string, RegExp][] = [
    [
      'invalid input',
      'Action=PutThing&Version=2020-01-01&Port=0&Tags.member.1.Key=k',
      400,
      'ValidationError',
      /2 validation errors detected: Value null at &apos;name&apos;.*Value &apos;0&apos; at &apos;port&apos;/,
    ],
    ['an unknown action', 'Action=Fly&Version=2020-01-01', 400, 'InvalidAction', /Could not find operation Fly/],
    ['no action', 'Version=2020-01-01', 400, 'MissingAction', /no Action/],
    ['another version', 'Action=PutThing&Version=2019-01-01&Name=a', 400, 'NoSuchVersion', /2019-01-01/],
    ['an unbuilt operation', 'Action=Later&Version=2020-01-01', 501, 'NotImplementedException', /things:Later/],
    ['a modeled error', 'Action=Missing&Version=2020-01-01', 404, 'ThingNotFound', /No such thing/],
    [
      'a refused member',
      'Action=PutThing&Version=2020-01-01&Name=a&Config.Weight=2&Config.Names.member.1=n',
      400,
      'ValidationError',
      /Berth does not support Config\.Names \(not planned yet\): the names would be dropped\./,
    ],
  ];
  for (const [what, body, status, code, message] of failures) {
    it(`answers ${what} with ${status} ${code}`, async () => {
      const response = await call(body);
      assert.equal(response.status, status);
      assert.match(
        response.body,
        new RegExp(`<Type>${status < 500 ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code>`),
      );
      assert.match(response.body, message);
      assert.match(response.body, /<RequestId>req-1<\/RequestId><\/ErrorResponse>/);
    });
  }

  it('answers a scope of a service it does not serve with InvalidClientTokenId', async () => {
    const response = await call('Action=PutThing&Version=2020-01-01&Name=a', 'elsewhere');
    assert.equal(response.status, 403);
    assert.match(response.body, /<Code>InvalidClientTokenId<\/Code>/);
  });
});

describe('queryPath', () => {
  it('names members in camelCase, as query services do', () => {
    assert.equal(
      queryPath("Value 'x' at 'Tags.1.member.Value' failed to satisfy constraint: Member must be Short"),
      "Value 'x' at 'tags.1.member.value' failed to satisfy constraint: Member must be Short",
    );
  });
});
