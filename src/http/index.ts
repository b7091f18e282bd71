export { sendRange, type PositionedReader } from './send-range.ts';
export { parseRangeHeader } from './byte-ranges.ts';
