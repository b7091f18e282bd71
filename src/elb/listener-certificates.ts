import type { ElbDeps } from './commit.ts';
import { commit } from './commit.ts';
import {
  CertificateNotFoundException,
  OperationNotPermittedException,
  TooManyCertificatesException,
  ValidationError,
} from './errors.ts';
import { requireListener } from './listeners.ts';
import { paginate } from './pagination.ts';
import type {
  AddListenerCertificatesInput,
  AddListenerCertificatesOutput,
  Certificate,
  DescribeListenerCertificatesInput,
  DescribeListenerCertificatesOutput,
  RemoveListenerCertificatesInput,
  RemoveListenerCertificatesOutput,
} from './shapes.generated.ts';
import { loadState, type ListenerState } from './state.ts';

/*
 * An HTTPS listener's certificates: the default one (the listener's Certificates, as
 * DescribeListeners shows it) and up to 25 more chosen by SNI (ListenerState.certificates). Each
 * is an ACM certificate of this server that exists and has not expired (ACM issues at once).
 */

/** ALB's default quota of certificates per listener, the default one not counted. */
const MAX_EXTRA_CERTIFICATES = 25;

/** CertificateNotFound unless the ARN names an ACM certificate that is ISSUED now. */
export async function requireIssuedCertificate(deps: ElbDeps, arn: string | undefined): Promise<string> {
  if (arn === undefined || arn === '') throw new ValidationError('A certificate ARN must be specified');
  const record = arn.includes(':acm:') ? await deps.store.acm.get(arn) : undefined;
  if (!record) throw new CertificateNotFoundException(`Certificate '${arn}' not found`);
  const notAfter = (record.body as { notAfter?: number }).notAfter ?? 0;
  if (notAfter < deps.clock.now().getTime())
    throw new CertificateNotFoundException(`Certificate '${arn}' is not valid: it expired`);
  return record.arn;
}

/** The one default certificate CreateListener and ModifyListener take. */
export async function defaultCertificate(deps: ElbDeps, certificates: readonly Certificate[]): Promise<string> {
  if (certificates.length !== 1)
    throw new ValidationError('An HTTPS listener takes exactly one default certificate in Certificates');
  return requireIssuedCertificate(deps, certificates[0]!.CertificateArn);
}

function requireHttps(listener: ListenerState): string {
  if (listener.view.Protocol !== 'HTTPS')
    throw new ValidationError(`Listener protocol '${listener.view.Protocol}' does not take certificates`);
  return listener.view.Certificates?.[0]?.CertificateArn ?? '';
}

export async function addListenerCertificates(
  deps: ElbDeps,
  input: AddListenerCertificatesInput,
): Promise<AddListenerCertificatesOutput> {
  const arns: string[] = [];
  for (const certificate of input.Certificates) {
    if (certificate.IsDefault === true)
      throw new ValidationError('A default certificate is set with ModifyListener, not AddListenerCertificates');
    arns.push(await requireIssuedCertificate(deps, certificate.CertificateArn));
  }
  return commit(deps, (state) => {
    const listener = requireListener(state, input.ListenerArn);
    const defaultArn = requireHttps(listener);
    const extra = [...(listener.certificates ?? [])];
    // As ELB: a certificate already in the list is not added again; the call still succeeds.
    for (const arn of arns) if (arn !== defaultArn && !extra.includes(arn)) extra.push(arn);
    if (extra.length > MAX_EXTRA_CERTIFICATES)
      throw new TooManyCertificatesException(
        `A listener can have at most ${MAX_EXTRA_CERTIFICATES} certificates besides its default one`,
      );
    const result = { Certificates: arns.map((CertificateArn) => ({ CertificateArn, IsDefault: false })) };
    if (extra.length === (listener.certificates ?? []).length) return { result };
    return { put: [{ ...listener, certificates: extra }], result };
  });
}

export async function removeListenerCertificates(
  deps: ElbDeps,
  input: RemoveListenerCertificatesInput,
): Promise<RemoveListenerCertificatesOutput> {
  return commit(deps, (state) => {
    const listener = requireListener(state, input.ListenerArn);
    const defaultArn = requireHttps(listener);
    const gone = new Set(input.Certificates.map((c) => c.CertificateArn ?? ''));
    if (gone.has(defaultArn) || input.Certificates.some((c) => c.IsDefault === true))
      throw new OperationNotPermittedException(
        'The default certificate cannot be removed: set another one with ModifyListener',
      );
    const extra = (listener.certificates ?? []).filter((arn) => !gone.has(arn));
    if (extra.length === (listener.certificates ?? []).length) return { result: {} };
    return { put: [{ ...listener, certificates: extra }], result: {} };
  });
}

export async function describeListenerCertificates(
  deps: ElbDeps,
  input: DescribeListenerCertificatesInput,
): Promise<DescribeListenerCertificatesOutput> {
  const listener = requireListener(await loadState(deps.store), input.ListenerArn);
  const defaultArn = listener.view.Certificates?.[0]?.CertificateArn;
  const all = [
    ...(defaultArn !== undefined ? [{ CertificateArn: defaultArn, IsDefault: true }] : []),
    ...(listener.certificates ?? []).map((CertificateArn) => ({ CertificateArn, IsDefault: false })),
  ];
  const keyed = all.map((certificate, index) => ({ certificate, key: String(index).padStart(3, '0') }));
  const { page, nextMarker } = paginate(keyed, (item) => item.key, input);
  return { Certificates: page.map((item) => item.certificate), ...(nextMarker ? { NextMarker: nextMarker } : {}) };
}
