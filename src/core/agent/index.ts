// The tools Heapscope offers to agents (VS Code language model tools, the MCP server), in the order a
// model meets them: find a target, check it, read a running session, then snapshots and history.
import { checkTool, sessionStateTool } from './check';
import { prometheusHistoryTool } from './prometheus';
import { retainersTool, snapshotCompareTool, snapshotSummaryTool } from './snapshots';
import { listTargetsTool } from './targets';
import type { AgentTool } from './tool';

export const agentTools: readonly AgentTool[] = [
  listTargetsTool,
  checkTool,
  sessionStateTool,
  snapshotSummaryTool,
  snapshotCompareTool,
  retainersTool,
  prometheusHistoryTool,
];

export function findAgentTool(name: string): AgentTool | undefined {
  return agentTools.find((t) => t.name === name);
}

/** The text a face shows for an answer: the summary line, then the JSON. */
export function answerText(answer: { summary: string; data: Record<string, unknown> }): string {
  return `${answer.summary}\n${JSON.stringify(answer.data)}`;
}

export { checkTool, reportSummary, MAX_CHECK_SECONDS } from './check';
export { environmentPrometheus, type PrometheusContext, type PrometheusResolver } from './prometheus';
export { compactReport, fitToBudget, sourceLink, DEFAULT_BUDGET_CHARS } from './budget';
export type { AgentTool, AgentToolContext, JsonSchema, RunningSession, ToolAnswer } from './tool';
