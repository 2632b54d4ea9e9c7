// Names the tasks a worker can run, so the request crossing the thread boundary is plain data.
import type { TaskContext } from './tasks';
import { analyseTask, diffTask, growthTask, retainersTask, summaryTask, type RetainersQuery } from './tasks';

export type TaskRequest =
  | { task: 'summary'; file: string; top: number; largest?: number }
  | { task: 'diff'; files: string[]; top: number; holders?: number }
  | { task: 'retainers'; file: string; query: RetainersQuery }
  | { task: 'growth'; files: string[]; limit: number }
  | { task: 'analyse'; file: string };

export async function runTask(request: TaskRequest, ctx: TaskContext): Promise<unknown> {
  switch (request.task) {
    case 'summary':
      return summaryTask(request.file, request.top, ctx, request.largest ?? 0);
    case 'diff':
      return diffTask(request.files, request.top, ctx, request.holders ?? 0);
    case 'retainers':
      return retainersTask(request.file, request.query, ctx);
    case 'growth':
      return growthTask(request.files, request.limit, ctx);
    case 'analyse':
      return analyseTask(request.file, ctx);
  }
}
