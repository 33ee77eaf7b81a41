import { createRequire } from 'node:module';

type YAMLModule = typeof import('yaml');
let yamlModule: YAMLModule | undefined;

/**
 * The `yaml` package, loaded on first use: reading or writing YAML (request and response bodies, the protobuf
 * form of /openapi/v2) needs it, a start does not (loading it takes ~40 ms).
 */
export function yaml(): YAMLModule {
  yamlModule ??= createRequire(import.meta.url)('yaml') as YAMLModule;
  return yamlModule;
}
