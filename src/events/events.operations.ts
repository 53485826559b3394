// The events feed: GET /events, gRPC ListEvents and WatchEvents. A depositor sees the events of their
// own accounts (a transfer's by both sides) and of their own user; a banker sees every event.
import { type Caller, isBanker } from '../caller.js';
import type { AppDeps } from '../context.js';
import { UnavailableError } from '../errors.js';
import type { EventPage, ListEventsQuery } from './events.schemas.js';
import { type BankEvent, TooManyWaitersError, type Viewer } from './feed.js';

export const viewerOf = (caller: Caller): Viewer => ({ username: caller.username, banker: isBanker(caller) });

export function eventOperations(deps: AppDeps) {
  return {
    /** The caller's events after `after`; with `wait`, waits up to that many seconds for the first. */
    async listEvents(caller: Caller, input: ListEventsQuery, signal?: AbortSignal): Promise<EventPage> {
      try {
        return await deps.events.list(viewerOf(caller), input.after, input.limit, input.wait * 1000, signal);
      } catch (err) {
        if (err instanceof TooManyWaitersError) throw new UnavailableError(err.message, 1, 'waiters');
        throw err;
      }
    },
    /** WatchEvents: the caller's events after `after`, then each new one as it commits. */
    async watchEvents(caller: Caller, after: number, signal?: AbortSignal): Promise<AsyncGenerator<BankEvent>> {
      try {
        return deps.events.watch(viewerOf(caller), after, signal);
      } catch (err) {
        if (err instanceof TooManyWaitersError) throw new UnavailableError(err.message, 1, 'waiters');
        throw err;
      }
    },
  };
}
