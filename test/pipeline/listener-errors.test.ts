import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';
import { PipelineObserver } from '../../src/observe/pipeline-events.js';

/** A logger writing its JSON lines into an array. */
function capturingLogger(): {
  logger: ReturnType<typeof createLogger>;
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('a pipeline event listener that throws', () => {
  it('is logged, does not fail the emitter, and does not keep the other listeners from the event', () => {
    const { logger, lines } = capturingLogger();
    const observer = new PipelineObserver({ logger });
    const heard: string[] = [];
    observer.on('document.quarantined', () => {
      throw new Error('metrics label missing');
    });
    observer.on('document.quarantined', (e) => heard.push(e.documentNumber));

    expect(() =>
      observer.emit('document.quarantined', { documentNumber: '2099-1', code: 'XML_INVALID' }),
    ).not.toThrow();

    expect(heard).toEqual(['2099-1']);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        event: 'document.quarantined',
        err: 'metrics label missing',
        msg: 'a pipeline event listener failed; the pipeline goes on',
      }),
    ]);
  });

  it('is logged to the service logger when the observer was built without one', () => {
    const { logger, lines } = capturingLogger();
    const observer = new PipelineObserver();
    observer.logListenerErrorsTo(logger);
    observer.on('poll.failed', () => {
      throw new TypeError('boom');
    });
    observer.emit('poll.failed', { source: 'published', code: 'FR_TIMEOUT' });
    expect(lines).toEqual([expect.objectContaining({ event: 'poll.failed', err: 'boom' })]);
  });

  it('keeps the logger it was given first', () => {
    const first = capturingLogger();
    const second = capturingLogger();
    const observer = new PipelineObserver({ logger: first.logger });
    observer.logListenerErrorsTo(second.logger);
    observer.on('drift', () => {
      throw new Error('x');
    });
    observer.emit('drift', { source: 'ecfr', differences: 1 });
    expect(first.lines).toHaveLength(1);
    expect(second.lines).toHaveLength(0);
  });
});
