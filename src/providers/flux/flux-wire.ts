import { z } from 'zod';

/** Submit answer: `polling_url` is where to poll (it may be a regional host); older answers only have `id`. */
export const fluxSubmitSchema = z.object({
  id: z.string().min(1),
  polling_url: z.url().optional(),
});

/** Poll answer, read tolerantly: only the fields the gateway uses. */
export const fluxPollSchema = z.object({
  status: z.string(),
  result: z.object({ sample: z.url().optional() }).loose().nullish(),
  progress: z.number().nullish(),
  details: z.unknown().optional(),
});

export type FluxPoll = z.infer<typeof fluxPollSchema>;

/** Statuses that mean "keep polling"; anything unknown is treated the same way until the deadline. */
export const fluxRunningStatuses = new Set(['Pending', 'Queued', 'Reasoning', 'Generating', 'Processing']);

/** Statuses that end a task without an image. */
export const fluxFailedStatuses = new Set(['Request Moderated', 'Content Moderated', 'Error', 'Task not found']);
