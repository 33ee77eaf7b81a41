import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * The identity kube-controller-manager elects with: `<hostname>_<uuid>`. A module of its own: the launcher
 * (cli/start.ts) makes one before it spawns the controller manager, without loading leader election's dependencies.
 */
export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}
