import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_OBJECT, ValueSharing } from '../../../apimachinery/shared-values.js';

describe('ValueSharing', () => {
  it('freezes deeply, sharing {} and the named members by JSON text, and keeps the value as it serialized', () => {
    const sharing = new ValueSharing({ members: ['labels'], elementsOf: ['conditions'] });
    const text = JSON.stringify({
      metadata: { name: 'a', labels: { app: 'x' }, annotations: {} },
      status: { conditions: [{ type: 'Ready', status: 'True' }, 'text', {}, null], other: [{ type: 'Ready' }] },
    });
    const a = sharing.freeze(JSON.parse(text));
    const b = sharing.freeze(JSON.parse(text));
    assert.equal(JSON.stringify(a), text);
    assert.equal(a.metadata.annotations, EMPTY_OBJECT);
    assert.equal(a.metadata.labels, b.metadata.labels);
    assert.notEqual(a.status.conditions, b.status.conditions, 'an elementsOf array itself is not shared');
    assert.equal(a.status.conditions[0], b.status.conditions[0]);
    assert.equal(a.status.conditions[2], EMPTY_OBJECT);
    assert.notEqual(a.status.other[0], b.status.other[0], 'elements of other arrays are not shared');
    assert.ok(Object.isFrozen(a.status.conditions) && Object.isFrozen(a.status.other[0]));
    assert.throws(() => {
      a.metadata.labels.app = 'y';
    }, TypeError);
    const frozen = Object.freeze({ labels: { app: 'x' } });
    assert.equal(sharing.freeze({ keep: frozen }).keep, frozen, 'frozen members are taken as they are');
    assert.equal(sharing.freeze(null), null);
  });

  it('pools strings longer than 10 characters up to maxPooledChars, and starts over past its bounds', () => {
    const sharing = new ValueSharing({ members: [], maxPooledChars: 20, maxPooledStrings: 2 });
    const long = (s: string) => JSON.parse(JSON.stringify(s)) as string;
    assert.equal(sharing.string(long('x'.repeat(15))), sharing.string(long('x'.repeat(15))));
    assert.equal(sharing.string('short'), 'short');
    const tooLong = long('y'.repeat(21));
    assert.equal(sharing.string(tooLong), tooLong);
    sharing.string(long('z'.repeat(15)));
    sharing.string(long('w'.repeat(15))); // the pool (two strings) starts over
    assert.equal(sharing.string('w'.repeat(15)), 'w'.repeat(15));
  });

  it('shares a subtree only with one of the same JSON text, and no larger one than maxSharedText', () => {
    const sharing = new ValueSharing({ members: ['m'], maxSharedText: 30 });
    const m = (v: unknown) => sharing.freeze(JSON.parse(JSON.stringify({ m: v }))).m;
    assert.equal(m({ a: 1, b: [1] }), m({ a: 1, b: [1] }));
    assert.notEqual(m({ b: [1], a: 1 }), m({ a: 1, b: [1] }), 'another member order serializes otherwise');
    assert.notEqual(m({ a: '1', b: [1] }), m({ a: 1, b: [1] }));
    assert.notEqual(m({ s: 'x'.repeat(40) }), m({ s: 'x'.repeat(40) }));
  });

  it('looks a shared value up before freezing it: one the table knows is taken without walking the new one', () => {
    const sharing = new ValueSharing({ members: ['m'], elementsOf: ['list'] });
    const parsed = () => JSON.parse('{"m":{"a":{"b":[1,{"c":"a string longer"}]}},"list":[{"d":{"e":1}}]}');
    const first = sharing.freeze(parsed());
    const next = parsed();
    const { m: droppedMember, list } = next;
    const droppedElement = list[0];
    const second = sharing.freeze(next);
    assert.equal(second.m, first.m);
    assert.equal(second.list[0], first.list[0]);
    assert.ok(Object.isFrozen(first.m.a.b[1]) && Object.isFrozen(first.list[0].d), 'the first is frozen throughout');
    assert.ok(!Object.isFrozen(droppedMember.a), 'the value dropped for the known one was not walked');
    assert.ok(!Object.isFrozen(droppedElement.d));
    // an empty value is the shared {} whatever the table holds; a frozen one is looked up as it is
    assert.equal(sharing.freeze(JSON.parse('{"m":{}}')).m, EMPTY_OBJECT);
    assert.equal(sharing.freeze({ m: Object.freeze(parsed().m) }).m, first.m);
  });
  it('shares with the previous version each member equal to its own, and nothing that serializes otherwise', () => {
    const sharing = new ValueSharing({ members: ['labels'], elementsOf: ['conditions'] });
    const v1 = {
      metadata: { name: 'p', resourceVersion: '1', labels: { app: 'x' }, annotations: { a: 'b' } },
      spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }], nodeName: 'n1' },
      status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }], list: [1, 2] },
    };
    const v2 = structuredClone(v1);
    v2.metadata.resourceVersion = '2';
    v2.status.phase = 'Running';
    v2.status.conditions.push({ type: 'Initialized', status: 'True' });
    v2.status.list.push(3);
    const first = sharing.freeze(JSON.parse(JSON.stringify(v1)));
    const text = JSON.stringify(v2);
    const second = sharing.freeze(JSON.parse(text), first);
    assert.equal(JSON.stringify(second), text);
    assert.ok(Object.isFrozen(second) && Object.isFrozen(second.status.conditions));
    assert.notEqual(second, first, 'the value itself is kept');
    assert.equal(second.spec, first.spec, 'an equal subtree is the previous one');
    assert.equal(second.metadata.labels, first.metadata.labels);
    assert.equal(second.metadata.annotations, first.metadata.annotations);
    assert.notEqual(second.metadata, first.metadata, 'a member changed below');
    assert.notEqual(second.status.conditions, first.status.conditions);
    assert.equal(second.status.conditions[0], first.status.conditions[0], 'elements at the same index');
    assert.notEqual(second.status.list, first.status.list, 'an array of another length');

    // members in another order serialize otherwise: not taken
    const reordered =
      '{"spec":{"nodeName":"n1","containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}]}]}}';
    const third = sharing.freeze(JSON.parse(reordered), first);
    assert.equal(JSON.stringify(third), reordered);
    assert.notEqual(third.spec, first.spec);
    assert.equal(third.spec.containers, first.spec.containers, 'what is equal below it still is');
    // a member fewer or more, or of another type: not taken
    const fewer = sharing.freeze(JSON.parse('{"spec":{"containers":[]}}'), first);
    assert.notEqual(fewer.spec, first.spec);
    const more = sharing.freeze(JSON.parse('{"metadata":{"labels":{"app":"x","more":"y"}}}'), first);
    assert.notEqual(more.metadata.labels, first.metadata.labels);
    assert.deepEqual(more.metadata.labels, { app: 'x', more: 'y' });
    const typed = sharing.freeze(JSON.parse('{"status":{"list":{"0":1,"1":2}}}'), first);
    assert.deepEqual(typed.status.list, { 0: 1, 1: 2 });
    // a `__proto__` member is compared with the previous version's own member only
    const proto = sharing.freeze(JSON.parse('{"a":{"__proto__":{"x":1}}}'), JSON.parse('{"a":{"y":2}}'));
    assert.equal(JSON.stringify(proto), '{"a":{"__proto__":{"x":1}}}');
    // without a previous version, or with one of another type, nothing changes
    assert.equal(JSON.stringify(sharing.freeze(JSON.parse(text), 'other')), text);
    assert.equal(JSON.stringify(sharing.freeze(JSON.parse(text), [first])), text);
  });
});
