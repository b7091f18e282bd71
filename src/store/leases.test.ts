import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decideAcquire, decideRelease, decideRenew, isHeld, planShards, type Lease } from './leases.ts';

const claim = (holder: string, durationMs = 5000) => ({ name: 'loop:gc', holder, durationMs });
const lease = (over: Partial<Lease> = {}): Lease => ({
  name: 'loop:gc',
  holder: 'a',
  epoch: 3,
  acquiredAt: 0,
  renewedAt: 1000,
  expiresAt: 6000,
  ...over,
});

describe('decideAcquire', () => {
  const cases: {
    name: string;
    current: Lease | undefined;
    holder: string;
    now: number;
    preempt?: boolean;
    want: string;
  }[] = [
    { name: 'a new lease: epoch 1', current: undefined, holder: 'b', now: 0, want: 'granted b 1 takeover' },
    { name: 'held by another: refused', current: lease(), holder: 'b', now: 5999, want: 'refused' },
    {
      name: 'lapsed (expiry reached): taken over, epoch + 1',
      current: lease(),
      holder: 'b',
      now: 6000,
      want: 'granted b 4 takeover',
    },
    {
      name: "the holder's own, held: a renewal, same epoch",
      current: lease(),
      holder: 'a',
      now: 5000,
      want: 'granted a 3 renewal',
    },
    // The holder lapsed: its writes in flight carry epoch 3, so its new term must be another epoch.
    {
      name: "the holder's own, lapsed: a new epoch",
      current: lease(),
      holder: 'a',
      now: 7000,
      want: 'granted a 4 takeover',
    },
    {
      name: 'preempt (SQLite): taken while held',
      current: lease(),
      holder: 'b',
      now: 10,
      preempt: true,
      want: 'granted b 4 takeover',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideAcquire(c.current, claim(c.holder), { now: c.now, preempt: c.preempt });
      const got = d.granted
        ? `granted ${d.lease.holder} ${d.lease.epoch} ${d.takeover ? 'takeover' : 'renewal'}`
        : 'refused';
      assert.equal(got, c.want);
      // 5000 ms from the database's now, whoever holds it
      if (d.granted) assert.equal(d.lease.expiresAt, c.now + 5000);
    });
  }
});

describe('decideRenew and decideRelease', () => {
  it('renews while the holder and epoch match, even past the expiry (nobody took over)', () => {
    const d = decideRenew(lease(), { holder: 'a', epoch: 3 }, { now: 9000, durationMs: 5000 });
    assert.deepEqual(d?.granted && d.lease.expiresAt, 14_000);
  });
  it('refuses once another holder or epoch is stored', () => {
    assert.equal(
      decideRenew(lease({ epoch: 4 }), { holder: 'a', epoch: 3 }, { now: 0, durationMs: 1 })?.granted,
      false,
    );
    assert.equal(
      decideRenew(lease({ holder: 'b' }), { holder: 'a', epoch: 3 }, { now: 0, durationMs: 1 })?.granted,
      false,
    );
  });
  it('release lets the lease lapse now, and is a no-op for a former holder', () => {
    assert.equal(decideRelease(lease(), { holder: 'a', epoch: 3 }, { now: 2000 })?.expiresAt, 2000);
    assert.equal(decideRelease(lease({ epoch: 4 }), { holder: 'a', epoch: 3 }, { now: 2000 }), undefined);
  });
});

/** A clock, holders and their operations in random order against one stored row. */
const operations = fc.array(
  fc.record({
    advance: fc.integer({ min: 0, max: 4000 }),
    holder: fc.constantFrom('a', 'b', 'c'),
    op: fc.constantFrom('acquire', 'renew', 'release'),
  }),
  { maxLength: 60 },
);

/** One operation on the stored row; `held` is what each holder believes it holds. */
function step(row: Lease | undefined, held: Map<string, Lease>, op: { holder: string; op: string; now: number }) {
  const { holder, now } = op;
  const mine = held.get(holder);
  if (op.op === 'acquire') {
    const d = decideAcquire(row, claim(holder), { now });
    // granted only if free, lapsed or its own
    if (d.granted && row) assert.ok(row.holder === holder || !isHeld(row, now));
    if (d.granted) held.set(holder, d.lease);
    return d.granted ? d.lease : row;
  }
  if (mine === undefined) return row;
  if (op.op === 'release') return decideRelease(row, mine, { now }) ?? row;
  const d = decideRenew(row, mine, { now, durationMs: 5000 });
  if (d?.granted) held.set(holder, d.lease);
  return d?.granted ? d.lease : row;
}

describe('lease properties (fake clock)', () => {
  it('never two holders at once, epochs only grow, and a write fenced with an old epoch is refused', () => {
    fc.assert(
      fc.property(operations, (ops) => {
        let now = 0;
        let row: Lease | undefined;
        const held = new Map<string, Lease>();
        for (const { advance, holder, op } of ops) {
          now += advance;
          const before = row;
          row = step(row, held, { holder, op, now });
          if (before && row) assert.ok(row.epoch >= before.epoch);
          if (before && row && row.holder !== before.holder) assert.ok(row.epoch > before.epoch);
          // The fence: only the holder with the stored epoch may write.
          const writers = [...held].filter(([h, l]) => h === row?.holder && l.epoch === row.epoch);
          assert.ok(writers.length <= 1);
        }
      }),
    );
  });
});

describe('planShards', () => {
  const at = (holder: string, expiresAt: number): Lease => lease({ holder, expiresAt });

  it('takes free and lapsed shards up to the fair share', () => {
    // 5 shards / 2 servers → 3 each; x held by b, y lapsed, the rest free
    const leases = new Map([
      ['x', at('b', 100)],
      ['y', at('b', 10)],
    ]);
    const plan = planShards({ shards: ['v', 'w', 'x', 'y', 'z'], leases, holder: 'a', servers: 2, now: 50 });
    assert.deepEqual(plan, { acquire: ['v', 'w', 'y'], release: [] });
  });

  it('lets go of shards beyond the fair share when a server joins', () => {
    const leases = new Map(['v', 'w', 'x', 'y'].map((s) => [s, at('a', 100)] as const));
    // 4 shards / 2 servers → 2 each: a keeps v and w
    assert.deepEqual(planShards({ shards: ['v', 'w', 'x', 'y'], leases, holder: 'a', servers: 2, now: 50 }), {
      acquire: [],
      release: ['x', 'y'],
    });
  });

  it('servers planning in turn end up holding every shard, none over its fair share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (count, servers, order) => {
          const shards = Array.from({ length: count }, (_, i) => `s${i}`);
          const holders = Array.from({ length: servers }, (_, i) => `h${i}`);
          const leases = new Map<string, Lease>();
          const round = (holder: string): void => {
            const plan = planShards({ shards, leases, holder, servers, now: 0 });
            for (const s of plan.release) leases.delete(s);
            for (const s of plan.acquire) leases.set(s, at(holder, 1000));
          };
          for (const pick of order) round(holders[pick % servers]!);
          for (const holder of holders) round(holder); // everyone has had a turn
          const fair = Math.ceil(count / servers);
          assert.equal(leases.size, count);
          for (const holder of holders)
            assert.ok([...leases.values()].filter((l) => l.holder === holder).length <= fair);
        },
      ),
    );
  });
});
