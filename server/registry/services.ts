import type { Storage } from '../../storage/interface.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import { isStorageError } from '../../storage/errors.js';
import { TokenSigner } from '../serviceaccount/jwt.js';
import type { ServerServices } from './definition.js';

/**
 * The services of a server over its storage: reads of core resources by their keys (`/registry/<prefix>/<namespace>/
 * <name>`, the prefix as `prefixOf` says, e.g. `minions` for nodes, else the plural), and the
 * given token signer, or one with a key of its own made the first time a token is signed or checked; the admission
 * plugins turned off.
 */
export function storageServices(
  storage: Storage,
  opts: {
    tokenSigner?: TokenSigner;
    disabledAdmissionPlugins?: Iterable<string>;
    prefixOf?: (resource: string) => string | undefined;
  } = {},
): ServerServices {
  let signer = opts.tokenSigner;
  return {
    disabledAdmissionPlugins: new Set(opts.disabledAdmissionPlugins ?? []),
    async read(resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
      const prefix = opts.prefixOf?.(resource) ?? resource;
      // A name or namespace that could never be stored (empty, or with a `/`) names nothing.
      if (!name || name.includes('/') || namespace === '' || namespace?.includes('/')) return undefined;
      const key = namespace === undefined ? `/registry/${prefix}/${name}` : `/registry/${prefix}/${namespace}/${name}`;
      try {
        return await storage.get(key);
      } catch (err) {
        if (isStorageError(err, 'KeyNotFound')) return undefined;
        throw err;
      }
    },
    get tokenSigner(): TokenSigner {
      return (signer ??= TokenSigner.ephemeral());
    },
  };
}
