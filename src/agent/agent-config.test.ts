import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentConfigError, parseDuration, parseEcsConfig, resolveAgentConfig } from './agent-config.ts';

describe('agent configuration', () => {
  it('reads an ecs.config file with the ECS agent names, and reports the unknown ones', () => {
    const { values, warnings } = parseEcsConfig(
      '# comment\nECS_CLUSTER=prod\nECS_RESERVED_MEMORY=256\nECS_BOGUS=1\nnot a pair\n',
    );
    assert.equal(values.get('ECS_CLUSTER'), 'prod');
    assert.equal(values.get('ECS_RESERVED_MEMORY'), '256');
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /ECS_BOGUS/);
  });

  it('parses Go durations', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('3h'), 10_800_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.throws(() => parseDuration('soon'), AgentConfigError);
  });

  it('lets flags win over the file, and the file over the environment', () => {
    const config = resolveAgentConfig(
      { cluster: 'from-flag', attribute: ['stack=blue'], cpu: '512' },
      'ECS_CLUSTER=from-file\nECS_INSTANCE_ATTRIBUTES={"tier":"web"}\nECS_CONTAINER_STOP_TIMEOUT=5s\n',
      { ECS_CLUSTER: 'from-env', ECS_RESERVED_PORTS: '[22]' },
    );
    assert.equal(config.cluster, 'from-flag');
    assert.deepEqual(config.attributes, { tier: 'web', stack: 'blue' });
    assert.equal(config.cpu, 512);
    assert.equal(config.memory, undefined);
    assert.equal(config.stopTimeoutSeconds, 5);
    assert.deepEqual(config.reservedPorts, [22]);
    assert.equal(resolveAgentConfig({}, 'ECS_CLUSTER=from-file', { ECS_CLUSTER: 'env' }).cluster, 'from-file');
  });

  it('finds the server as `npm start` serves it: --endpoint, BERTH_ENDPOINT, then BERTH_HOST:BERTH_PORT', () => {
    const endpoint = (flags: { endpoint?: string }, env: Record<string, string>) =>
      resolveAgentConfig(flags, undefined, env).endpoints.join(',');
    assert.equal(endpoint({}, {}), 'http://127.0.0.1:4510');
    assert.equal(endpoint({}, { BERTH_PORT: '4600' }), 'http://127.0.0.1:4600');
    assert.equal(endpoint({}, { BERTH_HOST: '0.0.0.0', BERTH_PORT: '4600' }), 'http://127.0.0.1:4600');
    assert.equal(endpoint({}, { BERTH_HOST: '::1' }), 'http://[::1]:4510');
    assert.equal(endpoint({}, { BERTH_ENDPOINT: 'http://server:1', BERTH_PORT: '4600' }), 'http://server:1');
    assert.equal(endpoint({ endpoint: 'http://flag:2' }, { BERTH_ENDPOINT: 'http://server:1' }), 'http://flag:2');
  });

  it('takes several servers, comma-separated, in the order they are tried', () => {
    const { endpoints } = resolveAgentConfig({ endpoint: 'http://a:1, https://b:2,' }, undefined, {});
    assert.deepEqual(endpoints, ['http://a:1', 'https://b:2']);
    const env = { BERTH_ENDPOINT: 'http://a:1,http://b:1,http://c:1' };
    assert.deepEqual(resolveAgentConfig({}, undefined, env).endpoints, ['http://a:1', 'http://b:1', 'http://c:1']);
    assert.throws(() => resolveAgentConfig({ endpoint: 'http://a:1,a:2' }, undefined, {}), /'a:2' is not an http/);
    assert.throws(() => resolveAgentConfig({ endpoint: 'nope' }, undefined, {}), /'nope' is not a URL/);
    assert.throws(() => resolveAgentConfig({ endpoint: 'http://a:1,http://a:1' }, undefined, {}), /twice/);
    assert.throws(() => resolveAgentConfig({ endpoint: ' , ' }, undefined, {}), /names no server/);
  });

  it('refuses values it cannot use', () => {
    assert.throws(() => resolveAgentConfig({ cpu: 'lots' }, undefined, {}), /--cpu/);
    assert.throws(() => resolveAgentConfig({ attribute: ['novalue'] }, undefined, {}), /key=value/);
    assert.throws(() => resolveAgentConfig({}, 'ECS_RESERVED_PORTS=22', {}), /wrong shape/);
  });
});
