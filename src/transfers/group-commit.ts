// Group commit: concurrent money movements share one call of the ledger function and one COMMIT.
// A request that finds a free slot goes at once, alone (no timer, so a lone request waits for
// nothing); while every slot has a batch in flight, new requests queue, and when a batch returns,
// what queued goes next as one batch (at most `maxBatch` items). Nothing is answered before its
// batch's COMMIT has returned.
//
// Faults: a deadlock or serialization failure retries the whole batch (bounded); a lost connection
// answers 503 to each item (the outcome may be unknown: retry with the same Idempotency-Key). An
// item that makes the call raise is isolated by splitting the batch, so it cannot fail the others.
import { isUnavailable, translatePgError } from '../db/pg-errors.js';
import type { Queryable } from '../db/pool.js';
import type { RetryOptions } from '../db/transaction.js';
import { applyWithRetry, type MovementAnswer, type MovementRequest } from './transfers.service.js';

export interface GroupCommitOptions {
  /** Most items in one call. */
  maxBatch?: number;
  /** Most calls in flight at once (each holds one pooled connection). */
  maxInFlight?: number;
  /** How long a stored Idempotency-Key answer is replayed. */
  keyTtlMs: number;
  retry?: RetryOptions;
}

interface Waiting {
  request: MovementRequest;
  resolve: (a: MovementAnswer) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitStats {
  batches: number;
  items: number;
  largestBatch: number;
  splits: number;
}

export class GroupCommit {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  readonly stats: GroupCommitStats = { batches: 0, items: 0, largestBatch: 0, splits: 0 };

  constructor(private readonly db: Queryable, private readonly opts: GroupCommitOptions) {
    this.maxBatch = opts.maxBatch ?? 64;
    this.maxInFlight = opts.maxInFlight ?? 2;
  }

  /** Moves money with whatever else is waiting; resolves after the COMMIT that made it durable. */
  submit(request: MovementRequest): Promise<MovementAnswer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  /** Items waiting for a slot, and batches in flight. */
  get pending(): { queued: number; inFlight: number } {
    return { queued: this.queue.length, inFlight: this.inFlight };
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.stats.batches++;
      this.stats.items += batch.length;
      if (batch.length > this.stats.largestBatch) this.stats.largestBatch = batch.length;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    let answers: MovementAnswer[];
    try {
      answers = await applyWithRetry(this.db, batch.map((w) => w.request), this.opts.keyTtlMs, this.opts.retry);
    } catch (err) {
      const e = translatePgError(err);
      // Nothing of the batch committed unless the connection was lost mid-call: then no one knows.
      if (batch.length === 1 || isUnavailable(err) || isOutcomeUnknown(e)) {
        for (const w of batch) w.reject(e);
        return;
      }
      // An item raised: the whole call rolled back, so run the halves again to isolate it.
      this.stats.splits++;
      const half = Math.ceil(batch.length / 2);
      await this.run(batch.slice(0, half));
      await this.run(batch.slice(half));
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(answers[i]!);
  }
}

/** A 503 (retries used up, database gone): the same answer for every item, no split. */
function isOutcomeUnknown(e: unknown): boolean {
  return (e as { status?: number } | undefined)?.status === 503;
}
