import type { CloudMapNamespaceType } from '../store/index.ts';
import { InvalidInput } from './errors.ts';

/*
 * Names as Cloud Map keys them. A namespace's name is unique in the account (it is also its
 * HttpName, which DiscoverInstances looks up), compared as DNS compares names: without case and
 * without a trailing dot. In a DNS namespace, service names that differ only by case are one DNS
 * name and so one service; in an HTTP namespace they are two.
 */

/** A DNS name as compared: lower case, no trailing dot. */
export function dnsKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') && lower.length > 1 ? lower.slice(0, -1) : lower;
}

export function namespaceKey(name: string): string {
  return dnsKey(name);
}

export function serviceKey(name: string, namespaceType: CloudMapNamespaceType): string {
  return namespaceType === 'HTTP' ? name : dnsKey(name);
}

/** A DNS namespace's name must make a hosted zone: labels of 1 to 63 characters, 253 in all. */
export function checkDnsNamespaceName(name: string): void {
  const key = dnsKey(name);
  const labels = key.split('.');
  if (key.length > 253 || labels.some((label) => label.length === 0 || label.length > 63)) {
    throw new InvalidInput(
      `Namespace name ${name} is not a valid DNS domain name: each label has 1 to 63 characters, and the name at most 253.`,
    );
  }
}

/** The DNS name of a service in a namespace: svc.ns.local. */
export function serviceDnsName(service: string, namespace: string): string {
  return `${dnsKey(service)}.${dnsKey(namespace)}`;
}
