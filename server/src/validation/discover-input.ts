import { z } from 'zod';

import { MAX_ADDRESS_LENGTH, parseAddress, type ParsedAddress } from '../discovery/address';

/** What POST /discover accepts: `{ address }`, parsed into its local part and ASCII domain. */
export const discoverInputSchema = z
  .object({
    address: z
      .string({ required_error: 'is required', invalid_type_error: 'must be a string (an e-mail address)' })
      .max(MAX_ADDRESS_LENGTH, `must be at most ${MAX_ADDRESS_LENGTH} characters (an e-mail address)`)
      .transform((value, ctx): ParsedAddress => {
        const parsed = parseAddress(value.trim());
        if ('problem' in parsed) {
          ctx.addIssue({ code: 'custom', message: parsed.problem });
          return z.NEVER;
        }
        return parsed;
      }),
  })
  .strict();

export type DiscoverInput = z.infer<typeof discoverInputSchema>;
