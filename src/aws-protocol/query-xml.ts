import type { ServiceModel } from './service-model.ts';

/**
 * The AWS query protocol's response side: output values written as XML in the order and with the
 * names of the model's output shape (members the model does not know are never sent), lists as
 * <member>, maps as <entry><key/><value/></entry>, timestamps in ISO 8601, text XML-escaped.
 */
export function xmlOf(model: ServiceModel, shapeName: string, value: unknown): string {
  const shape = model.shapes[shapeName];
  if (!shape) throw new Error(`shape ${shapeName} is not in the ${model.metadata.serviceId} model`);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null) return '';
      const record = value as Record<string, unknown>;
      let out = '';
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const member = record[name];
        if (member === undefined || member === null) continue;
        out += `<${name}>${xmlOf(model, ref.shape, member)}</${name}>`;
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) return '';
      return value.map((item) => `<member>${xmlOf(model, shape.member!.shape, item)}</member>`).join('');
    case 'map':
      if (typeof value !== 'object' || value === null) return '';
      return Object.entries(value as Record<string, unknown>)
        .map(
          ([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${xmlOf(model, shape.value!.shape, v)}</value></entry>`,
        )
        .join('');
    case 'timestamp':
      return escapeXml(timestampText(value));
    case 'blob':
      return value instanceof Uint8Array
        ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
        : escapeXml(String(value));
    default:
      return escapeXml(String(value));
  }
}

function timestampText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value * 1000).toISOString();
  return String(value);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
  '\n': '&#10;',
};

export function escapeXml(text: string): string {
  // Characters XML 1.0 cannot carry at all are dropped rather than sent as a broken document.
  return (
    text
      .replace(/[&<>"'\r\n]/g, (c) => ESCAPES[c]!)
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
  );
}

export function responseXml(options: {
  model: ServiceModel;
  operation: string;
  outputShape: string | undefined;
  resultWrapper: string | undefined;
  output: unknown;
  requestId: string;
}): string {
  const { model, operation } = options;
  const namespace = model.metadata.xmlNamespace ?? '';
  const wrapper = options.resultWrapper ?? `${operation}Result`;
  const result =
    options.outputShape === undefined
      ? ''
      : `<${wrapper}>${xmlOf(model, options.outputShape, options.output ?? {})}</${wrapper}>`;
  return (
    `<${operation}Response xmlns="${escapeXml(namespace)}">${result}` +
    `<ResponseMetadata><RequestId>${escapeXml(options.requestId)}</RequestId></ResponseMetadata>` +
    `</${operation}Response>\n`
  );
}

export function errorXml(options: {
  namespace: string;
  senderFault: boolean;
  code: string;
  message: string;
  requestId: string;
}): string {
  return (
    `<ErrorResponse xmlns="${escapeXml(options.namespace)}"><Error>` +
    `<Type>${options.senderFault ? 'Sender' : 'Receiver'}</Type>` +
    `<Code>${escapeXml(options.code)}</Code><Message>${escapeXml(options.message)}</Message>` +
    `</Error><RequestId>${escapeXml(options.requestId)}</RequestId></ErrorResponse>\n`
  );
}
