export { sendRange, type PositionedReader } from './send-range.ts';
export { parseRangeHeader } from './byte-ranges.ts';
export { callerAddress } from './caller-address.ts';
