import { describe, expect, it } from 'vitest';
import { PipelineObserver } from '../../src/observe/pipeline-events.js';
import { capturingLogger } from '../support/logger.js';

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
