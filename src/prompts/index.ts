// Every prompt the server offers.
import { accountReviewPrompt } from "./account-review.js";
import type { PromptDefinition } from "./define.js";
import { draftTicketReplyPrompt } from "./draft-ticket-reply.js";

export const allPrompts: readonly PromptDefinition[] = [accountReviewPrompt, draftTicketReplyPrompt];
