/**
 * The upstream OpenAPI documents the patch tests take their schemas from: the Kubernetes 1.30 swagger
 * `definitions`, and the 1.15 one for extensions/v1beta1. They live in `../shared/reference` relative to
 * the repository root; when that folder is absent the suites using them are skipped.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
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

/** `skip` option for suites needing the 1.30 document: false, or why they are skipped. */
export const skip130: string | false = existsSync(V130) ? false : `reference document not found: ${V130}`;
/** `skip` option for suites needing the 1.15 document. */
export const skip115: string | false = existsSync(V115) ? false : `reference document not found: ${V115}`;

let r130: SchemaResolver | undefined;
let r115: SchemaResolver | undefined;

/** Resolver over the Kubernetes 1.30 `definitions`. */
export function resolver130(): SchemaResolver {
  r130 ??= new SchemaResolver(
    (JSON.parse(readFileSync(V130, 'utf8')) as { definitions: Record<string, SchemaNode> }).definitions,
  );
  return r130;
}

/** Resolver over the Kubernetes 1.15 `definitions` (has extensions/v1beta1 DaemonSet). */
export function resolver115(): SchemaResolver {
  r115 ??= new SchemaResolver(
    (JSON.parse(gunzipSync(readFileSync(V115)).toString('utf8')) as { definitions: Record<string, SchemaNode> })
      .definitions,
  );
  return r115;
}

/** Schema of a kind as a reference node, e.g. `ref('io.k8s.api.core.v1.Pod')`. */
export function ref(definition: string): SchemaNode {
  return { $ref: `#/definitions/${definition}` };
}
