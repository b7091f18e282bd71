import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseBySni, sniIndex } from './sni.ts';

const index = sniIndex([
  { names: ['default.example.com'], value: 'default' },
  { names: ['*.example.com', 'example.com'], value: 'wild' },
  { names: ['API.example.com.'], value: 'api' },
  { names: ['api.example.com'], value: 'later' },
]);

test('SNI: exact name, then wildcard (one label), else the default certificate', () => {
  const cases: [string | undefined, string][] = [
    ['api.example.com', 'api'], // exact beats the wildcard; the first listed wins among exact ones
    ['Api.Example.COM.', 'api'], // case and a trailing dot do not matter
    ['www.example.com', 'wild'],
    ['example.com', 'wild'], // its own exact name
    ['a.b.example.com', 'default'], // a wildcard covers one label only
    ['other.test', 'default'],
    [undefined, 'default'], // no SNI
    ['default.example.com', 'default'],
  ];
  for (const [name, expected] of cases) assert.equal(chooseBySni(index, name), expected, String(name));
});
