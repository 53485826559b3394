import Type, { type Static } from 'typebox';
import { EVENT_TYPES } from './feed.js';

export const EventType = Type.Enum(EVENT_TYPES, { title: 'EventType' });

export const Event = Type.Object(
  {
    id: Type.String({ pattern: '^evt_[0-9]+$', description: "'evt_' + the sequence: the same on every delivery (webhook-id)" }),
    sequence: Type.Integer({ minimum: 1, description: 'increases in commit order; page with `after`' }),
    type: EventType,
    created_at: Type.String({ format: 'date-time', description: 'when the change committed (RFC 3339, UTC)' }),
    data: Type.Object(
      {},
      {
        additionalProperties: true,
        description: '{transfer} (the Transfer) for transfer.*, {account} (the Account) for account.*, {user} for user.*',
      },
    ),
  },
  { additionalProperties: false, title: 'Event' },
);
export type Event = Static<typeof Event>;

export const ListEventsQuery = Type.Object(
  {
    after: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 0,
      description: 'the last sequence you have (0: from the oldest kept)',
    }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    wait: Type.Integer({
      minimum: 0,
      maximum: 30,
      default: 0,
      description: 'seconds to wait for the first event when there is none yet (long-poll); 0: answer at once',
    }),
  },
  { additionalProperties: false },
);
export type ListEventsQuery = Static<typeof ListEventsQuery>;

export const EventPage = Type.Object(
  {
    items: Type.Array(Event),
    next_after: Type.Integer({
      minimum: 0,
      description: "the last item's sequence, or `after` when there is none: pass it as `after` next",
    }),
  },
  { additionalProperties: false, title: 'EventPage' },
);
export type EventPage = Static<typeof EventPage>;
