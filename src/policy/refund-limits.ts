// Operator limits on refunds: a ceiling per refund and a running total per session and currency. A refund
// reserves its amount before the user is asked to confirm and before the API is called, so two refunds in
// flight at once cannot both fit under the session total. Amounts are minor units of one currency; totals are
// kept per currency, never converted.
//
// Every refund is counted once, by its idempotency key: a refund the API made counts, whether this call saw the
// answer or lost it (outcome unknown); a repeat of such a call reuses the count instead of adding another; only
// a refund that certainly did not happen (declined, refused by the API) gives its amount back.
import { LimitExceededError } from "../errors.js";
import { moneyView } from "../views/money.js";

export interface RefundLimits {
  readonly maxRefund: number;
  readonly maxSessionRefunds: number;
}

/** A reserved refund, settled exactly once by whoever learns what the API did. */
export interface RefundReservation {
  /** The API made this refund: it counts. */
  commit(): void;
  /** The API answered with a replay of a refund made before this session: nothing moved now. */
  replayedFromEarlier(): void;
  /** Nothing was refunded (declined, refused): the amount is given back. */
  release(): void;
  /** Whether the API refunded is unknown: the amount keeps counting, and a repeat of the call shares it. */
  unknown(): void;
}

interface Counted {
  amount: number;
  currency: string;
}

export class RefundAllowance {
  /** Committed, unknown and reserved, per currency. */
  private readonly used = new Map<string, number>();
  /** Refunds that count (made, or maybe made), by idempotency key. */
  private readonly counted = new Map<string, Counted>();

  constructor(private readonly limits: RefundLimits) {}

  /** The refund an earlier call of this session made, or may have made, with `key`. */
  earlier(key: string): Readonly<Counted> | undefined {
    return this.counted.get(key);
  }

  /** Total refunded in `currency` this session, reservations and unknown outcomes included. */
  usedIn(currency: string): number {
    return this.used.get(currency) ?? 0;
  }

  /**
   * Reserves `amount` for the refund written with `key`, or throws LimitExceededError saying which limit and what
   * is still allowed. A key that already counts (an earlier call made, or may have made, this refund) reserves
   * nothing more: it is the same refund.
   */
  reserve(amount: number, currency: string, key: string): RefundReservation {
    if (this.counted.has(key)) return this.alreadyCounted(key);
    this.check(amount, currency);
    this.add(currency, amount);
    let settled = false;
    const settle = (how: "count" | "give back") => {
      if (settled) return;
      settled = true;
      // A concurrent call with the same key may have settled first; the refund still counts only once.
      if (how === "give back" || this.counted.has(key)) this.add(currency, -amount);
      else this.counted.set(key, { amount, currency });
    };
    return {
      commit: () => settle("count"),
      unknown: () => settle("count"),
      release: () => settle("give back"),
      replayedFromEarlier: () => settle("give back"),
    };
  }

  private alreadyCounted(key: string): RefundReservation {
    const forget = () => {
      // The earlier call's outcome was unknown; now the API says nothing happened, so the count goes back.
      const entry = this.counted.get(key);
      if (!entry) return;
      this.counted.delete(key);
      this.add(entry.currency, -entry.amount);
    };
    return { commit: () => {}, unknown: () => {}, replayedFromEarlier: () => {}, release: forget };
  }

  private check(amount: number, currency: string): void {
    const { maxRefund, maxSessionRefunds } = this.limits;
    const show = (minor: number) => moneyView(minor, currency).display;
    if (amount > maxRefund) {
      throw new LimitExceededError(
        `A refund of ${show(amount)} is above this server's limit of ${show(maxRefund)} per refund.`,
        { nextStep: `Refund at most ${maxRefund} (${show(maxRefund)}), or ask a human to make a larger refund in the billing system.` },
      );
    }
    const used = this.usedIn(currency);
    const left = Math.max(0, maxSessionRefunds - used);
    if (amount > left) {
      throw new LimitExceededError(
        `A refund of ${show(amount)} would take this session's refunds above ${show(maxSessionRefunds)} `
        + `(${show(used)} already refunded or in progress; ${show(left)} left).`,
        { nextStep: "Do not retry. Ask a human to make further refunds in the billing system." },
      );
    }
  }

  private add(currency: string, amount: number): void {
    this.used.set(currency, this.usedIn(currency) + amount);
  }
}
