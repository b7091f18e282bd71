// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API
// loaded first: every use of the library goes through this module, so the order holds.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export { x509 };
