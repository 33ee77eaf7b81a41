// The version the server reports on /version and in the OpenAPI documents' info. Minor 32 makes this machine's
// kubectl dispatcher run its built-in 1.32 (notes/kubectl-protocol.md §1.9).
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-29T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};
