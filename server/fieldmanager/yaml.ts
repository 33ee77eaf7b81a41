/**
 * YAML request bodies as the apiserver's YAML decoding (sigs.k8s.io/yaml over go-yaml) reads them: YAML 1.1
 * scalars, and the strict errors for repeated keys (`line 5: key "replicas" already set in map`).
 */
import type YAML from 'yaml';
import { yaml } from '../../apimachinery/yaml.js';
import { goQuote } from './json.js';
import { MAX_BODY_DEPTH, yamlTooDeep } from '../../apimachinery/json-depth.js';

/** `line N: key "k" already set in map` for every repeated key of a YAML document (go-yaml's strict errors). */
export function yamlDuplicateKeys(doc: YAML.Document, lc: YAML.LineCounter): string[] {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (yaml().isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const k = yaml().isScalar(pair.key)
          ? String(pair.key.value)
          : JSON.stringify(yaml().isNode(pair.key) ? pair.key.toJSON() : pair.key);
        if (seen.has(k)) {
          const offset = yaml().isNode(pair.key) && pair.key.range ? pair.key.range[0] : 0;
          out.push(`line ${lc.linePos(offset).line}: key ${goQuote(k)} already set in map`);
        }
        seen.add(k);
        visit(pair.value);
      }
    } else if (yaml().isSeq(node)) node.items.forEach(visit);
  };
  visit(doc.contents);
  return out;
}

/** The YAML strict error as sigs.k8s.io/yaml words it, from the lines of yamlDuplicateKeys. */
export function yamlStrictError(lines: string[]): string {
  return `error converting YAML to JSON: yaml: unmarshal errors:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** go-yaml's refusal of a document whose aliases expand too far ("billion laughs"). */
export const YAML_EXCESSIVE_ALIASING = 'yaml: document contains excessive aliasing';

/**
 * Parses a YAML body as the apiserver's YAML decoder (YAML 1.1 scalars): the value and its repeated keys, or the
 * syntax error. Bounded: nesting deeper than MAX_BODY_DEPTH is refused before the parser sees it, and alias
 * expansion is capped (the parser counts every node an alias brings in).
 */
export function parseYaml(text: string): { value: unknown; duplicates: string[]; error?: string } {
  if (yamlTooDeep(text))
    return { value: undefined, duplicates: [], error: `yaml: exceeded max depth of ${MAX_BODY_DEPTH}` };
  const lc = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { uniqueKeys: false, lineCounter: lc, version: '1.1' });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    return {
      value: undefined,
      duplicates: [],
      error: `yaml: ${line ? `line ${line}: ` : ''}${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    if (err instanceof ReferenceError || /alias/i.test((err as Error).message))
      return { value: undefined, duplicates: [], error: YAML_EXCESSIVE_ALIASING };
    throw err;
  }
  return { value, duplicates: yamlDuplicateKeys(doc, lc) };
}

/** Splits a strict error into warnings, one per YAML error line (the apiserver's parseYAMLWarnings). */
export function strictWarnings(err: string): string[] {
  for (const prefix of ['yaml: unmarshal errors:\n', 'error converting YAML to JSON: yaml: unmarshal errors:\n']) {
    if (err.startsWith(prefix))
      return err
        .slice(prefix.length)
        .split('\n')
        .map((s) => s.trim());
  }
  return [err];
}
