import * as path from 'path';
import type { TaskDeclaration } from '../../lib/chain';

export const SLEEP_TASK_ENTRY = path.join(__dirname, '..', '..', 'lambdas', 'examples', 'chain-tasks', 'sleep.ts');

/** `count` tasks in layers of `width`: each task of a layer depends on (up to) two tasks of the layer before. */
export function layeredTasks(count: number, width = 10): TaskDeclaration[] {
  return Array.from({ length: count }, (_, i) => {
    const layer = Math.floor(i / width);
    const deps = layer === 0 ? [] : [...new Set([(layer - 1) * width + (i % width), (layer - 1) * width + ((i + 1) % width)])].map((d) => `t${d}`);
    return { name: `t${i}`, entry: SLEEP_TASK_ENTRY, dependsOn: deps };
  });
}
