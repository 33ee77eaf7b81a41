import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storageKey, storagePrefix } from '../../../apimachinery/keys.js';

describe('storage keys, laid out as kube-apiserver lays them out in etcd', () => {
  it('namespaced objects', () => assert.equal(storageKey('pods', 'default', 'web'), '/registry/pods/default/web'));
  it('cluster-scoped objects', () =>
    assert.equal(storageKey('namespaces', undefined, 'default'), '/registry/namespaces/default'));
  it('prefixes end in a slash', () => {
    assert.equal(storagePrefix('pods', 'default'), '/registry/pods/default/');
    assert.equal(storagePrefix('pods'), '/registry/pods/');
    assert.equal(storagePrefix('pods', ''), '/registry/pods/');
  });
  it('every key of a namespace starts with its prefix', () =>
    assert.ok(storageKey('daemonsets', 'kube-system', 'x').startsWith(storagePrefix('daemonsets', 'kube-system'))));
});
