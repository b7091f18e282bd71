import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRedirect } from './redirects.ts';

test('a redirect is described with every component, defaults as keywords', () => {
  assert.deepEqual(normalizeRedirect({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }, 'HTTP'), {
    Protocol: 'HTTPS',
    Port: '443',
    Host: '#{host}',
    Path: '/#{path}',
    Query: '#{query}',
    StatusCode: 'HTTP_301',
  });
});

test('redirects ELB refuses', () => {
  const cases: [Parameters<typeof normalizeRedirect>[0], string, RegExp][] = [
    [{ StatusCode: 'HTTP_301' }, 'HTTP', /redirect loop/], // changes nothing
    [{ Query: 'a=1', StatusCode: 'HTTP_302' }, 'HTTP', /redirect loop/], // the query alone is still a loop
    [{ Protocol: 'HTTP', StatusCode: 'HTTP_301' }, 'HTTPS', /HTTPS to HTTP/],
    [{ Protocol: 'https', StatusCode: 'HTTP_301' }, 'HTTP', /HTTP, HTTPS or #\{protocol\}/],
    [{ Port: '0', StatusCode: 'HTTP_301' }, 'HTTP', /1 to 65535/],
    [{ Port: '70000', StatusCode: 'HTTP_301' }, 'HTTP', /1 to 65535/],
    [{ Path: 'no-slash', StatusCode: 'HTTP_301' }, 'HTTP', /must start with '\/'/],
    [{ Host: '#{path}.example.com', StatusCode: 'HTTP_301' }, 'HTTP', /cannot contain '#\{path\}'/],
    [{ Path: '/#{query}', StatusCode: 'HTTP_301' }, 'HTTP', /cannot contain '#\{query\}'/],
    [{ Host: 'x', Query: '?a', StatusCode: 'HTTP_301' }, 'HTTP', /must not start with '\?'/],
    [{ Host: 'x', StatusCode: 'HTTP_307' as 'HTTP_301' }, 'HTTP', /HTTP_301 or HTTP_302/],
    [{ Host: 'x'.repeat(129), StatusCode: 'HTTP_301' }, 'HTTP', /1 to 128/],
  ];
  for (const [config, protocol, message] of cases) assert.throws(() => normalizeRedirect(config, protocol), message);
});
