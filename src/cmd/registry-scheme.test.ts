import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TlsConfig } from '../shared/config.ts';
import { registrySchemeOf } from './front-door-tls.ts';

test('the registry is https when BERTH_REGISTRY_HOST names the TLS front door', () => {
  const tls = { host: '10.0.0.1', port: 4511 } as TlsConfig;
  assert.equal(registrySchemeOf({ registryHost: 'registry.example:4511', tls }), 'https');
  assert.equal(registrySchemeOf({ registryHost: 'registry.example:4510', tls }), 'http');
  assert.equal(registrySchemeOf({ registryHost: undefined, tls }), 'http'); // localhost:<HTTP port>
  assert.equal(registrySchemeOf({ registryHost: 'registry.example:4511', tls: undefined }), 'http');
});
