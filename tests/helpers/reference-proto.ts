// The upstream generated.proto files of ../shared/reference/proto/, loaded with protobufjs: a test oracle for the
// project's own protobuf codec (the project never ships or loads them otherwise).
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { sharedFile } from './paths.js';

/** Reference file of each import path the upstream files use. */
const FILES: Record<string, string> = {
  'k8s.io/api/core/v1/generated.proto': 'k8s.io-api-core-v1.proto',
  'k8s.io/api/apps/v1/generated.proto': 'k8s.io-api-apps-v1.proto',
  'k8s.io/api/extensions/v1beta1/generated.proto': 'k8s.io-api-extensions-v1beta1.proto',
  'k8s.io/api/coordination/v1/generated.proto': 'k8s.io-api-coordination-v1.proto',
  'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto': 'k8s.io-apimachinery-apis-meta-v1.proto',
  'k8s.io/apimachinery/pkg/runtime/generated.proto': 'k8s.io-apimachinery-runtime.proto',
  'k8s.io/apimachinery/pkg/api/resource/generated.proto': 'k8s.io-apimachinery-api-resource.proto',
  'k8s.io/apimachinery/pkg/util/intstr/generated.proto': 'k8s.io-apimachinery-util-intstr.proto',
};

/** Where the reference protos are, or undefined when ../shared is absent. */
export function referenceProtoDir(): string | undefined {
  return sharedFile('reference', 'proto');
}

/** The protobufjs message name of a served definition (`io.k8s.api.core.v1.Pod` → `k8s.io.api.core.v1.Pod`). */
export function protoName(def: string): string {
  return def
    .replace(/^io\.k8s\.api\./, 'k8s.io.api.')
    .replace(/^io\.k8s\.apimachinery\.pkg\./, 'k8s.io.apimachinery.pkg.');
}

/** All reference protos in one protobufjs Root (field names as written: `keepCase`). */
export function loadReferenceRoot(): protobuf.Root | undefined {
  const dir = referenceProtoDir();
  if (!dir) return undefined;
  // runtime/schema/generated.proto is imported but declares nothing: an empty stand-in
  const stub = join(mkdtempSync(join(tmpdir(), 'proto-stub-')), 'schema.proto');
  writeFileSync(stub, 'syntax = "proto2";\npackage k8s.io.apimachinery.pkg.runtime.schema;\n');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (FILES[target]) return join(dir, FILES[target]!);
    if (target.endsWith('runtime/schema/generated.proto')) return stub;
    return target;
  };
  root.loadSync(
    readdirSync(dir)
      .filter((f) => f.endsWith('.proto'))
      .map((f) => join(dir, f)),
    { keepCase: true },
  );
  root.resolveAll();
  return root;
}
