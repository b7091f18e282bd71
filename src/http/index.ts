export { sendRange, type PositionedReader } from './send-range.ts';
