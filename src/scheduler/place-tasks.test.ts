import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aRequest, aTask, anInstance } from '../../testing/scheduler-builders.ts';
import { placeTasks } from './place-tasks.ts';
import { seededRandom } from './seeded-random.ts';
import type { PlacementRequest } from './types.ts';

const on = (result: ReturnType<typeof placeTasks>) => result.placements.map((p) => p.instanceArn.split('/').at(-1));

describe('placeTasks: feasibility', () => {
  const cases: [string, PlacementRequest, string][] = [
    ['too little CPU', aRequest([anInstance('a').withCpu(128).build()]), 'RESOURCE:CPU'], // 128 < 256
    ['too little memory', aRequest([anInstance('a').withMemory(256).build()]), 'RESOURCE:MEMORY'], // 256 < 512
    ['no GPU', aRequest([anInstance('a').build()], { needs: aTask({ gpus: 1 }) }), 'RESOURCE:GPU'],
    [
      'a static port in use',
      aRequest([anInstance('a').withTcpPortsInUse(80).build()], { needs: aTask({ tcpPorts: [80] }) }),
      'RESOURCE:PORTS',
    ],
    [
      'a reserved agent port',
      aRequest([anInstance('a').build()], { needs: aTask({ tcpPorts: [22] }) }),
      'RESOURCE:PORTS',
    ],
    ['a draining instance', aRequest([anInstance('a').withStatus('DRAINING').build()]), 'INACTIVE'],
    ['a disconnected agent', aRequest([anInstance('a').disconnected().build()]), 'AGENT'],
    [
      'a missing required attribute',
      aRequest([anInstance('a').build()], {
        needs: aTask({ requiresAttributes: [{ name: 'ecs.capability.task-eni' }] }),
      }),
      'ATTRIBUTE',
    ],
    [
      'a memberOf expression that is false',
      aRequest([anInstance('a').build()], { constraints: [{ type: 'memberOf', expression: 'x', test: () => false }] }),
      'MemberOf constraint',
    ],
    [
      'distinctInstance with a task of the group there',
      aRequest([anInstance('a').withTasks('service:web', 1).build()], { constraints: [{ type: 'distinctInstance' }] }),
      'DistinctInstance',
    ],
  ];
  for (const [what, request, reason] of cases) {
    it(`refuses ${what} with ${reason}`, () => {
      const result = placeTasks(request);
      assert.deepEqual(result.placements, []);
      assert.deepEqual(result.failures, [{ arn: request.instances[0]!.arn, reason }]);
    });
  }

  it('says so when the cluster has no instances', () => {
    assert.deepEqual(placeTasks(aRequest([])).failures, [
      { arn: undefined, reason: 'No Container Instances were found in your cluster.' },
    ]);
  });

  it('accounts for the tasks it placed earlier in the same call', () => {
    // 1024 CPU / 256 per task → 4 tasks fit, the fifth does not.
    const result = placeTasks(aRequest([anInstance('a').withCpu(1024).build()], { count: 5 }));
    assert.equal(result.placements.length, 4);
    assert.deepEqual(result.failures, [{ arn: result.placements[0]!.instanceArn, reason: 'RESOURCE:CPU' }]);
  });

  it('gives dynamic host ports from 49153 up, never twice', () => {
    const result = placeTasks(
      aRequest([anInstance('a').withTcpPortsInUse(49153).build()], {
        count: 2,
        needs: aTask({ dynamicTcpPorts: 1, tcpPorts: [8080] }),
      }),
    );
    assert.deepEqual(
      result.placements.map((p) => p.tcpPorts),
      [[8080, 49154]],
    ); // 8080 is taken by the first task
    const dynamicOnly = placeTasks(
      aRequest([anInstance('a').build()], { count: 3, needs: aTask({ dynamicTcpPorts: 1 }) }),
    );
    assert.deepEqual(
      dynamicOnly.placements.map((p) => p.tcpPorts),
      [[49153], [49154], [49155]],
    );
  });
});

describe('placeTasks: strategies', () => {
  const three = () => [
    anInstance('a').withMemory(4096).build(),
    anInstance('b').withMemory(1024).build(),
    anInstance('c').withMemory(2048).build(),
  ];

  it('binpack memory takes the instance with the least memory left that still fits', () => {
    assert.deepEqual(on(placeTasks(aRequest(three(), { strategies: [{ type: 'binpack', field: 'memory' }] }))), ['b']);
    // b: 1024 → 512 → 0 (two tasks), then c (2048 → ...)
    assert.deepEqual(
      on(placeTasks(aRequest(three(), { count: 3, strategies: [{ type: 'binpack', field: 'memory' }] }))),
      ['b', 'b', 'c'],
    );
  });

  it('spread by instanceId puts one task per instance before a second anywhere', () => {
    assert.deepEqual(
      on(placeTasks(aRequest(three(), { count: 4, strategies: [{ type: 'spread', field: 'instanceId' }] }))),
      ['a', 'b', 'c', 'a'],
    );
  });

  it('spread by zone balances zones, counting the tasks already running, then breaks ties with binpack', () => {
    const instances = [
      anInstance('a1').withAttribute('ecs.availability-zone', 'a').withTasks('service:web', 2).withMemory(4096).build(),
      anInstance('b1').withAttribute('ecs.availability-zone', 'b').withMemory(4096).build(),
      anInstance('b2').withAttribute('ecs.availability-zone', 'b').withMemory(1024).build(),
    ];
    const result = placeTasks(
      aRequest(instances, {
        count: 2,
        strategies: [
          { type: 'spread', field: 'attribute:ecs.availability-zone' },
          { type: 'binpack', field: 'memory' },
        ],
      }),
    );
    assert.deepEqual(on(result), ['b2', 'b2']); // zone b has 0 tasks vs 2 in a; within b, b2 has the least memory
  });

  it('random is reproducible for a seed', () => {
    const request = () => aRequest(three(), { count: 3, strategies: [{ type: 'random' }], random: seededRandom(7) });
    assert.deepEqual(on(placeTasks(request())), on(placeTasks(request())));
  });
});

describe('placeTasks: memberOf with the cluster query language', () => {
  it('places only on instances the expression selects, including task:group expressions', async () => {
    const { memberOf } = await import('./member-of.ts');
    const instances = [
      anInstance('a').withAttribute('ecs.availability-zone', 'us-east-1a').withAttribute('stack', 'prod').build(),
      anInstance('b')
        .withAttribute('ecs.availability-zone', 'us-east-1b')
        .withAttribute('stack', 'prod')
        .withTasks('service:db', 1)
        .build(),
      anInstance('c').withAttribute('ecs.availability-zone', 'us-east-1b').build(),
    ];
    const byZone = placeTasks(
      aRequest(instances, {
        count: 2,
        constraints: [memberOf('attribute:ecs.availability-zone == us-east-1b')],
        strategies: [{ type: 'spread', field: 'instanceId' }],
      }),
    );
    assert.deepEqual(on(byZone), ['b', 'c']);
    const nextToDb = placeTasks(aRequest(instances, { constraints: [memberOf('task:group == service:db')] }));
    assert.deepEqual(on(nextToDb), ['b']);
    const notProd = placeTasks(aRequest(instances, { constraints: [memberOf('not (attribute:stack == prod)')] }));
    assert.deepEqual(on(notProd), ['c']);
    assert.deepEqual(nextToDb.failures, []);
    assert.throws(() => memberOf('attribute:stack =='), /Expected/);
  });
});
