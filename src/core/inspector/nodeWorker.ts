// Node's NodeWorker domain (node/src/inspector/node_protocol.pdl): how the inspector reaches worker
// threads. devtools-protocol does not carry it, so it is typed here and joined to the CDP client's
// commands and events (cdp.ts).

export interface NodeWorkerInfo {
  workerId: string;
  type: string;
  title: string;
  url: string;
}

export interface AttachedToWorkerEvent {
  sessionId: string;
  workerInfo: NodeWorkerInfo;
  waitingForDebugger: boolean;
}

export interface DetachedFromWorkerEvent {
  sessionId: string;
}

export interface ReceivedMessageFromWorkerEvent {
  sessionId: string;
  message: string;
}

type NoReply = Record<string, never>;

export interface NodeWorkerCommands {
  'NodeWorker.enable': { paramsType: [{ waitForDebuggerOnStart: boolean }]; returnType: NoReply };
  'NodeWorker.disable': { paramsType: []; returnType: NoReply };
  'NodeWorker.sendMessageToWorker': {
    paramsType: [{ sessionId: string; message: string }];
    returnType: NoReply;
  };
  'NodeWorker.detach': { paramsType: [{ sessionId: string }]; returnType: NoReply };
}

export interface NodeWorkerEvents {
  'NodeWorker.attachedToWorker': [AttachedToWorkerEvent];
  'NodeWorker.detachedFromWorker': [DetachedFromWorkerEvent];
  'NodeWorker.receivedMessageFromWorker': [ReceivedMessageFromWorkerEvent];
}
