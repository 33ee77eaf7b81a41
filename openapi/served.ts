// The definitions the running server publishes and validates with. They come from the TypeBox sources in
// ./schemas/, through a JSON snapshot that `npm run build` writes beside this module (scripts/snapshot-definitions.mjs):
// loading TypeBox and building every schema would take a quarter of the server's start.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { convertDefinitions } from './convert.js';
import { findKind, kindsOf, type KindDefinition, type OpenAPIStyle } from './kinds.js';

/** The snapshot: `definitions` of ./schemas/index.ts as JSON, in dist/openapi/. */
export const DEFINITIONS_SNAPSHOT = new URL('./definitions.json', import.meta.url);

let snapshot: Readonly<Record<string, unknown>> | undefined;

function readSnapshot(): Readonly<Record<string, unknown>> {
  try {
    return JSON.parse(readFileSync(DEFINITIONS_SNAPSHOT, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(
      `cannot read the OpenAPI definitions snapshot ${fileURLToPath(DEFINITIONS_SNAPSHOT)} (${(err as Error).message}); ` +
        '`npm run build` writes it',
    );
  }
}

/** The snapshot converted for each style (`definitions-v2.json`, `definitions-v3.json`), as JSON text. */
const converted = new Map<OpenAPIStyle, string | null>();

/**
 * The served definitions for a `'v2'` or `'v3'` document, as convertDefinitions gives them; fresh objects each call.
 * The build writes them converted beside the snapshot; without those files they are converted here.
 */
export function servedDefinitions(style: OpenAPIStyle): Record<string, object> {
  let text = converted.get(style);
  if (text === undefined) {
    try {
      text = readFileSync(new URL(`./definitions-${style}.json`, DEFINITIONS_SNAPSHOT), 'utf8');
    } catch {
      text = null;
    }
    converted.set(style, text);
  }
  if (text !== null) return JSON.parse(text) as Record<string, object>;
  snapshot ??= readSnapshot();
  return convertDefinitions(snapshot, style);
}

/**
 * The snapshot itself (TypeBox's JSON form, with the `protobuf` field numbers and `goPointer` marks that the
 * served documents leave out), for the protobuf codec. Shared and frozen: never modify it.
 */
export function definitionsSnapshot(): Readonly<Record<string, unknown>> {
  snapshot ??= readSnapshot();
  return snapshot;
}

let kinds: KindDefinition[] | undefined;

/** The served kinds (see kindsOf), from the snapshot. */
export function servedKinds(): readonly KindDefinition[] {
  return (kinds ??= kindsOf(definitionsSnapshot()));
}

/** The served kind of a group/version/kind, if there is one. */
export function findKindDefinition(group: string, version: string, kind: string): KindDefinition | undefined {
  return findKind(servedKinds(), group, version, kind);
}
