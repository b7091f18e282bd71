import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MessageFramer, frame } from './message-framer.ts';

describe('MessageFramer', () => {
  it('gives back the framed messages however the stream is split (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (messages, cuts) => {
          const stream = Buffer.concat(messages.map((message) => frame(Buffer.from(message))));
          const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
          const framer = new MessageFramer();
          const out: Buffer[] = [];
          let start = 0;
          for (const point of [...points, stream.length]) {
            out.push(...framer.push(stream.subarray(start, point)));
            start = point;
          }
          assert.deepEqual(
            out.map((message) => [...message]),
            messages.map((message) => [...message]),
          );
        },
      ),
    );
  });

  it('holds a 65,535-byte message until its last byte', () => {
    const framer = new MessageFramer();
    const framed = frame(Buffer.alloc(65535, 7));
    assert.deepEqual(framer.push(framed.subarray(0, 1)), []);
    assert.deepEqual(framer.push(framed.subarray(1, 65536)), []);
    const [message] = framer.push(framed.subarray(65536));
    assert.equal(message?.length, 65535);
  });
});
