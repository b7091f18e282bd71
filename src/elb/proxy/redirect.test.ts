import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redirectLocation, splitTarget } from './redirect.ts';

const keep = { protocol: '#{protocol}', port: '#{port}', host: '#{host}', path: '/#{path}', query: '#{query}' };
const request = { protocol: 'http' as const, port: 8080, host: 'shop.example.com', url: '/cart/items?id=7&x=1' };

test('redirect placeholders expand to the request’s own values', () => {
  const cases: [Partial<typeof keep>, string][] = [
    [{ protocol: 'HTTPS', port: '443' }, 'https://shop.example.com:443/cart/items?id=7&x=1'],
    [{ host: 'www.#{host}' }, 'http://www.shop.example.com:8080/cart/items?id=7&x=1'],
    [{ path: '/new/#{path}' }, 'http://shop.example.com:8080/new/cart/items?id=7&x=1'],
    [{ path: '/#{host}/#{port}' }, 'http://shop.example.com:8080/shop.example.com/8080?id=7&x=1'],
    [{ query: '#{query}&from=#{protocol}' }, 'http://shop.example.com:8080/cart/items?id=7&x=1&from=http'],
    [{ host: 'example.org', query: '' }, 'http://example.org:8080/cart/items'], // empty query: no '?'
  ];
  for (const [change, expected] of cases) assert.equal(redirectLocation({ ...keep, ...change }, request), expected);
});

test('a request without a query leaves none', () => {
  assert.equal(
    redirectLocation({ ...keep, protocol: 'HTTPS', port: '443' }, { ...request, url: '/' }),
    'https://shop.example.com:443/',
  );
});

test('request targets: origin form, absolute form, asterisk', () => {
  assert.deepEqual(splitTarget('/a?b=c'), { path: '/a', query: 'b=c' });
  assert.deepEqual(splitTarget('http://h:1/p/q?z'), { path: '/p/q', query: 'z' });
  assert.deepEqual(splitTarget('http://h?z'), { path: '/', query: 'z' });
  assert.deepEqual(splitTarget('*'), { path: '/', query: '' });
});
