// What every agent tool is: a name, a description that tells a model when to use it, a JSON Schema
// for its input, a parser that turns untrusted input into typed parameters (or a clear error), and a
// runner that returns a one-line summary plus a bounded JSON answer. The VS Code language model tools
// and the MCP server are two faces over this list; neither adds behaviour of its own.
import type { MemorySessionApi, SessionOptions } from '../session/api';

export interface JsonSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: boolean;
}

export interface ToolAnswer {
  /** One sentence a person can read in the chat. */
  summary: string;
  /** The report schema's objects, trimmed to the budget. */
  data: Record<string, unknown>;
}

/** A session that a face already runs (the extension's), readable by the session tool. */
export interface RunningSession {
  id: string;
  name: string;
  session: MemorySessionApi;
}

export interface AgentToolContext {
  /** Root of the user's code: launch directory, source paths, node_modules folding. */
  projectRoot?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Sessions the face already runs; absent where there are none (the MCP server). */
  sessions?: () => readonly RunningSession[];
  /** How sessions are made (tests pass a fake). */
  createSession?: (options: SessionOptions) => MemorySessionApi;
  /**
   * A face that runs sessions itself (the extension: live view, CodeLens, recording) starts the
   * check's session here and resolves once it observes; `name` labels it for the user.
   */
  startSession?: (options: SessionOptions, name: string) => Promise<MemorySessionApi>;
  /** Size of an answer's JSON in characters. */
  budgetChars?: number;
}

export interface AgentTool<P = unknown> {
  /** Stable name: MCP tool name and VS Code tool id (`heapscope_*`). */
  name: string;
  title: string;
  /** For the model: what it does and when to use it. */
  description: string;
  inputSchema: JsonSchema;
  /** Starts, signals or attaches to a process: faces ask the user first, naming the process. */
  touchesProcess: boolean;
  /** Only reads (files, listings, an HTTP API). */
  readOnly: boolean;
  parse(input: unknown): P;
  /** The confirmation's text, naming the process (for tools that touch one). */
  confirmation?(params: P, context: AgentToolContext): Promise<string>;
  run(params: P, context: AgentToolContext): Promise<ToolAnswer>;
}

/** Loses the parameter type, for lists of tools (parse and run are always used as a pair). */
export function defineTool<P>(tool: AgentTool<P>): AgentTool<unknown> {
  return tool as AgentTool<unknown>;
}
