import { hostname } from 'node:os';
import type { Logger } from '../log/create-logger.js';
import type { ClaimedTask, RunnerRow } from '../state/claims.js';
import { isProcessAlive } from '../state/is-process-alive.js';
import { bootId } from '../state/process-identity.js';
import type { Store } from '../state/store.js';
import type { EngineEmitter } from './events.js';

/** A claim this runner holds: its token, and the switch that stops the task's agents when it is lost. */
export interface HeldClaim extends ClaimedTask {
  controller: AbortController;
  lost: boolean;
}

export interface RunnerOptions {
  /** The runner's labels (`--labels`): a task whose `runs_on` asks for others is left to another runner. */
  labels: readonly string[];
  /** How long a claim holds without a heartbeat (ms). */
  leaseMs: number;
  /** How often an idle runner looks for work other runners made ready (ms). */
  pollMs: number;
}

export const DEFAULT_LEASE_MS = 30_000;

/**
 * This process as one of the project's runners: announced in the store with its labels, its
 * lease renewed by a heartbeat (a third of the lease), its claims tracked. A claim the heartbeat
 * finds taken over (the runner was paused past its lease) or that could not be renewed within
 * the lease (the database unreachable) is lost: its task's agents are stopped at once.
 */
export class RunnerSession {
  readonly runnerId: string;
  readonly labels: readonly string[];
  readonly leaseMs: number;
  readonly pollMs: number;
  /** Whether tasks are claimed (several runners share the store) rather than the project locked. */
  readonly cooperative: boolean;
  readonly #store: Store;
  readonly #project: string;
  readonly #log: Logger;
  readonly #emitter: EngineEmitter;
  readonly #held = new Map<string, HeldClaim>();
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #lastRenewed = Date.now();
  #renewFailing = false;

  constructor(store: Store, project: string, runnerId: string, options: RunnerOptions, log: Logger, emitter: EngineEmitter) {
    this.#store = store;
    this.#project = project;
    this.runnerId = runnerId;
    this.labels = options.labels;
    this.leaseMs = options.leaseMs;
    this.pollMs = options.pollMs;
    this.cooperative = store.sharedByRunners;
    this.#log = log;
    this.#emitter = emitter;
  }

  async start(): Promise<void> {
    await this.#store.registerRunner({ runnerId: this.runnerId, project: this.#project, host: hostname(), pid: process.pid, labels: this.labels, bootId: bootId() }, this.leaseMs);
    if (this.cooperative) await this.#expireDeadHere();
    this.#lastRenewed = Date.now();
    this.#timer = setInterval(() => {
      this.#beating ??= this.#beat().finally(() => (this.#beating = undefined));
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
  }

  /** Claims the task for this runner; undefined when another runner holds it (or it is no longer to run). */
  async claim(taskId: string): Promise<HeldClaim | undefined> {
    const got = await this.#store.claimTask(this.#project, this.runnerId, [taskId], this.leaseMs);
    if (!got) return undefined;
    const held: HeldClaim = { ...got, controller: new AbortController(), lost: false };
    this.#held.set(taskId, held);
    return held;
  }

  /** The task is settled (or left waiting): its claim is given back. A lost claim is not ours to give. */
  async release(claim: HeldClaim): Promise<void> {
    if (this.#held.get(claim.taskId) === claim) this.#held.delete(claim.taskId);
    if (!claim.lost) await this.#store.releaseClaim(this.#project, claim.taskId, this.runnerId, claim.token);
  }

  /** The claim was refused at a write (another runner holds it now): its agents stop. */
  lose(claim: HeldClaim, why: string): void {
    if (claim.lost) return;
    claim.lost = true;
    claim.controller.abort();
    this.#log.warn({ task_id: claim.taskId, token: claim.token }, `lost the claim of ${claim.taskId}: ${why}`);
    this.#emitter.emit('warning', { message: `${claim.taskId}: this runner lost its claim (${why}); its agent was stopped and nothing more is written for it here` });
  }

  async liveRunners(): Promise<RunnerRow[]> {
    return (await this.#store.runners(this.#project)).filter((r) => r.alive);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#beating;
    for (const claim of this.#held.values()) claim.controller.abort();
    await this.#store.stopRunner(this.runnerId);
  }

  /**
   * Runners of this host and boot whose process is gone (a crash, a kill -9, a closed terminal):
   * their claims need not wait out the lease; this runner (or any) takes their tasks over now. A
   * runner whose pid is alive, or of another boot or host, is left to its lease.
   */
  async #expireDeadHere(): Promise<void> {
    const boot = bootId();
    if (boot === null) return;
    for (const r of await this.#store.runners(this.#project)) {
      if (r.stopped || r.runner_id === this.runnerId || r.host !== hostname() || r.boot_id !== boot || isProcessAlive(r.pid)) continue;
      await this.#store.expireRunner(r.runner_id);
      this.#log.warn({ runner: r.runner_id, pid: r.pid }, 'a runner of this host whose process is gone: its claims taken back now');
    }
  }

  async #beat(): Promise<void> {
    let still: { taskId: string; token: number }[];
    try {
      still = await this.#store.renewLease(this.runnerId, this.leaseMs);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      if (!this.#renewFailing) {
        this.#renewFailing = true;
        this.#emitter.emit('warning', { message: `cannot renew this runner's lease (${reason}); retrying every ${Math.round(this.leaseMs / 3000)} s` });
      }
      this.#log.warn({ err: reason }, 'lease renewal failed');
      if (Date.now() - this.#lastRenewed > this.leaseMs) {
        for (const claim of [...this.#held.values()]) this.lose(claim, 'its lease ran out while the store could not be reached');
      }
      return;
    }
    this.#lastRenewed = Date.now();
    this.#renewFailing = false;
    for (const claim of [...this.#held.values()]) {
      if (!still.some((s) => s.taskId === claim.taskId && s.token === claim.token)) this.lose(claim, 'its lease ran out and another runner took it over');
    }
  }
}
