import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that run real processes (the service, redis-servers, the CLI) spend their time waiting and
 * take the longest: they start first, the longest known first, so that the short files fill the
 * gaps around them rather than a long one starting last and running alone. Vitest's own order
 * mixes files with and without a recorded duration unpredictably.
 */
const WAITS_ON_PROCESSES = [/\.service\.test\.ts$/, /\/test\/cli\//, /-cli\.test\.ts$/];

export default class ProcessesFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const weight = (f: TestSpecification): [number, number] => {
      const key = `${f.project.name}:${relative(root, f.moduleId)}`;
      const group = WAITS_ON_PROCESSES.some((p) => p.test(f.moduleId)) ? 0 : 1;
      const known = this.ctx.cache.getFileTestResults(key)?.duration;
      // Unknown: as if long, so that a new slow file is not left for last.
      return [group, -(known ?? Number.MAX_SAFE_INTEGER)];
    };
    return Promise.resolve(
      [...files].sort((a, b) => {
        const [ga, da] = weight(a);
        const [gb, db] = weight(b);
        return ga - gb || da - db;
      }),
    );
  }
}
