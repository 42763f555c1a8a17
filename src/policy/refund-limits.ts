// Operator limits on refunds: a ceiling per refund, a running total per session and currency, and two caps
// across currencies: how many refunds a session makes, and in how many currencies. A refund reserves its amount
// (and its place in those counts) before the user is asked to confirm and before the API is called, so two
// refunds in flight at once cannot both fit under a limit. Amounts are minor units of one currency; totals are
// kept per currency, never converted: without exchange rates amounts in two currencies cannot be added, so the
// caps across currencies count refunds and currencies instead of money. Only ISO 4217 codes are accepted, so a
// made-up code cannot open a fresh total.
//
// Every refund is counted once, by its idempotency key: a refund the API made counts, whether this call saw the
// answer or lost it (outcome unknown); a repeat of such a call reuses the count instead of adding another; only
// a refund that certainly did not happen (declined, refused by the API) gives its amount back.
import { isIsoCurrency } from "../api/currency.js";
import { LimitExceededError } from "../errors.js";
import { moneyView } from "../views/money.js";

export interface RefundLimits {
  /** Largest single refund, in minor units of its currency. */
  readonly maxRefund: number;
  /** Most refunded per session in any one currency, in minor units of it. */
  readonly maxSessionRefunds: number;
  /** Most refunds per session, whatever their currencies. */
  readonly maxSessionRefundCount: number;
  /** Most distinct currencies a session refunds in. */
  readonly maxSessionCurrencies: number;
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
  /** Reservations not settled yet: each holds a place in the refund count until it is. */
  private pending = 0;

  constructor(private readonly limits: RefundLimits) {}

  /** The refund an earlier call of this session made, or may have made, with `key`. */
  earlier(key: string): Readonly<Counted> | undefined {
    return this.counted.get(key);
  }

  /** Total refunded in `currency` this session, reservations and unknown outcomes included. */
  usedIn(currency: string): number {
    return this.used.get(currency) ?? 0;
  }

  /** Refunds this session made, may have made, or is making, in every currency. */
  get refundCount(): number {
    return this.counted.size + this.pending;
  }

  /** Currencies this session refunded in, or is refunding in, in the order they were first used. */
  currencies(): string[] {
    return [...this.used].filter(([, amount]) => amount > 0).map(([currency]) => currency);
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
    this.pending++;
    let settled = false;
    const settle = (how: "count" | "give back") => {
      if (settled) return;
      settled = true;
      this.pending--;
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
    const { maxRefund, maxSessionRefunds, maxSessionRefundCount, maxSessionCurrencies } = this.limits;
    const stop = "Do not retry. Ask a human to make further refunds in the billing system.";
    if (!isIsoCurrency(currency)) {
      // The API schemas already refuse such a code; this holds even for a caller that got past them.
      throw new LimitExceededError(
        "This refund is not in an ISO 4217 currency, so this server's refund limits cannot apply to it.",
        { nextStep: stop },
      );
    }
    const show = (minor: number) => moneyView(minor, currency).display;
    if (amount > maxRefund) {
      throw new LimitExceededError(
        `A refund of ${show(amount)} is above this server's limit of ${show(maxRefund)} per refund.`,
        { nextStep: `Refund at most ${maxRefund} (${show(maxRefund)}), or ask a human to make a larger refund in the billing system.` },
      );
    }
    if (this.refundCount >= maxSessionRefundCount) {
      throw new LimitExceededError(
        `This session has already made ${plural(this.refundCount, "refund")} (in progress included), this server's `
        + "limit per session across all currencies.",
        { nextStep: stop },
      );
    }
    const currencies = this.currencies();
    if (!currencies.includes(currency) && currencies.length >= maxSessionCurrencies) {
      throw new LimitExceededError(
        `This session already refunds in ${currencies.map((code) => code.toUpperCase()).join(", ")}; this server `
        + `allows refunds in at most ${plural(maxSessionCurrencies, "currency", "currencies")} per session, so a `
        + `refund in ${currency.toUpperCase()} is refused.`,
        { nextStep: stop },
      );
    }
    const used = this.usedIn(currency);
    const left = Math.max(0, maxSessionRefunds - used);
    if (amount > left) {
      throw new LimitExceededError(
        `A refund of ${show(amount)} would take this session's refunds above ${show(maxSessionRefunds)} `
        + `(${show(used)} already refunded or in progress; ${show(left)} left).`,
        { nextStep: stop },
      );
    }
  }

  private add(currency: string, amount: number): void {
    this.used.set(currency, this.usedIn(currency) + amount);
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
