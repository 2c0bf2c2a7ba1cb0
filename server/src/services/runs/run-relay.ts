import type { ChatMessage, ChatMetaEvent } from '@app/common';
import type { LiveRun, RunEnd } from './live-run.js';

/** What the live stream's `turn` event says about a new turn (the rows its start wrote). */
export interface TurnAnnouncement {
  conversationId: string;
  userMessage: ChatMessage | null;
  assistantMessage: ChatMessage;
  removedMessageIds: string[];
}

/** One message between instances about a conversation's runs. */
export type RelayMessage =
  | {
      kind: 'turn';
      instanceId: string;
      userId: string;
      meta: ChatMetaEvent;
      announcement: TurnAnnouncement;
    }
  | { kind: 'delta'; instanceId: string; assistantMessageId: string; start: number; text: string }
  | { kind: 'end'; instanceId: string; assistantMessageId: string; seq: number; end: RunEnd };

/** The shared state of a conversation's latest run: what a viewer on another instance starts from. */
export interface RunSnapshot {
  instanceId: string;
  userId: string;
  meta: ChatMetaEvent;
  text: string;
  end: RunEnd | null;
}

/**
 * Carries runs between the app's instances (Redis; see redis/run-channel.ts and decision 0008). The
 * instance that calls the upstream publishes; an instance with viewers of a conversation follows
 * it. Every method may reject when the transport is down: the run itself never depends on it.
 */
export interface RunRelay {
  readonly instanceId: string;
  /** A run of this instance began: its shared state (empty text) replaces the conversation's. */
  begin(run: LiveRun, announcement: TurnAnnouncement): Promise<void>;
  /**
   * Appends `text`, which starts at `start`, to the run's shared text and publishes it. False when
   * the shared state is not at `start` (expired, or replaced): `reset` it.
   */
  append(run: LiveRun, start: number, text: string): Promise<boolean>;
  /** Rewrites the run's shared state with its whole text so far. */
  reset(run: LiveRun, text: string): Promise<void>;
  /** Keeps the shared state of quiet runs from expiring (a dead instance's expires). */
  keepAlive(runs: readonly LiveRun[]): Promise<void>;
  /** The run ended: its state keeps the end a little while, and the end is published. */
  end(run: LiveRun, end: RunEnd): Promise<void>;
  /** Follows a conversation's messages. Resolves once subscribed, with the function that stops. */
  follow(conversationId: string, onMessage: (message: RelayMessage) => void): Promise<() => void>;
  /** The conversation's latest run as shared (live or just ended), or null. */
  snapshot(conversationId: string): Promise<RunSnapshot | null>;
  /** The subscription was lost and is back: messages may have been missed meanwhile. */
  onResubscribed(listener: () => void): void;
  close(): Promise<void>;
}
