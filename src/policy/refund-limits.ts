// Operator limits on refunds: a ceiling per refund and a running total per session and currency. A refund
// reserves its amount before the user is asked to confirm and before the API is called, so two refunds in
// flight at once cannot both fit under the session total; a refund that is declined or fails gives its
// reservation back. Amounts are minor units of one currency; totals are kept per currency, never converted.
import { LimitExceededError } from "../errors.js";
import { moneyView } from "../views/money.js";

export interface RefundLimits {
  readonly maxRefund: number;
  readonly maxSessionRefunds: number;
}

/** A reserved refund: `commit` once the API has refunded, `release` when nothing was refunded. */
export interface RefundReservation {
  commit(): void;
  release(): void;
}

export class RefundAllowance {
  /** Committed plus reserved, per currency. */
  private readonly used = new Map<string, number>();

  constructor(private readonly limits: RefundLimits) {}

  /** Total refunded in `currency` this session, reservations included. */
  usedIn(currency: string): number {
    return this.used.get(currency) ?? 0;
  }

  /** Reserves `amount` or throws LimitExceededError saying which limit and what is still allowed. */
  reserve(amount: number, currency: string): RefundReservation {
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
    this.used.set(currency, used + amount);
    let settled = false;
    return {
      commit: () => {
        settled = true;
      },
      release: () => {
        if (settled) return;
        settled = true;
        this.used.set(currency, this.usedIn(currency) - amount);
      },
    };
  }
}
