/** A request's logger is made when first used: its lines are those of the pino child Fastify would have made. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { childLogger } from '../../../server/plugins/telemetry.js';

function capture(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString().replace(/"time":\d+,/, ''));
      done();
    },
  });
  return { logger: pino({ level, redact: { paths: ['headers'], censor: '[REDACTED]' } }, stream), lines };
}

describe('request loggers', () => {
  it('write what a pino child writes, at the enabled levels only', () => {
    for (const level of ['warn', 'debug']) {
      const a = capture(level);
      const b = capture(level);
      const eager = a.logger.child({ reqId: 'r1' }, {});
      const lazy = childLogger.call(undefined, b.logger, { reqId: 'r1' }, {});
      for (const log of [eager, lazy]) {
        log.debug({ code: 200 }, 'request');
        log.info('hello %s', 'world');
        log.error({ err: new Error('boom'), headers: { authorization: 'x' } }, 'unexpected error');
        log.child({ sub: 1 }).warn('from a child');
      }
      assert.deepEqual(b.lines, a.lines);
      assert.ok(b.lines.every((l) => l.includes('"reqId":"r1"')));
      assert.equal(lazy.level, level);
    }
  });

  it('make no child while nothing is logged', () => {
    const { logger } = capture('warn');
    let made = 0;
    const counting = Object.assign(Object.create(logger), {
      child: (...args: Parameters<typeof logger.child>) => {
        made++;
        return logger.child(...args);
      },
    });
    const lazy = childLogger.call(undefined, counting, { reqId: 'r2' }, {});
    lazy.debug('nothing');
    lazy.info('nothing');
    assert.equal(made, 0);
    lazy.warn('something');
    lazy.error('more');
    assert.equal(made, 1);
  });
});
