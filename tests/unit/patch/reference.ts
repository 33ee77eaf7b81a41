/**
 * The upstream OpenAPI documents the patch tests take their schemas from: the Kubernetes 1.30 swagger
 * `definitions`, and the 1.15 one for extensions/v1beta1. They live in `../shared/reference` relative to
 * the repository root; when that folder is absent the suites use the project's own definitions (below).
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { servedDefinitions } from '../../../openapi/served.js';
import { SchemaResolver, type SchemaNode } from '../../../server/patch/index.js';

/** The repository root: the nearest folder above this file holding package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** Folder of the reference documents. */
export const REFERENCE_DIR = resolve(repoRoot(), '../shared/reference');
const V130 = join(REFERENCE_DIR, 'k8s-v1.30-swagger.json');
const V115 = join(REFERENCE_DIR, 'k8s-v1.15-swagger.json.gz');

/**
 * Where the upstream documents are absent (a clone of this repository alone), the suites run on the project's own
 * served definitions (`servedDefinitions('v2')`, what the server's patches use): the same definition names and
 * patch metadata, so they still check the patch logic; with the documents they also check that metadata against
 * upstream's.
 */
const ownDefinitions = (): Record<string, SchemaNode> => servedDefinitions('v2') as Record<string, SchemaNode>;

/** `skip` option for suites needing the 1.30 document: they run on the project's definitions without it. */
export const skip130: string | false = false;
/** `skip` option for suites needing the 1.15 document (extensions/v1beta1): likewise. */
export const skip115: string | false = false;

/**
 * `skip` option for a case on `definition`: false with the upstream document or when the project serves that type;
 * otherwise why not (the project's definitions have no PodDisruptionBudget, for one).
 */
export function notIn130(definition: string | undefined): string | false {
  if (definition === undefined || existsSync(V130) || definition in ownDefinitions()) return false;
  return `this project serves no ${definition.split('.').pop()}, and the upstream 1.30 document is not at ${V130}`;
}

let r130: SchemaResolver | undefined;
let r115: SchemaResolver | undefined;

/** Resolver over the Kubernetes 1.30 `definitions` (the project's own when the document is absent). */
export function resolver130(): SchemaResolver {
  r130 ??= new SchemaResolver(
    existsSync(V130)
      ? (JSON.parse(readFileSync(V130, 'utf8')) as { definitions: Record<string, SchemaNode> }).definitions
      : ownDefinitions(),
  );
  return r130;
}

/** Resolver over the Kubernetes 1.15 `definitions` (has extensions/v1beta1 DaemonSet; the project's own without). */
export function resolver115(): SchemaResolver {
  r115 ??= new SchemaResolver(
    existsSync(V115)
      ? (JSON.parse(gunzipSync(readFileSync(V115)).toString('utf8')) as { definitions: Record<string, SchemaNode> })
          .definitions
      : ownDefinitions(),
  );
  return r115;
}

/** Schema of a kind as a reference node, e.g. `ref('io.k8s.api.core.v1.Pod')`. */
export function ref(definition: string): SchemaNode {
  return { $ref: `#/definitions/${definition}` };
}
