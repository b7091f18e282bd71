export { createProxyDataPlane, type ProxyDataPlaneOptions } from './proxy-data-plane.ts';
